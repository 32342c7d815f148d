// How many times a plan runs launchctl: at most one `print` per job and one `print-disabled` per domain, whatever
// the machine's state. Counted by a wrapper in front of the launchctl double that logs each argv.
import { readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Sandbox } from '../helpers/sandbox.js';

let sb: Sandbox;
let log: string;
let counting: Record<string, string>;

beforeEach(() => {
  sb = new Sandbox();
  log = sb.path('launchctl-calls.log');
  const wrapper = join(sb.bin, 'counting-launchctl');
  writeFileSync(wrapper, `#!/bin/sh\nprintf '%s\\n' "$*" >> ${JSON.stringify(log)}\nexec ${JSON.stringify(sb.env.LOTUSCTL_LAUNCHCTL)} "$@"\n`);
  chmodSync(wrapper, 0o755);
  counting = { LOTUSCTL_LAUNCHCTL: wrapper };
});
afterEach(async () => {
  expect(await sb.stop()).toEqual([]);
});

function calls(): string[] {
  let lines: string[] = [];
  try {
    lines = readFileSync(log, 'utf8').split('\n').filter((l) => l !== '');
  } catch {
    // no call at all
  }
  rmSync(log, { force: true });
  return lines.sort();
}

describe('launchctl calls per plan', () => {
  it('one print per job and one print-disabled per domain: fresh machine, after apply, and for drift', async () => {
    const sleeper = sb.script('sleeper', 'exec sleep 600');
    // Three jobs in two domains (gui and user), plus the monitor job, which follows them into user (specs/domains.md).
    sb.writeSpec(`version: 1
services:
  a: { program: ${sleeper}, throttle_interval: 1s }
  b: { program: ${sleeper}, throttle_interval: 1s }
  c: { program: ${sleeper}, throttle_interval: 1s, domain: user }
monitor: { schedule: 1h }
`);
    const uid = sb.uid;
    const expected = [
      `print gui/${uid}/com.lotusctl.a`, `print gui/${uid}/com.lotusctl.b`, `print user/${uid}/com.lotusctl.monitor`,
      `print user/${uid}/com.lotusctl.c`, `print-disabled gui/${uid}`, `print-disabled user/${uid}`,
    ].sort();

    const fresh = await sb.cli(['plan', '--detailed-exitcode'], counting);
    expect(fresh.code, fresh.stderr).toBe(2);
    expect(calls()).toEqual(expected);

    const applied = await sb.cli(['apply', '--auto-approve'], counting);
    expect(applied.code, applied.stderr).toBe(0);
    calls();

    const noop = await sb.cli(['plan', '--detailed-exitcode'], counting);
    expect(noop.code, noop.stdout).toBe(0);
    expect(calls()).toEqual(expected);

    const drift = await sb.cli(['drift'], counting);
    expect(drift.code, drift.stdout).toBe(0);
    expect(calls()).toEqual(expected);
  });
});
