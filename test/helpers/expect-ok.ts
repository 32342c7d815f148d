import { expect } from 'vitest';
import type { CliResult } from './cli.js';

/** The stdout of a CLI run that must succeed; otherwise the test fails showing what it printed. */
export async function ok(r: Promise<CliResult>): Promise<string> {
  const res = await r;
  expect(res.code, `${res.stdout}\n${res.stderr}`).toBe(0);
  return res.stdout;
}
