// The exclusive pidfile that guarantees one supervisor per state dir, even when several CLI calls start one at once.
import { closeSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { isSupervisorProcess, sleepSync } from './proc.js';

function readPid(path: string): number | undefined {
  try {
    const n = Number(readFileSync(path, 'utf8').trim());
    return Number.isSafeInteger(n) && n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

function ageMs(path: string): number {
  try {
    return Date.now() - statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

/** The pid recorded in the pidfile if that process is a live supervisor. */
export function liveSupervisorPid(pidfile: string): number | undefined {
  const pid = readPid(pidfile);
  return pid !== undefined && isSupervisorProcess(pid) ? pid : undefined;
}

/**
 * Creates the pidfile with O_EXCL. Returns false when another live supervisor owns it.
 * A stale pidfile (its owner died without cleaning up) is removed under a second O_EXCL lock, so two starters
 * cannot both break it and then both win.
 */
export function acquirePidfile(pidfile: string, pid: number): boolean {
  const breakLock = `${pidfile}.break`;
  for (let attempt = 0; attempt < 200; attempt++) {
    try {
      const fd = openSync(pidfile, 'wx', 0o644);
      writeSync(fd, `${pid}\n`);
      closeSync(fd);
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const owner = readPid(pidfile);
    if (owner === undefined && ageMs(pidfile) < 2000) {
      sleepSync(10); // created but not yet written
      continue;
    }
    if (owner !== undefined && isSupervisorProcess(owner)) return false;
    try {
      closeSync(openSync(breakLock, 'wx'));
    } catch {
      if (ageMs(breakLock) > 5000) safeUnlink(breakLock); // a breaker died mid-way
      sleepSync(10);
      continue;
    }
    try {
      if (readPid(pidfile) === owner) safeUnlink(pidfile);
    } finally {
      safeUnlink(breakLock);
    }
  }
  return false;
}

/** Removes the pidfile if it is still ours. */
export function releasePidfile(pidfile: string, pid: number): void {
  if (readPid(pidfile) === pid) safeUnlink(pidfile);
}

export function safeUnlink(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}
