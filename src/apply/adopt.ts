// `lotusctl import`, the effects: secret files, the plists (in lotusctl's form, at lotusctl's path), lotus.yaml and
// state.json, under the state lock. It never runs launchctl: adopting a job must not restart it.
import { statSync, unlinkSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ManagedRecord } from '../model/actual.js';
import { LotusctlError } from '../model/errors.js';
import { sha256 } from '../plan/digest.js';
import type { ImportPlanResult } from '../spec/import-plan.js';
import { errnoCode, readFileIfExists, writeFileAtomic } from '../system/atomic-file.js';
import { backupFile } from '../system/backups.js';
import { acquireLock } from '../system/lock.js';
import { readManifest, writeManifest } from '../system/manifest.js';
import { makeDirs } from '../system/ownership.js';

export interface AdoptOptions {
  readonly specPath: string;
  /** The text lotus.yaml had when the import was planned; undefined when it did not exist. */
  readonly previousText?: string;
  readonly command: string;
  readonly lockWaitMs?: number;
  readonly now?: Date;
}

export interface AdoptResult {
  /** Backups of the original plists, by label. */
  readonly backups: Readonly<Record<string, string>>;
  readonly secretFiles: readonly string[];
  /** Set when the state lock of a dead lotusctl was taken over: the one line to show. */
  readonly tookOverLock?: string;
}

function fail(code: string, message: string, hint: string): LotusctlError {
  return new LotusctlError(code, `${message}; nothing was changed`, { hint });
}

/** Everything that could make the writes fail half-way, checked before the first write. */
function preflight(plan: ImportPlanResult, o: AdoptOptions): void {
  const now = readFileIfExists(o.specPath, 'spec')?.toString('utf8');
  if (o.previousText === undefined && now !== undefined) throw fail('import.spec-changed', `${o.specPath} appeared while importing`, 'run the import again');
  if (o.previousText !== undefined && now !== o.previousText) throw fail('import.spec-changed', `${o.specPath} changed while importing`, 'run the import again');
  for (const j of plan.jobs) {
    for (const s of j.imported.secrets) {
      const have = readFileIfExists(s.path, 'secret')?.toString('utf8').replace(/\r?\n$/, '');
      if (have !== undefined && have !== s.value) {
        throw fail('import.secret-exists', `${s.path} exists with other contents`, `move it aside, or import into another folder (--out): import writes ${j.imported.label}'s ${s.env} there`);
      }
    }
    if (j.action === 'adopt' && j.desired.plistPath !== j.source.sourcePath && readFileIfExists(j.desired.plistPath) !== undefined) {
      throw fail('import.collision', `${j.desired.plistPath} exists, and ${j.source.sourcePath} defines the same label ${j.imported.label}`, 'two plists for one label fight at login: remove one of them, then import the other');
    }
  }
}

/** Carry out a planned import. Nothing is changed when it throws before the lock is taken. */
export async function adoptImport(plan: ImportPlanResult, o: AdoptOptions): Promise<AdoptResult> {
  preflight(plan, o);
  const lock = await acquireLock(plan.stateDir, o.command, o.lockWaitMs !== undefined ? { waitMs: o.lockWaitMs } : {});
  try {
    const secretFiles: string[] = [];
    for (const j of plan.jobs) {
      for (const s of j.imported.secrets) {
        makeDirs(dirname(s.path), 0o700);
        writeFileAtomic(s.path, `${s.value}\n`, { mode: 0o600 });
        secretFiles.push(s.path);
      }
    }
    const backups: Record<string, string> = {};
    const records: ManagedRecord[] = [];
    const at = (o.now ?? new Date()).toISOString();
    for (const j of plan.jobs) {
      if (j.action !== 'adopt') continue;
      const b = backupFile(plan.stateDir, j.imported.label, j.source.sourcePath, o.now ? { now: o.now } : {});
      if (b) backups[j.imported.label] = b;
      // A job loaded from elsewhere may be the first agent of this user: ~/Library/LaunchAgents may not exist yet.
      makeDirs(dirname(j.desired.plistPath), 0o755);
      // lotusctl's rendering, as apply would write it; where launchd's loaded copy differs, plan shows the reload.
      const bytes = Buffer.from(j.desired.plistText);
      writeFileAtomic(j.desired.plistPath, bytes, { mode: j.desired.plistMode });
      if (j.removeSource) {
        try {
          unlinkSync(j.source.sourcePath);
        } catch (e) {
          if (errnoCode(e) !== 'ENOENT') throw e;
        }
      }
      records.push({
        name: j.desired.name, kind: 'service', label: j.desired.label, domain: j.desired.domain, plistPath: j.desired.plistPath,
        digest: sha256(bytes), state: j.state === 'running' ? 'running' : 'stopped', sensitiveKeys: [...j.desired.sensitiveKeys], appliedAt: at,
        owner: plan.owner, watch: j.desired.watch,
      });
    }
    const mode = o.previousText === undefined ? 0o644 : statSync(o.specPath).mode & 0o777;
    writeFileAtomic(o.specPath, plan.text, { mode });
    if (records.length > 0) {
      const m = readManifest(plan.stateDir);
      writeManifest(plan.stateDir, { ...m, jobs: { ...m.jobs, ...Object.fromEntries(records.map((r) => [r.label, r])) } });
    }
    return { backups, secretFiles, ...(lock.tookOver ? { tookOverLock: lock.tookOver.message } : {}) };
  } finally {
    await lock.release();
  }
}
