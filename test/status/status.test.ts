import { describe, expect, it } from 'vitest';
import type { ReportSample } from '../../src/report/samples.js';
import { renderStatusText, statusJson } from '../../src/render/status-text.js';
import { noColors } from '../../src/render/colors.js';
import { formatAge, shortExit, staleAfterMs, statusView, type StatusFacts, type StatusJobFacts } from '../../src/status/status.js';

const NOW = Date.parse('2026-08-06T10:00:00Z');

const sample = (over: Partial<ReportSample> = {}): ReportSample => ({ time: NOW - 5000, service: 'daemon', status: 'healthy', reasons: [], action: 'none', why: 'healthy', ...over });

function svc(over: Partial<StatusJobFacts> = {}): StatusJobFacts {
  return {
    name: 'daemon', kind: 'service', label: 'com.lotusctl.daemon', domain: 'gui/501', desired: 'running', plistExists: true,
    launchd: { kind: 'loaded', pid: 4242, state: 'running', lastExit: { kind: 'never' } }, disabled: undefined,
    processAgeMs: 3_600_000, api: { kind: 'ok', height: 5_000_000, headTimestamp: NOW / 1000 - 10, peers: 8 },
    lastSample: sample(), restarts24h: { count: 0, complete: true }, breakerOpen: false, hasHealth: true,
    ...over,
  };
}

const mon = (over: Partial<StatusJobFacts> = {}): StatusJobFacts => svc({ name: 'monitor', kind: 'monitor', label: 'com.lotusctl.monitor', api: undefined, lastSample: undefined, restarts24h: undefined, hasHealth: false, ...over });

function facts(jobs: StatusJobFacts[], over: Partial<StatusFacts> = {}): StatusFacts {
  return { now: NOW, jobs, monitor: { enabled: true, schedule: '30s', intervalMs: 30_000, lastSampleAt: NOW - 5000 }, ...over };
}

const row = (f: StatusFacts, name = 'daemon') => statusView(f).rows.find((r) => r.service === name)!;

describe('status rows', () => {
  it('everything running, sampled and healthy: ok', () => {
    const v = statusView(facts([svc(), mon()]));
    expect(v.ok).toBe(true);
    expect(v.rows.map((r) => [r.service, r.launchdState, r.health.word])).toEqual([['daemon', 'running', 'healthy'], ['monitor', 'running', 'ticking']]);
    expect(row(facts([svc()])).uptimeMs).toBe(3_600_000);
  });

  it.each<[string, Partial<StatusJobFacts>, string, RegExp]>([
    ['not loaded', { launchd: { kind: 'not-loaded' } }, 'not loaded', /wanted running, but it is not loaded in gui\/501: run lotusctl apply/],
    ['disabled and not loaded', { launchd: { kind: 'not-loaded' }, disabled: true }, 'disabled', /disabled in launchd/],
    ['loaded, no process', { launchd: { kind: 'loaded', state: 'not running', lastExit: { kind: 'code', code: 78, name: 'EX_CONFIG' } } }, 'waiting', /last exit 78 EX_CONFIG: It exited with 78/],
    ['unreadable launchd', { launchd: { kind: 'unknown', reason: 'Could not find domain for user gui: 501' } }, 'unknown', /unknown \(Could not find domain/],
  ])('launchd %s', (_name, over, state, note) => {
    const r = row(facts([svc(over)]));
    expect(r.launchdState).toBe(state);
    expect(r.asDesired).toBe(false);
    expect(r.ok).toBe(false);
    expect(r.notes.join('\n')).toMatch(note);
  });

  it('a stopped service that is not loaded is as desired and its health is not judged', () => {
    const r = row(facts([svc({ desired: 'stopped', launchd: { kind: 'not-loaded' }, lastSample: undefined })]));
    expect(r).toMatchObject({ asDesired: true, ok: true, health: { word: 'n/a' } });
  });

  it.each<[string, Partial<ReportSample>, string, RegExp]>([
    ['degraded while catching up is syncing N epochs behind', { status: 'degraded', lagEpochs: 12, reasons: ['syncing: 12 epochs behind (max 5), head rising'] }, 'syncing', /^syncing, 12 epochs behind \(5s ago\)$/],
    ['degraded for another reason', { status: 'degraded', lagEpochs: 1, reasons: ['peer count unreadable: timeout'] }, 'degraded', /degraded: peer count unreadable/],
    ['unhealthy says why', { status: 'unhealthy', reasons: ['head stuck at 5 for 300s with 8 peers'] }, 'unhealthy', /unhealthy: head stuck/],
    ['starting', { status: 'starting', reasons: ['started 10s ago (startup_grace 300s)'] }, 'starting', /starting: started 10s ago/],
  ])('health: %s', (_name, s, word, text) => {
    const r = row(facts([svc({ lastSample: sample(s) })]));
    expect(r.health.word).toBe(word);
    expect(r.health.text).toMatch(text);
    expect(r.ok).toBe(false);
  });

  it('an old sample is stale, and says how old and what it said', () => {
    const r = row(facts([svc({ lastSample: sample({ time: NOW - 12 * 60_000 }) })]));
    expect(r.health).toMatchObject({ word: 'stale', sampleAgeMs: 720_000 });
    expect(r.health.text).toBe('stale: last sample 12m ago said healthy (the monitor samples every 30s)');
    expect(r.ok).toBe(false);
    expect(row(facts([svc({ lastSample: undefined })])).health.word).toBe('no data');
  });

  it('without a monitor: a live check from the API, and the monitor row says it is not configured', () => {
    const noMon = mon({ label: '-', domain: '-', desired: 'absent', launchd: { kind: 'not-loaded' }, plistExists: false });
    const v = statusView(facts([svc({ lastSample: undefined }), noMon], { monitor: undefined }));
    expect(v.rows[0]!.health).toMatchObject({ word: 'healthy', source: 'live' });
    expect(v.rows[1]).toMatchObject({ launchdState: null, health: { word: 'not configured' }, ok: true });
    const down = statusView(facts([svc({ api: { kind: 'unreachable', error: 'connection refused' } })], { monitor: undefined }));
    expect(down.rows[0]!.health.text).toMatch(/unhealthy: API unreachable \(connection refused\)/);
  });

  it('the monitor row: ticking, or not ticking when its last sample is old', () => {
    expect(row(facts([mon()], { monitor: { enabled: true, schedule: '30s', intervalMs: 30_000, lastSampleAt: NOW - 20_000 } }), 'monitor').health.word).toBe('ticking');
    const stale = row(facts([mon()], { monitor: { enabled: true, schedule: '30s', intervalMs: 30_000, lastSampleAt: NOW - 600_000 } }), 'monitor');
    expect(stale.health.text).toBe('not ticking: last sample 10m ago, schedule 30s');
    expect(stale.ok).toBe(false);
  });

  it('an open circuit breaker is not ok, and the restarts show in the table', () => {
    const f = facts([svc({ breakerOpen: true, restarts24h: { count: 5, complete: true } })]);
    expect(row(f).ok).toBe(false);
    const text = renderStatusText(statusView(f), noColors);
    expect(text).toMatch(/5 \(breaker open\)/);
    expect(text).toMatch(/circuit breaker is open/);
  });

  it('JSON: snake_case, format_version, null when unknown', () => {
    const j = statusJson(statusView(facts([svc({ launchd: { kind: 'not-loaded' }, api: undefined })])));
    expect(j).toMatchObject({ format_version: '1', ok: false });
    expect((j.services as Array<Record<string, unknown>>)[0]).toMatchObject({
      service: 'daemon', desired_state: 'running', launchd_state: 'not loaded', pid: null, uptime_seconds: null, last_exit: null,
      restarts_24h: 0, breaker_open: false, chain_height: null, peers: null, as_desired: false,
    });
  });

  it('helpers', () => {
    expect([4_000, 725_000, 7_980_000, 200 * 3_600_000].map(formatAge)).toEqual(['4s', '12m5s', '2h13m', '8d8h']);
    expect(shortExit({ kind: 'signal', signal: 9 })).toBe('signal 9 SIGKILL');
    expect(shortExit({ kind: 'code', code: 78 })).toBe('78 EX_CONFIG');
    expect(staleAfterMs(2000)).toBe(62_000);
    expect(staleAfterMs(300_000)).toBe(900_000);
  });
});
