// The double runs on Linux but prints what macOS prints: macOS signal numbers and strsignal() texts.

interface MacSignal {
  readonly name: string;
  readonly number: number;
  /** strsignal() on macOS; `print` shows `last terminating signal = <text>: <n>` (specs/launchd-behaviour.md §5). */
  readonly text: string;
}

// macOS <sys/signal.h> numbering; it differs from Linux from 7 upwards (SIGBUS 10, SIGUSR1 30, ...).
const MAC_SIGNALS: readonly MacSignal[] = [
  { name: 'SIGHUP', number: 1, text: 'Hangup' },
  { name: 'SIGINT', number: 2, text: 'Interrupt' },
  { name: 'SIGQUIT', number: 3, text: 'Quit' },
  { name: 'SIGILL', number: 4, text: 'Illegal instruction' },
  { name: 'SIGTRAP', number: 5, text: 'Trace/BPT trap' },
  { name: 'SIGABRT', number: 6, text: 'Abort trap' },
  { name: 'SIGEMT', number: 7, text: 'EMT trap' },
  { name: 'SIGFPE', number: 8, text: 'Floating point exception' },
  { name: 'SIGKILL', number: 9, text: 'Killed' },
  { name: 'SIGBUS', number: 10, text: 'Bus error' },
  { name: 'SIGSEGV', number: 11, text: 'Segmentation fault' },
  { name: 'SIGSYS', number: 12, text: 'Bad system call' },
  { name: 'SIGPIPE', number: 13, text: 'Broken pipe' },
  { name: 'SIGALRM', number: 14, text: 'Alarm clock' },
  { name: 'SIGTERM', number: 15, text: 'Terminated' },
  { name: 'SIGURG', number: 16, text: 'Urgent I/O condition' },
  { name: 'SIGSTOP', number: 17, text: 'Suspended (signal)' },
  { name: 'SIGTSTP', number: 18, text: 'Suspended' },
  { name: 'SIGCONT', number: 19, text: 'Continued' },
  { name: 'SIGCHLD', number: 20, text: 'Child exited' },
  { name: 'SIGTTIN', number: 21, text: 'Stopped (tty input)' },
  { name: 'SIGTTOU', number: 22, text: 'Stopped (tty output)' },
  { name: 'SIGIO', number: 23, text: 'I/O possible' },
  { name: 'SIGXCPU', number: 24, text: 'Cputime limit exceeded' },
  { name: 'SIGXFSZ', number: 25, text: 'Filesize limit exceeded' },
  { name: 'SIGVTALRM', number: 26, text: 'Virtual timer expired' },
  { name: 'SIGPROF', number: 27, text: 'Profiling timer expired' },
  { name: 'SIGWINCH', number: 28, text: 'Window size changes' },
  { name: 'SIGINFO', number: 29, text: 'Information request' },
  { name: 'SIGUSR1', number: 30, text: 'User defined signal 1' },
  { name: 'SIGUSR2', number: 31, text: 'User defined signal 2' },
];

const BY_NAME = new Map(MAC_SIGNALS.map((s) => [s.name, s]));
const BY_NUMBER = new Map(MAC_SIGNALS.map((s) => [s.number, s]));
// Linux-only names Node may report for a dead child; mapped to the closest macOS signal.
const LINUX_ALIASES: Readonly<Record<string, string>> = { SIGIOT: 'SIGABRT', SIGPOLL: 'SIGIO', SIGPWR: 'SIGINFO', SIGSTKFLT: 'SIGSEGV' };

// KeepAlive.Crashed counts these as crashes (specs/launchd-behaviour.md §1, §5 "Crash = SIGSEGV/SIGBUS/SIGILL/SIGABRT"; man "SIGILL, SIGSEGV, …").
const CRASH_NAMES: ReadonlySet<string> = new Set(['SIGILL', 'SIGABRT', 'SIGFPE', 'SIGBUS', 'SIGSEGV']);

/** macOS number of a signal Node reported by (Linux) name, e.g. `SIGUSR1` -> 30. */
export function macSignalNumber(nodeName: string): number {
  const s = BY_NAME.get(LINUX_ALIASES[nodeName] ?? nodeName);
  return s?.number ?? 0;
}

/** `Terminated` for 15; `Signal <n>` for numbers macOS has no text for. */
export function macSignalText(n: number): string {
  return BY_NUMBER.get(n)?.text ?? `Signal ${n}`;
}

/** The Node (Linux) signal name to send for a macOS signal number. */
export function nodeSignalName(macNumber: number): NodeJS.Signals | undefined {
  const s = BY_NUMBER.get(macNumber);
  if (s === undefined) return undefined;
  // Linux has no SIGEMT / SIGINFO: deliver the nearest equivalent.
  if (s.name === 'SIGEMT') return 'SIGTRAP';
  if (s.name === 'SIGINFO') return 'SIGPWR';
  return s.name as NodeJS.Signals;
}

export function isCrashSignal(macNumber: number): boolean {
  const s = BY_NUMBER.get(macNumber);
  return s !== undefined && CRASH_NAMES.has(s.name);
}

/**
 * Parses the `<signal>` argument of `launchctl kill`: a macOS number, or a name with or without `SIG`,
 * in any case, optionally prefixed with `-` (as the Procursus clone accepts). Undefined when invalid.
 */
export function parseSignalArg(arg: string): number | undefined {
  let s = arg.startsWith('-') ? arg.slice(1) : arg;
  if (/^\d+$/.test(s)) {
    const n = Number(s);
    return n >= 0 && n <= 31 ? n : undefined;
  }
  s = s.toUpperCase();
  if (!s.startsWith('SIG')) s = `SIG${s}`;
  return BY_NAME.get(s)?.number;
}
