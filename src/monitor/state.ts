// What the monitor remembers between ticks, in <stateDir>/monitor-state.json (snake_case, ISO times, like state.json).
// Read at the start of every tick and written before any action, so a monitor killed mid-restart still counts it.
import { join } from 'node:path';
import '../model/zod-config.js';
import * as z from 'zod';
import { writeFileAtomic } from '../system/atomic-file.js';
import { makeDirs } from '../system/ownership.js';
import { FileReadError, readTextCapped } from '../system/read-file.js';
import type { HealthStatus, ServiceState } from './policy.js';

export const MONITOR_STATE_FILE = 'monitor-state.json';

const STATUSES = ['healthy', 'degraded', 'unhealthy', 'starting', 'unknown', 'stopped'] as const satisfies readonly HealthStatus[];
const time = z.iso.datetime();
const count = z.number().int().nonnegative();

const serviceSchema = z.object({
  consecutive_failures: count,
  restart_times: z.array(time),
  restarts_total: count,
  backoff_attempt: count,
  last_restart_at: time.optional(),
  healthy_since: time.optional(),
  breaker_open: z.boolean(),
  last_status: z.enum(STATUSES).optional(),
  pid: z.number().int().positive().optional(),
  session: z.string().optional(),
  started_at: time.optional(),
  head_height: z.number().int().nonnegative().optional(),
  head_changed_at: time.optional(),
});
const fileSchema = z.object({ format_version: z.literal(1), services: z.record(z.string(), serviceSchema) });

type Stored = z.infer<typeof serviceSchema>;

export function monitorStatePath(stateDir: string): string {
  return join(stateDir, MONITOR_STATE_FILE);
}

/** The remembered state per service name. */
export interface MonitorStateRead {
  readonly services: Readonly<Record<string, ServiceState>>;
  /** Set when the file existed but could not be used; the monitor then starts from nothing and says so. */
  readonly problem?: string;
}

const ms = (iso: string | undefined): number | undefined => (iso === undefined ? undefined : Date.parse(iso));
const iso = (t: number | undefined): string | undefined => (t === undefined ? undefined : new Date(t).toISOString());

function fromStored(s: Stored): ServiceState {
  const out: Record<string, unknown> = {
    consecutiveFailures: s.consecutive_failures,
    restartTimes: s.restart_times.map((t) => Date.parse(t)),
    restartsTotal: s.restarts_total,
    backoffAttempt: s.backoff_attempt,
    lastRestartAt: ms(s.last_restart_at),
    healthySince: ms(s.healthy_since),
    breakerOpen: s.breaker_open,
    lastStatus: s.last_status,
    pid: s.pid,
    session: s.session,
    startedAt: ms(s.started_at),
    headHeight: s.head_height,
    headChangedAt: ms(s.head_changed_at),
  };
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined)) as unknown as ServiceState;
}

function toStored(s: ServiceState): Stored {
  const out: Record<string, unknown> = {
    consecutive_failures: s.consecutiveFailures,
    restart_times: s.restartTimes.map((t) => new Date(t).toISOString()),
    restarts_total: s.restartsTotal,
    backoff_attempt: s.backoffAttempt,
    last_restart_at: iso(s.lastRestartAt),
    healthy_since: iso(s.healthySince),
    breaker_open: s.breakerOpen,
    last_status: s.lastStatus,
    pid: s.pid,
    session: s.session,
    started_at: iso(s.startedAt),
    head_height: s.headHeight,
    head_changed_at: iso(s.headChangedAt),
  };
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined)) as Stored;
}

/** The remembered states; empty when the file does not exist; empty plus `problem` when it is unreadable or corrupt. */
export function readMonitorState(stateDir: string): MonitorStateRead {
  const file = monitorStatePath(stateDir);
  let text: string;
  try {
    text = readTextCapped(file, 'state');
  } catch (e) {
    if (e instanceof FileReadError && e.problem === 'missing') return { services: {} };
    const why = e instanceof FileReadError ? e.detail : String((e as NodeJS.ErrnoException).code ?? e);
    return { services: {}, problem: `cannot read ${file} (${why}); restart counts and the circuit breaker start from zero` };
  }
  try {
    const parsed = fileSchema.parse(JSON.parse(text));
    return { services: Object.fromEntries(Object.entries(parsed.services).map(([name, s]) => [name, fromStored(s)])) };
  } catch {
    return { services: {}, problem: `${file} is not a monitor state file; restart counts and the circuit breaker start from zero (it is overwritten this tick)` };
  }
}

/** Replaces the file atomically with exactly these services, sorted by name (so removed services are forgotten). */
export function writeMonitorState(stateDir: string, services: Readonly<Record<string, ServiceState>>): void {
  makeDirs(stateDir, 0o700);
  const body = Object.fromEntries(Object.keys(services).sort().map((name) => [name, toStored(services[name] as ServiceState)]));
  writeFileAtomic(monitorStatePath(stateDir), `${JSON.stringify({ format_version: 1, services: body }, null, 2)}\n`, { mode: 0o644 });
}
