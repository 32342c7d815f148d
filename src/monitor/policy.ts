// The monitor's functional core: observation + remembered state + policy -> verdict and action.
// Pure: no clock (every time is an argument), no I/O. The shell (probes.ts, loop.ts) gathers and acts.
// Yardsticks: specs/lotus-operations.md §4 "Suggested monitor policy"; loop shape: controller-runtime's level-triggered reconcile.

/** What the monitor concluded about one service in one tick. */
export type HealthStatus = 'healthy' | 'degraded' | 'unhealthy' | 'starting' | 'unknown' | 'stopped';

/** launchd's view of the job, from `launchctl print`. `unreadable` is never taken as healthy. */
export type LaunchdView =
  | { readonly kind: 'running'; readonly pid: number; readonly runs?: number }
  /** Loaded, but no process (exited, or waiting out ThrottleInterval). */
  | { readonly kind: 'idle'; readonly runs?: number; readonly lastExit: string }
  | { readonly kind: 'not-loaded' }
  | { readonly kind: 'unreadable'; readonly error: string };

/** The Lotus JSON-RPC API's answers. `off`: the service has no health API (health.api none, or no repo). */
export type ApiView =
  | { readonly kind: 'off' }
  /** No endpoint, refused, an HTTP/JSON-RPC error, or no answer within the probe timeout (a hung API). */
  | { readonly kind: 'unreachable'; readonly error: string }
  | {
      readonly kind: 'ok';
      readonly height: number;
      /** min(Blocks[].Timestamp) of the head, Unix seconds (specs/lotus-operations.md §2: lag = now − this). */
      readonly headTimestamp: number;
      /** NetPeers count; absent when that call failed (then `peersError`). */
      readonly peers?: number;
      readonly peersError?: string;
      /** Filecoin.Session: a new UUID per process start. */
      readonly session?: string;
    };

/** Everything the probes saw for one service at `time`. Absent fields could not be read. */
export interface Observation {
  readonly service: string;
  /** Unix ms when the probes had finished; the `now` of the lag judgement. */
  readonly time: number;
  readonly launchd: LaunchdView;
  readonly api: ApiView;
  readonly rssBytes?: number;
  /** How long the launchd-reported pid has existed (ps etime). */
  readonly processAgeMs?: number;
  /** Set while `lotusctl apply` holds the state lock: the monitor then records but never acts. */
  readonly applyLock?: string;
}

/** An observation plus what only memory across ticks can tell (filled in by decide()). */
export interface HealthInput extends Observation {
  /** Time since the current process started; absent when unknown (then no grace applies). */
  readonly sinceStartMs?: number;
  /** How long the head height has stayed the same, as far as the monitor has seen. */
  readonly headUnchangedMs?: number;
  /** True when the head height rose since the previous tick of the same process. */
  readonly headRising?: boolean;
}

/** Per-service health thresholds (health: in lotus.yaml, plus monitor.max_memory). */
export interface HealthConfig {
  readonly startupGraceMs: number;
  /** Epochs behind above which the node is unhealthy (health.max_chain_lag). */
  readonly maxChainLag: number;
  readonly minPeers: number;
  readonly maxMemoryBytes?: number;
  /** Epochs behind up to which the node is healthy (specs/lotus-operations.md §4: 2). */
  readonly healthyLag: number;
  /** Head unchanged this long while peers > 0 is unhealthy (specs/lotus-operations.md §4: 3 minutes). */
  readonly headStallMs: number;
}

export interface HealthVerdict {
  readonly status: HealthStatus;
  /** Why the status is not `healthy`, in words; always [] for healthy. */
  readonly reasons: readonly string[];
  /** Epochs behind the expected head, when the API answered. */
  readonly lagEpochs?: number;
}

/** Mainnet and calibnet block time (specs/lotus-operations.md §2: Timestamp = genesis + 30 × Height). */
export const EPOCH_SECONDS = 30;
export const HEALTHY_LAG_EPOCHS = 2;
export const HEAD_STALL_MS = 180_000;

/** Whole epochs between the head's timestamp and `nowMs` (specs/lotus-operations.md §2, NodeStatus `Behind`); never negative. */
export function lagEpochs(headTimestampSec: number, nowMs: number): number {
  return Math.max(0, Math.floor((nowMs / 1000 - headTimestampSec) / EPOCH_SECONDS));
}

const secs = (ms: number): string => `${Math.round(ms / 1000)}s`;

/** Judges one observation. Inside startup_grace after a (re)start, failures give `starting`, never `unhealthy`. */
export function evaluateHealth(s: HealthInput, cfg: HealthConfig): HealthVerdict {
  switch (s.launchd.kind) {
    case 'unreadable':
      return { status: 'unknown', reasons: [`launchd state unreadable: ${s.launchd.error}`] };
    case 'not-loaded':
      return { status: 'stopped', reasons: ['not loaded in launchd (lotusctl apply loads it)'] };
    case 'idle':
      return { status: 'stopped', reasons: [`loaded but not running; last exit: ${s.launchd.lastExit}`] };
    case 'running':
      break;
    default: {
      const never: never = s.launchd;
      return { status: 'unknown', reasons: [`unexpected launchd view ${JSON.stringify(never)}`] };
    }
  }
  const unhealthy: string[] = [];
  const degraded: string[] = [];
  let lag: number | undefined;
  const api = s.api;
  if (api.kind === 'unreachable') unhealthy.push(`API unreachable: ${api.error}`);
  if (api.kind === 'ok') {
    lag = lagEpochs(api.headTimestamp, s.time);
    const peersOk = api.peers === undefined || api.peers >= cfg.minPeers;
    if (lag > cfg.maxChainLag) {
      // specs/lotus-operations.md §4: catching up (head rising, peers present) is syncing, not failed.
      if (s.headRising === true && peersOk) degraded.push(`syncing: ${lag} epochs behind (max ${cfg.maxChainLag}), head rising`);
      else unhealthy.push(`${lag} epochs behind (max ${cfg.maxChainLag})`);
    } else if (lag > cfg.healthyLag) {
      degraded.push(`${lag} epochs behind (healthy ≤ ${cfg.healthyLag})`);
    }
    if (api.peers !== undefined && api.peers < cfg.minPeers) unhealthy.push(`${api.peers} peers (min ${cfg.minPeers})`);
    if (api.peers === undefined && cfg.minPeers > 0) degraded.push(`peer count unreadable: ${api.peersError ?? 'no answer'}`);
    if (s.headUnchangedMs !== undefined && s.headUnchangedMs >= cfg.headStallMs && (api.peers ?? 0) > 0) {
      unhealthy.push(`head stuck at ${api.height} for ${secs(s.headUnchangedMs)} with ${api.peers} peers`);
    }
  }
  if (cfg.maxMemoryBytes !== undefined) {
    if (s.rssBytes === undefined) degraded.push('resident memory unreadable');
    else if (s.rssBytes > cfg.maxMemoryBytes) unhealthy.push(`resident memory ${s.rssBytes} bytes above max_memory ${cfg.maxMemoryBytes}`);
  }
  const lagField = lag === undefined ? {} : { lagEpochs: lag };
  const reasons = [...unhealthy, ...degraded];
  if (reasons.length === 0) return { status: 'healthy', reasons: [], ...lagField };
  if (s.sinceStartMs !== undefined && s.sinceStartMs < cfg.startupGraceMs) {
    return { status: 'starting', reasons: [`started ${secs(s.sinceStartMs)} ago (startup_grace ${secs(cfg.startupGraceMs)})`, ...reasons], ...lagField };
  }
  return { status: unhealthy.length > 0 ? 'unhealthy' : 'degraded', reasons, ...lagField };
}

/** monitor.backoff in milliseconds. */
export interface BackoffConfig {
  readonly initialMs: number;
  readonly maxMs: number;
  readonly resetAfterMs: number;
}

/** Wait after restart number `attempt + 1` before another: initial × 2^attempt, capped at max. */
export function nextDelay(attempt: number, cfg: Pick<BackoffConfig, 'initialMs' | 'maxMs'>): number {
  const n = Math.max(0, Math.floor(attempt));
  return Math.min(cfg.maxMs, cfg.initialMs * 2 ** Math.min(n, 52));
}

/** monitor.circuit_breaker in milliseconds. */
export interface BreakerConfig {
  readonly maxRestarts: number;
  readonly windowMs: number;
}

/** Restarts that still count: those within the window ending at `now`. */
export function restartsInWindow(restartTimes: readonly number[], now: number, cfg: BreakerConfig): number[] {
  return restartTimes.filter((t) => t > now - cfg.windowMs && t <= now);
}

/** True while fewer than max_restarts restarts fall in the window (closed breaker); false = open, no restart. */
export function breakerAllows(restartTimes: readonly number[], now: number, cfg: BreakerConfig): boolean {
  return restartsInWindow(restartTimes, now, cfg).length < cfg.maxRestarts;
}

/** The whole monitor policy for one service. */
export interface PolicyConfig {
  readonly health: HealthConfig;
  readonly autoRestart: boolean;
  /** Consecutive failed ticks before a restart (monitor.failure_threshold, ≥ 1). */
  readonly failureThreshold: number;
  readonly backoff: BackoffConfig;
  readonly breaker: BreakerConfig;
}

/** What the monitor remembers about one service between ticks (persisted by state.ts). */
export interface ServiceState {
  readonly consecutiveFailures: number;
  /** Times of restarts within the breaker window (older ones are dropped). */
  readonly restartTimes: readonly number[];
  /** Every restart the monitor ever issued (the Prometheus counter). */
  readonly restartsTotal: number;
  /** Restarts since the backoff was last reset. */
  readonly backoffAttempt: number;
  readonly lastRestartAt?: number;
  /** Start of the current unbroken run of healthy ticks. */
  readonly healthySince?: number;
  readonly breakerOpen: boolean;
  readonly lastStatus?: HealthStatus;
  /** Last pid launchd reported; a different pid means a new process. */
  readonly pid?: number;
  readonly session?: string;
  /** Best knowledge of when the current process started. */
  readonly startedAt?: number;
  readonly headHeight?: number;
  readonly headChangedAt?: number;
}

export const INITIAL_STATE: ServiceState = { consecutiveFailures: 0, restartTimes: [], restartsTotal: 0, backoffAttempt: 0, breakerOpen: false };

export type MonitorAction = 'none' | 'restart';

/**
 * Why decide() chose its action, as a stable code (display only: the action alone says what to do).
 * `ok`: nothing failed; `not-actionable`: unknown, or not loaded; `below-threshold`: failing, not yet often enough;
 * the `*-off`/`held-*` codes: a restart was due but withheld; `restart`: restart now.
 */
export type DecisionReason =
  | 'ok'
  | 'not-actionable'
  | 'below-threshold'
  | 'auto-restart-off'
  | 'held-apply-lock'
  | 'held-breaker'
  | 'held-backoff'
  | 'restart';

export interface Decision {
  readonly state: ServiceState;
  readonly action: MonitorAction;
  readonly reason: DecisionReason;
  /** One line saying why this action (and not another) was chosen. */
  readonly why: string;
  readonly health: HealthVerdict;
  /** Set on the tick the circuit breaker changed position. */
  readonly breaker?: 'opened' | 'closed';
}

/** A failed tick counts towards a restart; `unknown` and not-loaded neither count nor reset (nothing to act on). */
function tickKind(status: HealthStatus, launchd: LaunchdView): 'failure' | 'ok' | 'neutral' {
  if (status === 'unhealthy') return 'failure';
  if (status === 'stopped') return launchd.kind === 'idle' ? 'failure' : 'neutral';
  if (status === 'unknown') return 'neutral';
  return 'ok';
}

interface Tracking {
  readonly fields: Pick<ServiceState, 'pid' | 'session' | 'startedAt' | 'headHeight' | 'headChangedAt'>;
  readonly input: Pick<HealthInput, 'sinceStartMs' | 'headUnchangedMs' | 'headRising'>;
}

/** Process identity, start time and head movement: the facts a single observation cannot give. */
function track(prev: ServiceState, o: Observation, now: number): Tracking {
  if (o.launchd.kind !== 'running') {
    return { fields: { pid: prev.pid, session: prev.session, startedAt: prev.startedAt, headHeight: prev.headHeight, headChangedAt: prev.headChangedAt }, input: {} };
  }
  const pid = o.launchd.pid;
  const session = o.api.kind === 'ok' ? o.api.session : undefined;
  const sessionChanged = session !== undefined && prev.session !== undefined && session !== prev.session;
  const newProcess = prev.pid !== pid || sessionChanged;
  let startedAt: number | undefined;
  if (o.processAgeMs !== undefined) startedAt = now - o.processAgeMs;
  else if (prev.pid !== undefined && newProcess) startedAt = now;
  else if (!newProcess) startedAt = prev.startedAt;
  const keptSession = session ?? (newProcess ? undefined : prev.session);
  const base = { pid, session: keptSession, startedAt };
  const sinceStart = startedAt === undefined ? {} : { sinceStartMs: Math.max(0, now - startedAt) };
  const prevHeight = newProcess ? undefined : prev.headHeight;
  const prevChangedAt = newProcess ? undefined : prev.headChangedAt;
  if (o.api.kind !== 'ok') return { fields: { ...base, headHeight: prevHeight, headChangedAt: prevChangedAt }, input: sinceStart };
  const height = o.api.height;
  if (prevHeight === height) {
    const changedAt = prevChangedAt ?? now;
    return { fields: { ...base, headHeight: height, headChangedAt: changedAt }, input: { ...sinceStart, headUnchangedMs: now - changedAt, headRising: false } };
  }
  return {
    fields: { ...base, headHeight: height, headChangedAt: now },
    input: { ...sinceStart, headUnchangedMs: 0, headRising: prevHeight !== undefined && height > prevHeight },
  };
}

const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * One reconcile step for one service: judge the observation, count consecutive failures, and choose `restart`
 * only when failure_threshold is reached, auto_restart is on, apply is not running, the circuit breaker is closed
 * and the backoff delay since the last restart has passed. Choosing `restart` records it in the returned state
 * (attempted restarts count, whether or not launchctl succeeds). Deterministic for equal arguments.
 */
export function decide(prevState: ServiceState | undefined, o: Observation, cfg: PolicyConfig, now: number): Decision {
  const prev = prevState ?? INITIAL_STATE;
  const t = track(prev, o, now);
  const health = evaluateHealth({ ...o, ...t.input }, cfg.health);
  const kind = tickKind(health.status, o.launchd);
  const failures = kind === 'failure' ? prev.consecutiveFailures + 1 : kind === 'ok' ? 0 : prev.consecutiveFailures;
  const healthySince = health.status === 'healthy' ? (prev.healthySince ?? now) : undefined;
  const backoffReset = healthySince !== undefined && now - healthySince >= cfg.backoff.resetAfterMs;
  const restartTimes = restartsInWindow(prev.restartTimes, now, cfg.breaker);
  const base: ServiceState = {
    ...t.fields,
    consecutiveFailures: failures,
    restartTimes,
    restartsTotal: prev.restartsTotal,
    backoffAttempt: backoffReset ? 0 : prev.backoffAttempt,
    ...(prev.lastRestartAt !== undefined ? { lastRestartAt: prev.lastRestartAt } : {}),
    ...(healthySince !== undefined ? { healthySince } : {}),
    breakerOpen: !breakerAllows(restartTimes, now, cfg.breaker),
    lastStatus: health.status,
  };
  const finish = (state: ServiceState, reason: DecisionReason, why: string): Decision => {
    const action: MonitorAction = reason === 'restart' ? 'restart' : 'none';
    // A restart is only chosen with the breaker closed, so one that fills the window (re)opens it.
    const opened = state.breakerOpen && (action === 'restart' || !prev.breakerOpen);
    const breaker = opened ? 'opened' : !state.breakerOpen && prev.breakerOpen ? 'closed' : undefined;
    return { state: stripUndefined(state), action, reason, why, health, ...(breaker ? { breaker } : {}) };
  };

  if (kind === 'ok') return finish(base, 'ok', health.status);
  if (kind === 'neutral') return finish(base, 'not-actionable', `${health.status}: nothing the monitor can act on`);
  if (failures < cfg.failureThreshold) return finish(base, 'below-threshold', `failure ${failures} of ${cfg.failureThreshold} before a restart`);
  if (!cfg.autoRestart) return finish(base, 'auto-restart-off', `failing for ${failures} ticks; auto_restart is off`);
  if (o.applyLock !== undefined) return finish(base, 'held-apply-lock', `lotusctl apply holds the state lock (${o.applyLock}), and the monitor does not restart under it`);
  if (base.breakerOpen) {
    // Closed again once enough of the oldest restarts have left the window to bring the count under the max.
    const freeing = [...restartTimes].sort((a, b) => a - b)[restartTimes.length - cfg.breaker.maxRestarts];
    const until = freeing !== undefined ? `; no restart before ${iso(freeing + cfg.breaker.windowMs)}` : '';
    return finish(base, 'held-breaker', `circuit breaker open: ${restartTimes.length} restarts within ${secs(cfg.breaker.windowMs)} (max ${cfg.breaker.maxRestarts})${until}`);
  }
  if (base.backoffAttempt > 0 && prev.lastRestartAt !== undefined) {
    const notBefore = prev.lastRestartAt + nextDelay(base.backoffAttempt - 1, cfg.backoff);
    if (now < notBefore) return finish(base, 'held-backoff', `backoff: restart ${base.backoffAttempt + 1} not before ${iso(notBefore)}`);
  }
  const times = [...restartTimes, now];
  const restarted: ServiceState = {
    ...base,
    consecutiveFailures: 0,
    restartTimes: times,
    restartsTotal: prev.restartsTotal + 1,
    backoffAttempt: base.backoffAttempt + 1,
    lastRestartAt: now,
    breakerOpen: !breakerAllows(times, now, cfg.breaker),
  };
  return finish(restarted, 'restart', `${health.status} for ${failures} consecutive ticks (threshold ${cfg.failureThreshold}): ${health.reasons.join('; ')}`);
}

function stripUndefined(s: ServiceState): ServiceState {
  return Object.fromEntries(Object.entries(s).filter(([, v]) => v !== undefined)) as unknown as ServiceState;
}
