// Shared by the Markdown and HTML reports: human units, fixed-precision numbers, and the incident list.
// Every function is deterministic (no locale, no time zone: times are UTC).
import type { ServiceSummary } from './summary.js';

/** `2026-08-06T12:00:00Z`: UTC, whole seconds. */
export function isoSeconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.000Z$/, 'Z');
}

/** At most the two largest units, rounded to seconds: `45s`, `5m 30s`, `2h 05m`, `3d 4h`. */
export function humanDuration(ms: number): string {
  const total = Math.round(Math.max(0, ms) / 1000);
  const d = Math.floor(total / 86_400);
  const h = Math.floor((total % 86_400) / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const pad = (n: number): string => String(n).padStart(2, '0');
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${pad(m)}m`;
  if (m > 0) return `${m}m ${pad(s)}s`;
  return `${s}s`;
}

/** Binary units with one decimal: `512 B`, `1.5 KiB`, `1.9 GiB`. */
export function humanBytes(bytes: number): string {
  for (const [unit, size] of [['TiB', 1024 ** 4], ['GiB', 1024 ** 3], ['MiB', 1024 ** 2], ['KiB', 1024]] as const) {
    if (bytes >= size) return `${(bytes / size).toFixed(1)} ${unit}`;
  }
  return `${bytes} B`;
}

/** A share as a percentage with one decimal: `99.5%`. */
export function percent(share: number): string {
  return `${(share * 100).toFixed(1)}%`;
}

/** A number as written in tables: integers as they are, others with up to 2 decimals. */
export function num(n: number): string {
  return Number.isInteger(n) ? String(n) : String(Math.round(n * 100) / 100);
}

/** What an incident line is about; also its CSS class in the HTML report. */
export type IncidentKind = 'restart' | 'restart-failed' | 'breaker-open' | 'gap';

/** One line of a service's incident list. `text` is raw (user data inside): escape it for the output format. */
export interface Incident {
  readonly time: number;
  readonly kind: IncidentKind;
  readonly text: string;
}

const KIND_ORDER: Record<IncidentKind, number> = { gap: 0, 'breaker-open': 1, restart: 2, 'restart-failed': 2 };

/** Restarts, failed restarts, breaker openings and gaps, in time order. */
export function incidents(s: ServiceSummary): Incident[] {
  const out: Incident[] = [];
  for (const r of s.restarts) {
    // The policy's why usually quotes the reasons already: add only those it does not.
    const extra = r.reasons.filter((reason) => !r.why.includes(reason));
    const why = [r.why, ...extra].filter((t) => t !== '').join('; ');
    if (r.error !== undefined) out.push({ time: r.time, kind: 'restart-failed', text: `${r.error} (restart for: ${why})` });
    else out.push({ time: r.time, kind: 'restart', text: why });
  }
  for (const b of s.breakerOpenings) out.push({ time: b.time, kind: 'breaker-open', text: b.why });
  for (const g of s.gaps) {
    out.push({
      time: g.from,
      kind: 'gap',
      text: g.ongoing
        ? `no samples for ${humanDuration(g.durationMs)}, up to the end of the window (monitor down, or the service left the spec?)`
        : `no samples for ${humanDuration(g.durationMs)}, until ${isoSeconds(g.to)} (monitor down?)`,
    });
  }
  // Stable sort: within one kind, the order above (restarts in time order) is kept.
  return out.sort((a, b) => a.time - b.time || KIND_ORDER[a.kind] - KIND_ORDER[b.kind]);
}
