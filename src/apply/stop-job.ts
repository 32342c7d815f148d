// Stopping a job and waiting until its process is really gone, however long the job's ExitTimeOut lets it drain
// (issue 9, item 6): `bootout` may return while Lotus is still closing its datastores (specs/launchd-behaviour.md §3),
// and bootstrapping the same label over a draining process races it.
import type { DomainTarget } from '../launchd/domain.js';
import { stopWaitMs } from '../launchd/stop-wait.js';
import { isLotusctlError } from '../model/errors.js';
import type { BootoutOutcome, Launchctl } from '../system/launchctl.js';

const secs = (ms: number): string => `${Math.round(ms / 1000)}s`;

/** The ExitTimeOut launchd will apply to the loaded job (its `print`), or undefined when it is not loaded or unreadable. */
export async function loadedExitTimeout(lc: Launchctl, domain: DomainTarget, label: string): Promise<number | undefined> {
  return (await lc.print(domain, label).catch(() => undefined))?.parsed.exitTimeout;
}

/**
 * `bootout`, then wait until the label has left the domain, for up to the job's ExitTimeOut plus a margin
 * (src/launchd/stop-wait.ts), saying every few seconds how long it has waited. Throws `launchctl.bootout-timeout`
 * when the process is still there after that.
 */
export async function stopJob(lc: Launchctl, domain: DomainTarget, label: string, progress: (m: string) => void, exitTimeoutS?: number): Promise<BootoutOutcome> {
  const timeout = exitTimeoutS ?? (await loadedExitTimeout(lc, domain, label));
  const limit = stopWaitMs(timeout);
  const why = timeout === 0 ? 'ExitTimeOut 0: launchd never sends SIGKILL' : `ExitTimeOut ${timeout ?? '?'}s + margin`;
  return lc.bootout(domain, label, {
    waitGoneMs: limit,
    onWait: (waited) => progress(`waiting for ${label} to exit: ${secs(waited)} of up to ${secs(limit)} (${why})`),
  });
}

/** True when `e` says the job was still stopping when lotusctl gave up waiting. */
export function stillStopping(e: unknown): boolean {
  return isLotusctlError(e) && (e.code === 'launchctl.bootout-timeout' || e.code === 'launchctl.in-progress');
}
