// How long lotusctl waits for a job to stop. launchd sends SIGTERM, then SIGKILL after ExitTimeOut (launchd.plist(5),
// specs/launchd-behaviour.md §1), and `bootout` can return before the process has exited (§3): so the wait is the
// job's ExitTimeOut plus a margin for the kill, the reaping and launchd dropping the label. ExitTimeOut 0 means launchd
// never sends SIGKILL: nothing bounds the stop but the process itself, so lotusctl gives up after NO_SIGKILL_WAIT_S.

/** Seconds on top of ExitTimeOut: SIGKILL, reaping, and the label leaving the domain. */
export const STOP_MARGIN_S = 15;
/** The wait for a job with ExitTimeOut 0 (never SIGKILLed): ten minutes, then lotusctl reports it still stopping. */
export const NO_SIGKILL_WAIT_S = 600;
/** lotus.yaml's default exit_timeout, assumed when the loaded job's own value cannot be read. */
export const DEFAULT_EXIT_TIMEOUT_S = 120;

/** Milliseconds to wait for a job whose ExitTimeOut is `exitTimeoutS` (undefined: unknown) to be gone. */
export function stopWaitMs(exitTimeoutS: number | undefined): number {
  const s = exitTimeoutS ?? DEFAULT_EXIT_TIMEOUT_S;
  return (s === 0 ? NO_SIGKILL_WAIT_S : s + STOP_MARGIN_S) * 1000;
}
