// `lotusctl monitor run`: the level-triggered health loop launchd keeps running. Every tick reads everything it
// needs (spec, remembered state, launchd, the API), decides per service with the pure policy, persists the decision,
// acts, and records. No per-event logic: a missed or skipped tick loses nothing (level-triggered, as controller-runtime's reconcile).
import { resolve } from 'node:path';
import cron from 'node-cron';
import { realClock, type Clock } from '../apply/readiness.js';
import type { DesiredJob, SpecOwner } from '../model/desired.js';
import { isLotusctlError, LotusctlError } from '../model/errors.js';
import { stopWaitMs } from '../launchd/stop-wait.js';
import { reportSettings, type ReportSettings } from '../report/index.js';
import { terminalSafe } from '../render/terminal-text.js';
import type { Spec } from '../spec/schema.js';
import { cronProblem } from '../spec/cron.js';
import { MAX_INTERVAL_MS } from '../spec/bounds.js';
import { formatDuration, parseDuration } from '../spec/units.js';
import { Launchctl } from '../system/launchctl.js';
import { loadSpec } from '../system/load-spec.js';
import { findTempLeftovers, managedFolders, removeTempLeftover } from '../system/leftovers.js';
import { describeLockStatus, lockStatus } from '../system/lock.js';
import { resolveLaunchctlBinary } from '../system/platform.js';
import { writeHealthReport } from '../system/report-files.js';
import { readManifest } from '../system/manifest.js';
import { appliedState, type WatchedJob } from './applied.js';
import { homeDir } from '../system/host.js';
import { monitorSettings, policyFor } from './config.js';
import { housekeeping } from './housekeeping.js';
import { notifyAfterTick } from './notifier.js';
import { decide, type Decision, type ServiceState } from './policy.js';
import { probeService } from './probes.js';
import { appendSamples, writeMetrics, type TickResult } from './samples.js';
import { readMonitorState, writeMonitorState } from './state.js';

/** How `runMonitor` runs; only `file` is required. */
export interface MonitorRunOptions {
  file: string;
  /** A duration ("30s") or a cron expression; default: the spec's monitor.schedule, else 30s. */
  schedule?: string;
  /** Run one tick and return: 0 when it completed, 1 when it could not (no valid spec, or the tick failed). */
  once?: boolean;
  /** Aborting it stops the loop after the tick in flight; runMonitor then resolves 0. */
  signal?: AbortSignal;
  launchctl?: Launchctl;
  /** Receives one JSON object per line (no newline); default: stdout. */
  log?: (line: string) => void;
  clock?: Clock;
  /** Bound on each API probe and on ps; default 3000 ms. */
  probeTimeoutMs?: number;
}

/** What one tick did (for `once`, and for tests). */
export interface TickOutcome {
  readonly ok: boolean;
  readonly results: readonly TickResult[];
  /** True when the spec on disk was invalid and the last good one was used. */
  readonly staleSpec: boolean;
}

type Level = 'info' | 'warn' | 'error';
type Logger = (level: Level, event: string, msg: string, fields?: Record<string, unknown>) => void;

const DEFAULT_SCHEDULE = '30s';
// Longer than one launchctl call (30 s) so an in-flight restart is not cut off by a stop unless launchd kills us.
const STOP_WAIT_MS = 35_000;

/** The version of the monitor's JSON log lines (`monitor run --json`, its launchd log, `logs --monitor --json`'s record). */
export const MONITOR_LOG_FORMAT_VERSION = '1';

function makeLogger(sink: (line: string) => void, clock: Clock): Logger {
  return (level, event, msg, fields = {}) => {
    try {
      // terminalSafe: JSON.stringify leaves C1 controls and bidi overrides raw; as \u escapes they stay valid JSON.
      sink(terminalSafe(JSON.stringify({ format_version: MONITOR_LOG_FORMAT_VERSION, time: new Date(clock.now()).toISOString(), level, event, msg, ...fields }), false));
    } catch {
      // a broken log sink must not stop the monitor
    }
  };
}

interface GoodSpec {
  readonly spec: Spec;
  readonly jobs: readonly DesiredJob[];
  readonly stateDir: string;
  readonly owner: SpecOwner;
  /** monitor.reports with the folder resolved; absent when the spec has no monitor section. */
  readonly reports?: ReportSettings;
}

/** The monitor's memory of the spec: the last valid one survives an invalid edit. */
class SpecSource {
  private good: GoodSpec | undefined;
  private lastProblem: string | undefined;

  constructor(private readonly file: string, private readonly log: Logger) {}

  /** The last valid spec read, without reading the file again. */
  get current(): GoodSpec | undefined {
    return this.good;
  }

  /** Re-reads the file; on a problem logs it (once per distinct problem) and returns the last good spec. */
  load(): { spec: GoodSpec | undefined; stale: boolean } {
    let problem: string;
    try {
      const l = loadSpec(this.file);
      if (l.ok && l.spec && l.desired) {
        if (this.lastProblem !== undefined) this.log('info', 'spec-valid', `${this.file} is valid again`);
        this.lastProblem = undefined;
        // No monitor section, no scheduled reports: a spec without one asks for no monitor (`lotusctl report` still works).
        const reports = l.spec.monitor && l.host ? reportSettings(l.spec, l.host) : undefined;
        this.good = { spec: l.spec, jobs: l.desired.jobs, stateDir: l.desired.stateDir, owner: l.desired.owner, ...(reports ? { reports } : {}) };
        return { spec: this.good, stale: false };
      }
      const errors = l.diagnostics.filter((d) => d.severity === 'error');
      problem = errors.map((d) => `${d.line ?? '?'}:${d.col ?? '?'} ${d.message}`).join('; ') || 'invalid';
    } catch (e) {
      problem = (e as Error).message;
    }
    if (problem !== this.lastProblem) {
      this.log('error', 'spec-invalid', this.good ? `${this.file} is invalid; keeping the last valid spec` : `${this.file} is invalid and there is no earlier valid spec; nothing is monitored`, {
        problem, hint: `run lotusctl validate -f ${this.file}`,
      });
    }
    this.lastProblem = problem;
    return { spec: this.good, stale: this.good !== undefined };
  }
}

/**
 * Who holds the state lock, when restarts must wait for it: a live holder, or one that cannot be proven gone (another
 * host, a corrupt lock file). A lock whose holder is proven dead (a crashed apply) holds nothing back; it is logged
 * once per lock, and the next apply takes it over.
 */
async function applyLockHolder(stateDir: string, d: Pick<TickDeps, 'log' | 'staleLocks'>): Promise<string | undefined> {
  try {
    const s = await lockStatus(stateDir);
    if (s === undefined) return undefined;
    if (s.liveness.verdict === 'dead') {
      if (!d.staleLocks.has(s.holder.id)) {
        d.staleLocks.add(s.holder.id);
        d.log('warn', 'stale-lock', `${describeLockStatus(s)}: it holds no restarts back; the next apply takes it over`, {
          lock_id: s.holder.id, pid: s.holder.pid, command: s.holder.command,
        });
      }
      return undefined;
    }
    const who = `${s.holder.command} pid ${s.holder.pid} since ${s.holder.since}`;
    return s.liveness.verdict === 'alive' ? who : `${who}, which may be stale: ${s.liveness.why}; lotusctl force-unlock ${s.holder.id} if no lotusctl runs`;
  } catch (e) {
    // An unreadable lock may still be held: act as if it were.
    return `unreadable lock: ${(e as Error).message}`;
  }
}

/** Removes temporary files crashed lotusctl runs left in the folders the monitor and apply write. Never throws. */
async function cleanLeftovers(good: GoodSpec, log: Logger): Promise<void> {
  try {
    // The applied jobs' plists (state.json) and the working copy's: either may be where an apply crashed.
    const recorded = Object.values(readManifest(good.stateDir).jobs).map((r) => r.plistPath);
    const folders = managedFolders(good.stateDir, [...recorded, ...good.jobs.map((j) => j.plistPath)], good.reports ? [good.reports.dir] : []);
    for (const l of await findTempLeftovers(folders)) {
      const what = l.message.replace(/; apply removes it$/, '');
      try {
        if (removeTempLeftover(l)) log('info', 'cleanup', `removed ${l.path}, a ${what}`, { path: l.path, pid: l.pid });
      } catch (e) {
        log('warn', 'cleanup-failed', `could not remove ${l.path}, a ${what}: ${(e as Error).message}`, { path: l.path, pid: l.pid });
      }
    }
  } catch (e) {
    log('warn', 'cleanup-failed', `could not look for leftovers of crashed runs: ${(e as Error).message}`);
  }
}

interface TickDeps {
  readonly file: string;
  readonly specs: SpecSource;
  readonly lc: Launchctl;
  readonly clock: Clock;
  readonly log: Logger;
  readonly probeTimeoutMs: number;
  /** Ids of stale locks already logged. */
  readonly staleLocks: Set<string>;
}

/** One reconcile pass over every service the spec wants running. Throws only on a bug or an unwritable state dir. */
async function tick(d: TickDeps): Promise<TickOutcome> {
  const { spec: good, stale } = d.specs.load();
  if (!good) return { ok: false, results: [], staleSpec: false };
  // What was applied, not the working copy: an unapplied edit must not change what is watched (src/monitor/applied.ts).
  const applied = appliedState(readManifest(good.stateDir), good.owner, good.jobs);
  const monitor = monitorSettings(applied.monitor ?? good.spec.monitor);
  const jobs = applied.jobs;
  const remembered = readMonitorState(good.stateDir);
  if (remembered.problem) d.log('error', 'state-reset', remembered.problem);
  const applyLock = await applyLockHolder(good.stateDir, d);

  const observations = await Promise.all(jobs.map((job) =>
    probeService(job, d.lc, { apiTimeoutMs: d.probeTimeoutMs, now: () => d.clock.now(), ...(applyLock !== undefined ? { applyLock } : {}) })));
  const now = d.clock.now();
  const decisions = jobs.map((job, i) => decide(remembered.services[job.name], observations[i]!, policyFor(job, monitor), now));

  // Persist before acting: a monitor killed during a restart must still count it towards the breaker.
  const next: Record<string, ServiceState> = {};
  jobs.forEach((job, i) => (next[job.name] = decisions[i]!.state));
  writeMonitorState(good.stateDir, next);

  const results = await Promise.all(jobs.map((job, i) => act(job, decisions[i]!, remembered.services[job.name], d).then((actionError) => ({
    service: job.name, observation: observations[i]!, decision: decisions[i]!, ...(actionError !== undefined ? { actionError } : {}),
  }))));
  // Samples that cannot be recorded fail the round (exit 1 with --once), but metrics, housekeeping and alerts still run.
  let recorded = true;
  try {
    appendSamples(good.stateDir, results, now);
  } catch (e) {
    recorded = false;
    d.log('error', 'samples-failed', `cannot record samples: ${(e as Error).message}`, { code: (e as LotusctlError).code ?? (e as NodeJS.ErrnoException).code ?? null, hint: (e as LotusctlError).hint ?? null });
  }
  writeMetrics(good.stateDir, results);
  housekeeping(good.jobs, good.stateDir, monitor, now, d.log, good.reports);
  await notifyAfterTick({
    notify: monitor.notify, stateDir: good.stateDir, home: homeDir(), specPath: resolve(d.file), now, log: d.log,
    results: results.map((r, k) => ({ service: r.service, label: jobs[k]!.label, decision: r.decision })),
  });
  d.log('info', 'tick', `${results.length} service${results.length === 1 ? '' : 's'} checked`, {
    services: Object.fromEntries(results.map((r) => [r.service, r.decision.health.status])),
    ...(stale ? { stale_spec: true } : {}),
  });
  return { ok: recorded, results, staleSpec: stale };
}

/** Logs what changed and carries out a restart; returns launchctl's error when the restart failed. */
async function act(job: WatchedJob, dec: Decision, prev: ServiceState | undefined, d: TickDeps): Promise<string | undefined> {
  const fields = { service: job.name, label: job.label, status: dec.health.status, reasons: dec.health.reasons };
  if (prev?.lastStatus !== dec.health.status) d.log(dec.health.status === 'unhealthy' ? 'warn' : 'info', 'status', `${job.name} is ${dec.health.status}`, { ...fields, was: prev?.lastStatus ?? null });
  let error: string | undefined;
  if (dec.action === 'restart') {
    // -k kills the running instance first (launchd.md §3; SIGTERM, SIGKILL after ExitTimeOut). Whether launchctl
    // waits for the old process is not documented, and Lotus may take its whole ExitTimeOut to close its
    // datastores (issue 9, item 6): give the call that long, then wait for a new instance for as long again.
    const before = (await d.lc.print(job.domain, job.label).catch(() => undefined))?.parsed;
    const limit = stopWaitMs(before?.exitTimeout); // the loaded job's own ExitTimeOut; unreadable: lotus.yaml's default
    d.log('warn', 'restart', `restarting ${job.name}: ${dec.why}; waiting up to ${Math.round(limit / 1000)}s for it to stop and start again`, { ...fields, restarts_in_window: dec.state.restartTimes.length });
    try {
      try {
        await d.lc.kickstart(job.domain, job.label, { kill: true, timeoutMs: limit });
      } catch (e) {
        // 36/37: the old instance is still draining; a timeout: launchctl is still waiting for it. Both: wait below.
        if (!(isLotusctlError(e) && ['launchctl.in-progress', 'launchctl.timeout'].includes(e.code))) throw e;
      }
      const pid = await d.lc.waitRestarted(job.domain, job.label, before?.pid, limit, (waited) =>
        d.log('info', 'restart-waiting', `waiting for ${job.name} to stop and start again: ${Math.round(waited / 1000)}s of up to ${Math.round(limit / 1000)}s`, fields));
      if (pid === undefined) {
        throw new LotusctlError('monitor.restart-timeout', `${job.label} had no new instance ${Math.round(limit / 1000)}s after kickstart -k`, {
          hint: 'its old process may still be shutting down (ExitTimeOut); the next ticks see what happened',
        });
      }
      d.log('info', 'restarted', `${job.name} runs again as pid ${pid}`, { ...fields, pid, previous_pid: before?.pid ?? null });
    } catch (e) {
      error = (e as Error).message;
      d.log('error', 'restart-failed', `launchctl kickstart -k ${job.label} failed: ${error}`, { ...fields, hint: (e as LotusctlError).hint ?? null });
    }
  } else if (dec.reason === 'held-breaker' || dec.reason === 'held-backoff' || dec.reason === 'held-apply-lock') {
    d.log('warn', 'restart-held', `${job.name} needs a restart but ${dec.why}`, fields);
  }
  if (dec.breaker === 'opened') {
    d.log('error', 'breaker-open', `CIRCUIT BREAKER OPEN for ${job.name}: ${dec.state.restartTimes.length} restarts within the window; the monitor will not restart it again until older restarts leave the window. Investigate its logs; delete its entry in monitor-state.json to reset early.`, fields);
  }
  if (dec.breaker === 'closed') d.log('info', 'breaker-closed', `circuit breaker closed for ${job.name}: restarts allowed again`, fields);
  return error;
}

/** Interval in ms for a duration schedule, or the cron expression; throws monitor.bad-schedule otherwise. */
export function parseSchedule(schedule: string): { intervalMs: number } | { cron: string } {
  const ms = parseDuration(schedule);
  if (ms !== undefined) {
    if (ms < 1000) throw new LotusctlError('monitor.bad-schedule', `schedule ${JSON.stringify(schedule)} is shorter than 1s`, { hint: 'use a duration such as "30s"' });
    if (!(ms <= MAX_INTERVAL_MS)) {
      throw new LotusctlError('monitor.bad-schedule', `schedule ${JSON.stringify(schedule)} is longer than ${formatDuration(MAX_INTERVAL_MS)} (timers hold at most 2^31-1 ms)`, {
        hint: 'use a cron expression for rarer runs, e.g. "0 0 1 * *"',
      });
    }
    return { intervalMs: ms };
  }
  const problem = cronProblem(schedule);
  if (problem !== undefined || !cron.validate(schedule)) {
    throw new LotusctlError('monitor.bad-schedule', `schedule ${JSON.stringify(schedule)} is neither a duration nor a cron expression${problem ? `: ${problem}` : ''}`, {
      hint: 'use a duration ("30s", "5m") or a cron expression ("*/5 * * * *")',
    });
  }
  return { cron: schedule };
}

/** Calls `fire` on the schedule (not at once) until the returned stop function is called. */
function startSchedule(schedule: ReturnType<typeof parseSchedule>, fire: () => void, log: Logger): () => void {
  if ('intervalMs' in schedule) {
    const timer = setInterval(fire, schedule.intervalMs);
    return () => clearInterval(timer);
  }
  const nodeCronLog = (level: Level) => (m: string | Error) => log(level, 'scheduler', String(m instanceof Error ? m.message : m));
  const task = cron.schedule(schedule.cron, fire, {
    logger: { info: () => undefined, debug: () => undefined, warn: nodeCronLog('warn'), error: nodeCronLog('error') },
  });
  return () => void task.destroy();
}

/**
 * Writes health reports on monitor.reports.schedule, whatever the services' health. The spec is re-read every tick
 * and the report settings are not in the plist, so a schedule change is picked up here rather than by a reload.
 */
class ReportScheduler {
  private schedule: string | undefined;
  private stopTimer: (() => void) | undefined;
  private inFlight: Promise<void> | undefined;
  private closed = false;

  constructor(private readonly specs: SpecSource, private readonly clock: Clock, private readonly log: Logger) {}

  /** Follows the last valid spec: starts, replaces or stops the report timer. */
  sync(good: GoodSpec | undefined): void {
    const want = good?.reports?.schedule;
    if (this.closed || want === this.schedule) return;
    this.stopTimer?.();
    this.stopTimer = undefined;
    this.schedule = want;
    if (want === undefined) return;
    try {
      this.stopTimer = startSchedule(parseSchedule(want), () => this.fire(), this.log);
      this.log('info', 'report-schedule', `writing health reports on schedule ${want}`, { schedule: want, dir: good?.reports?.dir ?? null });
    } catch (e) {
      this.log('error', 'report-failed', `cannot schedule health reports: ${(e as Error).message}`, { code: (e as LotusctlError).code ?? null, hint: (e as LotusctlError).hint ?? null });
    }
  }

  /** Writes one report set now, unless one is still being written. Never throws. */
  fire(): void {
    const reports = this.specs.current?.reports;
    const stateDir = this.specs.current?.stateDir;
    if (this.closed || !reports || stateDir === undefined) return;
    if (this.inFlight) {
      this.log('warn', 'report-skipped', 'the previous report is still being written; skipping this one');
      return;
    }
    this.inFlight = writeHealthReport({ stateDir, dir: reports.dir, formats: reports.formats, now: new Date(this.clock.now()) })
      .then(
        (paths) => this.log('info', 'report', `wrote ${paths.length} health report file${paths.length === 1 ? '' : 's'} to ${reports.dir}`, { paths }),
        (e: unknown) => this.log('error', 'report-failed', `health report failed: ${(e as Error).message}`, {
          dir: reports.dir, code: (e as LotusctlError).code ?? null, hint: (e as LotusctlError).hint ?? null,
        }),
      )
      .finally(() => (this.inFlight = undefined));
  }

  /** Stops the timer for good; resolves when a report being written is done. */
  close(): Promise<void> {
    this.closed = true;
    this.stopTimer?.();
    this.stopTimer = undefined;
    return this.inFlight ?? Promise.resolve();
  }
}

function defaultLaunchctl(): Launchctl {
  return new Launchctl({ binary: resolveLaunchctlBinary(process.env, process.platform) });
}

/**
 * Runs the monitor: one tick with `once`, else a tick now and then one per schedule until `signal` aborts.
 * Ticks never overlap (a tick due while one runs is skipped and logged); a failing tick is logged and the loop goes on.
 * Without `once`, health reports are written on the spec's monitor.reports.schedule (when it has a monitor section),
 * logged as `report` with the paths, or `report-failed` (the loop goes on).
 * Resolves to the exit code; throws monitor.bad-schedule for an unusable schedule.
 */
export async function runMonitor(opts: MonitorRunOptions): Promise<number> {
  const clock = opts.clock ?? realClock;
  const log = makeLogger(opts.log ?? ((line) => process.stdout.write(`${line}\n`)), clock);
  const deps: TickDeps = {
    file: opts.file, specs: new SpecSource(opts.file, log), lc: opts.launchctl ?? defaultLaunchctl(), clock, log, probeTimeoutMs: opts.probeTimeoutMs ?? 3000,
    staleLocks: new Set(),
  };
  // Every run cleans what its crashed predecessors (or a crashed apply) left, once, before the first tick.
  const first = deps.specs.load().spec;
  if (first) await cleanLeftovers(first, log);
  const safeTick = async (): Promise<TickOutcome | undefined> => {
    try {
      return await tick(deps);
    } catch (e) {
      log('error', 'tick-failed', `tick failed: ${(e as Error).message}`, { code: (e as LotusctlError).code ?? null, hint: (e as LotusctlError).hint ?? null });
      return undefined;
    }
  };
  if (opts.once) return (await safeTick())?.ok ? 0 : 1;

  // The schedule is fixed for the life of the process: the plist passes it, and a change reloads the job.
  const scheduleText = opts.schedule ?? first?.spec.monitor?.schedule ?? DEFAULT_SCHEDULE;
  const schedule = parseSchedule(scheduleText);
  if (opts.signal?.aborted) return 0;

  const reports = new ReportScheduler(deps.specs, clock, log);
  let inFlight: Promise<unknown> | undefined;
  const fire = (): void => {
    if (inFlight) {
      log('warn', 'tick-skipped', 'the previous tick is still running; skipping this one');
      return;
    }
    inFlight = safeTick().finally(() => {
      inFlight = undefined;
      reports.sync(deps.specs.current);
    });
  };
  log('info', 'monitor-start', `monitoring ${opts.file} every ${scheduleText}`, { file: opts.file, schedule: scheduleText, pid: process.pid });
  fire();
  const stopTimer = startSchedule(schedule, fire, log);
  await new Promise<void>((resolve) => {
    if (!opts.signal) return; // no signal: run until the process ends
    if (opts.signal.aborted) resolve();
    else opts.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  stopTimer();
  const why = opts.signal?.reason;
  if (why === 'SIGTERM' || why === 'SIGINT') {
    log('info', 'monitor-stopping', `${why} received; finishing the probe round and report in flight, then stopping`, { signal: why });
  }
  const reportDone = reports.close();
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([Promise.all([inFlight, reportDone]), new Promise((r) => (timer = setTimeout(r, STOP_WAIT_MS)))]);
  clearTimeout(timer);
  log('info', 'monitor-stop', 'stopped');
  return 0;
}
