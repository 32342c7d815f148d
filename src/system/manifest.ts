import { basename, isAbsolute, join } from 'node:path';
import '../model/zod-config.js';
import * as z from 'zod';
import { isValidLabel } from '../launchd/domain.js';
import { MANIFEST_FORMAT_VERSION, type Manifest, type ManagedRecord } from '../model/actual.js';
import { LotusctlError } from '../model/errors.js';
import { writeFileAtomic } from './atomic-file.js';
import { FileReadError, readTextCapped } from './read-file.js';

const FILE = 'state.json';

const owner = z.object({ spec: z.string(), name: z.string().optional() });
const recordSchema = z.object({
  name: z.string(),
  kind: z.enum(['service', 'monitor']),
  label: z.string(),
  domain: z.object({ kind: z.enum(['gui', 'user', 'system']), uid: z.number().int().optional() }),
  plist_path: z.string(),
  digest: z.string(),
  state: z.enum(['running', 'stopped']),
  sensitive_keys: z.array(z.string()).default([]),
  applied_at: z.string(),
  // Format 2: the spec that owns the job, and what the monitor needs about it as applied.
  owner: owner.optional(),
  watch: z.record(z.string(), z.unknown()).optional(),
  // What launchd applied of the plist's resource limits when lotusctl last loaded the job (issue 9, item 8).
  limits_in_effect: z.record(z.string(), z.number()).optional(),
})
  // lotusctl removes and rewrites the recorded plist path: only ever a `<valid label>.plist` it could have written.
  .refine((r) => isValidLabel(r.label) && isAbsolute(r.plist_path) && basename(r.plist_path) === `${r.label}.plist`, {
    message: 'a record must name a valid label and its absolute <label>.plist path',
  });
// Format 1 (before owners) is read as is: its records have no owner, and the first spec that wants one of them
// adopts them all (src/plan/ownership.ts). The next write is format 2; no job is lost on the way.
const fileSchema = z.object({ format_version: z.union([z.literal(1), z.literal(2)]), jobs: z.record(z.string(), recordSchema) });

export function manifestPath(stateDir: string): string {
  return join(stateDir, FILE);
}

/** What lotusctl manages, from `<stateDir>/state.json`; empty when lotusctl has never applied here. */
export function readManifest(stateDir: string): Manifest {
  let text: string;
  try {
    text = readTextCapped(manifestPath(stateDir), 'state');
  } catch (e) {
    if (e instanceof FileReadError && e.problem === 'missing') return { formatVersion: MANIFEST_FORMAT_VERSION, jobs: {} };
    const detail = e instanceof FileReadError ? e.detail : String(e);
    throw new LotusctlError('state.unreadable', `cannot read ${manifestPath(stateDir)}: ${detail}`, { hint: e instanceof FileReadError ? (e.hint ?? 'check its permissions') : 'check its permissions', cause: e });
  }
  let parsed: z.infer<typeof fileSchema>;
  try {
    parsed = fileSchema.parse(JSON.parse(text));
  } catch (e) {
    const version = (() => {
      try {
        return (JSON.parse(text) as { format_version?: unknown }).format_version;
      } catch {
        return undefined;
      }
    })();
    if (typeof version === 'number' && version > MANIFEST_FORMAT_VERSION) {
      throw new LotusctlError('state.newer-format', `${manifestPath(stateDir)} was written by a newer lotusctl (format ${version}; this one reads up to ${MANIFEST_FORMAT_VERSION})`, {
        hint: 'upgrade lotusctl; this version leaves the file alone', cause: e,
      });
    }
    throw new LotusctlError('state.corrupt', `${manifestPath(stateDir)} is not a lotusctl state file`, {
      hint: 'restore it from a backup, or move it aside: lotusctl then manages nothing until the next apply (it never adopts jobs it did not create)', cause: e,
    });
  }
  const jobs: Record<string, ManagedRecord> = {};
  for (const [label, r] of Object.entries(parsed.jobs)) {
    jobs[label] = {
      name: r.name, kind: r.kind, label: r.label,
      domain: r.domain.kind === 'system' ? { kind: 'system' } : { kind: r.domain.kind, uid: r.domain.uid ?? 0 },
      plistPath: r.plist_path, digest: r.digest, state: r.state, sensitiveKeys: r.sensitive_keys, appliedAt: r.applied_at,
      ...(r.owner ? { owner: { spec: r.owner.spec, ...(r.owner.name !== undefined ? { name: r.owner.name } : {}) } } : {}),
      ...(r.watch ? { watch: r.watch } : {}),
      ...(r.limits_in_effect ? { limitsInEffect: r.limits_in_effect } : {}),
    };
  }
  return { formatVersion: MANIFEST_FORMAT_VERSION, jobs };
}

export function writeManifest(stateDir: string, m: Manifest): void {
  const jobs = Object.fromEntries(Object.keys(m.jobs).sort().map((label) => {
    const r = m.jobs[label] as ManagedRecord;
    return [label, {
      name: r.name, kind: r.kind, label: r.label, domain: r.domain, plist_path: r.plistPath, digest: r.digest, state: r.state,
      sensitive_keys: [...r.sensitiveKeys].sort(), applied_at: r.appliedAt,
      ...(r.owner ? { owner: r.owner } : {}), ...(r.watch ? { watch: r.watch } : {}), ...(r.limitsInEffect ? { limits_in_effect: r.limitsInEffect } : {}),
    }];
  }));
  writeFileAtomic(manifestPath(stateDir), `${JSON.stringify({ format_version: MANIFEST_FORMAT_VERSION, jobs }, null, 2)}\n`, { mode: 0o600 });
}
