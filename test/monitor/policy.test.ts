// Table tests for the monitor's pure core: no clock, no I/O; every time is a number passed in.
import { describe, expect, it } from 'vitest';
import {
  breakerAllows,
  decide,
  evaluateHealth,
  lagEpochs,
  nextDelay,
  type ApiView,
  type HealthConfig,
  type HealthInput,
  type HealthStatus,
  type Observation,
  type PolicyConfig,
  type ServiceState,
} from '../../src/monitor/policy.js';

const T0 = Date.parse('2026-08-06T10:00:00Z');
const S = 1000;
const M = 60 * S;

const HEALTH: HealthConfig = { startupGraceMs: 5 * M, maxChainLag: 5, minPeers: 1, healthyLag: 2, headStallMs: 3 * M };

const GENESIS = 1598306400;
const expectedHeight = (now: number): number => Math.floor((now / 1000 - GENESIS) / 30);
/** A head `lag` epochs behind at `now`, with the height the chain would really have (so it moves with time). */
type OkApi = Extract<ApiView, { kind: 'ok' }>;
function api(lag: number, extra: Partial<OkApi> = {}, now = T0): OkApi {
  const height = expectedHeight(now) - lag;
  return { kind: 'ok', height, headTimestamp: GENESIS + 30 * height, peers: 8, session: 's1', ...extra };
}

function input(over: Partial<HealthInput> = {}): HealthInput {
  return { service: 'lotus', time: T0, launchd: { kind: 'running', pid: 100 }, api: api(0), rssBytes: 1e9, ...over };
}

describe('lagEpochs', () => {
  it.each([
    { ts: T0 / 1000, now: T0, lag: 0 },
    { ts: T0 / 1000 - 29, now: T0, lag: 0 },
    { ts: T0 / 1000 - 30, now: T0, lag: 1 },
    { ts: T0 / 1000 - 300, now: T0, lag: 10 },
    { ts: T0 / 1000 + 60, now: T0, lag: 0 }, // a head from the future (clock skew) is not negative lag
  ])('head at $ts, now $now -> $lag', ({ ts, now, lag }) => expect(lagEpochs(ts, now)).toBe(lag));
});

describe('evaluateHealth', () => {
  const cases: Array<{ name: string; in: Partial<HealthInput>; cfg?: Partial<HealthConfig>; status: HealthStatus; reasons?: RegExp[] }> = [
    { name: 'synced with peers', in: {}, status: 'healthy' },
    { name: '2 epochs behind is still healthy', in: { api: api(2) }, status: 'healthy' },
    { name: '3 epochs behind is degraded', in: { api: api(3) }, status: 'degraded', reasons: [/3 epochs behind/] },
    { name: 'at max_chain_lag is degraded', in: { api: api(5) }, status: 'degraded' },
    { name: 'above max_chain_lag is unhealthy', in: { api: api(6) }, status: 'unhealthy', reasons: [/6 epochs behind \(max 5\)/] },
    { name: 'above max_chain_lag but head rising with peers: syncing', in: { api: api(40), headRising: true }, status: 'degraded', reasons: [/syncing: 40 epochs behind/] },
    { name: 'rising head without peers is not syncing', in: { api: api(40, { peers: 0 }), headRising: true }, status: 'unhealthy', reasons: [/40 epochs behind/, /0 peers \(min 1\)/] },
    { name: 'max_chain_lag 0: one epoch behind is unhealthy', in: { api: api(1) }, cfg: { maxChainLag: 0 }, status: 'unhealthy' },
    { name: 'fewer peers than min_peers', in: { api: api(0, { peers: 2 }) }, cfg: { minPeers: 3 }, status: 'unhealthy', reasons: [/2 peers \(min 3\)/] },
    { name: 'no peers with min_peers 0', in: { api: api(0, { peers: 0 }) }, cfg: { minPeers: 0 }, status: 'healthy' },
    { name: 'peer count unreadable', in: { api: api(0, { peers: undefined, peersError: 'Filecoin.NetPeers: HTTP 500' }) }, status: 'degraded', reasons: [/peer count unreadable: Filecoin.NetPeers: HTTP 500/] },
    { name: 'head unchanged 3 min with peers', in: { headUnchangedMs: 3 * M }, status: 'unhealthy', reasons: [/^head stuck at \d+ for 180s with 8 peers$/] },
    { name: 'head unchanged just under 3 min', in: { headUnchangedMs: 3 * M - 1 }, status: 'healthy' },
    { name: 'head unchanged 3 min without peers (min 0) is no stall', in: { api: api(0, { peers: 0 }), headUnchangedMs: 10 * M }, cfg: { minPeers: 0 }, status: 'healthy' },
    { name: 'API unreachable', in: { api: { kind: 'unreachable', error: 'Filecoin.ChainHead: no answer within 500 ms' } }, status: 'unhealthy', reasons: [/API unreachable: .*no answer within 500 ms/] },
    { name: 'API unreachable inside startup grace', in: { api: { kind: 'unreachable', error: 'refused' }, sinceStartMs: 10 * S }, status: 'starting', reasons: [/started 10s ago \(startup_grace 300s\)/, /API unreachable/] },
    { name: 'grace ends exactly at startup_grace', in: { api: { kind: 'unreachable', error: 'refused' }, sinceStartMs: 5 * M }, status: 'unhealthy' },
    { name: 'unknown start time gives no grace', in: { api: { kind: 'unreachable', error: 'refused' } }, status: 'unhealthy' },
    { name: 'degraded inside grace is starting', in: { api: api(3), sinceStartMs: S }, status: 'starting' },
    { name: 'healthy inside grace is healthy', in: { sinceStartMs: S }, status: 'healthy' },
    { name: 'no health API: launchd running is enough', in: { api: { kind: 'off' } }, status: 'healthy' },
    { name: 'launchd unreadable is unknown, even with a good API', in: { launchd: { kind: 'unreadable', error: 'launchctl.timeout' } }, status: 'unknown', reasons: [/launchd state unreadable: launchctl.timeout/] },
    { name: 'not loaded', in: { launchd: { kind: 'not-loaded' }, api: { kind: 'off' } }, status: 'stopped', reasons: [/not loaded/] },
    { name: 'loaded, not running', in: { launchd: { kind: 'idle', lastExit: 'exit 1' }, api: { kind: 'off' } }, status: 'stopped', reasons: [/last exit: exit 1/] },
    { name: 'RSS above max_memory', in: { rssBytes: 5e9 }, cfg: { maxMemoryBytes: 4e9 }, status: 'unhealthy', reasons: [/resident memory 5000000000 bytes above max_memory 4000000000/] },
    { name: 'RSS at max_memory', in: { rssBytes: 4e9 }, cfg: { maxMemoryBytes: 4e9 }, status: 'healthy' },
    { name: 'RSS unreadable with max_memory', in: { rssBytes: undefined }, cfg: { maxMemoryBytes: 4e9 }, status: 'degraded', reasons: [/resident memory unreadable/] },
    { name: 'RSS unreadable without max_memory', in: { rssBytes: undefined }, status: 'healthy' },
  ];
  it.each(cases)('$name -> $status', (c) => {
    const v = evaluateHealth(input(c.in), { ...HEALTH, ...c.cfg });
    expect(v.status).toBe(c.status);
    if (c.status === 'healthy') expect(v.reasons).toEqual([]);
    for (const [i, re] of (c.reasons ?? []).entries()) expect(v.reasons[i]).toMatch(re);
  });

  it('reports the lag it judged', () => {
    expect(evaluateHealth(input({ api: api(4) }), HEALTH).lagEpochs).toBe(4);
    expect(evaluateHealth(input({ api: { kind: 'off' } }), HEALTH).lagEpochs).toBeUndefined();
  });
});

describe('nextDelay', () => {
  const cfg = { initialMs: 30 * S, maxMs: 30 * M };
  it.each([
    { attempt: 0, ms: 30 * S },
    { attempt: 1, ms: 60 * S },
    { attempt: 3, ms: 240 * S },
    { attempt: 5, ms: 960 * S },
    { attempt: 6, ms: 30 * M }, // 1920 s capped at 1800 s
    { attempt: 1000, ms: 30 * M },
    { attempt: -1, ms: 30 * S },
  ])('attempt $attempt -> $ms ms', ({ attempt, ms }) => expect(nextDelay(attempt, cfg)).toBe(ms));
});

describe('breakerAllows', () => {
  const cfg = { maxRestarts: 3, windowMs: 60 * M };
  it.each([
    { name: 'no restarts', times: [], allows: true },
    { name: 'two in window', times: [T0 - 10 * M, T0 - M], allows: true },
    { name: 'three in window', times: [T0 - 30 * M, T0 - 10 * M, T0 - M], allows: false },
    { name: 'three, the oldest exactly a window ago', times: [T0 - 60 * M, T0 - 10 * M, T0 - M], allows: true },
    { name: 'many, all old', times: [T0 - 5 * 60 * M, T0 - 4 * 60 * M, T0 - 3 * 60 * M, T0 - 2 * 60 * M], allows: true },
  ])('$name -> $allows', ({ times, allows }) => expect(breakerAllows(times, T0, cfg)).toBe(allows));
});

// --- decide(): stories of consecutive ticks -------------------------------------------------------------------

const POLICY: PolicyConfig = {
  health: { ...HEALTH, startupGraceMs: 0 },
  autoRestart: true,
  failureThreshold: 3,
  backoff: { initialMs: 60 * S, maxMs: 10 * M, resetAfterMs: 10 * M },
  breaker: { maxRestarts: 5, windowMs: 60 * M },
};

type Tick = { at: number } & Partial<Observation>;
const healthy = (at: number, over: Partial<Observation> = {}): Tick => ({ at, api: api(0, {}, at), ...over });
/** A head frozen 10 epochs behind T0: the lag grows as time passes. */
const stalled = (at: number, over: Partial<Observation> = {}): Tick => ({ at, api: { ...api(10), headTimestamp: GENESIS + 30 * (expectedHeight(T0) - 10) }, ...over });

/** Runs ticks through decide(), threading the state; returns every decision. */
function run(ticks: Tick[], cfg: Partial<PolicyConfig> = {}, start?: ServiceState) {
  let state = start;
  return ticks.map(({ at, ...over }) => {
    const o: Observation = { service: 'lotus', time: at, launchd: { kind: 'running', pid: 100 }, api: api(0, {}, at), ...over };
    const d = decide(state, o, { ...POLICY, ...cfg }, at);
    state = d.state;
    return d;
  });
}
const actions = (ds: ReturnType<typeof run>) => ds.map((d) => d.action);

describe('decide', () => {
  it('leaves a healthy service alone', () => {
    const ds = run([healthy(T0), healthy(T0 + 30 * S), healthy(T0 + 60 * S)]);
    expect(actions(ds)).toEqual(['none', 'none', 'none']);
    expect(ds.map((d) => d.reason)).toEqual(['ok', 'ok', 'ok']);
    expect(ds.at(-1)?.state).toMatchObject({ consecutiveFailures: 0, restartTimes: [], healthySince: T0, breakerOpen: false });
  });

  it('restarts after failure_threshold consecutive failures, then counts afresh', () => {
    const ds = run([0, 1, 2, 3, 4].map((i) => stalled(T0 + i * 30 * S)));
    expect(actions(ds)).toEqual(['none', 'none', 'restart', 'none', 'none']);
    expect(ds.map((d) => d.reason)).toEqual(['below-threshold', 'below-threshold', 'restart', 'below-threshold', 'below-threshold']);
    expect(ds[1]?.why).toBe('failure 2 of 3 before a restart');
    expect(ds[2]?.why).toMatch(/^unhealthy for 3 consecutive ticks \(threshold 3\): 12 epochs behind \(max 5\)/);
    expect(ds[2]?.state).toMatchObject({ consecutiveFailures: 0, restartTimes: [T0 + 60 * S], restartsTotal: 1, backoffAttempt: 1, lastRestartAt: T0 + 60 * S });
    expect(ds[4]?.state.consecutiveFailures).toBe(2);
  });

  it('a good tick in between resets the count; an unknown one neither counts nor resets', () => {
    const unknown: Partial<Observation> = { launchd: { kind: 'unreadable', error: 'timeout' } };
    const reset = run([stalled(T0), stalled(T0 + 1), healthy(T0 + 2), stalled(T0 + 3), stalled(T0 + 4)]);
    expect(actions(reset)).toEqual(['none', 'none', 'none', 'none', 'none']);
    const neutral = run([stalled(T0), stalled(T0 + 1), { at: T0 + 2, ...unknown }, stalled(T0 + 3)]);
    expect(neutral.map((d) => d.health.status)).toEqual(['unhealthy', 'unhealthy', 'unknown', 'unhealthy']);
    expect(actions(neutral)).toEqual(['none', 'none', 'none', 'restart']);
  });

  it('a loaded job with no process counts as a failure; a job that is not loaded is not the monitor\'s to fix', () => {
    const idle: Partial<Observation> = { launchd: { kind: 'idle', lastExit: 'exited 1' }, api: { kind: 'off' } };
    expect(actions(run([1, 2, 3].map((i) => ({ at: T0 + i, ...idle }))))).toEqual(['none', 'none', 'restart']);
    const gone = run([1, 2, 3, 4].map((i) => ({ at: T0 + i, launchd: { kind: 'not-loaded' as const }, api: { kind: 'off' as const } })));
    expect(actions(gone)).toEqual(['none', 'none', 'none', 'none']);
    expect(gone.at(-1)).toMatchObject({ reason: 'not-actionable', why: 'stopped: nothing the monitor can act on' });
  });

  it('never restarts with auto_restart off, or while apply holds the lock', () => {
    const off = run([1, 2, 3, 4].map((i) => stalled(T0 + i)), { autoRestart: false });
    expect(actions(off)).toEqual(['none', 'none', 'none', 'none']);
    expect(off.at(-1)).toMatchObject({ reason: 'auto-restart-off', why: 'failing for 4 ticks; auto_restart is off' });
    const locked = run([1, 2, 3].map((i) => stalled(T0 + i, { applyLock: 'apply pid 9' })));
    expect(actions(locked)).toEqual(['none', 'none', 'none']);
    expect(locked.at(-1)?.reason).toBe('held-apply-lock');
    expect(locked.at(-1)?.why).toMatch(/lotusctl apply holds the state lock \(apply pid 9\)/);
  });

  it('backs off between restarts, doubling, and resets after reset_after of health', () => {
    const t = (s: number) => T0 + s * S;
    const ds = run([0, 30, 60, 120, 180, 300, 330, 420].map((s) => stalled(t(s))), { failureThreshold: 1 });
    expect(actions(ds)).toEqual(['restart', 'none', 'restart', 'none', 'restart', 'none', 'none', 'restart']);
    expect(ds[1]?.reason).toBe('held-backoff');
    expect(ds[1]?.why).toBe(`backoff: restart 2 not before ${new Date(t(60)).toISOString()}`); // 60 s after the 1st
    expect(ds[3]?.why).toBe(`backoff: restart 3 not before ${new Date(t(180)).toISOString()}`); // 120 s after the 2nd
    expect(ds[5]?.why).toBe(`backoff: restart 4 not before ${new Date(t(420)).toISOString()}`); // 240 s after the 3rd
    expect(ds[7]?.state.backoffAttempt).toBe(4);
    const capped = run([0, 1, 2, 3].map((s) => stalled(t(s * 60))), { failureThreshold: 1, backoff: { initialMs: 60 * S, maxMs: 60 * S, resetAfterMs: M } });
    expect(actions(capped)).toEqual(['restart', 'restart', 'restart', 'restart']);

    const healed = run([stalled(t(0)), healthy(t(10)), healthy(t(10) + 10 * M - 1), healthy(t(10) + 10 * M)], { failureThreshold: 1 });
    expect(healed.map((d) => d.state.backoffAttempt)).toEqual([1, 1, 1, 0]);
  });

  it('opens the circuit breaker after max_restarts within the window, logs the change once, and closes when they age out', () => {
    const cfg = { failureThreshold: 1, breaker: { maxRestarts: 2, windowMs: 10 * M }, backoff: { initialMs: S, maxMs: S, resetAfterMs: M } };
    const ds = run([stalled(T0), stalled(T0 + M), stalled(T0 + 2 * M), stalled(T0 + 3 * M), stalled(T0 + 10 * M + 1)], cfg);
    expect(actions(ds)).toEqual(['restart', 'restart', 'none', 'none', 'restart']);
    expect(ds.map((d) => d.breaker)).toEqual([undefined, 'opened', undefined, undefined, 'opened']);
    expect(ds[2]?.why).toMatch(/^circuit breaker open: 2 restarts within 600s \(max 2\); no restart before 2026-08-06T10:10:00.000Z$/);
    expect(ds[2]).toMatchObject({ reason: 'held-breaker', state: { breakerOpen: true } });
    // At +10m+1 the first restart left the window: the breaker allowed one more, which filled it again.
    expect(ds[4]?.state.restartTimes).toEqual([T0 + M, T0 + 10 * M + 1]);
    expect(ds[4]?.state.restartsTotal).toBe(3);
    const quiet = run([healthy(T0 + 20 * M)], cfg, ds[4]?.state);
    expect(quiet[0]).toMatchObject({ breaker: 'closed', state: { breakerOpen: false, restartTimes: [T0 + 10 * M + 1] } });
  });

  it('gives a new process its startup grace: by ps age, or by a pid or Session change', () => {
    const cfg = { health: { ...HEALTH, startupGraceMs: 2 * M } };
    const down: Partial<Observation> = { api: { kind: 'unreachable', error: 'refused' } };
    const byAge = run([{ at: T0, ...down, processAgeMs: 30 * S }, { at: T0 + 2 * M, ...down, processAgeMs: 30 * S + 2 * M }], cfg);
    expect(byAge.map((d) => d.health.status)).toEqual(['starting', 'unhealthy']);
    const byPid = run([{ at: T0, ...down }, { at: T0 + M, ...down, launchd: { kind: 'running', pid: 200 } }, { at: T0 + 3 * M + 1, ...down, launchd: { kind: 'running', pid: 200 } }], cfg);
    expect(byPid.map((d) => d.health.status)).toEqual(['unhealthy', 'starting', 'unhealthy']);
    expect(byPid[1]?.state.consecutiveFailures).toBe(0);
    const bySession = run([stalled(T0), stalled(T0 + M, { api: api(10, { session: 's2' }, T0 + M) })], cfg);
    expect(bySession.map((d) => d.health.status)).toEqual(['unhealthy', 'starting']);
  });

  it('tracks head movement: stuck for 3 minutes is unhealthy, rising is syncing, a new process starts over', () => {
    const at = (s: number, height: number, lag = 0, pid = 100): Tick => ({ at: T0 + s * S, launchd: { kind: 'running', pid }, api: api(lag, { height }, T0 + s * S) });
    const stuck = run([at(0, 10), at(60, 10), at(120, 10), at(180, 10), at(200, 11)]);
    expect(stuck.map((d) => d.health.status)).toEqual(['healthy', 'healthy', 'healthy', 'unhealthy', 'healthy']);
    expect(stuck[3]?.health.reasons).toEqual(['head stuck at 10 for 180s with 8 peers']);
    const restarted = run([at(0, 10), at(120, 10), at(180, 10, 0, 300)]);
    expect(restarted.map((d) => d.health.status)).toEqual(['healthy', 'healthy', 'healthy']);
    const syncing = run([at(0, 100, 50), at(30, 160, 49), at(60, 160, 50)]);
    expect(syncing.map((d) => d.health.status)).toEqual(['unhealthy', 'degraded', 'unhealthy']);
    expect(syncing[1]?.health.reasons[0]).toMatch(/^syncing: 49 epochs behind/);
  });

  it('forgets restarts older than the window and is deterministic', () => {
    const old: ServiceState = { consecutiveFailures: 0, restartTimes: [T0 - 2 * 60 * M, T0 - 30 * M], restartsTotal: 7, backoffAttempt: 2, breakerOpen: false };
    const o: Observation = { service: 'lotus', time: T0, launchd: { kind: 'running', pid: 100 }, api: api(0) };
    const a = decide(old, o, POLICY, T0);
    expect(a.state.restartTimes).toEqual([T0 - 30 * M]);
    expect(a.state.restartsTotal).toBe(7);
    expect(decide(old, o, POLICY, T0)).toEqual(a);
  });
});

describe('decide: circuit breaker message', () => {
  it('names the time the breaker closes when more restarts than the max are in the window (max lowered)', () => {
    const prev: ServiceState = { consecutiveFailures: 0, restartTimes: [T0 - 50 * M, T0 - 40 * M, T0 - 30 * M, T0 - 20 * M], restartsTotal: 4, backoffAttempt: 4, breakerOpen: true };
    const o: Observation = { service: 'lotus', time: T0, launchd: { kind: 'idle', lastExit: 'exit 1' }, api: { kind: 'off' } };
    const d = decide(prev, o, { ...POLICY, failureThreshold: 1, breaker: { maxRestarts: 2, windowMs: 60 * M } }, T0);
    // 4 in the window, max 2: fewer than 2 means the three oldest must leave, the third at T0 - 30m + 60m.
    expect(d).toMatchObject({ action: 'none', reason: 'held-breaker' });
    expect(d.why).toBe(`circuit breaker open: 4 restarts within 3600s (max 2); no restart before ${new Date(T0 + 30 * M).toISOString()}`);
  });
});
