// What the plan makes of a crashed run: its interrupted steps (journal) and its leftovers. Pure.
// An interrupted step's half-done work is lotusctl's own: never "drift outside lotusctl", never an "unmanaged plist";
// the plan gives its label a step, so apply finishes it (or removes a job whose service left lotus.yaml) and clears it.
import type { ActualJob, InterruptedStep, Leftover, ManagedRecord } from '../model/actual.js';
import type { Drift, Plan } from '../model/plan.js';

export function interruptedByLabel(steps: readonly InterruptedStep[] | undefined): Map<string, InterruptedStep> {
  return new Map((steps ?? []).map((e) => [e.label, e]));
}

/** Plist digests lotusctl itself had on disk around the step: the one it was writing and the ones it replaced. */
function ownDigests(e: InterruptedStep): Set<string> {
  return new Set([e.digest, e.previous?.digest, e.onDiskDigest].filter((d): d is string => d !== undefined && d !== ''));
}

/** True when the plist on disk is one lotusctl wrote or kept during the interrupted step (or none, as a removal leaves). */
export function isOwnFile(e: InterruptedStep, file: ActualJob['file']): boolean {
  return !file.exists || ownDigests(e).has(file.digest);
}

/**
 * A manifest record standing in for a job the interrupted step was creating (the manifest has none yet), so the
 * plan can finish or remove it like any managed job.
 */
export function recordOf(e: InterruptedStep): ManagedRecord {
  return {
    name: e.service, kind: e.kind, label: e.label, domain: e.domain, plistPath: e.plistPath,
    digest: e.digest ?? e.previous?.digest ?? '', state: e.target === 'absent' ? (e.previous?.state ?? 'running') : e.target,
    sensitiveKeys: [...e.sensitiveKeys], appliedAt: e.startedAt,
  };
}

function doing(e: InterruptedStep): string {
  if (e.target === 'absent') return 'removing';
  if (!e.previous) return 'creating';
  return e.target === 'stopped' ? 'stopping' : 'changing';
}

/**
 * The drift of a job with an interrupted step: what the step itself may have caused (its plist, unloaded or not yet
 * running) is replaced by one line saying so; what it cannot explain (a plist no lotusctl step wrote, a disable
 * override, launchd unreadable, other limits) stays drift from outside.
 */
export function explainInterrupted(drift: readonly Drift[], e: InterruptedStep | undefined, a: ActualJob, service: string): Drift[] {
  if (!e) return [...drift];
  const foreign = !isOwnFile(e, a.file);
  const kept = drift.filter((d) => d.kind === 'job-unknown' || d.kind === 'job-disabled' || d.kind === 'limits-differ'
    || ((d.kind === 'plist-edited' || d.kind === 'plist-mode') && foreign));
  const message = e.inProgress
    ? `${e.command} (pid ${e.pid}) is ${doing(e)} it right now`
    : `${e.command} (pid ${e.pid}) stopped half-way while ${doing(e)} it (${e.startedAt}); the next apply or destroy completes it`;
  return [{ service, label: e.label, kind: e.inProgress ? 'apply-in-progress' : 'interrupted-apply', message }, ...kept];
}

/** Leftovers apply removes or takes over by itself (all but locks that cannot be proven dead). */
export function cleanupLeftovers(plan: Pick<Plan, 'leftovers'>): Leftover[] {
  return (plan.leftovers ?? []).filter((l) => l.kind !== 'unproven-lock');
}

/** True when apply would do something: a change, a step to record, or leftovers to clean up. */
export function applyHasWork(plan: Pick<Plan, 'steps' | 'changes' | 'leftovers'>): boolean {
  return plan.steps.length > 0 || plan.changes.some((c) => c.action !== 'no-op') || cleanupLeftovers(plan).length > 0;
}
