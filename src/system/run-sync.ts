// Runs a short-lived macOS tool synchronously (spec resolution is synchronous): argv, no shell, a timeout, C locale.
// node:child_process rather than execa, which the lightweight commands (validate, plan) must not load (start-up cost,
// test/cli/lazy-loading.test.ts). Each tool still has one owning module: directory.ts, mounts.ts, sysctl.ts.
import { spawnSync } from 'node:child_process';

export interface SyncResult {
  /** Exit status; undefined when the program could not run (spawnError) or was killed (timeout). */
  readonly exitCode: number | undefined;
  readonly stdout: string;
  readonly stderr: string;
  /** ENOENT, EACCES, ETIMEDOUT… when it did not run to completion. */
  readonly errorCode?: string;
}

export function runSync(file: string, args: readonly string[], timeoutMs = 10_000, env: Readonly<Record<string, string | undefined>> = process.env): SyncResult {
  const r = spawnSync(file, [...args], { encoding: 'utf8', timeout: timeoutMs, stdio: ['ignore', 'pipe', 'pipe'], env: { ...env, LC_ALL: 'C' }, maxBuffer: 4 * 1024 * 1024 });
  const errorCode = (r.error as NodeJS.ErrnoException | undefined)?.code;
  return { exitCode: r.status ?? undefined, stdout: r.stdout ?? '', stderr: r.stderr ?? '', ...(errorCode !== undefined ? { errorCode } : {}) };
}
