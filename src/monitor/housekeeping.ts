// What keeps the monitor's machine from filling up: size-based rotation of every log launchd writes for the jobs
// (the services' and the monitor's own), deletion of samples older than monitor.samples_retention, and of its own
// health report files past monitor.reports.retention or keep.
// Runs after each tick; a failure is logged and the loop goes on.
import type { DesiredJob } from '../model/desired.js';
import type { MonitorSpec } from '../spec/schema.js';
import { MAX_ROTATED_LOGS } from '../spec/bounds.js';
import { formatDuration, parseDuration, parseSize } from '../spec/units.js';
import type { LotusctlError } from '../model/errors.js';
import type { ReportSettings } from '../report/index.js';
import { pruneReports } from '../system/report-files.js';
import { rotateLog } from '../system/log-rotation.js';
import { pruneSamples } from './samples.js';

type Log = (level: 'info' | 'warn' | 'error', event: string, msg: string, fields?: Record<string, unknown>) => void;

/** The log files launchd writes for these jobs, each once (stdout and stderr may share a file). */
export function logFiles(jobs: readonly DesiredJob[]): string[] {
  return [...new Set(jobs.flatMap((j) => [j.stdoutPath, j.stderrPath]).filter((p): p is string => p !== undefined))].sort();
}

/**
 * Rotates the jobs' logs that outgrew monitor.log_rotation.max_size, prunes old samples and, with `reports`, the
 * monitor's old report files (monitor.reports.retention and keep). Never throws.
 */
export function housekeeping(jobs: readonly DesiredJob[], stateDir: string, monitor: MonitorSpec, now: number, log: Log, reports?: ReportSettings): void {
  const maxBytes = parseSize(monitor.log_rotation.max_size) ?? 64 * 1024 * 1024;
  for (const file of logFiles(jobs)) {
    try {
      const r = rotateLog(file, maxBytes, monitor.log_rotation.keep, MAX_ROTATED_LOGS);
      if (r.rotated) log('info', 'log-rotated', `rotated ${file} (${r.size} bytes)`, { file, bytes: r.size, copy: r.copy ?? null });
    } catch (e) {
      log('error', 'log-rotate-failed', `cannot rotate ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { file, hint: 'check the permissions of the log folder' });
    }
  }
  try {
    const removed = pruneSamples(stateDir, parseDuration(monitor.samples_retention) ?? 30 * 86_400_000, now);
    if (removed.length > 0) log('info', 'samples-pruned', `deleted ${removed.length} samples file${removed.length === 1 ? '' : 's'} older than ${monitor.samples_retention}`, { files: removed });
  } catch (e) {
    log('error', 'samples-prune-failed', `cannot prune old samples: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { hint: `check the permissions of ${stateDir}/samples` });
  }
  if (reports === undefined) return;
  try {
    const removed = pruneReports(reports.dir, { retentionMs: reports.retentionMs, keep: reports.keep, now });
    if (removed.length > 0) {
      log('info', 'reports-pruned', `deleted ${removed.length} health report file${removed.length === 1 ? '' : 's'} past ${formatDuration(reports.retentionMs)} or the newest ${reports.keep} per format`, { files: removed });
    }
  } catch (e) {
    log('error', 'reports-prune-failed', `cannot prune old health reports: ${(e as Error).message}`, { code: (e as LotusctlError).code ?? null, hint: (e as LotusctlError).hint ?? null });
  }
}
