// Alerts, part 1: what is worth telling a person, from one tick's decision per service. Pure: time is an argument.
// An incident opens with the first event (a restart, the circuit breaker opening, or a service bad for longer than
// unhealthy_after) and closes with `recovered` when the service is healthy again; each kind is sent once per incident
// except restarts, which are each an event.
import type { Decision, HealthStatus } from './policy.js';
import { formatDuration } from '../spec/units.js';

export type NotifyKind = 'restart' | 'breaker-open' | 'unhealthy' | 'recovered';

/** One thing to tell a person. `id` is unique and stable: receivers may use it to spot a repeat delivery. */
export interface NotifyEvent {
  readonly id: string;
  readonly kind: NotifyKind;
  readonly service: string;
  readonly label: string;
  readonly host: string;
  /** Unix ms. */
  readonly time: number;
  readonly status: HealthStatus;
  readonly reasons: readonly string[];
  /** One line for a person. */
  readonly message: string;
  readonly details: Readonly<Record<string, string | number | boolean>>;
}

/** What alerting remembers about one service between ticks. */
export interface IncidentState {
  /** Start of the current run of bad ticks (unhealthy, stopped, unknown); `starting` ticks keep it. */
  readonly badSince?: number;
  /** An event was sent for the current incident, so its recovery is worth telling. */
  readonly open: boolean;
  /** When the incident's first event happened. */
  readonly openedAt?: number;
  /** The `unhealthy` event of this incident was sent. */
  readonly alertedUnhealthy: boolean;
}

export const NO_INCIDENT: IncidentState = { open: false, alertedUnhealthy: false };

const BAD: ReadonlySet<HealthStatus> = new Set(['unhealthy', 'stopped', 'unknown']);

export interface DetectInput {
  readonly service: string;
  readonly label: string;
  readonly host: string;
  readonly decision: Decision;
  readonly now: number;
  readonly unhealthyAfterMs: number;
}

const since = (ms: number) => formatDuration(Math.max(1000, Math.round(ms / 1000) * 1000));

/** The events of one tick for one service, and what to remember. Deterministic for equal arguments. */
export function detectEvents(prevState: IncidentState | undefined, i: DetectInput): { state: IncidentState; events: NotifyEvent[] } {
  const prev = prevState ?? NO_INCIDENT;
  const d = i.decision;
  const status = d.health.status;
  const bad = BAD.has(status);
  const badSince = bad ? (prev.badSince ?? i.now) : status === 'starting' ? prev.badSince : undefined;
  const events: NotifyEvent[] = [];
  const event = (kind: NotifyKind, message: string, details: Record<string, string | number | boolean> = {}) => events.push({
    id: `${new Date(i.now).toISOString()}-${i.service}-${kind}`, kind, service: i.service, label: i.label, host: i.host, time: i.now,
    status, reasons: [...d.health.reasons], message, details,
  });
  const why = d.health.reasons.length > 0 ? `: ${d.health.reasons.join('; ')}` : '';

  let open = prev.open;
  let openedAt = prev.openedAt;
  let alertedUnhealthy = prev.alertedUnhealthy;
  const opens = () => {
    if (!open) openedAt = i.now;
    open = true;
  };
  if (d.action === 'restart') {
    event('restart', `${i.service} on ${i.host} was restarted by the lotusctl monitor: ${d.why}`, { restarts_in_window: d.state.restartTimes.length, restarts_total: d.state.restartsTotal });
    opens();
  }
  if (d.breaker === 'opened') {
    event('breaker-open', `circuit breaker open for ${i.service} on ${i.host}: ${d.state.restartTimes.length} restarts within the window, so the monitor stops restarting it; look at its logs`, { restarts_in_window: d.state.restartTimes.length });
    opens();
  }
  if (bad && !alertedUnhealthy && badSince !== undefined && i.now - badSince >= i.unhealthyAfterMs) {
    event('unhealthy', `${i.service} on ${i.host} has been ${status} for ${since(i.now - badSince)}${why}`, { for_ms: i.now - badSince });
    alertedUnhealthy = true;
    opens();
  }
  if (status === 'healthy' && open) {
    const after = openedAt !== undefined ? ` after ${since(i.now - openedAt)}` : '';
    event('recovered', `${i.service} on ${i.host} is healthy again${after}`, openedAt !== undefined ? { after_ms: i.now - openedAt } : {});
    return { state: NO_INCIDENT, events };
  }
  return {
    state: { ...(badSince !== undefined ? { badSince } : {}), open, ...(open && openedAt !== undefined ? { openedAt } : {}), alertedUnhealthy },
    events,
  };
}
