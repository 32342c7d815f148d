// One writer per state directory (Terraform's state lock): `<stateDir>/lock.json`, created exclusively and complete.
// It records its holder (pid, process start time, boot id, host), so a lock cannot outlive its holder on the same
// machine: the next run proves the holder dead (process-identity.ts) and takes the lock over, saying so. A live holder
// is never overridden; a holder that cannot be proven dead (another host, a shared network volume, a corrupt file)
// keeps the lock until `lotusctl force-unlock <ID>`. Not flock(2): Node has none, and a native addon would need a
// compiler on every Mac it is installed on; the recorded holder also tells the next run and the monitor who it was.
import { randomUUID } from 'node:crypto';
import { chmodSync, readdirSync, statSync, unlinkSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import '../model/zod-config.js';
import * as z from 'zod';
import { LotusctlError } from '../model/errors.js';
import { LOCK_FILE } from '../model/state-files.js';
import { sha256 } from '../plan/digest.js';
import { makeDirs } from './ownership.js';
import { createExclusive, errnoCode } from './atomic-file.js';
import { liveness, selfRecord, type Liveness, type ProcessRecord } from './process-identity.js';
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
  /** The holder's start-time token and boot id (process-identity.ts); absent in locks of older lotusctl versions. */
  start?: string;
  boot?: string;
}

/** A held lock; `release()` is idempotent and removes the file only while it still carries this lock's id. */
export interface HeldLock {
  readonly info: LockInfo;
  /** Set when the lock was taken over from a holder proven dead; `message` is the one line to show. */
  readonly tookOver?: { readonly holder: LockInfo; readonly message: string };
  release(): Promise<void>;
}

/** The current lock and whether its holder lives. */
export interface LockStatus {
  readonly holder: LockInfo;
  readonly liveness: Liveness;
}

export { LOCK_FILE };
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
  start: z.string().min(1).optional(),
  boot: z.string().min(1).optional(),
});
// Takeover guards: `lock.json.takeover-<dead lock id>-<generation>` (see breakStaleLock).
const GUARD = /^lock\.json\.takeover-([A-Za-z0-9-]{1,80})-(\d{1,3})$/;
const MAX_GUARDS = 100;

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
 * Takes the state lock, creating `stateDir` (0700) if needed. A lock whose holder is proven dead (no longer running,
 * its pid reused, or the machine restarted since) is taken over at once, and `tookOver` says so. While a live holder
 * (or one that cannot be proven dead) holds it, polls for up to `waitMs` (default: lockWaitMs(process.env)), then
 * throws `lock.held` naming the holder. Until released, an 'exit' handler removes the lock if this process ends
 * without releasing it (signals that kill the process skip it; the next run then proves this process dead).
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
  const me = await selfRecord();
  const info: LockInfo = {
    id: randomUUID(), pid: process.pid, host: hostname(), command, user: currentUser(),
    since: (opts.now ?? (() => new Date()))().toISOString(),
    ...(me.start !== undefined ? { start: me.start } : {}), ...(me.boot !== undefined ? { boot: me.boot } : {}),
  };
  const deadline = performance.now() + waitMs;
  let vanished = 0;
  let tookOver: HeldLock['tookOver'];
  while (!tryCreate(file, info)) {
    const holder = readLock(stateDir);
    if (!holder) {
      // Released between our attempt and our read: try again, but a lock that keeps changing hands still ends the wait.
      if (++vanished > 3 && performance.now() > deadline) {
        throw new LotusctlError('lock.held', `state lock ${file} keeps changing hands`, { hint: 'another lotusctl is running; try again when it is done' });
      }
      continue;
    }
    const status = await holderLiveness(holder, stateDir);
    // Said only when this process gets the lock right after removing the dead one (another may be faster).
    tookOver = status.verdict === 'dead' && await breakStaleLock(stateDir, holder, me)
      ? { holder, message: `took over the lock of ${programOf(holder)} pid ${holder.pid}, ${status.why}` }
      : undefined;
    if (tookOver) continue;
    const left = deadline - performance.now();
    if (left > 0) {
      await sleep(Math.min(pollMs, left));
      continue;
    }
    throw heldError(file, holder, status);
  }
  // Guards of takeovers that a crash interrupted are debris once we hold the lock.
  removeTakeoverDebris(stateDir, info.id);
  return holdLock(file, info, tookOver);
}

/**
 * Read-only: returns once no live lotusctl holds the state lock (none, or its holder proven dead), polling for up to
 * `waitMs`; then throws `lock.held` naming the holder, as acquireLock does. For readers that must not take the lock.
 */
export async function waitWhileLocked(stateDir: string, opts: { waitMs?: number; pollMs?: number } = {}): Promise<void> {
  const deadline = performance.now() + (opts.waitMs ?? lockWaitMs(process.env));
  const pollMs = Math.max(1, opts.pollMs ?? DEFAULT_POLL_MS);
  for (;;) {
    const holder = readLock(stateDir);
    if (holder === undefined) return;
    const status = await holderLiveness(holder, stateDir);
    if (status.verdict === 'dead') return;
    const left = deadline - performance.now();
    if (left <= 0) throw heldError(lockPath(stateDir), holder, status);
    await sleep(Math.min(pollMs, left));
  }
}

/** The current lock and its holder's liveness, or undefined when there is none. Throws like readLock. */
export async function lockStatus(stateDir: string): Promise<LockStatus | undefined> {
  const holder = readLock(stateDir);
  return holder === undefined ? undefined : { holder, liveness: await holderLiveness(holder, stateDir) };
}

/** The one line that says whose lock this is and whether it lives, e.g. for plan and the monitor. */
export function describeLockStatus(s: LockStatus): string {
  if (isUnknownHolder(s.holder)) return `the state lock ${s.holder.id} is held by an unknown holder (an empty or corrupt lock file)`;
  const who = `${programOf(s.holder)} pid ${s.holder.pid}`;
  return s.liveness.verdict === 'unknown' ? `the state lock of ${who} may be stale: ${s.liveness.why}` : `the state lock of ${who}, ${s.liveness.why}`;
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
export async function forceUnlock(stateDir: string, id: string): Promise<{ removed: LockInfo }> {
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
  if ((await holderLiveness(holder, stateDir)).verdict === 'alive') {
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

function holderLiveness(info: LockInfo, stateDir: string): Promise<Liveness> {
  if (isUnknownHolder(info)) return Promise.resolve({ verdict: 'unknown', why: 'the lock file is empty or corrupt' });
  return liveness(info, stateDir);
}

/**
 * Removes the lock of a holder proven dead, if it is still that lock. Racing takers are serialized by guard files
 * `lock.json.takeover-<id>-<n>` created exclusively (each records its creator): only the creator of a guard whose
 * lower generations all have dead creators may unlink, and it re-reads lock.json under the guard, so it never removes
 * a lock taken in between. A crash inside leaves a guard whose creator is dead: the next taker uses generation n+1.
 * True when the dead lock is gone (by us), false when someone else is taking it over (the caller waits).
 * Exported for its tests; callers use acquireLock.
 */
export async function breakStaleLock(stateDir: string, dead: LockInfo, me: ProcessRecord): Promise<boolean> {
  if (!/^[A-Za-z0-9-]{1,80}$/.test(dead.id)) return false;
  const file = lockPath(stateDir);
  for (let n = 0; n < MAX_GUARDS; n++) {
    const guard = join(stateDir, `${LOCK_FILE}.takeover-${dead.id}-${n}`);
    let created: boolean;
    try {
      created = createExclusive(guard, `${JSON.stringify(me)}\n`, 0o600);
    } catch (e) {
      throw ioError(`cannot take over state lock ${file}`, stateDir, e);
    }
    if (created) {
      try {
        const now = readLock(stateDir);
        if (now?.id !== dead.id) return false;
        unlinkIfPresent(file);
        return true;
      } finally {
        for (let g = 0; g <= n; g++) rmQuietly(join(stateDir, `${LOCK_FILE}.takeover-${dead.id}-${g}`));
      }
    }
    const creator = readGuard(guard);
    // Gone: its creator finished the takeover; the caller reads the lock again. Unreadable: cannot be judged.
    if (creator === undefined) return false;
    if ((await liveness(creator, stateDir)).verdict !== 'dead') return false;
  }
  return false;
}

function readGuard(path: string): ProcessRecord | undefined {
  try {
    const r = guardSchema.safeParse(JSON.parse(readFileCapped(path, 'lock').toString('utf8')));
    return r.success ? { pid: r.data.pid, host: r.data.host, ...(r.data.start ? { start: r.data.start } : {}), ...(r.data.boot ? { boot: r.data.boot } : {}) } : undefined;
  } catch {
    return undefined;
  }
}

const guardSchema = z.object({ pid: z.number().int().positive(), host: z.string(), start: z.string().optional(), boot: z.string().optional() });

/** Guard files of other locks than `heldId`: only debris of interrupted takeovers once `heldId` is held. */
function removeTakeoverDebris(stateDir: string, heldId: string): void {
  let names: string[];
  try {
    names = readdirSync(stateDir);
  } catch {
    return;
  }
  for (const n of names) {
    const m = GUARD.exec(n);
    if (m && m[1] !== heldId) rmQuietly(join(stateDir, n));
  }
}

function heldError(file: string, holder: LockInfo, status: Liveness): LotusctlError {
  const forceHint = `lotusctl force-unlock ${holder.id}`;
  const details = [`lock file: ${file}`, `holder user: ${holder.user}`];
  if (isUnknownHolder(holder)) {
    return new LotusctlError('lock.held', `state is locked by an unknown holder: ${file} is empty or corrupt (lock ID ${holder.id})`, {
      hint: `a lotusctl probably crashed while taking the lock; if no lotusctl is running, run: ${forceHint}`, details,
    });
  }
  if (status.verdict === 'unknown') {
    return new LotusctlError('lock.held', `${describeHolder(holder)}; lotusctl cannot prove it has ended: ${status.why}`, {
      hint: `if no lotusctl is running${holder.host !== hostname() ? ` on ${holder.host}` : ''}, run: ${forceHint}`, details,
    });
  }
  // Alive (or dead, but another process is taking it over right now).
  return new LotusctlError('lock.held', describeHolder(holder), {
    hint: holder.start !== undefined
      ? `wait for it to finish${status.verdict === 'alive' ? ` (or stop it: kill ${holder.pid})` : ''}, then run your command again`
      : `wait for it to finish; if pid ${holder.pid} is not lotusctl (the number was reused), run: ${forceHint}`,
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

function holdLock(file: string, info: LockInfo, tookOver: HeldLock['tookOver']): HeldLock {
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
    ...(tookOver ? { tookOver } : {}),
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

// Exactly one process can create the file, and it appears complete (never empty or half-written).
function tryCreate(file: string, info: LockInfo): boolean {
  try {
    return createExclusive(file, `${JSON.stringify(info, null, 2)}\n`, 0o600);
  } catch (e) {
    throw ioError(`cannot create state lock ${file}`, file, e);
  }
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

function rmQuietly(file: string): void {
  try {
    unlinkIfPresent(file);
  } catch {
    // debris that cannot be removed now is tried again by the next run
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
