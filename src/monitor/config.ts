// lotus.yaml's monitor: section and a job's health: block -> the policy numbers decide() works with (pure).
import type { WatchedJob } from './applied.js';
import { monitorSchema, type MonitorSpec } from '../spec/schema.js';
import { parseDuration, parseSize } from '../spec/units.js';
import { HEAD_STALL_MS, HEALTHY_LAG_EPOCHS, type PolicyConfig } from './policy.js';

/** The monitor section with every default filled in; a spec without one gets the schema defaults. */
export function monitorSettings(monitor: MonitorSpec | undefined): MonitorSpec {
  return monitor ?? monitorSchema.parse({});
}

// The schema has validated every duration and size by now; the fallbacks only satisfy the types.
const ms = (text: string, fallback: number): number => parseDuration(text) ?? fallback;

/** The policy for one service job. A job without a health block is judged on launchd state and memory only. */
export function policyFor(job: WatchedJob, monitor: MonitorSpec): PolicyConfig {
  const maxMemory = monitor.max_memory === undefined ? undefined : parseSize(monitor.max_memory);
  return {
    health: {
      startupGraceMs: job.health?.startupGraceMs ?? 300_000,
      maxChainLag: job.health?.maxChainLag ?? 5,
      minPeers: job.health?.minPeers ?? 1,
      healthyLag: HEALTHY_LAG_EPOCHS,
      headStallMs: HEAD_STALL_MS,
      ...(maxMemory !== undefined ? { maxMemoryBytes: maxMemory } : {}),
    },
    autoRestart: monitor.auto_restart,
    failureThreshold: monitor.failure_threshold,
    backoff: {
      initialMs: ms(monitor.backoff.initial, 30_000),
      maxMs: ms(monitor.backoff.max, 1_800_000),
      resetAfterMs: ms(monitor.backoff.reset_after, 600_000),
    },
    breaker: { maxRestarts: monitor.circuit_breaker.max_restarts, windowMs: ms(monitor.circuit_breaker.window, 3_600_000) },
  };
}
