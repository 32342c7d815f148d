// Apply's side of crash consistency: the journal entry around each step, and the clean-up of what crashed runs left.
import { dirname } from 'node:path';
import type { Manifest } from '../model/actual.js';
import type { JobStep, Plan } from '../model/plan.js';
import { sha256 } from '../plan/digest.js';
import { errnoCode, readFileIfExists } from '../system/atomic-file.js';
import { clearJournalEntry, readJournal, writeJournalEntry, type JournalEntry } from '../system/journal.js';
import { findTempLeftovers, managedFolders, removeTempLeftover } from '../system/leftovers.js';

/** Journal entries of earlier runs, by label (read under the lock, before the first step). */
export function priorEntries(stateDir: string): Map<string, JournalEntry> {
  return new Map(readJournal(stateDir).map((e) => [e.label, e]));
}

/** Records, before the step's first effect, what it is about to do and what was there before it. */
export function beginStep(stateDir: string, step: JobStep, manifest: Manifest, run: { lockId: string; command: string; startedAt: string }): void {
  const prev = manifest.jobs[step.label];
  const onDisk = readFileIfExists(step.plistPath);
  const digest = step.plist.action === 'write' ? step.plist.digest : step.target === 'absent' ? undefined : step.digest;
  writeJournalEntry(stateDir, {
    label: step.label, service: step.service, kind: step.kind, domain: step.domain, plistPath: step.plistPath, target: step.target,
    ...(digest !== undefined ? { digest } : {}),
    ...(prev ? { previous: { digest: prev.digest, state: prev.state } } : {}),
    ...(onDisk !== undefined ? { onDiskDigest: sha256(onDisk) } : {}),
    sensitiveKeys: step.sensitiveKeys, command: run.command, pid: process.pid, startedAt: run.startedAt, lockId: run.lockId,
  });
}

/**
 * After the manifest recorded the step (`ok`), its entry goes. After a full rollback the machine is as the step
 * found it: the entry goes back to what an earlier crashed run had written for this label, if anything.
 */
export function endStep(stateDir: string, label: string, outcome: { ok: true } | { ok: false; prior: JournalEntry | undefined }): void {
  if (!outcome.ok && outcome.prior) writeJournalEntry(stateDir, outcome.prior);
  else clearJournalEntry(stateDir, label);
}

/**
 * Removes temporary files that crashed lotusctl runs left in the folders this plan touches (the state dir and its
 * backups, the plists' folders, and wherever the plan found leftovers, e.g. the report folder). Each removal, or
 * failure to remove, is one note; a failure never stops the apply.
 */
export async function cleanUpAfterCrashes(plan: Plan, note: (message: string) => void): Promise<void> {
  const folders = managedFolders(plan.stateDir, plan.observed.targets.map((t) => t.plistPath), (plan.leftovers ?? []).map((l) => dirname(l.path)));
  for (const l of await findTempLeftovers(folders)) {
    const what = l.message.replace(/; apply removes it$/, '');
    try {
      if (removeTempLeftover(l)) note(`removed ${l.path}, a ${what}`);
    } catch (e) {
      note(`could not remove ${l.path}, a ${what}: ${errnoCode(e) ?? String(e)}`);
    }
  }
}
