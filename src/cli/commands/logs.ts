import type { DesiredJob } from '../../model/desired.js';
import { LotusctlError } from '../../model/errors.js';
import { interleave, labelLine, lineTime, monitorLineConcerns, renderMonitorLine, type LogTail } from '../../render/log-lines.js';
import { errnoCode } from '../../system/atomic-file.js';
import { FileReadError } from '../../system/read-file.js';
import { DEFAULT_MAX_SCAN_BYTES, FileFollower, tailLines } from '../../system/tail-file.js';
import { interrupt } from '../interrupt.js';
import type { Output } from '../output.js';
import { loadValidSpec, pause, selectJobs, type ValidSpec } from './ops-common.js';

export interface LogsFlags { file: string; lines?: string; follow?: boolean; stderr?: boolean; stdout?: boolean; monitor?: boolean; json?: boolean }

interface Source {
  readonly label: string;
  /** The service (or `monitor`) and which of its streams. */
  readonly service: string;
  readonly stream: 'stdout' | 'stderr';
  readonly path: string;
  /** The monitor's JSON log: rendered readably. */
  readonly monitorJson: boolean;
  /** Keep only lines for this service (monitor log filtered by a service). */
  readonly keep?: (line: string) => boolean;
}

const POLL_MS = 250;

function streams(flags: LogsFlags): Array<'stdout' | 'stderr'> {
  if (flags.stderr && flags.stdout) return ['stdout', 'stderr'];
  if (flags.stderr) return ['stderr'];
  if (flags.stdout) return ['stdout'];
  return ['stdout', 'stderr'];
}

function notConfigured(job: DesiredJob, file: string, which?: 'stdout' | 'stderr'): LotusctlError {
  const what = which === undefined ? 'no log files' : `no ${which} log`;
  return new LotusctlError('logs.not-configured', `service ${job.name} has ${what} in ${file}`, {
    hint: `add logs: { dir: ~/Library/Logs/lotus } (or logs: { ${which ?? 'stderr'}: <path> }) under services.${job.name} in ${file}, then run lotusctl apply; launchd discards a job's output unless its plist names files`,
  });
}

function sourcesFor(loaded: ValidSpec, service: string | undefined, flags: LogsFlags, o: Output): Source[] {
  const want = streams(flags);
  if (flags.monitor || service === 'monitor') {
    const mon = loaded.desired.jobs.find((j) => j.kind === 'monitor');
    if (!mon) {
      throw new LotusctlError('logs.no-monitor', `${loaded.file} has no monitor: section, so there is no monitor log`, { hint: 'add monitor: {} to lotus.yaml and run lotusctl apply' });
    }
    const filter = service !== undefined && service !== 'monitor' ? service : undefined;
    if (filter !== undefined) selectJobs(loaded, filter); // an unknown service is an error, not an empty log
    const keep = filter === undefined ? undefined : (line: string) => monitorLineConcerns(line, filter);
    const out: Source[] = [];
    if (want.includes('stdout') && mon.stdoutPath) out.push({ label: 'monitor', service: 'monitor', stream: 'stdout', path: mon.stdoutPath, monitorJson: true, ...(keep ? { keep } : {}) });
    if (want.includes('stderr') && mon.stderrPath) out.push({ label: 'monitor/stderr', service: 'monitor', stream: 'stderr', path: mon.stderrPath, monitorJson: false });
    return out;
  }
  const jobs = selectJobs(loaded, service).filter((j) => j.kind === 'service');
  const out: Source[] = [];
  for (const job of jobs) {
    const paths = want.map((s) => [s, s === 'stdout' ? job.stdoutPath : job.stderrPath] as const);
    if (paths.every(([, p]) => p === undefined)) {
      const err = notConfigured(job, loaded.file, want.length === 1 ? want[0] : undefined);
      if (service !== undefined) throw err;
      o.err(`${job.name}: ${err.message} (${err.hint})`);
      continue;
    }
    for (const [s, p] of paths) {
      if (p === undefined) {
        if (service !== undefined && want.length === 1) throw notConfigured(job, loaded.file, s);
        continue;
      }
      // stdout and stderr sent to one file: show it once.
      if (out.some((x) => x.path === p)) continue;
      out.push({ label: `${job.name}/${s}`, service: job.name, stream: s, path: p, monitorJson: false });
    }
  }
  if (out.length === 0) {
    throw new LotusctlError('logs.not-configured', `no service in ${loaded.file} has log files`, { hint: `add logs: { dir: ~/Library/Logs/lotus } to a service in ${loaded.file}, then run lotusctl apply` });
  }
  return out;
}

function logLineJson(src: Source, line: string): Record<string, unknown> {
  const t = lineTime(line);
  let record: unknown = null;
  if (src.monitorJson) {
    try {
      record = JSON.parse(line);
    } catch {
      record = null;
    }
  }
  return { format_version: '1', service: src.service, stream: src.stream, path: src.path, time: t === undefined ? null : new Date(t).toISOString(), line, ...(src.monitorJson ? { record } : {}) };
}

function readError(path: string, e: unknown): LotusctlError {
  // A FIFO or a device at the log path: the capped reader's words ("not a regular file (a FIFO)").
  if (e instanceof FileReadError) return new LotusctlError('logs.unreadable', e.message, { hint: e.hint ?? 'replace it with a regular file' });
  const code = errnoCode(e) ?? String(e);
  return new LotusctlError('logs.unreadable', `cannot read ${path}: ${code}`, {
    hint: code === 'EACCES' || code === 'EPERM'
      ? `the file is not readable by you: check its owner and mode (ls -l "${path}"); a log created by another user or by root may need sudo`
      : 'check the path and try again',
  });
}

/** `lotusctl logs [SERVICE]`: the last lines of the service's log files, optionally followed across rotation. */
export async function runLogs(service: string | undefined, flags: LogsFlags, o: Output, signal?: AbortSignal): Promise<number> {
  const n = flags.lines === undefined ? 20 : Number(flags.lines);
  if (!Number.isSafeInteger(n) || n < 0) throw new LotusctlError('cli.bad-lines', `-n ${flags.lines} is not a number of lines`, { hint: 'use e.g. -n 100 (0 with -f: only new lines)' });
  const loaded = loadValidSpec(flags.file, o, false);
  const sources = sourcesFor(loaded, service, flags, o);
  const showLabels = sources.length > 1;
  const print = flags.json
    // One JSON object per line (NDJSON), so -f can stream it too.
    ? (src: Source, line: string) => o.out(JSON.stringify(logLineJson(src, line)))
    : (src: Source, line: string) => o.out(labelLine(src.label, src.monitorJson ? renderMonitorLine(line, o.colors) : line, showLabels, o.colors));

  // Followers first: their start offsets bound the tails, so no line is shown twice or missed in between.
  const followers = flags.follow ? sources.map((s) => new FileFollower(s.path)) : [];
  const tails: Array<LogTail & { src: Source }> = [];
  const failures: LotusctlError[] = [];
  let found = 0;
  sources.forEach((src, i) => {
    try {
      const end = followers[i]?.position;
      const t = tailLines(src.path, n, { ...(end !== undefined ? { end } : {}), ...(src.keep ? { keep: src.keep } : {}) });
      found++;
      if (t.capped) o.err(`${src.label}: scanned the last ${DEFAULT_MAX_SCAN_BYTES / 1024 / 1024} MiB of ${src.path} without finding ${n} lines; showing what was found`);
      tails.push({ label: src.label, lines: t.lines, src });
    } catch (e) {
      if (errnoCode(e) === 'ENOENT') o.err(`${src.label}: ${src.path} does not exist yet (the job has not written to it)${flags.follow ? '; waiting for it' : ''}`);
      else {
        const err = readError(src.path, e);
        if (!flags.follow) failures.push(err);
        o.err(`${src.label}: ${err.message}${flags.follow ? '; retrying' : ''}`);
      }
    }
  });
  const bySrc = new Map(tails.map((t) => [t.label, t.src]));
  for (const { label, line } of interleave(tails, n).lines) print(bySrc.get(label) as Source, line);

  if (!flags.follow) {
    if (failures.length > 0) throw failures.length === 1 ? failures[0] : new LotusctlError('logs.unreadable', `${failures.length} log files could not be read`, { details: failures.map((f) => f.message), hint: failures[0]?.hint });
    if (found === 0) {
      throw new LotusctlError('logs.missing', `none of the log files exist yet: ${sources.map((s) => s.path).join(', ')}`, {
        hint: `the job has not written anything: is it loaded and running? see lotusctl status${service ? ` ${service}` : ''}`,
      });
    }
    return 0;
  }

  interrupt.quiet = true;
  // `lotusctl logs -f | head` closes the pipe: stop quietly.
  process.stdout.once('error', () => interrupt.controller.abort());
  try {
    while (!signal?.aborted) {
      followers.forEach((f, i) => {
        const src = sources[i] as Source;
        for (const ev of f.poll()) {
          switch (ev.kind) {
            case 'lines':
              for (const line of ev.lines) if (!src.keep || src.keep(line)) print(src, line);
              break;
            case 'rotated': o.err(`${src.label}: ${src.path} was replaced (rotated); following the new file`); break;
            case 'truncated': o.err(`${src.label}: ${src.path} was truncated; reading from its start`); break;
            case 'appeared': o.err(`${src.label}: ${src.path} appeared`); break;
            case 'missing': o.err(`${src.label}: ${src.path} does not exist (yet); waiting for it`); break;
            case 'unreadable': o.err(`${src.label}: cannot read ${src.path} (${ev.code}); retrying`); break;
            default: {
              const never: never = ev;
              throw new Error(`unexpected follow event ${JSON.stringify(never)}`);
            }
          }
        }
      });
      await pause(POLL_MS, signal);
    }
  } finally {
    for (const f of followers) f.close();
  }
  return 0;
}
