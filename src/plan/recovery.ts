// What the plan makes of a crashed run: its interrupted steps (journal) and its leftovers. Pure.
// An interrupted step's half-done work is lotusctl's own: never "drift outside lotusctl", never an "unmanaged plist".
// A job an unfinished step was creating has no record in state.json yet: its entry stands in for one (`recordOf`), so
// ownership, pairing and removal treat it as managed and the plan gives it a step, which finishes it (or removes it,
// once its service has left lotus.yaml) and clears the entry. An entry with nothing left to do is a leftover.
import { jobKey, type ActualJob, type InterruptedStep, type Leftover, type ManagedRecord } from '../model/actual.js';
import { changeCount, type Drift, type Plan } from '../model/plan.js';

/** Plist digests lotusctl itself had on disk around the step: the one it was writing and the ones it replaced. */
function ownDigests(e: InterruptedStep): Set<string> {
  return new Set([e.digest, e.previous?.digest, e.onDiskDigest].filter((d): d is string => d !== undefined && d !== ''));
}

/** True when the plist on disk is one lotusctl wrote or kept during the interrupted step (or none, as a removal leaves). */
export function isOwnFile(e: InterruptedStep, file: ActualJob['file']): boolean {
  return !file.exists || ownDigests(e).has(file.digest);
}

/**
 * True when the entry's step was carried out and recorded, and only the entry is left (a run killed between its
 * state.json write and the entry's removal). A record written after the step began, as the step writes it, says so;
 * a removal says so by the record it dropped.
 */
export function isFinished(e: InterruptedStep, record: ManagedRecord | undefined): boolean {
  if (e.target === 'absent') return record === undefined && e.previous !== undefined;
  return record !== undefined && record.appliedAt >= e.startedAt && record.digest === e.digest && record.state === e.target
    && record.plistPath === e.plistPath && jobKey(record) === jobKey(e);
}

/**
 * A manifest record standing in for a job the interrupted step was creating (the manifest has none yet), so the
 * plan can finish or remove it like any managed job. Owned by the spec whose apply began the step.
 */
export function recordOf(e: InterruptedStep): ManagedRecord {
  return {
    name: e.service, kind: e.kind, label: e.label, domain: e.domain, plistPath: e.plistPath,
    digest: e.digest ?? e.previous?.digest ?? '', state: e.target === 'absent' ? (e.previous?.state ?? 'running') : e.target,
    sensitiveKeys: [...e.sensitiveKeys], appliedAt: e.startedAt, owner: e.owner,
  };
}

function doing(e: InterruptedStep): string {
  if (e.target === 'absent') return 'removing';
  if (e.from) return 'moving';
  if (!e.previous) return 'creating';
  return e.target === 'stopped' ? 'stopping' : 'changing';
}

/**
 * The drift of a job with an interrupted step: what the step itself may have caused (its plist, unloaded or not yet
 * running, a stop half done) is replaced by one line saying so; what it cannot explain (a plist no lotusctl step
 * wrote, launchd unreadable, other limits, a disable override it did not set) stays drift from outside.
 */
export function explainInterrupted(drift: readonly Drift[], e: InterruptedStep, a: ActualJob, service: string): Drift[] {
  const foreign = !isOwnFile(e, a.file);
  const kept = drift.filter((d) => d.kind === 'job-unknown' || d.kind === 'limits-differ'
    || (d.kind === 'job-disabled' && e.target !== 'stopped')
    || ((d.kind === 'plist-edited' || d.kind === 'plist-mode' || d.kind === 'loaded-differs') && foreign));
  const message = e.inProgress
    ? `${e.command} (pid ${e.pid}) is ${doing(e)} it right now`
    : `${e.command} (pid ${e.pid}) stopped half-way while ${doing(e)} it (${e.startedAt}); the next apply or destroy completes it`;
  return [{ service, label: e.label, kind: e.inProgress ? 'apply-in-progress' : 'interrupted-apply', message }, ...kept];
}

/** The journal entry of a step with nothing left to do, as a leftover apply removes. */
export function journalLeftover(e: InterruptedStep, why: 'finished' | 'nothing-left'): Leftover {
  const what = why === 'finished' ? 'whose step was carried out and recorded' : 'whose job needs nothing more';
  return { kind: 'journal-entry', path: e.path, pid: e.pid, message: `journal entry of ${e.command} (pid ${e.pid}) for ${e.service} (${e.label}), ${what}; apply removes it` };
}

/** Leftovers apply removes or takes over by itself (all but locks that cannot be proven dead). */
export function cleanupLeftovers(plan: Pick<Plan, 'leftovers'>): Leftover[] {
  return (plan.leftovers ?? []).filter((l) => l.kind !== 'unproven-lock');
}

/**
 * True when apply would do something: a change, or leftovers to clean up (which change no resource, so they are
 * not counted as changes: "No changes to the jobs", but plan --detailed-exitcode and drift exit 2 until apply ran).
 */
export function applyHasWork(plan: Pick<Plan, 'summary' | 'leftovers'>): boolean {
  return changeCount(plan.summary) > 0 || cleanupLeftovers(plan).length > 0;
}
