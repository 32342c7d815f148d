// `lotusctl monitor run` on a terminal: its JSON log lines as lines for people. Pure: colours and the time format
// come in; a line that is not the monitor's JSON is shown as it is (escaped).
import type { Colors } from './colors.js';
import { printable } from './drift-text.js';

const STATUS_COLOR: Record<string, keyof Colors> = { healthy: 'green', degraded: 'yellow', unhealthy: 'red', starting: 'cyan', unknown: 'yellow', stopped: 'red' };

function level(l: unknown, c: Colors): string {
  const text = typeof l === 'string' ? l.padEnd(5) : '?    ';
  return l === 'error' ? c.red(text) : l === 'warn' ? c.yellow(text) : c.dim(text);
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/**
 * One monitor log line (`{"time","level","event","msg",…}`) as `09:00:00 warn  daemon is unhealthy (3 epochs behind)`,
 * with the services of a tick, the reasons of a status, and a hint or problem on an indented line below.
 */
export function humanMonitorLine(line: string, c: Colors, time: (iso: string) => string): string {
  let o: Record<string, unknown>;
  try {
    const v = JSON.parse(line) as unknown;
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return printable(line);
    o = v as Record<string, unknown>;
  } catch {
    return printable(line);
  }
  let msg = str(o.msg) ?? str(o.event) ?? '';
  const services = o.services;
  if (o.event === 'tick' && services !== null && typeof services === 'object') {
    const parts = Object.entries(services as Record<string, unknown>).map(([name, st]) => {
      const color = STATUS_COLOR[String(st)] ?? 'yellow';
      return `${name} ${c[color](String(st))}`;
    });
    if (parts.length > 0) msg += `: ${parts.join(', ')}`;
  }
  if (o.event === 'status' && Array.isArray(o.reasons) && o.reasons.length > 0) msg += ` (${o.reasons.map(String).join('; ')})`;
  const when = str(o.time) ? time(o.time as string) : '--:--:--';
  const out = [`${c.dim(when)} ${level(o.level, c)} ${printable(msg)}`];
  for (const k of ['problem', 'hint'] as const) {
    const v = str(o[k]);
    if (v) out.push(`${' '.repeat(when.length + 7)}${k}: ${printable(v)}`);
  }
  return out.join('\n');
}
