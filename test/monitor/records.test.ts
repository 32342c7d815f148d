// What a tick leaves on disk: samples lines, the Prometheus text, monitor-state.json; and the ps parser.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { decide, INITIAL_STATE, type Observation, type PolicyConfig, type ServiceState } from '../../src/monitor/policy.js';
import { appendSamples, escapeLabelValue, renderMetrics, sampleLine, samplesPath, writeMetrics, type TickResult } from '../../src/monitor/samples.js';
import { monitorStatePath, readMonitorState, writeMonitorState } from '../../src/monitor/state.js';
import { parseEtime, parsePsLine, processStats } from '../../src/system/process-stats.js';

const T0 = Date.parse('2026-08-06T23:59:59.500Z');
const POLICY: PolicyConfig = {
  health: { startupGraceMs: 0, maxChainLag: 5, minPeers: 1, healthyLag: 2, headStallMs: 180_000 },
  autoRestart: true, failureThreshold: 1,
  backoff: { initialMs: 1000, maxMs: 1000, resetAfterMs: 1000 },
  breaker: { maxRestarts: 1, windowMs: 3_600_000 },
};

function result(service: string, o: Partial<Observation>, prev?: ServiceState): TickResult {
  const observation: Observation = { service, time: T0, launchd: { kind: 'running', pid: 4242 }, api: { kind: 'off' }, ...o };
  return { service, observation, decision: decide(prev, observation, POLICY, T0) };
}

const healthy = result('lotus', {
  api: { kind: 'ok', height: 5_000_000, headTimestamp: T0 / 1000 - 45, peers: 12, session: 'abc' }, rssBytes: 2_000_000_000,
});
const restarted = result('miner', { api: { kind: 'unreachable', error: 'no answer within 500 ms' } });
const unknown = result('weird"name\\x', { launchd: { kind: 'unreadable', error: 'launchctl.timeout' } });

let dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'lotusctl-monitor-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});

describe('samples', () => {
  it('one snake_case line per service with nulls for what was not read', () => {
    expect(sampleLine(healthy)).toEqual({
      time: '2026-08-06T23:59:59.500Z', service: 'lotus', status: 'healthy', reasons: [], height: 5_000_000, lag_epochs: 1,
      peers: 12, rss_bytes: 2_000_000_000, pid: 4242, action: 'none', why: 'healthy',
    });
    expect(sampleLine({ ...restarted, actionError: 'Could not kickstart' })).toMatchObject({
      service: 'miner', status: 'unhealthy', reasons: ['API unreachable: no answer within 500 ms'], height: null, lag_epochs: null,
      peers: null, rss_bytes: null, pid: 4242, action: 'restart', action_error: 'Could not kickstart',
    });
    expect(sampleLine(unknown)).toMatchObject({ status: 'unknown', pid: null, action: 'none' });
  });

  it('appends to the UTC day file, creating the folder', () => {
    const dir = tempDir();
    const file = appendSamples(dir, [healthy, restarted], T0);
    expect(file).toBe(join(dir, 'samples', '2026-08-06.jsonl'));
    appendSamples(dir, [healthy], T0);
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as { service: string });
    expect(lines.map((l) => l.service)).toEqual(['lotus', 'miner', 'lotus']);
    expect(samplesPath(dir, T0 + 1000)).toBe(join(dir, 'samples', '2026-08-07.jsonl'));
  });
});

describe('metrics.prom', () => {
  it('renders HELP/TYPE once per family, one series per service sorted, unknown values left out', () => {
    expect(renderMetrics([restarted, unknown, healthy])).toBe([
      '# HELP lotusctl_service_up 1 when the service is healthy or degraded, 0 when unhealthy, starting or stopped; absent when unknown.',
      '# TYPE lotusctl_service_up gauge',
      'lotusctl_service_up{service="lotus"} 1',
      'lotusctl_service_up{service="miner"} 0',
      '# HELP lotusctl_chain_lag_epochs Epochs the chain head is behind the expected height.',
      '# TYPE lotusctl_chain_lag_epochs gauge',
      'lotusctl_chain_lag_epochs{service="lotus"} 1',
      '# HELP lotusctl_peers Connected libp2p peers (Filecoin.NetPeers).',
      '# TYPE lotusctl_peers gauge',
      'lotusctl_peers{service="lotus"} 12',
      '# HELP lotusctl_rss_bytes Resident memory of the service process in bytes.',
      '# TYPE lotusctl_rss_bytes gauge',
      'lotusctl_rss_bytes{service="lotus"} 2000000000',
      '# HELP lotusctl_restarts_total Restarts issued by the lotusctl monitor.',
      '# TYPE lotusctl_restarts_total counter',
      'lotusctl_restarts_total{service="lotus"} 0',
      'lotusctl_restarts_total{service="miner"} 1',
      'lotusctl_restarts_total{service="weird\\"name\\\\x"} 0',
      '# HELP lotusctl_breaker_open 1 while the restart circuit breaker is open (no automatic restarts).',
      '# TYPE lotusctl_breaker_open gauge',
      'lotusctl_breaker_open{service="lotus"} 0',
      'lotusctl_breaker_open{service="miner"} 1',
      'lotusctl_breaker_open{service="weird\\"name\\\\x"} 0',
      '',
    ].join('\n'));
  });

  it.each([
    ['plain', 'plain'],
    ['a"b', 'a\\"b'],
    ['a\\b', 'a\\\\b'],
    ['a\nb', 'a\\nb'],
  ])('escapes label value %j', (raw, escaped) => expect(escapeLabelValue(raw)).toBe(escaped));

  it('is written atomically with mode 0644', () => {
    const dir = tempDir();
    const file = writeMetrics(dir, [healthy]);
    expect(readFileSync(file, 'utf8')).toBe(renderMetrics([healthy]));
    expect(statSync(file).mode & 0o777).toBe(0o644);
  });
});

describe('monitor-state.json', () => {
  it('round-trips every field and forgets services not written', () => {
    const dir = tempDir();
    const full: ServiceState = {
      consecutiveFailures: 2, restartTimes: [T0 - 1000, T0], restartsTotal: 9, backoffAttempt: 3, lastRestartAt: T0, healthySince: T0 - 5000,
      breakerOpen: true, lastStatus: 'unhealthy', pid: 77, session: 'uuid', startedAt: T0 - 60_000, headHeight: 123, headChangedAt: T0 - 30_000,
    };
    writeMonitorState(dir, { lotus: full, fresh: INITIAL_STATE });
    expect(readMonitorState(dir)).toEqual({ services: { lotus: full, fresh: INITIAL_STATE } });
    writeMonitorState(dir, { lotus: full });
    expect(Object.keys(readMonitorState(dir).services)).toEqual(['lotus']);
    expect(JSON.parse(readFileSync(monitorStatePath(dir), 'utf8'))).toMatchObject({ format_version: 1, services: { lotus: { consecutive_failures: 2, last_restart_at: '2026-08-06T23:59:59.500Z' } } });
  });

  it('starts from nothing when the file is missing, and says so when it is corrupt', () => {
    const dir = tempDir();
    expect(readMonitorState(dir)).toEqual({ services: {} });
    writeFileSync(monitorStatePath(dir), '{"format_version": 1, "services": {"lotus": {"consecutive_failures": -1}}}');
    const r = readMonitorState(dir);
    expect(r.services).toEqual({});
    expect(r.problem).toMatch(/is not a monitor state file; restart counts and the circuit breaker start from zero/);
  });
});

describe('process stats', () => {
  it.each([
    ['00:05', 5_000],
    ['01:04', 64_000],
    ['1:02:03', 3_723_000],
    ['2-01:02:03', 2 * 86_400_000 + 3_723_000],
    ['  12:00 ', 720_000],
    ['1:60', undefined],
    ['abc', undefined],
    ['', undefined],
  ])('etime %j -> %s ms', (text, ms) => expect(parseEtime(text)).toBe(ms));

  it.each([
    [' 3932       01:04\n', { rssBytes: 3932 * 1024, elapsedMs: 64_000 }],
    ['123456 2-00:00:01', { rssBytes: 123456 * 1024, elapsedMs: 172_801_000 }],
    ['', undefined],
    ['  RSS ELAPSED\n', undefined],
  ])('ps line %j', (text, stats) => expect(parsePsLine(text)).toEqual(stats));

  it('reads this very process, and nothing for a pid that does not exist', async () => {
    const me = await processStats(process.pid);
    expect(me?.rssBytes).toBeGreaterThan(10 * 1024 * 1024);
    expect(me?.elapsedMs).toBeGreaterThanOrEqual(0);
    expect(await processStats(2 ** 22 + 12345)).toBeUndefined();
    expect(await processStats(-1)).toBeUndefined();
  });
});
