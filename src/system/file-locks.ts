// Who holds a POSIX (fcntl) lock on a file, without touching the file: Lotus's repo.lock holds no pid
// (specs/lotus-operations.md §6: "find the holder with lsof <repo>/repo.lock"). Linux: the kernel's own table,
// /proc/locks. Elsewhere (macOS): `lsof -F pfl`, whose `l` field is the lock held on that descriptor.
// This module owns the `lsof` binary.
import { readFileSync, readlinkSync, readdirSync, statSync } from 'node:fs';
import { execa } from 'execa';
import { errnoCode } from './atomic-file.js';

/** What can be told about the lock on a file. */
export type LockHolder =
  | { readonly kind: 'held'; readonly pid: number; readonly via: 'proc-locks' | 'lsof'; readonly lockType?: string }
  /** No process holds a lock on it. `scope` says what the answer covers when it may not cover everything. */
  | { readonly kind: 'free'; readonly via: 'proc-locks' | 'lsof'; readonly scope?: string }
  /** Processes have it open, but lsof did not say whether any of them holds a lock. */
  | { readonly kind: 'open'; readonly pids: readonly number[]; readonly via: 'lsof' }
  | { readonly kind: 'unknown'; readonly why: string };

export interface LockQueryOptions {
  readonly platform?: string;
  readonly procLocks?: string;
  readonly lsof?: string;
  readonly timeoutMs?: number;
  /** The caller's uid (lsof without root sees only that user's processes). */
  readonly uid?: number;
}

/** One line of /proc/locks that names a holder (waiters, marked `->`, are left out). */
export interface ProcLock { readonly type: string; readonly pid: number; readonly major: number; readonly minor: number; readonly ino: bigint }

/** Parses /proc/locks: `1: POSIX  ADVISORY  WRITE 3658 fe:00:2146324 0 EOF`. */
export function parseProcLocks(text: string): ProcLock[] {
  const out: ProcLock[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*\d+:\s+(?!->)(\S+)\s+\S+\s+\S+\s+(-?\d+)\s+([0-9a-f]+):([0-9a-f]+):(\d+)\s/.exec(line);
    if (!m) continue;
    out.push({ type: m[1] as string, pid: Number(m[2]), major: parseInt(m[3] as string, 16), minor: parseInt(m[4] as string, 16), ino: BigInt(m[5] as string) });
  }
  return out;
}

/** glibc's dev_t encoding (what stat returns on Linux) -> the kernel's major and minor. */
export function devMajorMinor(dev: bigint): { major: number; minor: number } {
  return { major: Number(((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn)), minor: Number((dev & 0xffn) | ((dev >> 12n) & ~0xffn)) };
}

function hasOpen(pid: number, path: string): boolean | undefined {
  try {
    return readdirSync(`/proc/${pid}/fd`).some((fd) => {
      try {
        return readlinkSync(`/proc/${pid}/fd/${fd}`) === path;
      } catch {
        return false;
      }
    });
  } catch {
    return undefined;
  }
}

function fromProcLocks(path: string, text: string): LockHolder {
  const st = statSync(path, { bigint: true });
  const { major, minor } = devMajorMinor(st.dev);
  const same = parseProcLocks(text).filter((l) => l.ino === st.ino && l.pid > 0);
  const exact = same.find((l) => l.major === major && l.minor === minor);
  if (exact) return { kind: 'held', pid: exact.pid, via: 'proc-locks', lockType: exact.type };
  // Overlay file systems report another device in stat than the kernel uses for the lock: confirm through the fd table.
  const confirmed = same.find((l) => hasOpen(l.pid, path) === true);
  if (confirmed) return { kind: 'held', pid: confirmed.pid, via: 'proc-locks', lockType: confirmed.type };
  return { kind: 'free', via: 'proc-locks' };
}

/** Reads `lsof -F pfl` output: `p<pid>`, then per descriptor `f<fd>` and `l<lock>` (space or absent = none). */
export function parseLsofLocks(text: string): { held?: number; open: number[] } {
  let pid: number | undefined;
  const open = new Set<number>();
  let held: number | undefined;
  for (const line of text.split('\n')) {
    const tag = line[0];
    const value = line.slice(1);
    if (tag === 'p') {
      pid = Number(value);
      if (Number.isSafeInteger(pid) && pid > 0) open.add(pid);
    } else if (tag === 'l' && pid !== undefined && held === undefined) {
      // lsof's lock characters: r/R read, w/W write, u read+write, U unknown, x/X SCO; space = none.
      if (/^[rRwWuUxX]$/.test(value.trim())) held = pid;
    }
  }
  return { ...(held !== undefined ? { held } : {}), open: [...open] };
}

/** Who holds an fcntl lock on `path` (which must exist). Never opens, locks or changes the file. */
export async function fcntlLockHolder(path: string, opts: LockQueryOptions = {}): Promise<LockHolder> {
  const platform = opts.platform ?? process.platform;
  if (platform === 'linux') {
    try {
      return fromProcLocks(path, readFileSync(opts.procLocks ?? '/proc/locks', 'utf8'));
    } catch (e) {
      if (errnoCode(e) !== 'ENOENT') return { kind: 'unknown', why: `cannot read /proc/locks: ${errnoCode(e) ?? String(e)}` };
    }
  }
  const r = await execa(opts.lsof ?? 'lsof', ['-F', 'pfl', '--', path], { reject: false, timeout: opts.timeoutMs ?? 10_000, stdin: 'ignore', env: { LC_ALL: 'C' } });
  if (r.exitCode === undefined || r.failed && r.exitCode !== 1) {
    const missing = (r as { code?: string }).code === 'ENOENT';
    return { kind: 'unknown', why: missing ? 'lsof is not available here' : `lsof failed: ${String(r.stderr || r.shortMessage).split('\n')[0]}` };
  }
  const parsed = parseLsofLocks(String(r.stdout));
  if (parsed.held !== undefined) return { kind: 'held', pid: parsed.held, via: 'lsof' };
  if (parsed.open.length > 0) return { kind: 'open', pids: parsed.open, via: 'lsof' };
  // An fcntl lock needs an open descriptor, so "nobody has it open" means "nobody holds it", as far as lsof can see.
  const uid = opts.uid ?? process.getuid?.();
  return uid === 0 ? { kind: 'free', via: 'lsof' } : { kind: 'free', via: 'lsof', scope: `lsof run as uid ${uid ?? '?'} sees only that user's processes` };
}
