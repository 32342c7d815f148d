// Reads what `lotusctl status` shows: one `launchctl print` per job and one `print-disabled` per domain, ps for the
// running pids, the monitor's samples and state file, and the node's API with a short timeout. Read-only: nothing here
// creates, writes or locks a file.
import type { DesiredJob, DesiredState } from '../model/desired.js';
import { domainTarget, type DomainTarget } from '../launchd/domain.js';
import { isLotusctlError } from '../model/errors.js';
import { monitorSettings } from '../monitor/config.js';
import { probeApi } from '../monitor/probes.js';
import { readMonitorState } from '../monitor/state.js';
import { cronMaxGapMs } from '../spec/cron.js';
import type { Spec } from '../spec/schema.js';
import { parseDuration } from '../spec/units.js';
import type { ApiFact, LaunchdFact, StatusFacts, StatusJobFacts } from '../status/status.js';
import { RESTART_WINDOW_MS } from '../status/status.js';
import type { Launchctl } from '../system/launchctl.js';
import { processStats } from '../system/process-stats.js';
import { readRecentSamples } from '../system/recent-samples.js';
import { existsSync } from 'node:fs';

// Only these mean launchctl itself cannot be used: then status is an error (exit 1), not a table of unknowns.
const FATAL = new Set(['launchctl.spawn-failed', 'launchd.unsupported-platform']);

/** The longest expected time between two monitor rounds for a schedule (a duration, or a cron expression). */
export function scheduleIntervalMs(schedule: string, now: number): number {
  return parseDuration(schedule) ?? cronMaxGapMs(schedule, now);
}

async function launchdFact(lc: Launchctl, job: DesiredJob): Promise<LaunchdFact> {
  try {
    const printed = await lc.print(job.domain, job.label);
    if (printed === undefined) return { kind: 'not-loaded' };
    const p = printed.parsed;
    if (p.pid === undefined && (p.state === undefined || p.truncated === true)) {
      // No pid and no readable state: neither running nor "waiting" can be claimed.
      return { kind: 'unknown', reason: 'launchctl print answered, but its output could not be read' };
    }
    return { kind: 'loaded', ...(p.pid !== undefined ? { pid: p.pid } : {}), ...(p.state ? { state: p.state } : {}), ...(p.runs !== undefined ? { runs: p.runs } : {}), lastExit: p.lastExit };
  } catch (e) {
    if (isLotusctlError(e) && FATAL.has(e.code)) throw e;
    return { kind: 'unknown', reason: isLotusctlError(e) ? e.message : String((e as Error)?.message ?? e) };
  }
}

function apiFact(view: Awaited<ReturnType<typeof probeApi>>): ApiFact {
  if (view.kind === 'ok') return { kind: 'ok', height: view.height, headTimestamp: view.headTimestamp, ...(view.peers !== undefined ? { peers: view.peers } : {}) };
  return view.kind === 'off' ? { kind: 'off' } : { kind: 'unreachable', error: view.error };
}

export interface StatusFactOptions {
  readonly now: () => number;
  /** Bound on each API call and on ps. */
  readonly timeoutMs: number;
}

/** Facts for `jobs` (a subset of desired.jobs when one service was asked for). */
export async function gatherStatusFacts(spec: Spec, desired: DesiredState, jobs: readonly DesiredJob[], lc: Launchctl, opts: StatusFactOptions & { monitorRow?: boolean }): Promise<StatusFacts> {
  const domains = new Map<string, DomainTarget>();
  for (const j of jobs) domains.set(domainTarget(j.domain), j.domain);
  const disabled = new Map<string, Record<string, boolean> | undefined>(await Promise.all([...domains].map(async ([key, d]) => {
    try {
      return [key, await lc.printDisabled(d)] as const;
    } catch (e) {
      if (isLotusctlError(e) && FATAL.has(e.code)) throw e;
      return [key, undefined] as const;
    }
  })));

  const launchd = await Promise.all(jobs.map((j) => launchdFact(lc, j)));
  const now0 = opts.now();
  const samples = readRecentSamples(desired.stateDir, now0, RESTART_WINDOW_MS);
  const state = readMonitorState(desired.stateDir);

  const facts = await Promise.all(jobs.map(async (j, i): Promise<StatusJobFacts> => {
    const l = launchd[i] as LaunchdFact;
    const pid = l.kind === 'loaded' ? l.pid : undefined;
    const [stats, api] = await Promise.all([
      pid !== undefined ? processStats(pid, { timeoutMs: opts.timeoutMs }).catch(() => undefined) : Promise.resolve(undefined),
      pid !== undefined && j.kind === 'service' && j.health ? probeApi(j, opts.timeoutMs).then(apiFact) : Promise.resolve(undefined),
    ]);
    const overrides = disabled.get(domainTarget(j.domain));
    const last = samples.last.get(j.name);
    const remembered = state.services[j.name];
    return {
      name: j.name, kind: j.kind, label: j.label, domain: domainTarget(j.domain), desired: j.state,
      plistExists: existsSync(j.plistPath),
      launchd: l,
      disabled: overrides === undefined ? 'unknown' : overrides[j.label],
      ...(stats ? { processAgeMs: stats.elapsedMs } : {}),
      ...(api ? { api } : {}),
      ...(last ? { lastSample: last } : {}),
      ...(j.kind === 'service' && spec.monitor ? { restarts24h: { count: samples.restarts.get(j.name) ?? 0, complete: samples.complete } } : {}),
      ...(remembered ? { breakerOpen: remembered.breakerOpen } : {}),
      hasHealth: j.health !== undefined,
    };
  }));

  // No monitor section: the monitor is still a row, saying that nothing watches the services.
  if (!spec.monitor && opts.monitorRow) {
    facts.push({ name: 'monitor', kind: 'monitor', label: '-', domain: '-', desired: 'absent', plistExists: false, launchd: { kind: 'not-loaded' }, disabled: undefined, hasHealth: false });
  }
  const mon = spec.monitor ? monitorSettings(spec.monitor) : undefined;
  return {
    now: opts.now(),
    jobs: facts,
    ...(mon ? {
      monitor: {
        enabled: mon.enabled, schedule: mon.schedule, intervalMs: scheduleIntervalMs(mon.schedule, now0),
        ...(samples.newest !== undefined ? { lastSampleAt: samples.newest } : {}),
        ...(state.problem ? { stateProblem: state.problem } : {}),
        ...(samples.unreadable.length > 0 ? { samplesUnreadable: samples.unreadable } : {}),
      },
    } : {}),
  };
}
