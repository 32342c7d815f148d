// The alert queue on disk: <stateDir>/notify.json (0600), snake_case and ISO times like the other state files.
// Written atomically after every change: before a delivery is attempted (write-ahead) and right after it succeeds.
import { existsSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import '../model/zod-config.js';
import * as z from 'zod';
import type { IncidentState, NotifyEvent } from '../monitor/notify-events.js';
import { EMPTY_STORE, type Delivery, type NotifyStore } from '../monitor/notify-queue.js';
import { writeFileAtomic } from './atomic-file.js';
import { readFileCapped } from './read-file.js';
import { makeDirs } from './ownership.js';

export const NOTIFY_STORE_FILE = 'notify.json';

const time = z.iso.datetime();
const incident = z.object({ bad_since: time.optional(), open: z.boolean(), opened_at: time.optional(), alerted_unhealthy: z.boolean() });
const event = z.object({
  id: z.string(), kind: z.enum(['restart', 'breaker-open', 'unhealthy', 'recovered']), service: z.string(), label: z.string(), host: z.string(), time,
  status: z.enum(['healthy', 'degraded', 'unhealthy', 'starting', 'unknown', 'stopped']), reasons: z.array(z.string()), message: z.string(),
  details: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
});
const delivery = z.object({
  event: z.string(), target: z.string(), status: z.enum(['pending', 'delivered', 'failed']), attempts: z.number().int().nonnegative(),
  next_attempt_at: time, created_at: time, last_error: z.string().optional(), done_at: time.optional(),
});
const fileSchema = z.object({ format_version: z.literal(1), services: z.record(z.string(), incident), events: z.record(z.string(), event), deliveries: z.array(delivery) });

export function notifyStorePath(stateDir: string): string {
  return join(stateDir, NOTIFY_STORE_FILE);
}

const ms = (t: string | undefined) => (t === undefined ? undefined : Date.parse(t));
const iso = (t: number) => new Date(t).toISOString();

/**
 * The queue, or an empty one when there is none. A file that cannot be used is moved aside (never deleted: it may
 * hold undelivered alerts) and `problem` says where, for the monitor's log.
 */
export function readNotifyStore(stateDir: string, now: number): { store: NotifyStore; problem?: string } {
  const path = notifyStorePath(stateDir);
  if (!existsSync(path)) return { store: EMPTY_STORE };
  let parsed: z.infer<typeof fileSchema>;
  try {
    parsed = fileSchema.parse(JSON.parse(readFileCapped(path, 'state').toString('utf8')));
  } catch (e) {
    const aside = `${path}.unreadable-${iso(now).replace(/[:.]/g, '')}`;
    try {
      renameSync(path, aside);
    } catch {
      // left in place: the next write replaces it, and the problem is logged either way
    }
    return { store: EMPTY_STORE, problem: `${path} could not be read (${(e as Error).message.split('\n')[0]}); moved aside to ${aside} and starting an empty alert queue` };
  }
  const services: Record<string, IncidentState> = {};
  for (const [n, s] of Object.entries(parsed.services)) {
    services[n] = { open: s.open, alertedUnhealthy: s.alerted_unhealthy, ...(s.bad_since ? { badSince: ms(s.bad_since) as number } : {}), ...(s.opened_at ? { openedAt: ms(s.opened_at) as number } : {}) };
  }
  const events: Record<string, NotifyEvent> = {};
  for (const [id, e] of Object.entries(parsed.events)) events[id] = { ...e, time: Date.parse(e.time) };
  const deliveries: Delivery[] = parsed.deliveries.map((d) => ({
    event: d.event, target: d.target, status: d.status, attempts: d.attempts, nextAt: Date.parse(d.next_attempt_at), createdAt: Date.parse(d.created_at),
    ...(d.last_error !== undefined ? { lastError: d.last_error } : {}), ...(d.done_at !== undefined ? { doneAt: Date.parse(d.done_at) } : {}),
  }));
  return { store: { services, events, deliveries } };
}

export function writeNotifyStore(stateDir: string, s: NotifyStore): void {
  makeDirs(stateDir, 0o700);
  const out = {
    format_version: 1,
    services: Object.fromEntries(Object.entries(s.services).map(([n, x]) => [n, {
      ...(x.badSince !== undefined ? { bad_since: iso(x.badSince) } : {}), open: x.open, ...(x.openedAt !== undefined ? { opened_at: iso(x.openedAt) } : {}), alerted_unhealthy: x.alertedUnhealthy,
    }])),
    events: Object.fromEntries(Object.entries(s.events).map(([id, e]) => [id, { ...e, reasons: [...e.reasons], details: { ...e.details }, time: iso(e.time) }])),
    deliveries: s.deliveries.map((d) => ({
      event: d.event, target: d.target, status: d.status, attempts: d.attempts, next_attempt_at: iso(d.nextAt), created_at: iso(d.createdAt),
      ...(d.lastError !== undefined ? { last_error: d.lastError } : {}), ...(d.doneAt !== undefined ? { done_at: iso(d.doneAt) } : {}),
    })),
  };
  writeFileAtomic(notifyStorePath(stateDir), `${JSON.stringify(out, null, 2)}\n`, { mode: 0o600 });
}
