import type { DomainTarget } from '../launchd/domain.js';
import { explainExit } from '../launchd/exit-status.js';
import { LotusctlError } from '../model/errors.js';
import type { JobStep } from '../model/plan.js';
import type { Launchctl } from '../system/launchctl.js';
import { resolveApiUrl, rpcCall } from '../system/lotus-api.js';
import { readTail } from '../system/read-file.js';

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realClock: Clock = { now: () => Date.now(), sleep: (ms) => new Promise((r) => setTimeout(r, ms)) };

const POLL_MS = 200;

/** The last `lines` lines of a log file, or [] when it cannot be read. */
export function tailFile(path: string, lines = 20, maxBytes = 16 * 1024): string[] {
  try {
    // readTail refuses a FIFO or a device at the log path instead of blocking on it.
    return (readTail(path, maxBytes)?.toString('utf8') ?? '').split('\n').filter((l) => l.length > 0).slice(-lines);
  } catch {
    return [];
  }
}

/** What the readiness checks need about a job: a plan step, or a service being restarted. */
export type ReadyTarget = Pick<JobStep, 'service' | 'label' | 'domain' | 'readiness'>;

async function jobDied(step: ReadyTarget, lc: Launchctl, domain: DomainTarget, why: string): Promise<LotusctlError> {
  const printed = await lc.print(domain, step.label).catch(() => undefined);
  const exit = printed?.parsed.lastExit ?? { kind: 'unknown' as const };
  const tail = step.readiness?.stderrPath ? tailFile(step.readiness.stderrPath, 15) : [];
  return new LotusctlError('apply.job-failed', `${step.label} ${why}: ${explainExit(exit)}`, {
    hint: tail.length > 0 ? `see ${step.readiness?.stderrPath}; fix the cause and apply again` : 'set logs: in lotus.yaml to capture its output, fix the cause and apply again',
    details: tail.length > 0 ? [`last lines of ${step.readiness?.stderrPath}:`, ...tail.map((l) => `  ${l}`)] : [],
  });
}

/**
 * Honest start: wait until launchd reports a pid (a new one, after a restart), then until the same process has stayed up for the throttle
 * interval (a crash-looping job never passes), then, when the service has a health API, until it answers.
 * Bounded by timeouts; a job that dies is reported with its last exit in words and the tail of its stderr.
 */
export async function waitReady(
  step: ReadyTarget, lc: Launchctl, clock: Clock, progress: (m: string) => void,
  opts: { runsBefore?: number; notPid?: number } = {},
): Promise<number> {
  const runsBefore = opts.runsBefore ?? 0;
  const r = step.readiness;
  const throttleMs = (r?.throttleSeconds ?? 10) * 1000;
  const startTimeoutMs = Math.max(15_000, throttleMs * 2);
  const startDeadline = clock.now() + startTimeoutMs;
  let pid: number | undefined;
  let runs: number | undefined;
  progress('waiting for launchd to start it');
  while (pid === undefined) {
    const p = await lc.print(step.domain, step.label);
    if (!p) throw new LotusctlError('apply.job-vanished', `${step.label} is no longer loaded`, { hint: 'something booted it out during apply; run lotusctl plan' });
    // After a kickstart -k the old instance may still show for a moment: only a new pid counts.
    if (p.parsed.pid !== undefined && p.parsed.pid !== opts.notPid) {
      pid = p.parsed.pid;
      runs = p.parsed.runs;
      break;
    }
    // It ran since we started it and is already gone: no need to wait out the deadline.
    const exit = p.parsed.lastExit.kind;
    if (p.parsed.runs !== undefined && p.parsed.runs > runsBefore && (exit === 'code' || exit === 'signal')) {
      throw await jobDied(step, lc, step.domain, 'exited as soon as it started');
    }
    if (clock.now() > startDeadline) throw await jobDied(step, lc, step.domain, `did not start within ${startTimeoutMs / 1000}s`);
    await clock.sleep(POLL_MS);
  }
  progress(`running as pid ${pid}; checking it stays up for ${throttleMs / 1000}s`);
  const upUntil = clock.now() + throttleMs;
  while (clock.now() < upUntil) {
    await clock.sleep(Math.min(POLL_MS, Math.max(1, upUntil - clock.now())));
    const p = await lc.print(step.domain, step.label);
    if (!p || p.parsed.pid !== pid || (runs !== undefined && p.parsed.runs !== undefined && p.parsed.runs !== runs)) {
      throw await jobDied(step, lc, step.domain, 'exited right after it started (crash loop)');
    }
  }
  if (r?.api) {
    const graceMs = r.startupGraceMs ?? 300_000;
    const deadline = clock.now() + graceMs;
    progress('waiting for its API to answer');
    let lastError = 'no API endpoint yet';
    for (;;) {
      const url = resolveApiUrl(r.api, r.repo);
      if (url) {
        const res = await rpcCall(url, 'Filecoin.Version', [], 3000);
        if (res.ok) break;
        lastError = res.error;
      }
      const p = await lc.print(step.domain, step.label);
      if (!p || p.parsed.pid !== pid) throw await jobDied(step, lc, step.domain, 'exited while its API was starting');
      if (clock.now() > deadline) {
        throw new LotusctlError('apply.api-timeout', `${step.service} runs (pid ${pid}) but its API did not answer within ${Math.round(graceMs / 1000)}s (${lastError})`, {
          hint: 'raise health.startup_grace, or set health.api: none if this service has no API',
        });
      }
      await clock.sleep(500);
    }
  }
  return pid;
}
