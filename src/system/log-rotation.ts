// Size-based rotation of the log files launchd writes (StandardOutPath, StandardErrorPath), copy-then-truncate.
//
// Why not rename, and why not newsyslog: launchd opens these files once, when it spawns the job, and the job keeps
// the descriptor (launchd_core_logic.c: job_setup_fd(j, STDOUT_FILENO, j->stdoutpath, O_WRONLY|O_APPEND|O_CREAT)).
// A rename-based rotation (newsyslog(8), the macOS way, /etc/newsyslog.d) moves the file, and the job goes on writing
// into the moved file until it restarts; newsyslog then signals the process, and Lotus has no signal that reopens its
// output (SIGHUP would stop it). newsyslog.conf(5) has no copy-truncate mode, and /etc/newsyslog.d needs root, which
// agents do not have. So the monitor copies the file and truncates it in place: because launchd opened it with
// O_APPEND, the job's next write lands at the new end (offset 0), with no hole. Lines written between the copy and
// the truncate are lost (logrotate's copytruncate has the same window); the copy is fast, so the window is small.
import { copyFileSync, constants, lstatSync, renameSync, rmSync, truncateSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { errnoCode } from './atomic-file.js';

/** What rotateLog did. */
export type RotateResult =
  | { readonly rotated: false; readonly reason: 'missing' | 'small' | 'not-regular'; readonly size?: number }
  | { readonly rotated: true; readonly size: number; readonly copy?: string };

/**
 * When `path` is a regular file (not a symlink) larger than `maxBytes`: shift `<path>.1..<path>.<keep-1>` up by one
 * (the oldest is dropped), copy the file to `<path>.1`, and truncate it to 0 in place. `keep` 0 only truncates.
 * Throws the fs error when a step fails (the file is then left as it was, or copied but not truncated).
 */
export function rotateLog(path: string, maxBytes: number, keep: number, maxKeep = 100): RotateResult {
  let size: number;
  try {
    const st = lstatSync(path);
    // A symlink or a device is not a log launchd created: never copy or truncate what it points at.
    if (!st.isFile()) return { rotated: false, reason: 'not-regular' };
    size = st.size;
  } catch (e) {
    if (errnoCode(e) === 'ENOENT' || errnoCode(e) === 'ENOTDIR') return { rotated: false, reason: 'missing' };
    throw e;
  }
  if (size <= maxBytes) return { rotated: false, reason: 'small', size };
  if (keep <= 0) {
    for (let i = 1; i <= maxKeep; i++) rmSync(`${path}.${i}`, { force: true });
    truncateSync(path, 0);
    return { rotated: true, size };
  }
  for (let i = keep - 1; i >= 1; i--) {
    try {
      renameSync(`${path}.${i}`, `${path}.${i + 1}`);
    } catch (e) {
      if (errnoCode(e) !== 'ENOENT') throw e;
    }
  }
  // Copies past `keep` (left by a larger keep before) go too.
  for (let i = keep + 1; i <= maxKeep; i++) rmSync(`${path}.${i}`, { force: true });
  const copy = `${path}.1`;
  // Copied under a fresh name, then renamed: a symlink planted at <path>.1 is replaced, never written through.
  const tmp = `${path}.1.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    copyFileSync(path, tmp, constants.COPYFILE_EXCL);
    renameSync(tmp, copy);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
  truncateSync(path, 0);
  return { rotated: true, size, copy };
}
