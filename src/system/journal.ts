// Intent log of apply: `<stateDir>/journal/<label>.json`, written (atomically, 0600) before a step's first effect and
// removed after the manifest records the step. An entry left behind means a run died in the middle of that step: the
// next plan knows the plist or job state it finds there is lotusctl's own half-done work, not an edit from outside,
// and apply finishes the step (or removes a job that was being created for a service no longer in lotus.yaml).
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod';
import type { InterruptedStep } from '../model/actual.js';
import { LotusctlError } from '../model/errors.js';
import { errnoCode, writeFileAtomic } from './atomic-file.js';
import { FileReadError, readTextCapped } from './read-file.js';

/** One entry as apply writes it; `lockId` ties it to the run that holds the state lock. */
export type JournalEntry = Omit<InterruptedStep, 'inProgress'> & { readonly lockId: string };

const domainSchema = z.object({ kind: z.enum(['gui', 'user', 'system']), uid: z.number().int().optional() });
const entrySchema = z.object({
  format_version: z.literal(1),
  label: z.string().min(1),
  service: z.string(),
  kind: z.enum(['service', 'monitor']),
  domain: domainSchema,
  plist_path: z.string().min(1),
  target: z.enum(['running', 'stopped', 'absent']),
  digest: z.string().optional(),
  previous: z.object({ digest: z.string(), state: z.enum(['running', 'stopped']) }).optional(),
  on_disk_digest: z.string().optional(),
  sensitive_keys: z.array(z.string()).default([]),
  command: z.string(),
  pid: z.number().int(),
  started_at: z.string(),
  lock_id: z.string(),
});

export function journalDir(stateDir: string): string {
  return join(stateDir, 'journal');
}

function entryPath(stateDir: string, label: string): string {
  // Labels are validated by the spec (reverse-DNS characters); this guards the join against a caller that skipped it.
  if (label === '' || label.includes('/') || label.includes('\0') || label === '.' || label === '..') {
    throw new LotusctlError('journal.bad-label', `unsafe label for a journal entry: ${JSON.stringify(label)}`, { hint: 'this is a bug in lotusctl; please report it' });
  }
  return join(journalDir(stateDir), `${label}.json`);
}

/** Records that a step is about to change `entry.label`; replaces an earlier entry for the same label. */
export function writeJournalEntry(stateDir: string, e: JournalEntry): void {
  try {
    mkdirSync(journalDir(stateDir), { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new LotusctlError('journal.write-failed', `cannot create ${journalDir(stateDir)}: ${errnoCode(err) ?? String(err)}`, {
      hint: `check the ownership of ${stateDir} (was lotusctl run with sudo?)`, cause: err,
    });
  }
  const doc = {
    format_version: 1, label: e.label, service: e.service, kind: e.kind, domain: e.domain, plist_path: e.plistPath, target: e.target,
    ...(e.digest !== undefined ? { digest: e.digest } : {}), ...(e.previous ? { previous: e.previous } : {}),
    ...(e.onDiskDigest !== undefined ? { on_disk_digest: e.onDiskDigest } : {}),
    sensitive_keys: [...e.sensitiveKeys].sort(), command: e.command, pid: e.pid, started_at: e.startedAt, lock_id: e.lockId,
  };
  writeFileAtomic(entryPath(stateDir, e.label), `${JSON.stringify(doc, null, 2)}\n`, { mode: 0o600 });
}

/** Removes the entry of `label` (idempotent). */
export function clearJournalEntry(stateDir: string, label: string): void {
  try {
    rmSync(entryPath(stateDir, label), { force: true });
  } catch (err) {
    throw new LotusctlError('journal.write-failed', `cannot remove the journal entry of ${label}: ${errnoCode(err) ?? String(err)}`, {
      hint: `check the ownership of ${journalDir(stateDir)}`, cause: err,
    });
  }
}

/**
 * Every entry, sorted by label; [] when there is no journal. An entry that cannot be parsed (not written by this
 * version, or damaged) throws `journal.corrupt`, never silently ignored: it would hide an interrupted step.
 */
export function readJournal(stateDir: string): JournalEntry[] {
  let names: string[];
  try {
    names = readdirSync(journalDir(stateDir));
  } catch (e) {
    if (errnoCode(e) === 'ENOENT' || errnoCode(e) === 'ENOTDIR') return [];
    throw new LotusctlError('journal.unreadable', `cannot read ${journalDir(stateDir)}: ${errnoCode(e) ?? String(e)}`, { hint: `check the ownership of ${stateDir}`, cause: e });
  }
  const out: JournalEntry[] = [];
  for (const name of names.filter((n) => n.endsWith('.json') && !n.startsWith('.')).sort()) {
    const path = join(journalDir(stateDir), name);
    let text: string;
    try {
      text = readTextCapped(path, 'state');
    } catch (e) {
      if (e instanceof FileReadError && e.problem === 'missing') continue; // cleared while we listed
      throw e;
    }
    let parsed: z.infer<typeof entrySchema>;
    try {
      parsed = entrySchema.parse(JSON.parse(text));
    } catch (e) {
      throw new LotusctlError('journal.corrupt', `${path} is not a lotusctl journal entry`, {
        hint: 'it records a step an apply did not finish; look at it, make sure the job is as you want, then delete it', cause: e,
      });
    }
    out.push({
      label: parsed.label, service: parsed.service, kind: parsed.kind,
      domain: parsed.domain.kind === 'system' ? { kind: 'system' } : { kind: parsed.domain.kind, uid: parsed.domain.uid ?? 0 },
      plistPath: parsed.plist_path, target: parsed.target,
      ...(parsed.digest !== undefined ? { digest: parsed.digest } : {}), ...(parsed.previous ? { previous: parsed.previous } : {}),
      ...(parsed.on_disk_digest !== undefined ? { onDiskDigest: parsed.on_disk_digest } : {}),
      sensitiveKeys: parsed.sensitive_keys, command: parsed.command, pid: parsed.pid, startedAt: parsed.started_at, lockId: parsed.lock_id,
    });
  }
  return out;
}
