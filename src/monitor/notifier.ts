// Alerts: the monitor's hook after each tick. Detects events (notify-events), queues a delivery per target and
// persists the queue before sending (notify-queue, system/notify-store), then tries what is due and persists each
// outcome at once. Failed deliveries stay queued with backoff, in the state folder, so a monitor restart loses none.
import { hostname } from 'node:os';
import type { NotifySpec } from '../spec/schema.js';
import { readNotifyStore, writeNotifyStore } from '../system/notify-store.js';
import { sendNotification } from '../system/notify-send.js';
import { notifySettings, type ResolvedTarget } from './notify-config.js';
import { detectEvents, type IncidentState, type NotifyEvent } from './notify-events.js';
import { dueDeliveries, enqueue, markDelivered, markFailed, prune, type NotifyStore } from './notify-queue.js';
import type { Decision } from './policy.js';

type Log = (level: 'info' | 'warn' | 'error', event: string, msg: string, fields?: Record<string, unknown>) => void;

export interface NotifyTickInput {
  /** monitor.notify of the spec in use; undefined: alerts are off and nothing is read or written. */
  readonly notify: NotifySpec | undefined;
  readonly stateDir: string;
  /** For relative paths in monitor.notify (the URL files). */
  readonly home: string;
  readonly specPath: string;
  readonly results: ReadonlyArray<{ readonly service: string; readonly label: string; readonly decision: Decision }>;
  readonly now: number;
  readonly log: Log;
  /** Defaults to os.hostname(). */
  readonly host?: string;
  /** Defaults to Date.now (delivery outcomes are stamped when they happen). */
  readonly clock?: () => number;
}

/** Runs after every tick. Never throws: a failure here is logged and must not stop the monitor. */
export async function notifyAfterTick(i: NotifyTickInput): Promise<void> {
  if (!i.notify) return;
  try {
    await run(i, i.notify);
  } catch (e) {
    i.log('error', 'notify-failed', `alerts: ${(e as Error).message}`, { code: (e as { code?: string }).code ?? null });
  }
}

async function run(i: NotifyTickInput, spec: NotifySpec): Promise<void> {
  const clock = i.clock ?? Date.now;
  const settings = notifySettings(spec, i.home, i.specPath);
  const host = i.host ?? hostname();
  const read = readNotifyStore(i.stateDir, i.now);
  if (read.problem) i.log('error', 'notify-state-reset', read.problem);
  let store: NotifyStore = read.store;

  const services: Record<string, IncidentState> = {};
  const events: NotifyEvent[] = [];
  for (const r of i.results) {
    const d = detectEvents(store.services[r.service], { service: r.service, label: r.label, host, decision: r.decision, now: i.now, unhealthyAfterMs: settings.unhealthyAfterMs });
    services[r.service] = d.state;
    events.push(...d.events);
  }
  const byId = new Map(settings.targets.map((t) => [t.id, t]));
  store = enqueue({ ...store, services }, events, (e) => settings.targets.filter((t) => t.events.has(e.kind)).map((t) => t.id), i.now);
  const pruned = prune(store, new Set(byId.keys()), i.now);
  store = pruned.store;
  for (const o of pruned.orphaned) i.log('warn', 'notify-dropped', `alert ${o.event} for target ${o.target} dropped: the target is no longer in monitor.notify`, { event_id: o.event, target: o.target });
  for (const e of events) i.log('info', 'notify-event', e.message, { event_id: e.id, kind: e.kind, service: e.service });
  // Write-ahead: the deliveries are on disk before any is attempted.
  writeNotifyStore(i.stateDir, store);

  const due = dueDeliveries(store, i.now);
  await Promise.all([...due].map(async ([targetId, list]) => {
    const target = byId.get(targetId) as ResolvedTarget;
    for (const d of list) {
      const event = store.events[d.event];
      if (!event) continue;
      const r = await sendNotification(target, event);
      const at = clock();
      const fields = { event_id: d.event, kind: event.kind, service: event.service, target: targetId, target_kind: target.config.kind, attempt: d.attempts + 1 };
      if (r.ok) {
        // Marked right after the target accepted it: a crash before this write is the one case of a repeat.
        store = markDelivered(store, d, at);
        writeNotifyStore(i.stateDir, store);
        i.log('info', 'notify-sent', `alert ${event.kind} for ${event.service} delivered to ${targetId}`, fields);
        continue;
      }
      const error = r.error;
      store = markFailed(store, d, error, at, settings.retry, r.permanent);
      writeNotifyStore(i.stateDir, store);
      const next = store.deliveries.find((x) => x.event === d.event && x.target === d.target);
      if (r.permanent) {
        i.log('error', 'notify-undeliverable', `alert ${event.kind} for ${event.service} cannot be delivered to ${targetId}: ${error}; not retried`, { ...fields, error });
      } else {
        i.log('warn', 'notify-retry', `alert ${event.kind} for ${event.service} not delivered to ${targetId}: ${error}; retrying at ${new Date(next?.nextAt ?? at).toISOString()}`, { ...fields, error, next_attempt_at: new Date(next?.nextAt ?? at).toISOString() });
      }
      break;
    }
  }));
}
