// The shell half of health reports: read the samples day files a window touches, write the report files atomically.
import { chmodSync, lstatSync, readdirSync, unlinkSync } from 'node:fs';
import { makeDirs } from './ownership.js';
import { dirname, join, resolve } from 'node:path';
import { LotusctlError } from '../model/errors.js';
import {
  DEFAULT_REPORT_WINDOW_MS, REPORT_FORMATS, daysOverlapping, parseSampleLines, renderReport, reportFileName, reportsToPrune, summarize,
  type ReportFormat, type ReportSample, type ReportWindow, type Summary,
} from '../report/index.js';
import { MAX_REPORT_WINDOW_MS } from '../spec/bounds.js';
import { errnoCode, writeFileAtomic } from './atomic-file.js';
import { FileReadError, readTextCapped } from './read-file.js';

/** What the samples files hold for a window. */
export interface WindowSamples {
  /** Every usable sample of the files read (the caller's summarize() keeps those inside the window). */
  readonly samples: ReportSample[];
  /** Unusable lines in the files read. */
  readonly skippedLines: number;
  /** The day files that existed and were read, oldest first. */
  readonly files: string[];
}

/** Reads <stateDir>/samples/<day>.jsonl for each UTC day overlapping (from, to]; a missing day is no samples. Throws fs.read-failed. */
export async function readSamplesForWindow(stateDir: string, window: ReportWindow): Promise<WindowSamples> {
  const samples: ReportSample[] = [];
  const files: string[] = [];
  let skippedLines = 0;
  for (const day of daysOverlapping(window.from, window.to)) {
    const file = join(stateDir, 'samples', `${day}.jsonl`);
    let text: string;
    try {
      text = readTextCapped(file, 'samples');
    } catch (e) {
      if (e instanceof FileReadError && e.problem === 'missing') continue;
      throw e;
    }
    files.push(file);
    const parsed = parseSampleLines(text);
    for (const s of parsed.samples) samples.push(s);
    skippedLines += parsed.skipped;
  }
  return { samples, skippedLines, files };
}

/** Creates `dir` and any missing parents with mode 0755 exactly (the umask does not apply). Throws fs.write-failed. */
export function ensureReportDir(dir: string): void {
  try {
    const abs = resolve(dir);
    const first = makeDirs(abs, 0o755);
    if (first === undefined) return;
    // Only the folders this call created: an existing parent keeps its owner's choice.
    for (let d = abs; ; d = dirname(d)) {
      chmodSync(d, 0o755);
      if (d === first || dirname(d) === d) break;
    }
  } catch (e) {
    const code = errnoCode(e);
    throw new LotusctlError('fs.write-failed', `cannot create the report folder ${dir}: ${code ?? String(e)}`, {
      hint: code === 'EACCES' || code === 'EPERM' ? `check that you may write to ${dirname(dir)}, or set monitor.reports.dir` : 'check monitor.reports.dir',
      cause: e,
    });
  }
}

/** What writeHealthReport needs. */
export interface HealthReportOptions {
  /** lotusctl's state folder (defaults.state_dir, resolved): the samples are in <stateDir>/samples/. */
  stateDir: string;
  /** Where the reports go (monitor.reports.dir, resolved: no `~`). */
  dir: string;
  formats: readonly ReportFormat[];
  /** The end of the window and the time in the file names. */
  now: Date;
  /** Length of the window ending at `now`; default 24 h. */
  windowMs?: number;
}

/** The report's data for the window ending at `now` (no files written). */
export async function buildHealthSummary(opts: Pick<HealthReportOptions, 'stateDir' | 'now' | 'windowMs'>): Promise<Summary> {
  const to = opts.now.getTime();
  const windowMs = opts.windowMs ?? DEFAULT_REPORT_WINDOW_MS;
  if (!Number.isFinite(to)) throw new LotusctlError('report.bad-time', 'the report time is not a valid date', { hint: 'pass a valid Date as now' });
  if (!Number.isFinite(windowMs) || windowMs <= 0 || windowMs > MAX_REPORT_WINDOW_MS) {
    throw new LotusctlError('report.bad-window', `a report window must be longer than 0 ms and at most ${MAX_REPORT_WINDOW_MS} ms (got ${String(windowMs)})`, { hint: 'use a duration such as "24h"' });
  }
  const window = { from: to - windowMs, to };
  const read = await readSamplesForWindow(opts.stateDir, window);
  return summarize(read.samples, { ...window, generatedAt: to, skippedLines: read.skippedLines });
}

/**
 * Writes one report per format as <dir>/lotus-health-<YYYY-MM-DD>T<HHMM>Z.<ext> (mode 0644, atomic replace; the folder
 * is created 0755) from the samples of the window ending at `now`, and returns the paths written in `formats` order.
 * Deterministic: the same samples and `now` give the same bytes. Throws fs.read-failed, fs.write-failed, report.*.
 */
export async function writeHealthReport(opts: HealthReportOptions): Promise<string[]> {
  const formats = [...new Set(opts.formats)];
  const unknown = formats.filter((f) => !(REPORT_FORMATS as readonly string[]).includes(f));
  if (unknown.length > 0) {
    throw new LotusctlError('report.bad-format', `unknown report format ${unknown.map((f) => JSON.stringify(f)).join(', ')}`, { hint: `use ${REPORT_FORMATS.join(', ')}` });
  }
  const summary = await buildHealthSummary(opts);
  if (formats.length === 0) return [];
  ensureReportDir(opts.dir);
  const paths: string[] = [];
  for (const format of formats) {
    const path = join(opts.dir, reportFileName(summary.generatedAt, format));
    writeFileAtomic(path, renderReport(summary, format), { mode: 0o644 });
    paths.push(path);
  }
  return paths;
}

/**
 * Retention of the report folder (monitor.reports.retention and keep): deletes lotusctl's own report files
 * (lotus-health-<YYYY-MM-DD>T<HHMM>Z.<json|md|html>, regular files, not symlinks) older than `retentionMs` by the time
 * in their name or past the newest `keep` of their format; returns the paths deleted. Every other entry in the folder
 * is left alone. A missing folder is nothing to do; a file that cannot be deleted throws fs.write-failed.
 */
export function pruneReports(dir: string, opts: { readonly retentionMs: number; readonly keep: number; readonly now: number }): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    if (errnoCode(e) === 'ENOENT' || errnoCode(e) === 'ENOTDIR') return [];
    throw new LotusctlError('fs.read-failed', `cannot list the report folder ${dir}: ${errnoCode(e) ?? String(e)}`, { hint: `check the permissions of ${dir}`, cause: e });
  }
  const files = names.filter((n) => {
    try {
      return lstatSync(join(dir, n)).isFile();
    } catch {
      return false;
    }
  });
  const removed: string[] = [];
  for (const name of reportsToPrune(files, opts)) {
    const path = join(dir, name);
    try {
      unlinkSync(path);
    } catch (e) {
      if (errnoCode(e) === 'ENOENT') continue;
      throw new LotusctlError('fs.write-failed', `cannot delete the old report ${path}: ${errnoCode(e) ?? String(e)}`, { hint: `check the permissions of ${dir}`, cause: e });
    }
    removed.push(path);
  }
  return removed;
}
