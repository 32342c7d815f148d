// The names of lotusctl's own files in its state dir, and of the temporary files its atomic writes use: shared by
// src/system (which writes them), the planner and the saved-plan verifier (which must recognise them). Pure.
import { posix } from 'node:path';

export const LOCK_FILE = 'lock.json';
export const JOURNAL_DIR = 'journal';
export const BACKUPS_DIR = 'backups';

/** `<stateDir>/journal/<label>.json`: the journal entry of a step on `label`. */
export function journalEntryPath(stateDir: string, label: string): string {
  return posix.join(stateDir, JOURNAL_DIR, `${label}.json`);
}

/** `.<name>.<pid>.<12 hex>.tmp` -> the target's name and the writer's pid; undefined for any other name. */
export function parseTempName(name: string): { target: string; pid: number } | undefined {
  const m = /^\.(.+)\.(\d{1,10})\.([0-9a-f]{12})\.tmp$/.exec(name);
  if (!m) return undefined;
  const pid = Number(m[2]);
  return pid > 0 && Number.isSafeInteger(pid) ? { target: m[1] as string, pid } : undefined;
}
