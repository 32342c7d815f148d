import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const repoRoot = join(import.meta.dirname, '../..');
export const cliPath = join(repoRoot, 'dist/cli/main.js');
/** Doubles of the macOS tools lotusctl runs (dscl, …), for LOTUSCTL_MACOS_TOOLS. */
export const MACOS_TOOLS_DIR = join(repoRoot, 'test/fakes/macos');

export interface CliResult { code: number; stdout: string; stderr: string }

/**
 * Run the built CLI as a user would: a real process, its own env, no TTY. `uid`/`gid` run it as another user (the
 * sandbox's operator when the tests run as root).
 */
export function runCli(args: readonly string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; input?: string; timeoutMs?: number; nodeArgs?: readonly string[]; uid?: number; gid?: number; node?: string } = {}): Promise<CliResult> {
  if (!existsSync(cliPath)) throw new Error(`${cliPath} is missing: run npm run build first (npm test does)`);
  return new Promise((resolve) => {
    const child = execFile(opts.node ?? process.execPath, [...(opts.nodeArgs ?? []), cliPath, ...args], {
      env: { PATH: process.env.PATH, NO_COLOR: '1', ...opts.env },
      cwd: opts.cwd ?? repoRoot,
      timeout: opts.timeoutMs ?? 120_000,
      maxBuffer: 32 * 1024 * 1024,
      ...(opts.uid !== undefined ? { uid: opts.uid } : {}),
      ...(opts.gid !== undefined ? { gid: opts.gid } : {}),
    }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
    // A CLI may stop reading before the input ends (plan --stdin past its cap): that is its answer, not a test error.
    child.stdin?.on('error', () => undefined);
    if (opts.input !== undefined) child.stdin?.end(opts.input);
    else child.stdin?.end();
  });
}
