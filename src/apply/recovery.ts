// Apply's side of crash consistency: the journal entry around each step, and the clean-up of what crashed runs left.
import { dirname, join } from 'node:path';
import { NOT_A_FILE_DIGEST, type Manifest } from '../model/actual.js';
import type { JobStep, Plan } from '../model/plan.js';
import { sha256 } from '../plan/digest.js';
import { errnoCode, readFileIfExists } from '../system/atomic-file.js';
import { clearJournalEntry, journalDir, readJournal, writeJournalEntry, type JournalEntry } from '../system/journal.js';
import { findTempLeftovers, managedFolders, removeTempLeftover } from '../system/leftovers.js';
import { FileReadError } from '../system/read-file.js';

/** Journal entries of earlier runs, by label (read under the lock, before the first step). */
export function priorEntries(stateDir: string): Map<string, JournalEntry> {
  return new Map(readJournal(stateDir).map(({ path: _path, ...e }) => [e.label, e]));
}

/** What is at the plist path before the step: the file's sha256, NOT_A_FILE_DIGEST for a FIFO or device, or undefined. */
function onDiskDigest(path: string): string | undefined {
  try {
    const bytes = readFileIfExists(path);
    return bytes === undefined ? undefined : sha256(bytes);
  } catch (e) {
    // As observe saw it (src/observe/observe.ts readPlistFile): the step replaces it.
    if (e instanceof FileReadError && e.problem === 'not-regular') return NOT_A_FILE_DIGEST;
    throw e;
  }
}

/** Records, before the step's first effect, what it is about to do, for which spec, and what was there before it. */
export function beginStep(stateDir: string, step: JobStep, plan: Pick<Plan, 'owner'>, manifest: Manifest, run: { lockId: string; command: string; startedAt: string }): void {
  const prev = manifest.jobs[step.label] ?? (step.from ? manifest.jobs[step.from.label] : undefined);
  const onDisk = onDiskDigest(step.plistPath);
  const digest = step.plist.action === 'write' ? step.plist.digest : step.target === 'absent' ? undefined : step.digest;
  writeJournalEntry(stateDir, {
    label: step.label, service: step.service, kind: step.kind, domain: step.domain, plistPath: step.plistPath, target: step.target, owner: plan.owner,
    ...(step.from ? { from: { label: step.from.label, domain: step.from.domain, plistPath: step.from.plistPath } } : {}),
    ...(digest !== undefined ? { digest } : {}),
    ...(prev ? { previous: { digest: prev.digest, state: prev.state } } : {}),
    ...(onDisk !== undefined ? { onDiskDigest: onDisk } : {}),
    sensitiveKeys: step.sensitiveKeys, command: run.command, pid: process.pid, startedAt: run.startedAt, lockId: run.lockId,
  });
}

/**
 * After the manifest recorded the step (`ok`), its entry goes, and so does an entry of a moving job's old label (the
 * step finished whatever was begun there). After a full rollback the machine is as the step found it: the entry goes
 * back to what an earlier crashed run had written for this label, if anything.
 */
export function endStep(stateDir: string, step: JobStep, outcome: { ok: true } | { ok: false; prior: ReadonlyMap<string, JournalEntry> }): void {
  if (outcome.ok) {
    clearJournalEntry(stateDir, step.label);
    if (step.from && step.from.label !== step.label) clearJournalEntry(stateDir, step.from.label);
    return;
  }
  const before = outcome.prior.get(step.label);
  if (before) writeJournalEntry(stateDir, before);
  else clearJournalEntry(stateDir, step.label);
}

/**
 * Removes temporary files that crashed lotusctl runs left in the folders this plan touches (the state dir, its
 * journal and backups, the plists' folders, and wherever the plan found leftovers, e.g. the report folder). Each
 * removal, or failure to remove, is one note; a failure never stops the apply.
 */
export async function cleanUpAfterCrashes(plan: Plan, note: (message: string) => void): Promise<void> {
  const plists = [...plan.observed.targets.map((t) => t.plistPath), ...plan.steps.flatMap((s) => [s.plistPath, ...(s.from ? [s.from.plistPath] : [])])];
  const extra = (plan.leftovers ?? []).filter((l) => l.kind === 'temp-file').map((l) => dirname(l.path));
  for (const l of await findTempLeftovers(managedFolders(plan.stateDir, plists, extra))) {
    const what = l.message.replace(/; apply removes it$/, '');
    try {
      if (removeTempLeftover(l)) note(`removed ${l.path}, a ${what}`);
    } catch (e) {
      note(`could not remove ${l.path}, a ${what}: ${errnoCode(e) ?? String(e)}`);
    }
  }
}

/**
 * Removes the journal entries the plan found with nothing left to do (their step was recorded, or their job needs
 * nothing more). Called once the plan is proven current, so each entry is still the one the plan judged.
 */
export function clearFinishedEntries(plan: Plan, note: (message: string) => void): void {
  for (const l of plan.leftovers ?? []) {
    if (l.kind !== 'journal-entry' || dirname(l.path) !== journalDir(plan.stateDir)) continue;
    const label = l.path.slice(journalDir(plan.stateDir).length + 1).replace(/\.json$/, '');
    if (join(journalDir(plan.stateDir), `${label}.json`) !== l.path) continue;
    clearJournalEntry(plan.stateDir, label);
    note(`removed ${l.path}, the ${l.message.replace(/; apply removes it$/, '')}`);
  }
}
