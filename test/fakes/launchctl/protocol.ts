// The CLI <-> supervisor protocol: a request (argv, cwd, caller context) and its response, over the unix socket;
// wire.ts has the two encodings (the Node client's JSON lines, the fast client's length-prefixed fields).

/**
 * What the emulated caller and machine look like for one call. Read from the caller's env on every call, so a
 * test may change them between calls (the supervisor never reads the caller's env otherwise).
 */
export interface CallerContext {
  /** FAKE_LAUNCHD_EUID, else the real euid. Non-root gets the `Try re-running…` hint and may not touch system. */
  readonly euid: number;
  /** FAKE_LAUNCHD_MACOS major version, default 14. Selects the print-disabled spelling. */
  readonly macos: number;
  /** FAKE_LAUNCHD_NO_GUI=1: no gui/<uid> domain exists (SSH-only Mac). */
  readonly noGui: boolean;
  /** FAKE_LAUNCHD_BOOTOUT_LAG_MS: bootout returns at once and the label stays visible this long (and until the process is gone). */
  readonly bootoutLagMs: number;
  /** FAKE_LAUNCHD_BOOTOUT_EINPROGRESS=1: the first bootout in this state dir answers 36 while teardown goes on. */
  readonly bootoutEinprogressOnce: boolean;
  /** FAKE_LAUNCHD_BOOTSTRAP_ALREADY_ERRNO: errno for "already loaded / still draining": 5 (default), 37 or 17. */
  readonly alreadyErrno: number;
  /** FAKE_LAUNCHD_RICH_ERRORS=1: root gets 109/110/111/122/134 instead of 5 for bad plists (specs/launchd-behaviour.md §8). */
  readonly richErrors: boolean;
  /** Whether the CLI's stdout is a TTY (`kickstart -p` prints differently). */
  readonly stdoutIsTty: boolean;
}

export interface Request {
  readonly argv: readonly string[];
  /** The caller's working directory: relative plist paths are resolved against it. */
  readonly cwd: string;
  readonly ctx: CallerContext;
}

export interface Response {
  readonly stdout: string;
  readonly stderr: string;
  readonly code: number;
}

function intEnv(v: string | undefined, fallback: number): number {
  const n = v === undefined || v.trim() === '' ? NaN : Number(v);
  return Number.isSafeInteger(n) ? n : fallback;
}

const truthy = (v: string | undefined): boolean => v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false';

/**
 * The caller's context from its env. Reads FAKE_LAUNCHD_* variables only: the fast client forwards nothing else. `realEuid`: the caller's own euid (default: this process's, for the Node client,
 * which is the caller; the supervisor passes the fast client's).
 */
export function contextFromEnv(env: NodeJS.ProcessEnv, stdoutIsTty: boolean, realEuid: number = process.geteuid?.() ?? 0): CallerContext {
  const already = intEnv(env['FAKE_LAUNCHD_BOOTSTRAP_ALREADY_ERRNO'], 5);
  return {
    euid: intEnv(env['FAKE_LAUNCHD_EUID'], realEuid),
    macos: intEnv(env['FAKE_LAUNCHD_MACOS'], 14),
    noGui: truthy(env['FAKE_LAUNCHD_NO_GUI']),
    bootoutLagMs: Math.max(0, intEnv(env['FAKE_LAUNCHD_BOOTOUT_LAG_MS'], 0)),
    bootoutEinprogressOnce: truthy(env['FAKE_LAUNCHD_BOOTOUT_EINPROGRESS']),
    alreadyErrno: [5, 17, 37].includes(already) ? already : 5,
    richErrors: truthy(env['FAKE_LAUNCHD_RICH_ERRORS']),
    stdoutIsTty,
  };
}
