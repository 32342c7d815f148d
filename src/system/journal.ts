// Intent log of apply: `<stateDir>/journal/<label>.json`, written (atomically, 0600) before a step's first effect and
// removed after the manifest records the step. An entry left behind means a run died in the middle of that step: the
// next plan knows the plist or job state it finds there is lotusctl's own half-done work, not an edit from outside,
// and apply finishes the step (or removes a job that was being created for a service no longer in lotus.yaml).
import { readdirSync, rmSync } from 'node:fs';
import { basename, isAbsolute, join } from 'node:path';
import '../model/zod-config.js';
import * as z from 'zod';
import { isValidLabel } from '../launchd/domain.js';
import type { InterruptedStep } from '../model/actual.js';
import { JOURNAL_DIR } from '../model/state-files.js';
import { LotusctlError } from '../model/errors.js';
import { errnoCode, writeFileAtomic } from './atomic-file.js';
import { FileReadError, readTextCapped } from './read-file.js';
import { makeDirs } from './ownership.js';

/** One entry as apply writes it; `lockId` ties it to the run that holds the state lock. */
export type JournalEntry = Omit<InterruptedStep, 'inProgress' | 'path'> & { readonly lockId: string };

const domainSchema = z.object({ kind: z.enum(['gui', 'user', 'system']), uid: z.number().int().optional() });
const entrySchema = z.object({
  format_version: z.literal(1),
  label: z.string().min(1),
  service: z.string(),
  kind: z.enum(['service', 'monitor']),
  domain: domainSchema,
  plist_path: z.string().min(1),
  target: z.enum(['running', 'stopped', 'absent']),
  // The spec whose apply began the step (state.json's owner): another spec sharing the state dir leaves it alone.
  owner: z.object({ spec: z.string(), name: z.string().optional() }),
  from: z.object({ label: z.string().min(1), domain: domainSchema, plist_path: z.string().min(1) }).optional(),
  digest: z.string().optional(),
  previous: z.object({ digest: z.string(), state: z.enum(['running', 'stopped']) }).optional(),
  on_disk_digest: z.string().optional(),
  sensitive_keys: z.array(z.string()).default([]),
  command: z.string(),
  pid: z.number().int(),
  started_at: z.string(),
  lock_id: z.string(),
})
  // As in state.json: lotusctl may remove the recorded plist, so only a `<valid label>.plist` it could have written.
  .refine((e) => placeOk(e.label, e.plist_path) && (e.from === undefined || placeOk(e.from.label, e.from.plist_path)), {
    message: 'an entry must name valid labels and their absolute <label>.plist paths',
  });

function placeOk(label: string, plistPath: string): boolean {
  return isValidLabel(label) && isAbsolute(plistPath) && basename(plistPath) === `${label}.plist`;
}

export function journalDir(stateDir: string): string {
  return join(stateDir, JOURNAL_DIR);
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
    makeDirs(journalDir(stateDir), 0o700);
  } catch (err) {
    throw new LotusctlError('journal.write-failed', `cannot create ${journalDir(stateDir)}: ${errnoCode(err) ?? String(err)}`, {
      hint: `check the ownership of ${stateDir} (was lotusctl run with sudo?)`, cause: err,
    });
  }
  const doc = {
    format_version: 1, label: e.label, service: e.service, kind: e.kind, domain: e.domain, plist_path: e.plistPath, target: e.target,
    owner: e.owner, ...(e.from ? { from: { label: e.from.label, domain: e.from.domain, plist_path: e.from.plistPath } } : {}),
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
export function readJournal(stateDir: string): (JournalEntry & { readonly path: string })[] {
  let names: string[];
  try {
    names = readdirSync(journalDir(stateDir));
  } catch (e) {
    if (errnoCode(e) === 'ENOENT' || errnoCode(e) === 'ENOTDIR') return [];
    throw new LotusctlError('journal.unreadable', `cannot read ${journalDir(stateDir)}: ${errnoCode(e) ?? String(e)}`, { hint: `check the ownership of ${stateDir}`, cause: e });
  }
  const out: (JournalEntry & { readonly path: string })[] = [];
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
      if (name !== `${parsed.label}.json`) throw new Error(`its label is ${parsed.label}`);
    } catch (e) {
      throw new LotusctlError('journal.corrupt', `${path} is not a lotusctl journal entry`, {
        hint: 'it records a step an apply did not finish; look at it, make sure the job is as you want, then delete it', cause: e,
      });
    }
    const domain = (d: z.infer<typeof domainSchema>): InterruptedStep['domain'] => (d.kind === 'system' ? { kind: 'system' } : { kind: d.kind, uid: d.uid ?? 0 });
    out.push({
      label: parsed.label, service: parsed.service, kind: parsed.kind, domain: domain(parsed.domain),
      plistPath: parsed.plist_path, target: parsed.target, path,
      owner: { spec: parsed.owner.spec, ...(parsed.owner.name !== undefined ? { name: parsed.owner.name } : {}) },
      ...(parsed.from ? { from: { label: parsed.from.label, domain: domain(parsed.from.domain), plistPath: parsed.from.plist_path } } : {}),
      ...(parsed.digest !== undefined ? { digest: parsed.digest } : {}), ...(parsed.previous ? { previous: parsed.previous } : {}),
      ...(parsed.on_disk_digest !== undefined ? { onDiskDigest: parsed.on_disk_digest } : {}),
      sensitiveKeys: parsed.sensitive_keys, command: parsed.command, pid: parsed.pid, startedAt: parsed.started_at, lockId: parsed.lock_id,
    });
  }
  return out;
}
