// Alerts, part 2: the delivery queue's policy. Pure: the store is a value, every function returns a new one.
// One delivery per (event, target). Write-ahead: the caller persists the queue before sending, and marks a delivery
// done (persisting again) right after the target accepted it. The receivers cannot deduplicate, so delivery is exactly
// once except when the monitor dies between a target's acceptance and that write: then that one delivery is sent again
// (at least once). Deliveries to one target go in order: a later one waits while an earlier one is being retried.
import type { IncidentState, NotifyEvent } from './notify-events.js';

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

export interface Delivery {
  readonly event: string;
  readonly target: string;
  readonly status: DeliveryStatus;
  readonly attempts: number;
  /** Unix ms; when the next attempt is due (pending only). */
  readonly nextAt: number;
  readonly createdAt: number;
  readonly lastError?: string;
  /** When it was delivered or given up. */
  readonly doneAt?: number;
}

export interface NotifyStore {
  readonly services: Readonly<Record<string, IncidentState>>;
  readonly events: Readonly<Record<string, NotifyEvent>>;
  readonly deliveries: readonly Delivery[];
}

export const EMPTY_STORE: NotifyStore = { services: {}, events: {}, deliveries: [] };

export interface RetryPolicy {
  readonly initialMs: number;
  readonly maxMs: number;
}

/** Delivered or failed deliveries (and events nobody needs any more) are kept this long for inspection. */
export const KEEP_DONE_MS = 7 * 24 * 3_600_000;
/** At most this many deliveries per target in one tick, so a backlog cannot hold a tick up for long. */
export const MAX_PER_TARGET_PER_TICK = 10;

const key = (d: Pick<Delivery, 'event' | 'target'>) => `${d.event}\u0000${d.target}`;

/** Adds the events and one pending delivery per target that wants it (due now); an event already queued is not added twice. */
export function enqueue(store: NotifyStore, events: readonly NotifyEvent[], targetsFor: (e: NotifyEvent) => readonly string[], now: number): NotifyStore {
  const have = new Set(store.deliveries.map(key));
  const added: Delivery[] = [];
  const evs: Record<string, NotifyEvent> = { ...store.events };
  for (const e of events) {
    const targets = targetsFor(e);
    if (targets.length === 0) continue;
    evs[e.id] = e;
    for (const target of targets) {
      if (have.has(key({ event: e.id, target }))) continue;
      added.push({ event: e.id, target, status: 'pending', attempts: 0, nextAt: now, createdAt: now });
    }
  }
  return { ...store, events: evs, deliveries: [...store.deliveries, ...added] };
}

/** Wait before attempt number `attempts + 1`, after `attempts` failures: initial × 2^(attempts − 1), at most max. */
export function retryDelay(attempts: number, p: RetryPolicy): number {
  return Math.min(p.maxMs, p.initialMs * 2 ** Math.min(Math.max(0, attempts - 1), 40));
}

/**
 * Per target, the pending deliveries to try now, oldest first, stopping at the first that is not yet due: a later
 * one never overtakes an earlier one that is backing off.
 */
export function dueDeliveries(store: NotifyStore, now: number): Map<string, Delivery[]> {
  const out = new Map<string, Delivery[]>();
  const blocked = new Set<string>();
  for (const d of [...store.deliveries].filter((x) => x.status === 'pending').sort((a, b) => a.createdAt - b.createdAt)) {
    if (blocked.has(d.target)) continue;
    if (d.nextAt > now) {
      blocked.add(d.target);
      continue;
    }
    const list = out.get(d.target) ?? [];
    if (list.length < MAX_PER_TARGET_PER_TICK) list.push(d);
    out.set(d.target, list);
  }
  return out;
}

function update(store: NotifyStore, d: Pick<Delivery, 'event' | 'target'>, f: (x: Delivery) => Delivery): NotifyStore {
  const k = key(d);
  return { ...store, deliveries: store.deliveries.map((x) => (key(x) === k ? f(x) : x)) };
}

export function markDelivered(store: NotifyStore, d: Pick<Delivery, 'event' | 'target'>, now: number): NotifyStore {
  return update(store, d, (x) => ({ ...x, status: 'delivered', attempts: x.attempts + 1, doneAt: now }));
}

/** A failed attempt: retried after the backoff, or given up for good when `permanent` (it can never work here). */
export function markFailed(store: NotifyStore, d: Pick<Delivery, 'event' | 'target'>, error: string, now: number, p: RetryPolicy, permanent = false): NotifyStore {
  return update(store, d, (x) => {
    const attempts = x.attempts + 1;
    return permanent
      ? { ...x, status: 'failed', attempts, lastError: error, doneAt: now }
      : { ...x, attempts, lastError: error, nextAt: now + retryDelay(attempts, p) };
  });
}

/**
 * Drops pending deliveries to targets no longer in lotus.yaml (returned, for the log), and delivered or failed ones
 * older than KEEP_DONE_MS, with the events no delivery refers to any more.
 */
export function prune(store: NotifyStore, targets: ReadonlySet<string>, now: number): { store: NotifyStore; orphaned: Delivery[] } {
  const orphaned = store.deliveries.filter((d) => d.status === 'pending' && !targets.has(d.target));
  const deliveries = store.deliveries.filter((d) => (d.status === 'pending' ? targets.has(d.target) : now - (d.doneAt ?? d.createdAt) < KEEP_DONE_MS));
  const used = new Set(deliveries.map((d) => d.event));
  const events = Object.fromEntries(Object.entries(store.events).filter(([id]) => used.has(id)));
  return { store: { ...store, deliveries, events }, orphaned };
}
