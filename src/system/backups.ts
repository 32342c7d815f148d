// Previous plist generations, so a bad apply can be undone: <stateDir>/backups/<label>/<UTC stamp>-<digest8>.plist.
import { readdirSync, statSync, unlinkSync } from 'node:fs';
import { basename, join } from 'node:path';
import { InternalError, LotusctlError } from '../model/errors.js';
import { sha256 } from '../plan/digest.js';
import { errnoCode, readFileIfExists, writeFileAtomic } from './atomic-file.js';
import { makeDirs } from './ownership.js';
import { FileReadError } from './read-file.js';

export const DEFAULT_BACKUP_KEEP = 5;
// YYYYMMDDTHHMMSSmmmZ: fixed width, so name order is time order.
const NAME = /^(\d{8}T\d{9}Z)-([0-9a-f]{8})\.plist$/;

export function backupDir(stateDir: string, label: string): string {
  assertLabel(label);
  return join(stateDir, 'backups', label);
}

/**
 * The bytes to back up; undefined when there is nothing: no file, or a FIFO, device or socket (or a symlink to one)
 * planted where the plist was, which holds no plist to restore (drift reports it, apply replaces it). A folder
 * there still throws fs.not-a-file.
 */
function readSource(path: string): Buffer | undefined {
  try {
    return readFileIfExists(path);
  } catch (e) {
    if (e instanceof FileReadError && e.problem === 'not-regular' && !isDirectory(path)) return undefined;
    throw e;
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Copies `sourcePath` into the label's backups (mode 0600) and prunes all but the newest `keep` (default 5).
 * Returns the backup's path, or undefined when the source does not exist or is not a regular file (a FIFO, a device). When the newest backup already holds
 * the same bytes (a retried apply), returns that one instead of adding a duplicate. Names never go backwards:
 * a stamp not after the newest existing one (clock stepped back, same millisecond) is bumped to newest + 1 ms.
 */
export function backupFile(stateDir: string, label: string, sourcePath: string, opts: { keep?: number; now?: Date } = {}): string | undefined {
  const keep = opts.keep ?? DEFAULT_BACKUP_KEEP;
  if (!Number.isInteger(keep) || keep < 1) throw new InternalError(`backupFile: keep must be a positive integer, got ${keep}`);
  const dir = backupDir(stateDir, label);
  const data = readSource(sourcePath);
  if (data === undefined) return undefined;
  try {
    makeDirs(dir, 0o700);
  } catch (e) {
    throw new LotusctlError('backup.failed', `cannot create backup directory ${dir}: ${errnoCode(e) ?? String(e)}`, {
      hint: `check the ownership of ${stateDir} (was lotusctl run with sudo?)`, cause: e,
    });
  }
  const existing = listBackups(stateDir, label);
  const digest8 = sha256(data).slice(0, 8);
  const newest = existing[0];
  if (newest !== undefined && parseName(newest)?.digest8 === digest8 && readFileIfExists(newest)?.equals(data)) {
    prune(existing, keep);
    return newest;
  }
  let at = (opts.now ?? new Date()).getTime();
  const newestAt = newest === undefined ? undefined : parseName(newest)?.at;
  if (newestAt !== undefined && at <= newestAt) at = newestAt + 1;
  const file = join(dir, `${stamp(at)}-${digest8}.plist`);
  writeFileAtomic(file, data, { mode: 0o600 });
  prune([file, ...existing], keep);
  return file;
}

/** Paths of the label's backups, newest first; [] when there are none. Files not named like a backup are ignored. */
export function listBackups(stateDir: string, label: string): string[] {
  const dir = backupDir(stateDir, label);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') return [];
    throw new LotusctlError('backup.unreadable', `cannot list backups in ${dir}: ${errnoCode(e) ?? String(e)}`, {
      hint: `check the ownership of ${dir}`, cause: e,
    });
  }
  return names.filter((n) => NAME.test(n)).sort().reverse().map((n) => join(dir, n));
}

/**
 * Atomically writes the backup's bytes to `targetPath` with exactly `mode`. Throws `backup.missing` when the backup
 * is gone and `backup.corrupt` when a backup-named file no longer matches the digest in its name.
 */
export function restoreBackup(backupPath: string, targetPath: string, mode: number): void {
  const data = readFileIfExists(backupPath);
  if (data === undefined) {
    throw new LotusctlError('backup.missing', `backup ${backupPath} does not exist`, { hint: 'it may have been pruned; list the remaining ones in its directory' });
  }
  const expected = parseName(backupPath)?.digest8;
  if (expected !== undefined && sha256(data).slice(0, 8) !== expected) {
    throw new LotusctlError('backup.corrupt', `backup ${backupPath} does not match the digest in its name`, {
      hint: 'the file was changed after it was written; restore an older backup instead',
    });
  }
  writeFileAtomic(targetPath, data, { mode });
}

function prune(newestFirst: readonly string[], keep: number): void {
  for (const old of newestFirst.slice(keep)) {
    try {
      unlinkSync(old);
    } catch (e) {
      if (errnoCode(e) === 'ENOENT') continue;
      throw new LotusctlError('backup.failed', `cannot remove old backup ${old}: ${errnoCode(e) ?? String(e)}`, {
        hint: 'check the ownership of the backups directory', cause: e,
      });
    }
  }
}

function parseName(path: string): { at: number; digest8: string } | undefined {
  const m = NAME.exec(basename(path));
  if (!m) return undefined;
  const s = m[1] as string;
  const at = Date.UTC(+s.slice(0, 4), +s.slice(4, 6) - 1, +s.slice(6, 8), +s.slice(9, 11), +s.slice(11, 13), +s.slice(13, 15), +s.slice(15, 18));
  return { at, digest8: m[2] as string };
}

function stamp(ms: number): string {
  // 2026-11-30T09:00:00.123Z -> 20261130T090000123Z
  return new Date(ms).toISOString().replace(/[-:.]/g, '');
}

// Labels are validated by the spec; this guards the path join against a caller that skipped it.
function assertLabel(label: string): void {
  if (label === '' || label.includes('/') || label.includes('\\') || label.includes('\0') || label.includes('..') || label === '.') {
    throw new InternalError(`unsafe label for a backup path: ${JSON.stringify(label)}`);
  }
}
