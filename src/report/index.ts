// Health reports (monitor.reports in lotus.yaml): samples -> summary -> json / md / html text. Pure: the shell
// (src/system/report-files.ts) reads the samples files and writes the reports.
import { posix } from 'node:path';
import type { HostFacts } from '../model/host.js';
import { resolvePath } from '../spec/paths.js';
import { monitorSchema, type Spec } from '../spec/schema.js';
import { parseDuration } from '../spec/units.js';
import { renderHtml } from './render-html.js';
import { renderJson } from './render-json.js';
import { renderMarkdown } from './render-markdown.js';
import type { Summary } from './summary.js';

export { daysOverlapping, parseSampleLine, parseSampleLines, STATUSES, type ParsedSamples, type ReportSample, type ReportStatus } from './samples.js';
export { GAP_FACTOR, summarize, summarizeService, type BreakerOpening, type Gap, type ReportWindow, type RestartEvent, type SeriesStats, type ServiceSummary, type Streak, type SummarizeOptions, type Summary } from './summary.js';
export { incidents, type Incident, type IncidentKind } from './format.js';
export { REPORT_FORMAT_VERSION, renderJson, reportJson } from './render-json.js';
export { escapeMarkdown, renderMarkdown } from './render-markdown.js';
export { escapeHtml, renderHtml } from './render-html.js';

/** The formats monitor.reports.formats accepts; also the file extensions. */
export const REPORT_FORMATS = ['json', 'md', 'html'] as const;
/** One of REPORT_FORMATS. */
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** monitor.reports.retention's default (90d), used only if the validated text could not be parsed again. */
const DEFAULT_REPORT_RETENTION_MS = 90 * 86_400_000;

/** The window a report covers when none is given: the last 24 hours. */
export const DEFAULT_REPORT_WINDOW_MS = 86_400_000;

/** One format's text. */
export function renderReport(summary: Summary, format: ReportFormat): string {
  switch (format) {
    case 'json':
      return renderJson(summary);
    case 'md':
      return renderMarkdown(summary);
    case 'html':
      return renderHtml(summary);
    default: {
      const never: never = format;
      throw new RangeError(`unknown report format ${String(never)}`);
    }
  }
}

/** `lotus-health-2026-08-07T0000Z.json`: the UTC minute of `now`; reports within one minute replace each other. */
export function reportFileName(now: number, format: ReportFormat): string {
  const iso = new Date(now).toISOString();
  return `lotus-health-${iso.slice(0, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}Z.${format}`;
}

const REPORT_FILE_NAME = /^lotus-health-(\d{4}-\d{2}-\d{2})T(\d{2})(\d{2})Z\.(json|md|html)$/;

/**
 * The UTC minute and format a report file name (as reportFileName writes it) stands for; undefined for any other
 * name. Retention deletes only files this recognises, so nothing else in the report folder is ever touched.
 */
export function parseReportFileName(name: string): { readonly time: number; readonly format: ReportFormat } | undefined {
  const m = REPORT_FILE_NAME.exec(name);
  if (!m) return undefined;
  const time = Date.parse(`${m[1]}T${m[2]}:${m[3]}:00.000Z`);
  // Date.parse rolls 2026-02-31 over to March: only a name reportFileName could have written counts.
  if (!Number.isFinite(time) || reportFileName(time, m[4] as ReportFormat) !== name) return undefined;
  return { time, format: m[4] as ReportFormat };
}

/**
 * The report files (names) retention deletes: older than `retentionMs` before `now` by the time in their name, or past
 * the newest `keep` of their format. Names that are not lotusctl's report names are never selected.
 */
export function reportsToPrune(names: readonly string[], opts: { readonly retentionMs: number; readonly keep: number; readonly now: number }): string[] {
  const byFormat = new Map<ReportFormat, { name: string; time: number }[]>();
  for (const name of names) {
    const r = parseReportFileName(name);
    if (r) byFormat.set(r.format, [...(byFormat.get(r.format) ?? []), { name, time: r.time }]);
  }
  const out: string[] = [];
  for (const files of byFormat.values()) {
    files.sort((a, b) => b.time - a.time);
    files.forEach((f, i) => {
      if (i >= opts.keep || f.time < opts.now - opts.retentionMs) out.push(f.name);
    });
  }
  return out.sort();
}

/** monitor.reports, ready to use: defaults filled in, `dir` absolute, retention in ms. */
export interface ReportSettings {
  readonly schedule: string;
  readonly dir: string;
  readonly formats: readonly ReportFormat[];
  /** Report files older than this (by the time in their name) are deleted by the monitor. */
  readonly retentionMs: number;
  /** The newest report files kept per format. */
  readonly keep: number;
}

/**
 * The spec's monitor.reports (the schema defaults when the spec has no monitor section), with the folder resolved as
 * every path in lotus.yaml is: `~` and `$HOME` against the home folder, a relative path against the spec's folder.
 */
export function reportSettings(spec: Spec, host: Pick<HostFacts, 'home' | 'specPath'>): ReportSettings {
  const r = spec.monitor?.reports ?? monitorSchema.parse({}).reports;
  return {
    schedule: r.schedule, formats: [...r.formats], dir: resolvePath(r.dir, host.home, posix.dirname(host.specPath)),
    retentionMs: parseDuration(r.retention) ?? DEFAULT_REPORT_RETENTION_MS, keep: r.keep,
  };
}
