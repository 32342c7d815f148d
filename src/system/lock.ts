// One writer per state directory (Terraform's state lock): `<stateDir>/lock.json`, created with O_EXCL.
// A lock is never taken over silently, not even from a dead holder: the user runs `lotusctl force-unlock <ID>`.
import { randomUUID } from 'node:crypto';
import { chmodSync, closeSync, fsyncSync, openSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import * as z from 'zod';
import { LotusctlError } from '../model/errors.js';
import { sha256 } from '../plan/digest.js';
import { giveToOwner, makeDirs } from './ownership.js';
import { errnoCode } from './atomic-file.js';
import { FileReadError, readFileCapped } from './read-file.js';

/** Who holds the lock; the JSON content of `<stateDir>/lock.json` (a format other lotusctl processes read). */
export interface LockInfo {
  /** Random UUID; `force-unlock` must quote it. `unknown-<8 hex>` when the file is unreadable (see readLock). */
  id: string;
  /** Holder's pid on `host`; 0 when unknown. */
  pid: number;
  host: string;
  /** The lotusctl operation and an argv summary, e.g. `apply --auto-approve`. */
  command: string;
  user: string;
  /** ISO time the lock was taken. */
  since: string;
}

/** A held lock; `release()` is idempotent and removes the file only while it still carries this lock's id. */
export interface HeldLock {
  readonly info: LockInfo;
  release(): Promise<void>;
}

export const LOCK_FILE = 'lock.json';
export const DEFAULT_LOCK_WAIT_MS = 3000;
const DEFAULT_POLL_MS = 100;
/** Prefix of the id given to an empty or corrupt lock file (a crash while it was being written). */
export const UNKNOWN_LOCK_PREFIX = 'unknown-';

const lockSchema = z.object({
  id: z.string().min(1),
  pid: z.number().int().positive(),
  host: z.string(),
  command: z.string(),
  user: z.string(),
  since: z.string(),
});

export function lockPath(stateDir: string): string {
  return join(stateDir, LOCK_FILE);
}

/** How long acquireLock waits by default: `LOTUSCTL_LOCK_WAIT_MS` (whole milliseconds) or 3000. */
export function lockWaitMs(env: Readonly<Record<string, string | undefined>>): number {
  const raw = env['LOTUSCTL_LOCK_WAIT_MS'];
  if (raw === undefined || raw.trim() === '') return DEFAULT_LOCK_WAIT_MS;
  if (!/^\d+$/.test(raw.trim())) {
    throw new LotusctlError('lock.invalid-wait', `LOTUSCTL_LOCK_WAIT_MS must be a whole number of milliseconds, not "${raw}"`, {
      hint: `unset it (default ${DEFAULT_LOCK_WAIT_MS}) or set it to e.g. 10000`,
    });
  }
  return Number(raw.trim());
}

/**
 * Takes the state lock, creating `stateDir` (0700) if needed. While another process holds it, polls for up to
 * `waitMs` (default: lockWaitMs(process.env)), then throws `lock.held` naming the holder and the force-unlock ID.
 * Until released, an 'exit' handler removes the lock if this process ends without releasing it (best effort;
 * signals that kill the process skip it, and the lock stays for force-unlock).
 */
export async function acquireLock(
  stateDir: string,
  command: string,
  opts: { waitMs?: number; pollMs?: number; now?: () => Date } = {},
): Promise<HeldLock> {
  const waitMs = opts.waitMs ?? lockWaitMs(process.env);
  const pollMs = Math.max(1, opts.pollMs ?? DEFAULT_POLL_MS);
  ensureStateDir(stateDir);
  const file = lockPath(stateDir);
  const info: LockInfo = {
    id: randomUUID(), pid: process.pid, host: hostname(), command, user: currentUser(),
    since: (opts.now ?? (() => new Date()))().toISOString(),
  };
  const deadline = performance.now() + waitMs;
  let vanished = 0;
  // The first attempt runs before any await, so a caller holding the returned promise knows it was tried once.
  while (!tryCreate(file, info)) {
    const left = deadline - performance.now();
    if (left > 0) {
      await sleep(Math.min(pollMs, left));
      continue;
    }
    const holder = readLock(stateDir);
    if (holder) throw heldError(file, holder);
    // Released between our attempt and our read: try again, but a lock that keeps changing hands still ends the wait.
    if (++vanished > 3) throw new LotusctlError('lock.held', `state lock ${file} keeps changing hands`, { hint: 'another lotusctl is running; try again when it is done' });
  }
  return holdLock(file, info);
}

/**
 * The current lock, or undefined when there is none. An empty or corrupt file (a holder crashed while writing it)
 * is still a lock: it comes back with id `unknown-<first 8 hex of sha256 of its bytes>`, pid 0, host/command/user
 * `unknown` and `since` = the file's mtime. That id is what force-unlock accepts, so it only removes the very
 * file the user was shown. Throws `lock.unreadable` when the file exists but cannot be read.
 */
export function readLock(stateDir: string): LockInfo | undefined {
  const file = lockPath(stateDir);
  let bytes: Buffer;
  let mtime: Date;
  try {
    bytes = readFileCapped(file, 'lock');
    mtime = statSync(file).mtime;
  } catch (e) {
    if ((e instanceof FileReadError && e.problem === 'missing') || errnoCode(e) === 'ENOENT') return undefined;
    const why = e instanceof FileReadError ? e.detail : errnoCode(e) ?? String(e);
    throw new LotusctlError('lock.unreadable', `cannot read state lock ${file}: ${why}`, {
      hint: e instanceof FileReadError && e.problem !== 'unreadable' ? `move ${file} aside; it is not a lock lotusctl wrote` : `check the ownership of ${stateDir} (was lotusctl run with sudo?)`, cause: e,
    });
  }
  const parsed = parseLock(bytes);
  if (parsed) return parsed;
  return {
    id: `${UNKNOWN_LOCK_PREFIX}${sha256(bytes).slice(0, 8)}`, pid: 0, host: 'unknown', command: 'unknown', user: 'unknown',
    since: mtime.toISOString(),
  };
}

/** True for the placeholder readLock returns for an empty or corrupt lock file. */
export function isUnknownHolder(info: LockInfo): boolean {
  return info.id.startsWith(UNKNOWN_LOCK_PREFIX);
}

/**
 * Removes the lock with this id (`lotusctl force-unlock <ID>`). Refuses with `lock.not-locked` when there is no
 * lock, `lock.id-mismatch` when the current lock has another id, and `lock.holder-alive` when its holder is a live
 * process on this host. A holder on another host cannot be checked; the matching id is the user's word for it.
 */
export function forceUnlock(stateDir: string, id: string): { removed: LockInfo } {
  const file = lockPath(stateDir);
  const holder = readLock(stateDir);
  const wanted = id.trim();
  if (!holder) {
    throw new LotusctlError('lock.not-locked', `state ${stateDir} is not locked`, { hint: 'nothing to unlock; run your command again' });
  }
  if (holder.id !== wanted) {
    throw new LotusctlError('lock.id-mismatch', `lock ID ${wanted} does not match the current lock: ${describeHolder(holder)}`, {
      hint: 'the lock you saw was released and taken again; re-run your command to see who holds it now',
    });
  }
  if (holderLiveness(holder) === 'alive') {
    throw new LotusctlError('lock.holder-alive', `pid ${holder.pid} (${programOf(holder)}) is still running on this host and holds the lock`, {
      hint: `wait for it to finish or stop it (kill ${holder.pid}); if pid ${holder.pid} is not lotusctl (the number was reused), delete ${file} by hand`,
    });
  }
  // Residual race: a release plus a new acquire between the read above and this unlink. It needs a second
  // lotusctl to start inside that microsecond window, after its owner was reported gone.
  try {
    unlinkIfPresent(file);
  } catch (e) {
    throw ioError(`cannot remove state lock ${file}`, stateDir, e);
  }
  return { removed: holder };
}

type Liveness = 'alive' | 'dead' | 'unknown';

function holderLiveness(info: LockInfo): Liveness {
  if (isUnknownHolder(info) || info.pid <= 0 || info.host !== hostname()) return 'unknown';
  try {
    process.kill(info.pid, 0);
    return 'alive';
  } catch (e) {
    // EPERM: the process exists but belongs to someone else.
    return errnoCode(e) === 'EPERM' ? 'alive' : 'dead';
  }
}

function heldError(file: string, holder: LockInfo): LotusctlError {
  const forceHint = `lotusctl force-unlock ${holder.id}`;
  const details = [`lock file: ${file}`, `holder user: ${holder.user}`];
  if (isUnknownHolder(holder)) {
    return new LotusctlError('lock.held', `state is locked by an unknown holder: ${file} is empty or corrupt (lock ID ${holder.id})`, {
      hint: `a lotusctl probably crashed while taking the lock; if no lotusctl is running, run: ${forceHint}`, details,
    });
  }
  const liveness = holderLiveness(holder);
  const suffix = liveness === 'dead' ? `; that process looks gone (no pid ${holder.pid} on this host)` : '';
  return new LotusctlError('lock.held', `${describeHolder(holder)}${suffix}`, {
    hint: liveness === 'dead'
      ? `if no lotusctl is running, run: ${forceHint}`
      : `wait for it to finish; if that process is gone, run: ${forceHint}`,
    details,
  });
}

function describeHolder(h: LockInfo): string {
  if (isUnknownHolder(h)) return `state is locked by an unknown holder (lock ID ${h.id})`;
  return `state is locked by pid ${h.pid} on host ${h.host} (${programOf(h)}) since ${h.since} (lock ID ${h.id})`;
}

function programOf(h: LockInfo): string {
  return h.command.startsWith('lotusctl') ? h.command : `lotusctl ${h.command}`;
}

function holdLock(file: string, info: LockInfo): HeldLock {
  let held = true;
  const onExit = (): void => {
    try {
      removeIfOurs(file, info.id);
    } catch {
      // exiting anyway: a lock left behind is reported to the next run with the force-unlock hint
    }
  };
  process.on('exit', onExit);
  return {
    info,
    release: async () => {
      if (!held) return;
      held = false;
      process.off('exit', onExit);
      try {
        removeIfOurs(file, info.id);
      } catch (e) {
        throw new LotusctlError('lock.release-failed', `cannot remove state lock ${file}: ${errnoCode(e) ?? String(e)}`, {
          hint: `delete ${file} by hand once no lotusctl is running`, cause: e,
        });
      }
    },
  };
}

function removeIfOurs(file: string, id: string): void {
  let bytes: Buffer;
  try {
    bytes = readFileCapped(file, 'lock');
  } catch (e) {
    if (e instanceof FileReadError && e.problem === 'missing') return; // force-unlocked under us
    throw e;
  }
  if (parseLock(bytes)?.id === id) unlinkIfPresent(file);
}

// O_EXCL: exactly one process can create the file; false when it already exists.
function tryCreate(file: string, info: LockInfo): boolean {
  let fd: number;
  try {
    fd = openSync(file, 'wx', 0o600);
  } catch (e) {
    if (errnoCode(e) === 'EEXIST') return false;
    throw ioError(`cannot create state lock ${file}`, file, e);
  }
  try {
    writeFileSync(fd, `${JSON.stringify(info, null, 2)}\n`);
    fsyncSync(fd);
    giveToOwner(file);
  } catch (e) {
    // A half-written lock would block everyone until force-unlock: remove the file we just created.
    try { closeSync(fd); } catch { /* reported below */ }
    try { unlinkSync(file); } catch { /* reported below */ }
    throw ioError(`cannot write state lock ${file}`, file, e);
  }
  closeSync(fd);
  return true;
}

function ensureStateDir(stateDir: string): void {
  try {
    // mkdir's mode is filtered by the umask; chmod what we created so it is exactly 0700.
    if (makeDirs(stateDir, 0o700) !== undefined) chmodSync(stateDir, 0o700);
  } catch (e) {
    throw ioError(`cannot create state directory ${stateDir}`, stateDir, e);
  }
}

function ioError(what: string, path: string, e: unknown): LotusctlError {
  const code = errnoCode(e);
  const hint = code === 'EACCES' || code === 'EPERM'
    ? `you (${currentUser()}) cannot write there; check the ownership of ${path} (was lotusctl run with sudo?)`
    : code === 'ENOTDIR' || code === 'EEXIST' ? `${path} or one of its parents is not a directory` : 'check the state_dir setting and the disk';
  return new LotusctlError('lock.io', `${what}: ${code ?? String(e)}`, { hint, cause: e });
}

function parseLock(bytes: Buffer): LockInfo | undefined {
  try {
    const r = lockSchema.safeParse(JSON.parse(bytes.toString('utf8')));
    return r.success ? r.data : undefined;
  } catch {
    return undefined;
  }
}

function unlinkIfPresent(file: string): void {
  try {
    unlinkSync(file);
  } catch (e) {
    if (errnoCode(e) !== 'ENOENT') throw e;
  }
}

function currentUser(): string {
  try {
    return userInfo().username;
  } catch {
    // no passwd entry (containers): fall back to what the environment says
    return process.env.USER ?? `uid ${process.getuid?.() ?? '?'}`;
  }
}
