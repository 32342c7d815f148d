// `lotusctl status`: facts read from launchd, ps, the monitor's records and the node's API -> one honest row per job.
// Pure: every time is an argument. What could not be read is shown as unknown and never counts as healthy.
import { explainExit, signalName, sysexitName, type LastExit } from '../launchd/exit-status.js';
import type { ReportSample } from '../report/samples.js';

/** Mainnet block time (specs/lotus-operations.md §2); restated here because the core may not import src/monitor. */
const EPOCH_SECONDS = 30;
/** Epochs behind up to which a node is healthy (specs/lotus-operations.md §4; src/monitor/policy.ts HEALTHY_LAG_EPOCHS). */
const HEALTHY_LAG = 2;
export const RESTART_WINDOW_MS = 24 * 3_600_000;

/** launchd's answer for one job. */
export type LaunchdFact =
  | { readonly kind: 'loaded'; readonly pid?: number; readonly state?: string; readonly runs?: number; readonly lastExit: LastExit }
  | { readonly kind: 'not-loaded' }
  | { readonly kind: 'unknown'; readonly reason: string };

/** The node's API as status probed it (short timeout). */
export type ApiFact =
  | { readonly kind: 'off' }
  | { readonly kind: 'unreachable'; readonly error: string }
  | { readonly kind: 'ok'; readonly height: number; readonly headTimestamp: number; readonly peers?: number };

/** Everything status read about one job. */
export interface StatusJobFacts {
  readonly name: string;
  readonly kind: 'service' | 'monitor';
  readonly label: string;
  /** `gui/501`, `user/501` or `system`. */
  readonly domain: string;
  readonly desired: 'running' | 'stopped' | 'absent';
  readonly plistExists: boolean;
  readonly launchd: LaunchdFact;
  /** The print-disabled override: true disabled, false enabled, undefined none, 'unknown' unreadable. */
  readonly disabled: boolean | undefined | 'unknown';
  /** How long the running pid has existed (ps etime); absent when unknown. */
  readonly processAgeMs?: number;
  readonly api?: ApiFact;
  /** The monitor's most recent sample of this service. */
  readonly lastSample?: ReportSample;
  /** Restarts the monitor recorded in the last 24 h; `complete` false when the samples scan hit its byte cap. */
  readonly restarts24h?: { readonly count: number; readonly complete: boolean };
  /** From monitor-state.json. */
  readonly breakerOpen?: boolean;
  /** The service has a health block (API probes). */
  readonly hasHealth: boolean;
}

export interface StatusFacts {
  /** Unix ms when the facts were read. */
  readonly now: number;
  readonly jobs: readonly StatusJobFacts[];
  /** The spec's monitor section: absent when there is none. */
  readonly monitor?: {
    readonly enabled: boolean;
    readonly schedule: string;
    /** The longest expected time between two monitor rounds. */
    readonly intervalMs: number;
    /** The newest sample of any service (the monitor's heartbeat). */
    readonly lastSampleAt?: number;
    readonly stateProblem?: string;
    /** Samples day files that could not be read (a FIFO planted there, EACCES), as `path: code`. */
    readonly samplesUnreadable?: readonly string[];
  };
}

export type LaunchdState = 'running' | 'waiting' | 'not loaded' | 'disabled' | 'unknown';
export type HealthWord = 'healthy' | 'degraded' | 'syncing' | 'unhealthy' | 'starting' | 'stopped' | 'unknown' | 'no data' | 'stale' | 'n/a' | 'ticking' | 'not ticking' | 'not configured';

export interface StatusRow {
  readonly service: string;
  readonly kind: 'service' | 'monitor';
  readonly label: string;
  readonly domain: string;
  readonly desired: 'running' | 'stopped' | 'absent';
  /** null when lotusctl did not ask launchd (a monitor that is not configured). */
  readonly launchdState: LaunchdState | null;
  readonly pid?: number;
  readonly uptimeMs?: number;
  readonly lastExit?: { readonly short: string; readonly explanation: string; readonly exit: LastExit };
  readonly health: { readonly word: HealthWord; readonly text: string; readonly reasons: readonly string[]; readonly sampleAgeMs?: number; readonly lagEpochs?: number; readonly source: 'monitor' | 'live' | 'none' };
  readonly restarts24h?: { readonly count: number; readonly complete: boolean };
  readonly breakerOpen: boolean;
  readonly chain?: { readonly height?: number; readonly peers?: number; readonly error?: string };
  readonly asDesired: boolean;
  /** As desired and healthy (or health not applicable). */
  readonly ok: boolean;
  /** Why the row is not ok, in words, each with what to do. */
  readonly notes: readonly string[];
}

export interface StatusView {
  readonly now: number;
  readonly rows: readonly StatusRow[];
  readonly ok: boolean;
}

/** `4s`, `12m`, `2h13m`, `3d4h`. */
export function formatAge(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${s % 60 ? `${s % 60}s` : ''}`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h${m % 60 ? `${m % 60}m` : ''}`;
  const d = Math.floor(h / 24);
  return `${d}d${h % 24 ? `${h % 24}h` : ''}`;
}

/** A monitor sample older than this is stale: three rounds, and at least one minute beyond one round. */
export function staleAfterMs(intervalMs: number): number {
  return Math.max(3 * intervalMs, intervalMs + 60_000);
}

/** A few words for a last exit (the table column); explainExit says it in sentences. */
export function shortExit(e: LastExit): string {
  switch (e.kind) {
    case 'never': return 'never exited';
    case 'unknown': return 'unknown';
    case 'reclaimed': return 'reclaimed by the system';
    case 'code': {
      const name = e.name ?? sysexitName(e.code);
      return e.code === 0 ? '0 (ok)' : `${e.code}${name ? ` ${name}` : ''}`;
    }
    case 'signal': return `signal ${e.signal}${signalName(e.signal) ? ` ${signalName(e.signal)}` : ''}`;
    default: {
      const never: never = e;
      return String(never);
    }
  }
}

/** An exit that needs no attention: never exited, 0, or stopped by launchd/kickstart (SIGTERM). */
function cleanExit(e: LastExit): boolean {
  return e.kind === 'never' || (e.kind === 'code' && e.code === 0) || (e.kind === 'signal' && e.signal === 15) || (e.kind === 'reclaimed' && e.reason === 'JETSAM_REASON_MEMORY_IDLE_EXIT');
}

function launchdState(j: StatusJobFacts): LaunchdState {
  switch (j.launchd.kind) {
    case 'unknown': return 'unknown';
    case 'not-loaded': return j.disabled === true ? 'disabled' : 'not loaded';
    case 'loaded': return j.launchd.pid !== undefined ? 'running' : 'waiting';
    default: {
      const never: never = j.launchd;
      return never;
    }
  }
}

function desiredNote(j: StatusJobFacts, state: LaunchdState): string | undefined {
  if (state === 'unknown') return `launchd's state of ${j.label} is unknown (${(j.launchd as { reason: string }).reason})`;
  const want = j.desired;
  if (want === 'running' && state === 'running') return undefined;
  if (want !== 'running' && (state === 'not loaded' || state === 'disabled')) return undefined;
  if (want === 'running') {
    if (state === 'waiting') return `wanted running, but launchd has it loaded with no process (exited; KeepAlive may start it again): see the last exit below, or lotusctl logs ${j.name}`;
    if (state === 'disabled') return `wanted running, but it is disabled in launchd and not loaded: run lotusctl apply (it enables and loads it)`;
    return `wanted running, but it is not loaded in ${j.domain}: run lotusctl apply${j.plistExists ? '' : ' (its plist is missing too)'}`;
  }
  return `wanted ${want === 'stopped' ? 'stopped (installed, not loaded)' : 'absent'}, but launchd has it loaded: run lotusctl apply`;
}

function sampleHealth(s: ReportSample): { word: HealthWord; text: string } {
  const why = s.reasons.length > 0 ? `: ${s.reasons.join('; ')}` : '';
  switch (s.status) {
    case 'healthy': return { word: 'healthy', text: 'healthy' };
    case 'degraded':
      if (s.lagEpochs !== undefined && s.lagEpochs > HEALTHY_LAG) return { word: 'syncing', text: `syncing, ${s.lagEpochs} epochs behind` };
      return { word: 'degraded', text: `degraded${why}` };
    case 'unhealthy': return { word: 'unhealthy', text: `unhealthy${why}` };
    case 'starting': return { word: 'starting', text: `starting${why}` };
    case 'stopped': return { word: 'stopped', text: `stopped${why}` };
    case 'unknown': return { word: 'unknown', text: `unknown${why}` };
    default: {
      const never: never = s.status;
      return { word: 'unknown', text: String(never) };
    }
  }
}

/** One observation without the monitor's memory: lag and peers only (no head-stall or memory judgement). */
function liveHealth(api: ApiFact | undefined, now: number): { word: HealthWord; text: string; lag?: number } {
  if (api === undefined || api.kind === 'off') return { word: 'unknown', text: 'unknown: no monitor and no health API to ask' };
  if (api.kind === 'unreachable') return { word: 'unhealthy', text: `unhealthy: API unreachable (${api.error})` };
  const lag = Math.max(0, Math.floor((now / 1000 - api.headTimestamp) / EPOCH_SECONDS));
  if (api.peers === 0) return { word: 'unhealthy', text: 'unhealthy: 0 peers', lag };
  if (lag > HEALTHY_LAG) return { word: 'syncing', text: `syncing, ${lag} epochs behind`, lag };
  return { word: 'healthy', text: 'healthy', lag };
}

function serviceHealth(j: StatusJobFacts, f: StatusFacts, running: boolean): StatusRow['health'] {
  if (j.desired !== 'running') return { word: 'n/a', text: `n/a (desired ${j.desired})`, reasons: [], source: 'none' };
  const mon = f.monitor;
  if (mon === undefined || !mon.enabled) {
    if (!running) return { word: 'stopped', text: 'stopped (not running)', reasons: [], source: 'live' };
    const live = liveHealth(j.api, f.now);
    return { word: live.word, text: `${live.text} (live check; no monitor)`, reasons: [], source: 'live', ...(live.lag !== undefined ? { lagEpochs: live.lag } : {}) };
  }
  const s = j.lastSample;
  if (s === undefined && mon.samplesUnreadable?.length) return { word: 'unknown', text: `unknown: the monitor's samples cannot be read (${mon.samplesUnreadable.join(', ')})`, reasons: [], source: 'monitor' };
  if (s === undefined) return { word: 'no data', text: 'no data: the monitor has not sampled it yet', reasons: [], source: 'monitor' };
  const age = f.now - s.time;
  const h = sampleHealth(s);
  const lag = s.lagEpochs !== undefined ? { lagEpochs: s.lagEpochs } : {};
  if (age > staleAfterMs(mon.intervalMs)) {
    return { word: 'stale', text: `stale: last sample ${formatAge(age)} ago said ${h.text} (the monitor samples every ${formatAge(mon.intervalMs)})`, reasons: s.reasons, sampleAgeMs: age, source: 'monitor', ...lag };
  }
  return { word: h.word, text: `${h.text} (${formatAge(age)} ago)`, reasons: s.reasons, sampleAgeMs: age, source: 'monitor', ...lag };
}

function monitorHealth(j: StatusJobFacts, f: StatusFacts, running: boolean): StatusRow['health'] {
  const mon = f.monitor;
  if (mon === undefined) return { word: 'not configured', text: 'not configured: lotus.yaml has no monitor: section, so nothing restarts an unhealthy node', reasons: [], source: 'none' };
  if (j.desired !== 'running') return { word: 'n/a', text: 'n/a (monitor.enabled is false)', reasons: [], source: 'none' };
  const at = mon.lastSampleAt;
  if (at === undefined && mon.samplesUnreadable?.length) return { word: 'unknown', text: `unknown: its samples cannot be read (${mon.samplesUnreadable.join(', ')})`, reasons: [], source: 'monitor' };
  if (at === undefined) {
    if (running && j.processAgeMs !== undefined && j.processAgeMs < staleAfterMs(mon.intervalMs)) return { word: 'starting', text: `starting: no samples yet (running for ${formatAge(j.processAgeMs)})`, reasons: [], source: 'monitor' };
    return { word: 'no data', text: 'no data: no samples recorded yet', reasons: [], source: 'monitor' };
  }
  const age = f.now - at;
  if (age > staleAfterMs(mon.intervalMs)) {
    return { word: 'not ticking', text: `not ticking: last sample ${formatAge(age)} ago, schedule ${mon.schedule}`, reasons: [], sampleAgeMs: age, source: 'monitor' };
  }
  return { word: 'ticking', text: `ticking (last sample ${formatAge(age)} ago, schedule ${mon.schedule})`, reasons: [], sampleAgeMs: age, source: 'monitor' };
}

const GOOD_HEALTH: ReadonlySet<HealthWord> = new Set(['healthy', 'ticking', 'n/a', 'not configured']);

/** One row per job, and whether everything is as desired and healthy (exit 0) or not (exit 2). */
export function statusView(f: StatusFacts): StatusView {
  const rows = f.jobs.map((j): StatusRow => {
    const state = launchdState(j);
    const running = state === 'running';
    const pid = j.launchd.kind === 'loaded' ? j.launchd.pid : undefined;
    const notes: string[] = [];
    const dn = desiredNote(j, state);
    if (dn) notes.push(dn);
    if (j.launchd.kind === 'loaded' && j.disabled === true) notes.push('a disable override is set: launchd will not load it at the next login or boot (lotusctl apply enables it)');
    const lastExit = j.launchd.kind === 'loaded' ? { short: shortExit(j.launchd.lastExit), explanation: explainExit(j.launchd.lastExit), exit: j.launchd.lastExit } : undefined;
    if (lastExit && !cleanExit(lastExit.exit)) notes.push(`last exit ${lastExit.short}: ${lastExit.explanation}`);
    const health = j.kind === 'monitor' ? monitorHealth(j, f, running) : serviceHealth(j, f, running);
    if (!GOOD_HEALTH.has(health.word)) notes.push(`health ${health.text}`);
    if (j.breakerOpen) notes.push('the monitor\'s circuit breaker is open: it will not restart this service until older restarts leave the window (see lotusctl logs --monitor)');
    const api = j.api;
    const chain = api === undefined || api.kind === 'off' ? undefined
      : api.kind === 'ok' ? { height: api.height, ...(api.peers !== undefined ? { peers: api.peers } : {}) }
        : { error: api.error };
    const asDesired = dn === undefined;
    return {
      service: j.name, kind: j.kind, label: j.label, domain: j.domain, desired: j.desired,
      launchdState: j.kind === 'monitor' && f.monitor === undefined ? null : state,
      ...(pid !== undefined ? { pid } : {}),
      ...(running && j.processAgeMs !== undefined ? { uptimeMs: j.processAgeMs } : {}),
      ...(lastExit ? { lastExit } : {}),
      health,
      ...(j.restarts24h ? { restarts24h: j.restarts24h } : {}),
      breakerOpen: j.breakerOpen === true,
      ...(chain ? { chain } : {}),
      asDesired,
      ok: asDesired && GOOD_HEALTH.has(health.word) && j.breakerOpen !== true,
      notes,
    };
  });
  return { now: f.now, rows, ok: rows.every((r) => r.ok) };
}
