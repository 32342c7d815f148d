// Crash-safe file replacement: readers see the old bytes or the new bytes, never a mix.
// Not the write-file-atomic package: it does not fsync the directory and it swallows chown EPERM for non-root.
import { closeSync, fchmodSync, fchownSync, fsyncSync, linkSync, openSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { InternalError, LotusctlError, isLotusctlError } from '../model/errors.js';
import { parseTempName } from '../model/state-files.js';
import { readFileCappedIfExists, type ReadKind } from './read-file.js';
import { ownerFor } from './ownership.js';

/** How the replaced file must end up. */
export interface AtomicWriteOptions {
  /** Exact permission bits of the result (e.g. 0o600); the process umask never applies. */
  readonly mode: number;
  /**
   * Owner to set when given (needs root for anyone but yourself); a failure is an error, never ignored. Without it,
   * a file in the operator's home gets the home's owner when lotusctl runs as root for them (src/system/ownership.ts).
   */
  readonly uid?: number;
  readonly gid?: number;
}

/**
 * Replaces `path` (or creates it) with `data`: temp file in the same directory, write, chown, chmod, fsync,
 * rename over the target, fsync the directory. On failure the target is untouched and no temp file remains
 * (except when only the final directory fsync fails: the new bytes are then in place, but not known durable).
 * A symlink at `path` is replaced, not followed. Throws `fs.write-failed`.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array, opts: AtomicWriteOptions): void {
  if (!Number.isInteger(opts.mode) || opts.mode < 0 || opts.mode > 0o7777) throw new InternalError(`writeFileAtomic: bad mode ${String(opts.mode)}`);
  const dir = dirname(path);
  const tmp = tempPathFor(path);
  let fd: number | undefined;
  try {
    // Born private; the final mode is set explicitly below, so the content is never more exposed than asked.
    fd = openSync(tmp, 'wx', 0o600);
    writeFileSync(fd, data);
    const owner = opts.uid !== undefined || opts.gid !== undefined ? { uid: opts.uid ?? -1, gid: opts.gid ?? -1 } : ownerFor(path);
    if (owner !== undefined) fchownSync(fd, owner.uid, owner.gid);
    // After chown: chown may clear mode bits.
    fchmodSync(fd, opts.mode);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
  } catch (e) {
    if (fd !== undefined) closeQuietly(fd);
    rmQuietly(tmp);
    throw writeError(path, e, opts);
  }
  try {
    fsyncDirectory(dir);
  } catch (e) {
    throw writeError(path, e, opts);
  }
}

/**
 * The name of a temporary file for `path`: `.<name>.<pid>.<12 hex>.tmp` beside it. pid + random: unique across
 * concurrent writers and processes; `.tmp`, not `.plist`, so crash debris never looks like a job. The pid lets a later
 * run prove the writer dead and remove what a crash left (leftovers.ts matches exactly this shape).
 */
export function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
}

export { parseTempName };

/**
 * Creates `path` with `data` only if nothing exists there; false when something does. The content is complete
 * before the name appears (written to a temporary file, then hard-linked into place), so a reader, or a crash,
 * never leaves an empty or half-written file at `path`. Where hard links are not supported, falls back to O_EXCL.
 */
export function createExclusive(path: string, data: string | Uint8Array, mode: number): boolean {
  const tmp = tempPathFor(path);
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'wx', 0o600);
    writeFileSync(fd, data);
    fchmodSync(fd, mode);
    chownForHome(fd, path);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    try {
      linkSync(tmp, path);
      return true;
    } catch (e) {
      const code = errnoCode(e);
      if (code === 'EEXIST') return false;
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS' && code !== 'EMLINK') throw e;
    }
    return createWithOExcl(path, data, mode);
  } finally {
    if (fd !== undefined) closeQuietly(fd);
    rmQuietly(tmp);
  }
}

// Run as root for the operator, a file created in their home is theirs from the moment it appears (ownership.ts).
function chownForHome(fd: number, path: string): void {
  const owner = ownerFor(path);
  if (owner !== undefined) fchownSync(fd, owner.uid, owner.gid);
}

// No hard links (some network and FAT volumes): O_EXCL, removing the file again if the write fails.
function createWithOExcl(path: string, data: string | Uint8Array, mode: number): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx', mode);
  } catch (e) {
    if (errnoCode(e) === 'EEXIST') return false;
    throw e;
  }
  try {
    writeFileSync(fd, data);
    fchmodSync(fd, mode);
    chownForHome(fd, path);
    fsyncSync(fd);
  } catch (e) {
    closeQuietly(fd);
    rmQuietly(path);
    throw e;
  }
  closeSync(fd);
  return true;
}

/**
 * createExclusive for a file a person asked for (lotusctl init): throws `fs.exists` when `path` exists (it is never
 * replaced) and `fs.write-failed` otherwise, and makes the new name durable (the folder is fsynced).
 */
export function createFileExclusive(path: string, data: string | Uint8Array, opts: { mode: number }): void {
  let created: boolean;
  try {
    created = createExclusive(path, data, opts.mode);
  } catch (e) {
    throw writeError(path, e, opts);
  }
  if (!created) throw new LotusctlError('fs.exists', `${path} exists; it was not replaced`, { hint: 'move it aside, or choose another path' });
  fsyncDirectory(dirname(path));
}

/**
 * The file's bytes, or undefined when it (or a parent) does not exist. Goes through the capped reader: throws
 * `fs.not-a-file` (FIFO, device, directory), `fs.too-large` (past READ_LIMITS[kind]) or `fs.read-failed`.
 */
export function readFileIfExists(path: string, kind: ReadKind = 'plist'): Buffer | undefined {
  return readFileCappedIfExists(path, kind);
}

// Makes the rename itself durable. macOS fsync does not flush the drive cache (F_FULLFSYNC, which Node does not expose).
function fsyncDirectory(dir: string): void {
  let fd: number;
  try {
    fd = openSync(dir, 'r');
  } catch (e) {
    if (errnoCode(e) === 'EISDIR') return; // platforms where directories cannot be opened
    throw e;
  }
  try {
    fsyncSync(fd);
  } catch (e) {
    // Some file systems (network, FUSE) refuse fsync on a directory; the rename has happened all the same.
    const code = errnoCode(e);
    if (code !== 'EINVAL' && code !== 'ENOTSUP' && code !== 'EBADF') throw e;
  } finally {
    closeQuietly(fd);
  }
}

function writeError(path: string, e: unknown, opts: AtomicWriteOptions): LotusctlError {
  if (isLotusctlError(e)) return e;
  const code = errnoCode(e);
  const dir = dirname(path);
  const chown = opts.uid !== undefined || opts.gid !== undefined;
  const hints: Record<string, string> = {
    EACCES: `check that you may write to ${dir}`,
    EPERM: chown ? `setting the owner of ${path} needs root; run with sudo` : `check that you may write to ${dir}`,
    ENOENT: `directory ${dir} does not exist`,
    ENOTDIR: `a parent of ${path} is not a directory`,
    ENOSPC: 'the disk is full; free some space and try again',
    EDQUOT: 'your disk quota is exhausted; free some space and try again',
    EROFS: `${dir} is on a read-only file system`,
  };
  return new LotusctlError('fs.write-failed', `cannot write ${path}: ${code ?? String(e)}`, {
    hint: (code && hints[code]) ?? 'check the path and try again',
    cause: e,
  });
}

export function errnoCode(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // already closed or invalid: nothing left to release
  }
}

function rmQuietly(path: string): void {
  try {
    rmSync(path, { force: true });
  } catch {
    // best effort: the original error is the one worth reporting
  }
}
