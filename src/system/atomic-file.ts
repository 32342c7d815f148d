// Crash-safe file replacement: readers see the old bytes or the new bytes, never a mix.
// Not the write-file-atomic package: it does not fsync the directory and it swallows chown EPERM for non-root.
import { closeSync, fchmodSync, fchownSync, fsyncSync, linkSync, openSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { InternalError, LotusctlError, isLotusctlError } from '../model/errors.js';
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
  // pid + random: unique across concurrent writers and processes; `.tmp`, not `.plist`, so crash debris never looks like a job.
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
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
 * Creates `path` with `data` only if it does not exist: a complete temp file is hard-linked into place (link(2)
 * fails with EEXIST and never replaces), so readers never see a partial file and an existing one is never clobbered.
 * Throws `fs.exists` when `path` exists, `fs.write-failed` otherwise.
 */
export function createFileExclusive(path: string, data: string | Uint8Array, opts: { mode: number }): void {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    writeFileAtomic(tmp, data, opts);
    linkSync(tmp, path);
  } catch (e) {
    if (errnoCode(e) === 'EEXIST') throw new LotusctlError('fs.exists', `${path} exists; it was not replaced`, { hint: 'move it aside, or choose another path' });
    throw writeError(path, e, opts);
  } finally {
    rmQuietly(tmp);
  }
  fsyncDirectory(dir);
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
