import { describe, expect, it } from 'vitest';
import { notifySettings } from '../../src/monitor/notify-config.js';
import { detectEvents, NO_INCIDENT, type IncidentState, type NotifyEvent } from '../../src/monitor/notify-events.js';
import { eventJson, webhookRequest } from '../../src/monitor/notify-format.js';
import { dueDeliveries, EMPTY_STORE, enqueue, KEEP_DONE_MS, markDelivered, markFailed, prune, retryDelay, type NotifyStore } from '../../src/monitor/notify-queue.js';
import { INITIAL_STATE, type Decision, type HealthStatus } from '../../src/monitor/policy.js';
import { redact } from '../../src/system/notify-send.js';
import { validateSpecText } from '../../src/spec/validate.js';

const T0 = Date.parse('2026-08-01T00:00:00Z');
const MIN = 60_000;

function decision(status: HealthStatus, over: Partial<Decision> = {}): Decision {
  return {
    state: INITIAL_STATE, action: 'none', reason: 'ok', why: 'x',
    health: { status, reasons: status === 'healthy' ? [] : [`it is ${status}`] }, ...over,
  };
}

/** Runs ticks one minute apart; returns the kinds of events per tick. */
function ticks(steps: Array<HealthStatus | Decision>, unhealthyAfterMs = 10 * MIN): string[][] {
  let state: IncidentState | undefined;
  return steps.map((s, i) => {
    const r = detectEvents(state, { service: 'daemon', label: 'l', host: 'mac', decision: typeof s === 'string' ? decision(s) : s, now: T0 + i * MIN, unhealthyAfterMs });
    state = r.state;
    return r.events.map((e) => e.kind);
  });
}

describe('detectEvents', () => {
  it('healthy ticks say nothing', () => {
    expect(ticks(['healthy', 'healthy', 'degraded', 'starting'])).toEqual([[], [], [], []]);
  });

  it('a service bad for longer than unhealthy_after: one alert, then one recovery', () => {
    expect(ticks(['unhealthy', 'unhealthy', 'stopped', 'unhealthy', 'unhealthy', 'healthy', 'healthy'], 3 * MIN)).toEqual([[], [], [], ['unhealthy'], [], ['recovered'], []]);
  });

  it('starting keeps the clock running; degraded stops it', () => {
    expect(ticks(['unhealthy', 'starting', 'starting', 'unhealthy'], 3 * MIN)).toEqual([[], [], [], ['unhealthy']]);
    expect(ticks(['unhealthy', 'degraded', 'unhealthy', 'unhealthy'], 3 * MIN)).toEqual([[], [], [], []]);
  });

  it('restarts and an opening breaker are events; recovery closes the incident they opened', () => {
    const restart = decision('unhealthy', { action: 'restart', reason: 'restart', why: 'unhealthy for 3 consecutive ticks', state: { ...INITIAL_STATE, restartTimes: [T0], restartsTotal: 1 } });
    const opening = decision('unhealthy', { action: 'restart', reason: 'restart', why: 'again', breaker: 'opened', state: { ...INITIAL_STATE, restartTimes: [T0, T0 + MIN], restartsTotal: 2 } });
    expect(ticks([restart, 'starting', opening, 'healthy', 'healthy'])).toEqual([['restart'], [], ['restart', 'breaker-open'], ['recovered'], []]);
  });

  it('says what, where and for how long, with a stable unique id', () => {
    let s: IncidentState | undefined;
    const events: NotifyEvent[] = [];
    for (const [i, st] of (['unknown', 'unknown', 'unknown', 'healthy'] as HealthStatus[]).entries()) {
      const r = detectEvents(s, { service: 'daemon', label: 'com.lotusctl.daemon', host: 'mini', decision: decision(st), now: T0 + i * 5 * MIN, unhealthyAfterMs: 10 * MIN });
      s = r.state;
      events.push(...r.events);
    }
    expect(events.map((e) => [e.id, e.message])).toEqual([
      ['2026-08-01T00:10:00.000Z-daemon-unhealthy', 'daemon on mini has been unknown for 10m: it is unknown'],
      ['2026-08-01T00:15:00.000Z-daemon-recovered', 'daemon on mini is healthy again after 5m'],
    ]);
    expect(s).toEqual(NO_INCIDENT);
  });
});

const event = (id: string, kind: NotifyEvent['kind'] = 'restart'): NotifyEvent => ({ id, kind, service: 'daemon', label: 'l', host: 'h', time: T0, status: 'unhealthy', reasons: ['r'], message: `m ${id}`, details: {} });
const retry = { initialMs: 30_000, maxMs: 120_000 };

describe('the delivery queue', () => {
  it('one delivery per event and target, never twice for the same event', () => {
    let s = enqueue(EMPTY_STORE, [event('a'), event('b')], () => ['web', 'cmd'], T0);
    s = enqueue(s, [event('a')], () => ['web', 'cmd'], T0 + 1);
    expect(s.deliveries.map((d) => `${d.event}>${d.target}`)).toEqual(['a>web', 'a>cmd', 'b>web', 'b>cmd']);
    expect(enqueue(EMPTY_STORE, [event('a')], () => [], T0)).toEqual(EMPTY_STORE);
  });

  it('a target gets its deliveries in order; a failing one holds back the later ones until its retry is due', () => {
    let s: NotifyStore = enqueue(EMPTY_STORE, [event('a'), event('b')], () => ['web', 'cmd'], T0);
    expect([...dueDeliveries(s, T0)].map(([t, ds]) => [t, ds.map((d) => d.event)])).toEqual([['web', ['a', 'b']], ['cmd', ['a', 'b']]]);
    s = markFailed(s, { event: 'a', target: 'web' }, 'HTTP 500', T0, retry);
    s = markDelivered(s, { event: 'a', target: 'cmd' }, T0);
    expect([...dueDeliveries(s, T0 + 29_999)].map(([t, ds]) => [t, ds.map((d) => d.event)])).toEqual([['cmd', ['b']]]);
    expect([...dueDeliveries(s, T0 + 30_000)].map(([t, ds]) => [t, ds.map((d) => d.event)])).toEqual([['web', ['a', 'b']], ['cmd', ['b']]]);
  });

  it('backs off exponentially up to the maximum; a permanent failure is not retried', () => {
    expect([1, 2, 3, 4, 5].map((n) => retryDelay(n, retry))).toEqual([30_000, 60_000, 120_000, 120_000, 120_000]);
    let s = enqueue(EMPTY_STORE, [event('a')], () => ['mac'], T0);
    s = markFailed(s, { event: 'a', target: 'mac' }, 'unsupported here', T0, retry, true);
    expect(s.deliveries[0]).toMatchObject({ status: 'failed', attempts: 1, lastError: 'unsupported here', doneAt: T0 });
    expect(dueDeliveries(s, T0 + KEEP_DONE_MS).size).toBe(0);
  });

  it('drops deliveries to removed targets and, after a week, what was done', () => {
    let s = enqueue(EMPTY_STORE, [event('a'), event('b')], () => ['web', 'old'], T0);
    s = markDelivered(s, { event: 'a', target: 'web' }, T0);
    const p = prune(s, new Set(['web']), T0 + 1);
    expect(p.orphaned.map((d) => d.event)).toEqual(['a', 'b']);
    expect(p.store.deliveries.map((d) => `${d.event}>${d.target}:${d.status}`)).toEqual(['a>web:delivered', 'b>web:pending']);
    const later = prune(p.store, new Set(['web']), T0 + KEEP_DONE_MS);
    expect(later.store.deliveries.map((d) => d.event)).toEqual(['b']);
    expect(Object.keys(later.store.events)).toEqual(['b']);
  });
});

describe('what targets receive', () => {
  const e = event('2026-08-01T00:00:00.000Z-daemon-restart');
  it('json: the event, snake_case, with format_version', () => {
    expect(eventJson(e)).toEqual({ format_version: '1', id: e.id, kind: 'restart', service: 'daemon', label: 'l', host: 'h', time: '2026-08-01T00:00:00.000Z', status: 'unhealthy', reasons: ['r'], message: e.message, details: {} });
  });
  it('Slack, Discord and ntfy bodies; ntfy posts JSON to the server root with the topic', () => {
    const url = new URL('https://hooks.example/services/T0/B0/secret');
    expect(webhookRequest('slack', url, e).body).toEqual({ text: `*Lotus service restarted: daemon*\n${e.message}` });
    expect(webhookRequest('discord', url, e).body).toEqual({ content: `**Lotus service restarted: daemon**\n${e.message}`, username: 'lotusctl' });
    const n = webhookRequest('ntfy', new URL('https://ntfy.sh/my-lotus-alerts?auth=tk'), e);
    expect(n.url.toString()).toBe('https://ntfy.sh/?auth=tk');
    expect(n.body).toEqual({ topic: 'my-lotus-alerts', title: 'Lotus service restarted: daemon', message: e.message, priority: 4, tags: ['warning'] });
  });
  it('redacts a webhook URL and the parts of it that may carry its token', () => {
    const url = 'https://hooks.slack.com/services/T000/B000/XXXXsecretXXXX';
    expect(redact(`failed ${url} and /services/T000/B000/XXXXsecretXXXX and XXXXsecretXXXX`, url)).toBe('failed *** and *** and ***');
  });
});

describe('monitor.notify settings', () => {
  const spec = (targets: string) => validateSpecText(`version: 1\nservices: { d: { program: /x } }\nmonitor:\n  notify:\n    events: [restart, recovered]\n    targets:\n${targets}`);
  it('resolves URL files like every path, keeps ids stable and unique, and applies per-target events', () => {
    const v = spec('      - webhook: { url: { file: secrets/hook } }\n      - command: { argv: [/bin/x] }\n        events: [unhealthy]\n      - command: { argv: [/bin/x] }\n      - name: phone\n        macos: { sound: Basso }\n');
    const s = notifySettings(v.spec!.monitor!.notify!, '/Users/alice', '/Users/alice/lotus/lotus.yaml');
    expect(s.targets.map((t) => [t.id.replace(/[0-9a-f]{8}/, 'HASH'), [...t.events], t.config.kind])).toEqual([
      ['webhook-HASH', ['restart', 'recovered'], 'webhook'], ['command-HASH', ['unhealthy'], 'command'], ['command-HASH-2', ['restart', 'recovered'], 'command'], ['phone', ['restart', 'recovered'], 'macos'],
    ]);
    expect(s.targets[0]?.config).toEqual({ kind: 'webhook', urlFile: '/Users/alice/lotus/secrets/hook', format: 'json', timeoutMs: 10_000 });
    expect(s).toMatchObject({ unhealthyAfterMs: 600_000, retry: { initialMs: 30_000, maxMs: 1_800_000 } });
  });
  it('timeouts stay within what a Node timer holds', () => {
    expect(spec('      - command: { argv: [/bin/x], timeout: 30d }\n').diagnostics.map((d) => d.message)).toEqual([expect.stringMatching(/^too long: at most 24d \(timers hold 2\^31-1 ms\), got "30d"/)]);
  });
  it('a target is exactly one of webhook, macos or command', () => {
    expect(spec('      - macos: {}\n        command: { argv: [/bin/x] }\n').diagnostics.map((d) => d.message)).toEqual(['give exactly one of webhook, macos or command']);
  });
});
