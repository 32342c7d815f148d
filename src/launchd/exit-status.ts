/**
 * How a launchd job last ended, as far as launchctl output lets us tell.
 * `name` fields hold only what launchctl itself printed (`78: EX_CONFIG`, `Killed: 9`); they are never filled from a table.
 * `unknown` means the output could not be read: callers must treat it as "not known healthy".
 */
export type LastExit =
  | { kind: 'never' }
  | { kind: 'code'; code: number; name?: string }
  | { kind: 'signal'; signal: number; name?: string }
  | { kind: 'reclaimed'; reason: string }
  | { kind: 'unknown' };

// macOS <sys/signal.h> numbering (differs from Linux from 7 upwards).
const SIGNALS: Readonly<Record<number, string>> = {
  1: 'SIGHUP', 2: 'SIGINT', 3: 'SIGQUIT', 4: 'SIGILL', 5: 'SIGTRAP', 6: 'SIGABRT', 7: 'SIGEMT', 8: 'SIGFPE',
  9: 'SIGKILL', 10: 'SIGBUS', 11: 'SIGSEGV', 12: 'SIGSYS', 13: 'SIGPIPE', 14: 'SIGALRM', 15: 'SIGTERM', 16: 'SIGURG',
  17: 'SIGSTOP', 18: 'SIGTSTP', 19: 'SIGCONT', 20: 'SIGCHLD', 21: 'SIGTTIN', 22: 'SIGTTOU', 23: 'SIGIO', 24: 'SIGXCPU',
  25: 'SIGXFSZ', 26: 'SIGVTALRM', 27: 'SIGPROF', 28: 'SIGWINCH', 29: 'SIGINFO', 30: 'SIGUSR1', 31: 'SIGUSR2',
};

// <sysexits.h>: name and the header's own one-line meaning.
const SYSEXITS: Readonly<Record<number, readonly [string, string]>> = {
  64: ['EX_USAGE', 'command line usage error'],
  65: ['EX_DATAERR', 'data format error'],
  66: ['EX_NOINPUT', 'cannot open input'],
  67: ['EX_NOUSER', 'addressee unknown'],
  68: ['EX_NOHOST', 'host name unknown'],
  69: ['EX_UNAVAILABLE', 'service unavailable'],
  70: ['EX_SOFTWARE', 'internal software error'],
  71: ['EX_OSERR', 'system error (e.g. cannot fork)'],
  72: ['EX_OSFILE', 'critical OS file missing'],
  73: ['EX_CANTCREAT', 'cannot create (user) output file'],
  74: ['EX_IOERR', 'input/output error'],
  75: ['EX_TEMPFAIL', 'temporary failure; retrying may work'],
  76: ['EX_PROTOCOL', 'remote error in protocol'],
  77: ['EX_NOPERM', 'permission denied'],
  78: ['EX_CONFIG', 'configuration error'],
};

// The signals launchd's KeepAlive.Crashed and the specs/launchd-behaviour.md (§5) count as crashes.
const CRASH_SIGNALS: ReadonlySet<number> = new Set([4, 6, 8, 10, 11]); // ILL ABRT FPE BUS SEGV

/** `SIGTERM` for 15 etc. (macOS numbering); undefined outside 1..31. */
export function signalName(n: number): string | undefined {
  return SIGNALS[n];
}

/** `EX_CONFIG` for 78 etc.; undefined outside 64..78. */
export function sysexitName(code: number): string | undefined {
  return SYSEXITS[code]?.[0];
}

/**
 * Decodes a raw wait(2) status, as `launchctl list <label>` prints in `LastExitStatus` (specs/launchd-behaviour.md §7):
 * low 7 bits = terminating signal, bits 8..15 = exit code. Anything that is not a valid status is `unknown`.
 */
export function decodeWaitStatus(raw: number): LastExit {
  if (!Number.isSafeInteger(raw) || raw < 0 || raw > 0xffff) return { kind: 'unknown' };
  const sig = raw & 0x7f;
  if (sig === 0) return { kind: 'code', code: (raw >> 8) & 0xff };
  if (sig === 0x7f) return { kind: 'unknown' }; // WIFSTOPPED: not an exit at all
  return { kind: 'signal', signal: sig };
}

/** True only for a terminating signal that means the program crashed (SIGSEGV, SIGBUS, SIGILL, SIGABRT, SIGFPE). */
export function isCrash(exit: LastExit): boolean {
  return exit.kind === 'signal' && CRASH_SIGNALS.has(exit.signal);
}

/** One or two plain-English sentences explaining a LastExit to an operator. */
export function explainExit(exit: LastExit): string {
  switch (exit.kind) {
    case 'never':
      return 'It has not exited since it was loaded: either it never ran, or its first run is still going.';
    case 'unknown':
      return 'The last exit status could not be read from launchctl output, so it is unknown (not assumed healthy).';
    case 'reclaimed':
      return explainReclaimed(exit.reason);
    case 'code':
      return explainCode(exit.code, exit.name);
    case 'signal':
      return explainSignal(exit.signal, exit.name);
    default: {
      const never: never = exit;
      return `Unrecognised exit information: ${JSON.stringify(never)}.`;
    }
  }
}

function explainReclaimed(reason: string): string {
  if (reason === 'JETSAM_REASON_MEMORY_IDLE_EXIT') {
    return `The system reclaimed the idle job under memory pressure (pressured exit, ${reason}); this is normal and launchd starts it again on demand.`;
  }
  // Only the idle-exit reason is documented (specs/launchd-behaviour.md §1, §5); other jetsam reasons are read as memory kills (unverified).
  return `The system's memory manager (jetsam) ended the job: ${reason}. If this repeats, the job may be using too much memory.`;
}

function explainCode(code: number, printedName: string | undefined): string {
  const sx = SYSEXITS[code];
  const name = printedName ?? sx?.[0];
  const label = name === undefined ? `${code}` : `${code} (${name})`;
  if (code === 0) return 'It exited normally (status 0).';
  if (code === 78) {
    return (
      `It exited with ${label}: launchd could not set the job up or exec the program, so it probably never ran. ` +
      'Check that the program path is absolute and executable (launchd\'s PATH is only /usr/bin:/bin:/usr/sbin:/sbin), ' +
      'that the stdout/stderr log paths are not in ~/Desktop, ~/Documents or ~/Downloads and are writable by the job\'s user, ' +
      'and that it does not exit faster than its ThrottleInterval (see specs/launchd-behaviour.md §9).'
    );
  }
  if (sx !== undefined) return `It exited with ${label}: ${sx[1]}.`;
  if (code === 126) return 'It exited with 126: a command was found but is not executable (check permissions and the interpreter line).';
  if (code === 127) return 'It exited with 127: a command was not found (use an absolute path; launchd\'s PATH is only /usr/bin:/bin:/usr/sbin:/sbin).';
  if (code > 128 && code <= 128 + 31) {
    const n = code - 128;
    return `It exited with ${code}, which by shell convention means a child process was killed by signal ${n} (${signalName(n) ?? 'unknown'}).`;
  }
  return `It exited with status ${label}: the program reported a failure; check its stderr log.`;
}

function explainSignal(sig: number, printedName: string | undefined): string {
  const sym = signalName(sig);
  const what = [sym, printedName].filter((s) => s !== undefined).join(', ');
  const label = what === '' ? `signal ${sig}` : `signal ${sig} (${what})`;
  if (CRASH_SIGNALS.has(sig)) return `It crashed: killed by ${label}. Look for a crash report or the program's stderr log.`;
  if (sig === 15 || sig === 9) {
    return (
      `It was stopped by ${label}. This usually comes from launchd itself (bootout or kickstart -k send SIGTERM, ` +
      'then SIGKILL after the exit timeout), from the system under memory pressure, or from someone running kill.'
    );
  }
  return `It was killed by ${label}.`;
}
