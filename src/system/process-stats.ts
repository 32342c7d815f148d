// Resident memory and age of one process, from `ps` (the same flags work on macOS and Linux procps).
// Not systeminformation: si.processes() lists every process, and si.processLoad() matches by name and reports %mem, not RSS.
import { execa } from 'execa';

/** One process as `ps` saw it. */
export interface ProcessStats {
  readonly rssBytes: number;
  /** Time since the process started (ps `etime`, whole seconds). */
  readonly elapsedMs: number;
}

/** `[[dd-]hh:]mm:ss` (ps etime) -> milliseconds; undefined when it is not that shape. */
export function parseEtime(text: string): number | undefined {
  const m = /^(?:(?:(\d+)-)?(\d+):)?(\d+):(\d+)$/.exec(text.trim());
  if (!m) return undefined;
  const [days, hours, minutes, seconds] = [m[1], m[2], m[3], m[4]].map((v) => Number(v ?? 0)) as [number, number, number, number];
  if (minutes > 59 || seconds > 59 || (m[1] !== undefined && hours > 23)) return undefined;
  return (((days * 24 + hours) * 60 + minutes) * 60 + seconds) * 1000;
}

/** The output of `ps -o rss=,etime= -p <pid>` -> stats; undefined when it is empty or unreadable. RSS is in KiB. */
export function parsePsLine(text: string): ProcessStats | undefined {
  const line = text.split('\n').map((l) => l.trim()).find((l) => l !== '');
  const m = line === undefined ? null : /^(\d+)\s+(\S+)$/.exec(line);
  if (!m) return undefined;
  const elapsedMs = parseEtime(m[2] as string);
  if (elapsedMs === undefined) return undefined;
  return { rssBytes: Number(m[1]) * 1024, elapsedMs };
}

/** Stats of `pid`, or undefined when it does not exist, ps fails, or ps does not answer within `timeoutMs`. */
export async function processStats(pid: number, opts: { timeoutMs?: number } = {}): Promise<ProcessStats | undefined> {
  if (!Number.isSafeInteger(pid) || pid <= 0) return undefined;
  const r = await execa('ps', ['-o', 'rss=,etime=', '-p', String(pid)], {
    reject: false, timeout: opts.timeoutMs ?? 5000, stdin: 'ignore', env: { LC_ALL: 'C' }, extendEnv: true,
  });
  if (r.exitCode !== 0 || typeof r.stdout !== 'string') return undefined;
  return parsePsLine(r.stdout);
}

/** Parent pid and command line of one process. */
export interface ProcessInfo {
  readonly pid: number;
  readonly ppid: number;
  /** The command line as ps prints it (`args`), possibly cut by ps. */
  readonly command: string;
}

/** `ps -o ppid=,args= -p <pid>` output -> info; undefined when empty or unreadable. */
export function parsePsInfo(pid: number, text: string): ProcessInfo | undefined {
  const line = text.split('\n').find((l) => l.trim() !== '');
  const m = line === undefined ? null : /^\s*(\d+)\s+(.*)$/.exec(line);
  return m ? { pid, ppid: Number(m[1]), command: (m[2] as string).trim() } : undefined;
}

/** Parent and command of `pid`; undefined when it does not exist or ps fails. */
export async function processInfo(pid: number, opts: { timeoutMs?: number } = {}): Promise<ProcessInfo | undefined> {
  if (!Number.isSafeInteger(pid) || pid <= 0) return undefined;
  const r = await execa('ps', ['-o', 'ppid=,args=', '-p', String(pid)], {
    reject: false, timeout: opts.timeoutMs ?? 5000, stdin: 'ignore', env: { LC_ALL: 'C' }, extendEnv: true,
  });
  if (r.exitCode !== 0 || typeof r.stdout !== 'string') return undefined;
  return parsePsInfo(pid, r.stdout);
}

/** `pid` and its ancestors, nearest first, up to `depth` steps (stops at pid 1 or an unreadable process). */
export async function processAncestry(pid: number, depth = 4, opts: { timeoutMs?: number } = {}): Promise<ProcessInfo[]> {
  const out: ProcessInfo[] = [];
  let next = pid;
  for (let i = 0; i <= depth && next > 1; i++) {
    const info = await processInfo(next, opts);
    if (!info) break;
    out.push(info);
    next = info.ppid;
  }
  return out;
}

/**
 * `ps -o lstart= -p <pid>` (the process's start time, to the second) in the C locale and UTC, so two runs with
 * different TZ or LANG read the same text for the same process. undefined when there is no such process or ps fails.
 */
export async function processStartText(pid: number, opts: { timeoutMs?: number } = {}): Promise<string | undefined> {
  if (!Number.isSafeInteger(pid) || pid <= 0) return undefined;
  const r = await execa('ps', ['-o', 'lstart=', '-p', String(pid)], {
    reject: false, timeout: opts.timeoutMs ?? 5000, stdin: 'ignore', env: { LC_ALL: 'C', TZ: 'UTC0' }, extendEnv: true,
  });
  if (r.exitCode !== 0 || typeof r.stdout !== 'string') return undefined;
  const line = r.stdout.split('\n').map((l) => l.trim()).find((l) => l !== '');
  return line === undefined ? undefined : line.replace(/\s+/g, ' ');
}
