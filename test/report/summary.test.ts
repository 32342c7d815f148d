// The pure half of health reports: sample lines in, per-service figures out (status shares, streaks, gaps, restarts).
import { describe, expect, it } from 'vitest';
import { decide, type Observation, type PolicyConfig } from '../../src/monitor/policy.js';
import { sampleLine } from '../../src/monitor/samples.js';
import {
  daysOverlapping, parseSampleLine, parseSampleLines, summarize, summarizeService, type ReportSample, type ReportStatus,
} from '../../src/report/index.js';

const T0 = Date.parse('2026-08-06T00:00:00.000Z');
const S = 1000;

/** A sample `sec` seconds after T0. */
function at(sec: number, status: ReportStatus, extra: Partial<ReportSample> = {}): ReportSample {
  return { time: T0 + sec * S, service: 'node', status, reasons: [], action: 'none', why: status, ...extra };
}

/** The same status at each of `secs`. */
const every = (secs: number[], status: ReportStatus = 'healthy'): ReportSample[] => secs.map((s) => at(s, status));
const win = (fromSec: number, toSec: number) => ({ from: T0 + fromSec * S, to: T0 + toSec * S });

describe('parseSampleLine', () => {
  const good = { time: '2026-08-06T00:00:30.000Z', service: 'node', status: 'healthy', reasons: [], height: 7, lag_epochs: 1, peers: 3, rss_bytes: 10, pid: 4, action: 'none', why: 'healthy' };
  const line = (patch: Record<string, unknown>) => JSON.stringify({ ...good, ...patch });

  it('reads a line as the monitor writes it', () => {
    expect(parseSampleLine(JSON.stringify(good))).toEqual({
      time: T0 + 30 * S, service: 'node', status: 'healthy', reasons: [], lagEpochs: 1, peers: 3, rssBytes: 10, action: 'none', why: 'healthy',
    });
  });

  it.each([
    ['not JSON', 'time: now'],
    ['cut off mid-line', JSON.stringify(good).slice(0, 40)],
    ['an array', '[1,2]'],
    ['null', 'null'],
    ['a string', '"healthy"'],
    ['no time', line({ time: undefined })],
    ['a time that is not ISO', line({ time: 'yesterday' })],
    ['a date without a time', line({ time: '2026-08-06' })],
    ['an impossible time', line({ time: '2026-13-45T99:00:00.000Z' })],
    ['a numeric time', line({ time: T0 })],
    ['no service', line({ service: undefined })],
    ['an empty service', line({ service: '' })],
    ['a numeric service', line({ service: 5 })],
    ['no status', line({ status: undefined })],
    ['a numeric status', line({ status: 1 })],
  ])('skips %s', (_, text) => expect(parseSampleLine(text)).toBeUndefined());

  it.each([
    ['an unknown status is unknown, never healthy', { status: 'exploded' }, { status: 'unknown' }],
    ['null numbers are absent', { lag_epochs: null, peers: null, rss_bytes: null }, { lagEpochs: undefined, peers: undefined, rssBytes: undefined }],
    ['wrongly typed numbers are absent', { lag_epochs: '3', peers: true, rss_bytes: {} }, { lagEpochs: undefined, peers: undefined, rssBytes: undefined }],
    ['non-string reasons are dropped', { reasons: ['a', 1, null, 'b'] }, { reasons: ['a', 'b'] }],
    ['reasons that are not a list are none', { reasons: 'a' }, { reasons: [] }],
    ['a missing action and why are empty', { action: undefined, why: undefined }, { action: '', why: '' }],
    ['action_error is kept', { action: 'restart', action_error: 'Could not kickstart' }, { action: 'restart', actionError: 'Could not kickstart' }],
  ])('%s', (_, patch, want) => {
    const s = parseSampleLine(line(patch));
    expect(s).toBeDefined();
    for (const [k, v] of Object.entries(want)) expect(s?.[k as keyof ReportSample], k).toEqual(v);
  });

  it('counts unusable lines and ignores blank ones', () => {
    const text = [JSON.stringify(good), '', 'garbage', '   ', line({ service: 'miner' }), '{"time":', ''].join('\n');
    const r = parseSampleLines(text);
    expect(r.samples.map((s) => s.service)).toEqual(['node', 'miner']);
    expect(r.skipped).toBe(2);
  });

  it('reads what src/monitor/samples.ts writes (the two sides of the file format agree)', () => {
    const policy: PolicyConfig = {
      health: { startupGraceMs: 0, maxChainLag: 5, minPeers: 1, healthyLag: 2, headStallMs: 180_000 },
      autoRestart: true, failureThreshold: 1, backoff: { initialMs: 1000, maxMs: 1000, resetAfterMs: 1000 }, breaker: { maxRestarts: 5, windowMs: 3_600_000 },
    };
    const o: Observation = { service: 'miner', time: T0, launchd: { kind: 'running', pid: 9 }, api: { kind: 'unreachable', error: 'refused' }, rssBytes: 123 };
    const written = sampleLine({ service: 'miner', observation: o, decision: decide(undefined, o, policy, T0), actionError: 'boom' });
    expect(parseSampleLine(JSON.stringify(written))).toEqual({
      time: T0, service: 'miner', status: 'unhealthy', reasons: ['API unreachable: refused'], rssBytes: 123, action: 'restart',
      why: written.why, actionError: 'boom',
    });
  });
});

describe('daysOverlapping: the day files a window (from, to] touches', () => {
  const d = (iso: string) => Date.parse(iso);
  it.each([
    ['one day', '2026-08-06T00:00:00.000Z', '2026-08-06T23:59:59.999Z', ['2026-08-06']],
    ['24h from midnight also touches the next midnight', '2026-08-06T00:00:00.000Z', '2026-08-07T00:00:00.000Z', ['2026-08-06', '2026-08-07']],
    ['24h from noon', '2026-08-05T12:00:00.000Z', '2026-08-06T12:00:00.000Z', ['2026-08-05', '2026-08-06']],
    ['a month boundary', '2026-07-31T23:00:00.000Z', '2026-08-01T01:00:00.000Z', ['2026-07-31', '2026-08-01']],
    ['three days', '2026-08-04T23:59:59.999Z', '2026-08-06T00:00:00.001Z', ['2026-08-04', '2026-08-05', '2026-08-06']],
    ['an empty window', '2026-08-06T12:00:00.000Z', '2026-08-06T12:00:00.000Z', ['2026-08-06']],
    ['a backwards window', '2026-08-06T12:00:00.000Z', '2026-08-06T11:00:00.000Z', []],
  ])('%s', (_, from, to, want) => expect(daysOverlapping(d(from), d(to))).toEqual(want));
});

describe('status shares (time-weighted)', () => {
  it.each<[string, ReportSample[], [number, number], Partial<Record<ReportStatus, number>>, number]>([
    [
      'regular ticks: each sample stands for one interval, the last one up to the window end',
      [at(0, 'healthy'), at(30, 'healthy'), at(60, 'unhealthy'), at(90, 'degraded'), at(120, 'unknown')],
      [-1, 150], { healthy: 0.4, unhealthy: 0.2, degraded: 0.2, unknown: 0.2 }, 0.6,
    ],
    [
      'irregular ticks weigh by time, not by count',
      [at(0, 'healthy'), at(10, 'unhealthy'), at(100, 'healthy')],
      [-1, 100], { healthy: 0.1, unhealthy: 0.9 }, 0.1,
    ],
    [
      'unknown is never counted as up',
      every([0, 30, 60, 90], 'unknown'),
      [-1, 120], { unknown: 1 }, 0,
    ],
    [
      'starting and stopped are not up either',
      [at(0, 'starting'), at(30, 'stopped'), at(60, 'healthy'), at(90, 'healthy')],
      [-1, 120], { starting: 0.25, stopped: 0.25, healthy: 0.5 }, 0.5,
    ],
    [
      'the last sample stands for at most one median interval',
      [at(0, 'healthy'), at(30, 'unhealthy')],
      [-1, 45], { healthy: 30 / 45, unhealthy: 15 / 45 }, 30 / 45,
    ],
    [
      'a single sample has no interval: shares by count',
      [at(0, 'degraded')],
      [-1, 100], { degraded: 1 }, 1,
    ],
    [
      'the sample before a gap stands for one median interval, not the silence',
      [at(0, 'healthy'), at(30, 'healthy'), at(60, 'unhealthy'), at(1000, 'healthy')],
      [-1, 1030], { healthy: 0.75, unhealthy: 0.25 }, 0.75,
    ],
  ])('%s', (_, samples, [from, to], shares, availability) => {
    const s = summarizeService('node', samples, win(from, to));
    const want = { healthy: 0, degraded: 0, unhealthy: 0, starting: 0, unknown: 0, stopped: 0, ...shares };
    for (const [st, v] of Object.entries(want)) expect(s.statusShare[st as ReportStatus], st).toBeCloseTo(v, 10);
    expect(s.availability).toBeCloseTo(availability, 10);
    expect(Object.values(s.statusShare).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 10);
  });

  it('reports the observed time and time per status in ms', () => {
    const s = summarizeService('node', [at(0, 'healthy'), at(30, 'unhealthy'), at(60, 'healthy')], win(-1, 70));
    expect(s.medianIntervalMs).toBe(30 * S);
    expect(s.observedMs).toBe(70 * S);
    expect(s.statusMs).toEqual({ healthy: 40 * S, degraded: 0, unhealthy: 30 * S, starting: 0, unknown: 0, stopped: 0 });
  });
});

describe('gaps (no samples for more than 3 × the median interval)', () => {
  it.each<[string, number[], number, { from: number; to: number; ongoing: boolean }[]]>([
    ['none on a regular tick', [0, 30, 60, 90], 100, []],
    ['exactly 3 intervals is not a gap', [0, 30, 60, 90, 180], 190, []],
    ['just over 3 intervals is one', [0, 30, 60, 90, 181], 190, [{ from: 90, to: 181, ongoing: false }]],
    ['two gaps', [0, 30, 60, 400, 430, 460, 1000, 1030], 1040, [{ from: 60, to: 400, ongoing: false }, { from: 460, to: 1000, ongoing: false }]],
    ['silence up to the window end is an ongoing gap', [0, 30, 60], 151, [{ from: 60, to: 151, ongoing: true }]],
    ['but not within 3 intervals of the end', [0, 30, 60], 150, []],
    ['one sample has no median: no gaps', [0], 10_000, []],
  ])('%s', (_, secs, toSec, want) => {
    const s = summarizeService('node', every(secs), win(-1, toSec));
    expect(s.gaps).toEqual(want.map((g) => ({ from: T0 + g.from * S, to: T0 + g.to * S, durationMs: (g.to - g.from) * S, ongoing: g.ongoing })));
  });
});

describe('longest unhealthy streak', () => {
  const run = (codes: string, gapAfter?: number): ReportSample[] => {
    let t = 0;
    return [...codes].map((c, i) => {
      const s = at(t, c === 'U' ? 'unhealthy' : c === 'u' ? 'unknown' : 'healthy');
      t += i === gapAfter ? 200 : 30;
      return s;
    });
  };
  it('carries the reasons of the run’s first sample', () => {
    const s = summarizeService('node', [at(0, 'healthy'), at(30, 'unhealthy', { reasons: ['a'] }), at(60, 'unhealthy', { reasons: ['b'] })], win(-1, 90));
    expect(s.longestUnhealthy?.reasons).toEqual(['a']);
  });

  it.each<[string, ReportSample[], number, [number, number] | undefined]>([
    ['none when never unhealthy', run('HHHH'), 120, undefined],
    ['the longest run, up to the next sample', run('HUUHUUUH'), 240, [120, 210]],
    ['the earliest of equal runs', run('UUHUU'), 150, [0, 60]],
    ['a run at the end lasts up to the window end (at most one interval)', run('HHUU'), 200, [60, 120]],
    ['unknown breaks a run', run('UUuUH'), 150, [0, 60]],
    ['a gap breaks a run', run('UUUUU', 1), 320, [230, 320]],
  ])('%s', (_, samples, toSec, want) => {
    const s = summarizeService('node', samples, win(-1, toSec));
    if (want === undefined) expect(s.longestUnhealthy).toBeUndefined();
    else expect(s.longestUnhealthy).toEqual({ from: T0 + want[0] * S, to: T0 + want[1] * S, durationMs: (want[1] - want[0]) * S, reasons: [] });
  });
});

describe('restarts and the circuit breaker', () => {
  const breaker = 'circuit breaker open: 2 restarts within 3600s (max 2); no restart before 2026-08-06T01:00:00.000Z';
  const samples = [
    at(0, 'unhealthy', { action: 'restart', why: 'unhealthy for 1 consecutive ticks', reasons: ['API unreachable'] }),
    at(30, 'starting'),
    at(60, 'unhealthy', { action: 'restart', why: 'again', reasons: ['x'], actionError: 'Could not kickstart service' }),
    at(90, 'unhealthy', { why: breaker }),
    at(120, 'unhealthy', { why: breaker }),
    at(150, 'healthy'),
    at(180, 'unhealthy', { why: breaker }),
  ];
  const s = summarizeService('node', samples, win(-1, 200));

  it('lists every restart with its reasons; failed attempts carry launchctl’s error', () => {
    expect(s.restarts).toEqual([
      { time: T0, reasons: ['API unreachable'], why: 'unhealthy for 1 consecutive ticks' },
      { time: T0 + 60 * S, reasons: ['x'], why: 'again', error: 'Could not kickstart service' },
    ]);
    expect(s.failedRestarts).toBe(1);
  });

  it('counts each run of breaker-held samples once', () => {
    expect(s.breakerOpenings).toEqual([{ time: T0 + 90 * S, why: breaker }, { time: T0 + 180 * S, why: breaker }]);
  });
});

describe('chain lag, peers, memory', () => {
  it('min/avg/max/last over the values that were read', () => {
    const s = summarizeService('node', [
      at(0, 'healthy', { lagEpochs: 3, peers: 10, rssBytes: 100 }),
      at(30, 'unknown'),
      at(60, 'healthy', { lagEpochs: 1, peers: 11, rssBytes: 300 }),
      at(90, 'healthy', { lagEpochs: 6, rssBytes: 200 }),
    ], win(-1, 120));
    expect(s.lagEpochs).toEqual({ min: 1, avg: 3.33, max: 6, last: 6 });
    expect(s.peers).toEqual({ min: 10, avg: 10.5, last: 11 });
    expect(s.rssBytes).toEqual({ max: 300, last: 200 });
    expect(s.lagSeries).toEqual([{ time: T0, lag: 3 }, { time: T0 + 60 * S, lag: 1 }, { time: T0 + 90 * S, lag: 6 }]);
  });

  it('absent when nothing was read', () => {
    const s = summarizeService('node', every([0, 30], 'unknown'), win(-1, 60));
    expect([s.lagEpochs, s.peers, s.rssBytes]).toEqual([undefined, undefined, undefined]);
  });
});

describe('summarize', () => {
  it('keeps samples in (from, to], groups by service sorted by name, sorts each by time', () => {
    const samples = [
      at(60, 'healthy', { service: 'b' }),
      at(0, 'unhealthy', { service: 'a' }), // at `from`: outside
      at(30, 'healthy', { service: 'a' }),
      at(10, 'healthy', { service: 'B' }),
      at(120, 'healthy', { service: 'a' }), // at `to`: inside
      at(121, 'unhealthy', { service: 'a' }), // after `to`: outside
      at(90, 'degraded', { service: 'a' }),
    ];
    const r = summarize(samples, { ...win(0, 120), skippedLines: 3 });
    expect(r.services.map((s) => [s.service, s.samples])).toEqual([['B', 1], ['a', 3], ['b', 1]]);
    const a = r.services[1];
    expect([a?.firstSample, a?.lastSample]).toEqual([T0 + 30 * S, T0 + 120 * S]);
    expect(a?.statusShare.unhealthy).toBe(0);
    expect(r).toMatchObject({ window: win(0, 120), generatedAt: T0 + 120 * S, skippedLines: 3 });
  });

  it('a service with a single sample borrows the median interval of the others', () => {
    const r = summarize([...every([0, 30, 60, 90]), at(80, 'unhealthy', { service: 'new' })], win(-1, 100));
    const fresh = r.services.find((s) => s.service === 'new');
    expect(fresh).toMatchObject({ medianIntervalMs: 30 * S, observedMs: 20 * S, longestUnhealthy: { durationMs: 20 * S } });
    expect(summarizeService('new', [at(80, 'unhealthy')], win(-1, 100)).medianIntervalMs).toBeUndefined();
  });

  it('has no services for an empty window, and takes generatedAt when given', () => {
    expect(summarize([], { ...win(0, 10), generatedAt: T0 + 99 })).toEqual({ generatedAt: T0 + 99, window: win(0, 10), skippedLines: 0, services: [] });
  });
});
