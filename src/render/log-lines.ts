// Pure helpers for `lotusctl logs`: interleave the tails of several files by their timestamps, label lines, and render
// the monitor's JSON log lines readably.
import type { Colors } from './colors.js';

/** One shown log file: its label (`daemon/stderr`) and its last lines, oldest first. */
export interface LogTail {
  readonly label: string;
  readonly lines: readonly string[];
}

// Lotus (zap) and most loggers start a line with an ISO-8601 time: `2026-08-06T10:00:00.123+0200` or `...Z`.
const LEADING_TIME = /^\s*(\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d+)?)(Z|[+-]\d\d:?\d\d)?/;

/** The time a log line starts with (ISO text, or a JSON line's `time`/`ts`), in Unix ms; undefined when it has none. */
export function lineTime(line: string): number | undefined {
  const m = LEADING_TIME.exec(line);
  if (m) {
    const zone = m[2] === undefined ? '' : m[2] === 'Z' ? 'Z' : m[2].includes(':') ? m[2] : `${m[2].slice(0, 3)}:${m[2].slice(3)}`;
    const t = Date.parse(`${(m[1] as string).replace(' ', 'T').replace(',', '.')}${zone}`);
    return Number.isFinite(t) ? t : undefined;
  }
  if (line.startsWith('{')) {
    try {
      const o = JSON.parse(line) as Record<string, unknown>;
      const v = o['time'] ?? o['ts'];
      const t = typeof v === 'string' ? Date.parse(v) : typeof v === 'number' ? (v < 1e11 ? v * 1000 : v) : NaN;
      return Number.isFinite(t) ? t : undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/**
 * The tails as one sequence of `{label, line}`. When every file has timestamps, lines are merged in time order (a line
 * without one, such as a stack trace, keeps the time of the line before it) and the last `n` are kept; otherwise each
 * file's tail is shown whole, one file after the other, because an order cannot be known.
 */
export function interleave(tails: readonly LogTail[], n: number): { merged: boolean; lines: Array<{ label: string; line: string }> } {
  const nonEmpty = tails.filter((t) => t.lines.length > 0);
  const timed = nonEmpty.map((t) => {
    const times = t.lines.map(lineTime);
    const first = times.find((x) => x !== undefined);
    let last = first;
    return { t, times: times.map((x) => (x === undefined ? last : (last = x))), ok: first !== undefined };
  });
  if (nonEmpty.length <= 1 || !timed.every((x) => x.ok)) {
    return { merged: false, lines: nonEmpty.flatMap((t) => t.lines.map((line) => ({ label: t.label, line }))) };
  }
  const all = timed.flatMap((x, fi) => x.t.lines.map((line, i) => ({ label: x.t.label, line, time: x.times[i] as number, fi, i })));
  all.sort((a, b) => a.time - b.time || a.fi - b.fi || a.i - b.i);
  return { merged: true, lines: all.slice(Math.max(0, all.length - n)).map(({ label, line }) => ({ label, line })) };
}

/** `label | line` when several files are shown, the bare line otherwise. */
export function labelLine(label: string, line: string, show: boolean, c: Colors): string {
  return show ? `${c.dim(`${label} |`)} ${line}` : line;
}

const CORE_KEYS = new Set(['format_version', 'time', 'level', 'event', 'msg']);

function fieldText(v: unknown): string {
  if (typeof v === 'string') return /\s/.test(v) || v === '' ? JSON.stringify(v) : v;
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    return Object.entries(v as Record<string, unknown>).map(([k, x]) => `${k}:${typeof x === 'string' ? x : JSON.stringify(x)}`).join(',');
  }
  return JSON.stringify(v);
}

/** True when a monitor log line concerns `service`, or no service in particular (start, stop, scheduler). */
export function monitorLineConcerns(line: string, service: string): boolean {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return true;
  }
  if (typeof o['service'] === 'string') return o['service'] === service;
  const many = o['services'];
  if (many !== null && typeof many === 'object') return Object.hasOwn(many, service);
  return true;
}

/**
 * One line of the monitor's JSON log (`{"time","level","event","msg",...fields}`) as
 * `2026-08-06T10:00:00.000Z WARN  restart  restarting daemon: … service=daemon status=unhealthy`. Other lines unchanged.
 */
export function renderMonitorLine(line: string, c: Colors): string {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  if (o === null || typeof o !== 'object' || Array.isArray(o) || typeof o['msg'] !== 'string') return line;
  const level = String(o['level'] ?? 'info').toUpperCase();
  const paint = level === 'ERROR' ? c.red : level === 'WARN' ? c.yellow : (s: string) => s;
  const fields = Object.entries(o).filter(([k, v]) => !CORE_KEYS.has(k) && v !== null && !(Array.isArray(v) && v.length === 0)).map(([k, v]) => `${k}=${fieldText(v)}`);
  const head = `${String(o['time'] ?? '-')} ${paint(level.padEnd(5))} ${c.bold(String(o['event'] ?? '-').padEnd(14))} ${o['msg']}`;
  return fields.length > 0 ? `${head}  ${c.dim(fields.join(' '))}` : head;
}
