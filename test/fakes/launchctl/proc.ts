// Process helpers shared by the supervisor, the CLI and the test helpers (Linux /proc aware, portable fallback).
import { readdirSync, readFileSync } from 'node:fs';

/** True while `pid` exists and is not a zombie (an unreaped zombie has already died). */
export function isAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  const st = procStat(pid);
  return st === undefined || st.state !== 'Z';
}

interface ProcStat {
  readonly state: string;
  readonly pgrp: number;
  /** Start time in clock ticks after boot (field 22): with the pid, it names one process (pids are reused). */
  readonly start: string;
}

function procStat(pid: number): ProcStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // `pid (comm) S ppid pgrp …`; comm may itself contain spaces and parentheses.
    const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { state: rest[0] ?? '', pgrp: Number(rest[2]), start: rest[19] ?? '' };
  } catch {
    return undefined;
  }
}

/** The start time of `pid` (see ProcStat.start); undefined when it is gone or there is no /proc. */
export function startOf(pid: number): string | undefined {
  return procStat(pid)?.start;
}

/**
 * Whether the process group `pgid`, whose leader started at `start`, can still be one we spawned. Linux never gives
 * a pid that is still in use as a process group id to a new process, so the id is ours while the leader lives with
 * that start time, or while it is gone; it is someone else's once a process with another start time has the pid
 * (with pid_max 32768 and busy test machines, pids wrap within minutes: never signal a group that is not ours).
 */
export function groupStillOurs(pgid: number, start: string | undefined): boolean {
  const now = procStat(pgid);
  return now === undefined || start === undefined || now.start === start;
}

/** Live (non-zombie) processes whose process group is one of `pgids`; [] where /proc is unavailable. */
export function livePidsInGroups(pgids: ReadonlySet<number>): number[] {
  if (pgids.size === 0) return [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const out: number[] = [];
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    const st = procStat(Number(e));
    if (st !== undefined && st.state !== 'Z' && pgids.has(st.pgrp)) out.push(Number(e));
  }
  return out;
}

/** Whether `pid` is a fake-launchd supervisor (guards against a recycled pid in a stale pidfile). */
export function isSupervisorProcess(pid: number): boolean {
  if (!isAlive(pid)) return false;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('supervisor.js');
  } catch {
    return true; // no /proc (macOS): trust kill(0)
  }
}

/** Blocks the thread; only for the short retry loops around the pidfile, never as test synchronisation. */
export function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Sends `sig` to a whole process group, ignoring a group that is already gone. */
export function killGroup(pgid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pgid, sig);
  } catch {
    // ESRCH: nothing left in the group.
  }
}
