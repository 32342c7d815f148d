// Who a process is beyond its pid: when it started and in which boot of which machine. A recorded holder (the state
// lock, a journal entry, a temporary file's writer) is proven dead when its pid is gone, when its pid now belongs to a
// process that started at another time (pid reuse), or when the machine has booted since. Linux: /proc; macOS:
// `ps -o lstart=` (process-stats.ts owns ps) and `sysctl -n kern.bootsessionuuid` (sysctl.ts owns sysctl).
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { errnoCode } from './atomic-file.js';
import { isNetworkVolume } from './volumes.js';

/** A process as recorded by itself: enough for another run to tell whether it still lives. */
export interface ProcessRecord {
  readonly pid: number;
  readonly host: string;
  /** Opaque start-time token of the process (Linux: clock ticks after boot; macOS: ps lstart in UTC). */
  readonly start?: string;
  /** Opaque id of the boot the process ran in (Linux boot_id, macOS kern.bootsessionuuid). */
  readonly boot?: string;
}

/** A process's start: the token to compare, and the time as epoch ms when it could be worked out. */
export interface ProcessStart {
  readonly token: string;
  readonly atMs: number | undefined;
}

export type Verdict = 'alive' | 'dead' | 'unknown';

/**
 * `why` completes "…pid 4242, which is no longer running" (dead, alive), or says in a clause why it cannot be told
 * (unknown, e.g. "it was taken on host mac-2, whose processes this machine cannot see").
 */
export interface Liveness {
  readonly verdict: Verdict;
  readonly why: string;
}

/** What this machine says now about a recorded process. */
export interface LivenessFacts {
  readonly host: string;
  readonly boot: string | undefined;
  /** A process with the recorded pid exists now (one owned by another user counts). */
  readonly exists: boolean;
  /** Start token of the process that has the pid now, when it exists and could be read. */
  readonly start: string | undefined;
  /** The record lives on a network volume (true), a local one (false) or one that cannot be told (undefined). */
  readonly networkVolume: boolean | undefined;
}

/**
 * The rule, pure. Dead needs proof: same machine (same host name, or the same boot id), and then the pid is gone,
 * or belongs to a process with another start time, or the machine has booted since (on a local volume only: a network
 * volume may be shared by another machine of the same name). Everything else that exists is alive; what cannot be
 * checked (another host, an unreadable record) is unknown, and never taken over.
 */
export function judgeLiveness(r: ProcessRecord, f: LivenessFacts): Liveness {
  if (!Number.isSafeInteger(r.pid) || r.pid <= 0) return { verdict: 'unknown', why: 'it records no pid' };
  const sameBoot = r.boot !== undefined && f.boot !== undefined && r.boot === f.boot;
  if (r.host !== f.host && !sameBoot) return { verdict: 'unknown', why: `it was taken on host ${r.host}, whose processes this machine cannot see` };
  if (!sameBoot && f.networkVolume !== false) {
    // Same name, but maybe not the same machine: its pids say nothing here.
    return { verdict: 'unknown', why: f.networkVolume === true
      ? 'the state folder is on a network volume, which another machine may share'
      : 'lotusctl cannot tell whether the state folder is on a volume another machine shares' };
  }
  if (r.boot !== undefined && f.boot !== undefined && !sameBoot) return { verdict: 'dead', why: 'which is no longer running (the machine has restarted since)' };
  if (!f.exists) return { verdict: 'dead', why: 'which is no longer running' };
  if (r.start !== undefined && f.start !== undefined && r.start !== f.start) {
    return { verdict: 'dead', why: `which is no longer running (pid ${r.pid} now belongs to another process)` };
  }
  return { verdict: 'alive', why: 'which is still running' };
}

/** starttime (field 22) of a /proc/<pid>/stat line; the command name (field 2) may hold spaces and parentheses. */
export function parseProcStat(text: string): string | undefined {
  const close = text.lastIndexOf(')');
  if (close < 0) return undefined;
  const fields = text.slice(close + 1).trim().split(/\s+/);
  // fields[0] is field 3 (state), so field 22 is fields[19].
  const start = fields[19];
  return start !== undefined && /^\d+$/.test(start) ? start : undefined;
}

/** `btime` (boot time, epoch seconds) from /proc/stat. */
export function parseProcBtime(text: string): number | undefined {
  const m = /^btime\s+(\d+)$/m.exec(text);
  return m ? Number(m[1]) : undefined;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `ps -o lstart=` in the C locale and UTC (`Mon Nov 30 09:00:00 2026`) -> epoch ms. */
export function parseLstart(text: string): number | undefined {
  const m = /^[A-Z][a-z]{2}\s+([A-Z][a-z]{2})\s+(\d{1,2})\s+(\d{2}):(\d{2}):(\d{2})\s+(\d{4})$/.exec(text.trim());
  if (!m) return undefined;
  const month = MONTHS.indexOf(m[1] as string);
  if (month < 0) return undefined;
  return Date.UTC(Number(m[6]), month, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]));
}

// Linux's USER_HZ, the unit of /proc starttime, is 100 on every common architecture (sysconf is out of Node's reach).
const LINUX_TICKS_PER_SECOND = 100;

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** When the process with `pid` started; undefined when it does not exist or its start cannot be read. */
export async function processStart(pid: number, platform: string = process.platform): Promise<ProcessStart | undefined> {
  if (!Number.isSafeInteger(pid) || pid <= 0) return undefined;
  if (platform === 'linux') {
    const stat = readText(`/proc/${pid}/stat`);
    const ticks = stat === undefined ? undefined : parseProcStat(stat);
    if (ticks === undefined) return undefined;
    const btime = parseProcBtime(readText('/proc/stat') ?? '');
    return { token: ticks, atMs: btime === undefined ? undefined : btime * 1000 + Math.floor((Number(ticks) * 1000) / LINUX_TICKS_PER_SECOND) };
  }
  if (platform === 'darwin') {
    // lstart is wall-clock time to the second; not verified on a Mac whether a clock step moves it (XNU keeps p_start).
    // Loaded only here: ps and sysctl (and execa) are macOS-only, and plan on Linux never needs them.
    const { processStartText } = await import('./process-stats.js');
    const text = await processStartText(pid);
    return text === undefined ? undefined : { token: text, atMs: parseLstart(text) };
  }
  return undefined;
}

let bootCache: Promise<string | undefined> | undefined;

/** This boot's id (Linux boot_id, macOS kern.bootsessionuuid); cached for the life of the process. */
export function currentBoot(platform: string = process.platform): Promise<string | undefined> {
  if (platform !== process.platform) return readBoot(platform);
  bootCache ??= readBoot(platform);
  return bootCache;
}

async function readBoot(platform: string): Promise<string | undefined> {
  if (platform === 'linux') return parseUuid(readText('/proc/sys/kernel/random/boot_id') ?? '');
  if (platform === 'darwin') return (await import('./sysctl.js')).bootSessionUuid({ platform });
  return undefined;
}

let selfCache: Promise<ProcessRecord> | undefined;

/** This process as others will judge it; cached (it does not change while the process lives). */
export function selfRecord(): Promise<ProcessRecord> {
  selfCache ??= (async () => {
    const [start, boot] = await Promise.all([processStart(process.pid), currentBoot()]);
    return { pid: process.pid, host: hostname(), ...(start ? { start: start.token } : {}), ...(boot ? { boot } : {}) };
  })();
  return selfCache;
}

/** Whether a process with this pid exists (EPERM: it does, owned by someone else). */
export function pidExists(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return errnoCode(e) === 'EPERM';
  }
}

/** Judges a recorded process against this machine now; `folder` is where the record lives (for the volume check). */
export async function liveness(r: ProcessRecord, folder: string): Promise<Liveness> {
  const exists = pidExists(r.pid);
  const [boot, start] = await Promise.all([currentBoot(), exists && r.start !== undefined ? processStart(r.pid) : Promise.resolve(undefined)]);
  // No start read for a pid that existed: it ended in between (gone now), or its start is unreadable (still there).
  const stillExists = exists && (r.start === undefined || start !== undefined || pidExists(r.pid));
  const base = { host: hostname(), boot, exists: stillExists, start: start?.token };
  const sameBoot = r.boot !== undefined && boot !== undefined && r.boot === boot;
  // The volume only matters when the boot cannot vouch for the machine; spare the mount call otherwise.
  const networkVolume = sameBoot ? false : await isNetworkVolume(folder);
  return judgeLiveness(r, { ...base, networkVolume });
}

/** A boot id as read (`/proc/sys/kernel/random/boot_id`, `sysctl -n kern.bootsessionuuid`): one UUID, upper-cased. */
export function parseUuid(text: string): string | undefined {
  const t = text.trim();
  return /^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$/.test(t) ? t.toUpperCase() : undefined;
}
