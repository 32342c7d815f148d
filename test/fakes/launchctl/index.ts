// Helpers for tests that run code against the launchctl test double.
import { spawn } from 'node:child_process';
import { dirname } from 'node:path';
import { shimPath } from './locate.js';

export { spawnedPids, stopFakeLaunchd } from './control.js';
export { isAlive, livePidsInGroups } from './proc.js';

/** How the emulated Mac looks; every field maps to one FAKE_LAUNCHD_* variable (README.md). */
export interface FakeLaunchdOptions {
  /** macOS major version (FAKE_LAUNCHD_MACOS, default 14): <13 prints print-disabled with true/false. */
  macos?: number;
  /** No GUI login session (FAKE_LAUNCHD_NO_GUI=1): gui/<uid> is missing. */
  noGui?: boolean;
  /** Emulated caller euid (FAKE_LAUNCHD_EUID); non-root gets launchd's non-root behaviour and texts. */
  euid?: number;
  /** bootout returns at once; the label stays visible this long (FAKE_LAUNCHD_BOOTOUT_LAG_MS). */
  bootoutLagMs?: number;
  /** The first bootout answers `36: Operation now in progress` (FAKE_LAUNCHD_BOOTOUT_EINPROGRESS=1). */
  bootoutEinprogressOnce?: boolean;
  /** errno bootstrap returns for "already loaded / still draining": 5 (default), 37 or 17. */
  bootstrapAlreadyErrno?: 5 | 17 | 37;
  /** Root gets launchd's specific bootstrap codes (109, 110, 111, 122, 134) instead of 5. */
  richErrors?: boolean;
  /** Supervisor exits after this long with nothing loaded (FAKE_LAUNCHD_IDLE_MS, default 30000). */
  idleMs?: number;
  /** Process whose death stops the supervisor (FAKE_LAUNCHD_OWNER_PID); default this process, null for none. */
  ownerPid?: number | null;
  /** Environment every job gets without its plist saying so, as what a real Mac provides (FAKE_LAUNCHD_JOB_ENV). */
  jobEnv?: Readonly<Record<string, string>>;
}

/** Absolute path of the `launchctl` shim. */
export function fakeLaunchctlPath(): string {
  return shimPath();
}

/**
 * The environment additions that make code use the double with state in `stateDir`: LOTUSCTL_LAUNCHCTL (the shim),
 * PATH with the shim's directory first, FAKE_LAUNCHD_DIR and the FAKE_LAUNCHD_* switches of `opts`.
 * Merge it over process.env when spawning.
 */
export function fakeLaunchctlEnv(stateDir: string, opts: FakeLaunchdOptions = {}): Record<string, string> {
  const shim = shimPath();
  const env: Record<string, string> = {
    LOTUSCTL_LAUNCHCTL: shim,
    PATH: [dirname(shim), process.env['PATH'] ?? '/usr/bin:/bin'].join(':'),
    FAKE_LAUNCHD_DIR: stateDir,
  };
  const owner = opts.ownerPid === undefined ? process.pid : opts.ownerPid;
  if (owner !== null) env['FAKE_LAUNCHD_OWNER_PID'] = String(owner);
  if (opts.macos !== undefined) env['FAKE_LAUNCHD_MACOS'] = String(opts.macos);
  if (opts.noGui === true) env['FAKE_LAUNCHD_NO_GUI'] = '1';
  if (opts.euid !== undefined) env['FAKE_LAUNCHD_EUID'] = String(opts.euid);
  if (opts.bootoutLagMs !== undefined) env['FAKE_LAUNCHD_BOOTOUT_LAG_MS'] = String(opts.bootoutLagMs);
  if (opts.bootoutEinprogressOnce === true) env['FAKE_LAUNCHD_BOOTOUT_EINPROGRESS'] = '1';
  if (opts.bootstrapAlreadyErrno !== undefined) env['FAKE_LAUNCHD_BOOTSTRAP_ALREADY_ERRNO'] = String(opts.bootstrapAlreadyErrno);
  if (opts.richErrors === true) env['FAKE_LAUNCHD_RICH_ERRORS'] = '1';
  if (opts.idleMs !== undefined) env['FAKE_LAUNCHD_IDLE_MS'] = String(opts.idleMs);
  if (opts.jobEnv !== undefined) env['FAKE_LAUNCHD_JOB_ENV'] = JSON.stringify(opts.jobEnv);
  return env;
}

/** Result of one launchctl run. */
export interface LaunchctlResult {
  stdout: string;
  stderr: string;
  code: number;
}

/** Runs the shim with `args` and the given env additions (merged over process.env); never rejects on exit codes. */
export function runFakeLaunchctl(args: readonly string[], env: Record<string, string>, opts: { cwd?: string } = {}): Promise<LaunchctlResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(shimPath(), [...args], { env: { ...process.env, ...env }, cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ stdout, stderr, code: code ?? (signal !== null ? 128 : -1) }));
  });
}
