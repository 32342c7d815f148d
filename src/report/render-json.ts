// The JSON health report (specs/report-json.md): snake_case, ISO times, format_version "1".
import { STATUSES, type ReportStatus } from './samples.js';
import type { Gap, ServiceSummary, Streak, Summary } from './summary.js';

export const REPORT_FORMAT_VERSION = '1';

const iso = (ms: number): string => new Date(ms).toISOString();
// Shares are fractions; 4 decimals (0.01%) is finer than any tick rate makes meaningful.
const share = (n: number): number => Math.round(n * 10_000) / 10_000;

const byStatus = <T>(f: (s: ReportStatus) => T): Record<ReportStatus, T> =>
  Object.fromEntries(STATUSES.map((s) => [s, f(s)])) as Record<ReportStatus, T>;

const gapJson = (g: Gap) => ({ from: iso(g.from), to: iso(g.to), duration_ms: g.durationMs, ongoing: g.ongoing });
const streakJson = (s: Streak) => ({ from: iso(s.from), to: iso(s.to), duration_ms: s.durationMs, reasons: [...s.reasons] });

function serviceJson(s: ServiceSummary) {
  return {
    samples: s.samples,
    first_sample: iso(s.firstSample),
    last_sample: iso(s.lastSample),
    median_interval_ms: s.medianIntervalMs ?? null,
    observed_ms: s.observedMs,
    availability: share(s.availability),
    status_share: byStatus((st) => share(s.statusShare[st])),
    status_ms: byStatus((st) => s.statusMs[st]),
    restart_count: s.restarts.length,
    failed_restart_count: s.failedRestarts,
    restarts: s.restarts.map((r) => ({ time: iso(r.time), reasons: [...r.reasons], why: r.why, error: r.error ?? null })),
    breaker_openings: s.breakerOpenings.map((b) => ({ time: iso(b.time), why: b.why })),
    chain_lag_epochs: s.lagEpochs ? { min: s.lagEpochs.min, avg: s.lagEpochs.avg, max: s.lagEpochs.max, last: s.lagEpochs.last } : null,
    peers: s.peers ? { min: s.peers.min, avg: s.peers.avg, last: s.peers.last } : null,
    rss_bytes: s.rssBytes ? { max: s.rssBytes.max, last: s.rssBytes.last } : null,
    longest_unhealthy: s.longestUnhealthy ? streakJson(s.longestUnhealthy) : null,
    gaps: s.gaps.map(gapJson),
  };
}

/** The report as a JSON value (key order fixed, services sorted by name). */
export function reportJson(summary: Summary) {
  return {
    format_version: REPORT_FORMAT_VERSION,
    generated_at: iso(summary.generatedAt),
    window: { from: iso(summary.window.from), to: iso(summary.window.to) },
    skipped_lines: summary.skippedLines,
    services: Object.fromEntries(summary.services.map((s) => [s.service, serviceJson(s)])),
  };
}

/** The JSON report text: two-space indentation, trailing newline; byte-identical for equal summaries. */
export function renderJson(summary: Summary): string {
  return `${JSON.stringify(reportJson(summary), null, 2)}\n`;
}
