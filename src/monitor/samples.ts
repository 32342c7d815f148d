// What each tick leaves behind: one JSON line per service in <stateDir>/samples/<YYYY-MM-DD>.jsonl (UTC date) for
// reports, and <stateDir>/metrics.prom in the Prometheus text format (node_exporter's textfile collector reads it).
// The text format is hand-written (it is small); prom-client would be the library for it, but it is not a dependency.
import { closeSync, constants, fstatSync, openSync, readdirSync, rmSync, statSync, writeSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { LotusctlError } from '../model/errors.js';
import { writeFileAtomic } from '../system/atomic-file.js';
import { giveToOwner, makeDirs } from '../system/ownership.js';
import type { Decision, Observation } from './policy.js';

/** One service's outcome in one tick. */
export interface TickResult {
  readonly service: string;
  readonly observation: Observation;
  readonly decision: Decision;
  /** launchctl's error when a chosen restart failed. */
  readonly actionError?: string;
}

/** One line of a samples file. Keys are a format other tools read: snake_case, null when unknown, never renamed. */
export interface SampleLine {
  time: string;
  service: string;
  status: string;
  reasons: readonly string[];
  height: number | null;
  lag_epochs: number | null;
  peers: number | null;
  rss_bytes: number | null;
  pid: number | null;
  action: string;
  why: string;
  action_error?: string;
}

export function sampleLine(r: TickResult): SampleLine {
  const o = r.observation;
  const api = o.api.kind === 'ok' ? o.api : undefined;
  return {
    time: new Date(o.time).toISOString(),
    service: r.service,
    status: r.decision.health.status,
    reasons: r.decision.health.reasons,
    height: api?.height ?? null,
    lag_epochs: r.decision.health.lagEpochs ?? null,
    peers: api?.peers ?? null,
    rss_bytes: o.rssBytes ?? null,
    pid: o.launchd.kind === 'running' ? o.launchd.pid : null,
    action: r.decision.action,
    why: r.decision.why,
    ...(r.actionError !== undefined ? { action_error: r.actionError } : {}),
  };
}

export function samplesPath(stateDir: string, time: number): string {
  return join(stateDir, 'samples', `${new Date(time).toISOString().slice(0, 10)}.jsonl`);
}

function notAFile(file: string, what: string): LotusctlError {
  return new LotusctlError('monitor.samples-not-a-file', `${file} is not a regular file (${what}); no samples are recorded there`, {
    hint: `remove ${file}: the monitor creates the day's samples file itself`,
  });
}

function kindOf(st: Stats): string {
  return st.isFIFO() ? 'a FIFO' : st.isCharacterDevice() ? 'a character device' : st.isBlockDevice() ? 'a block device' : st.isDirectory() ? 'a directory' : st.isSocket() ? 'a socket' : 'not a file';
}

/**
 * Appends one line per result to the day's file (one write, O_APPEND, so concurrent readers see whole lines).
 * Anything but a regular file at the day's path (a FIFO, a device, a symlink to one) is refused with
 * monitor.samples-not-a-file before it is opened: a FIFO would swallow the samples or block, a device eat them.
 */
export function appendSamples(stateDir: string, results: readonly TickResult[], time: number): string {
  const file = samplesPath(stateDir, time);
  makeDirs(join(stateDir, 'samples'), 0o755);
  if (results.length === 0) return file;
  let st: Stats | undefined;
  try {
    st = statSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  if (st && !st.isFile()) throw notAFile(file, kindOf(st));
  // O_NONBLOCK: a FIFO swapped in after the check fails the open (ENXIO) instead of blocking the monitor forever.
  const flags = constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | (constants.O_NONBLOCK ?? 0);
  const isNew = st === undefined;
  let fd: number;
  try {
    fd = openSync(file, flags, 0o644);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENXIO') throw notAFile(file, 'a FIFO');
    throw e;
  }
  try {
    const fst = fstatSync(fd);
    if (!fst.isFile()) throw notAFile(file, kindOf(fst));
    writeSync(fd, results.map((r) => `${JSON.stringify(sampleLine(r))}\n`).join(''));
  } finally {
    closeSync(fd);
  }
  // As root for the operator (a system monitor), the day file is theirs like the rest of their state dir.
  if (isNew) giveToOwner(file);
  return file;
}

const DAY_FILE = /^(\d{4}-\d{2}-\d{2})\.jsonl$/;

/**
 * Deletes the day files of <stateDir>/samples whose whole UTC day ended more than `retentionMs` before `now`
 * (monitor.samples_retention); returns the paths deleted. Files not named <YYYY-MM-DD>.jsonl are left alone.
 */
export function pruneSamples(stateDir: string, retentionMs: number, now: number): string[] {
  const dir = join(stateDir, 'samples');
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  const removed: string[] = [];
  for (const name of names.sort()) {
    const day = DAY_FILE.exec(name)?.[1];
    const dayEnd = day === undefined ? NaN : Date.parse(`${day}T00:00:00.000Z`) + 86_400_000;
    if (!Number.isFinite(dayEnd) || dayEnd > now - retentionMs) continue;
    rmSync(join(dir, name), { force: true });
    removed.push(join(dir, name));
  }
  return removed;
}

/** A label value in the text format: backslash, double quote and newline escaped. */
export function escapeLabelValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** HELP text escaping: backslash and newline only. */
function escapeHelp(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

interface MetricFamily {
  name: string;
  type: 'gauge' | 'counter';
  help: string;
  /** undefined = unknown: the series is left out, never written as a made-up number. */
  value: (r: TickResult) => number | undefined;
}

const UP_STATUSES = new Set(['healthy', 'degraded']);

const FAMILIES: readonly MetricFamily[] = [
  {
    name: 'lotusctl_service_up', type: 'gauge',
    help: '1 when the service is healthy or degraded, 0 when unhealthy, starting or stopped; absent when unknown.',
    value: (r) => (r.decision.health.status === 'unknown' ? undefined : UP_STATUSES.has(r.decision.health.status) ? 1 : 0),
  },
  { name: 'lotusctl_chain_lag_epochs', type: 'gauge', help: 'Epochs the chain head is behind the expected height.', value: (r) => r.decision.health.lagEpochs },
  { name: 'lotusctl_peers', type: 'gauge', help: 'Connected libp2p peers (Filecoin.NetPeers).', value: (r) => (r.observation.api.kind === 'ok' ? r.observation.api.peers : undefined) },
  { name: 'lotusctl_rss_bytes', type: 'gauge', help: 'Resident memory of the service process in bytes.', value: (r) => r.observation.rssBytes },
  { name: 'lotusctl_restarts_total', type: 'counter', help: 'Restarts issued by the lotusctl monitor.', value: (r) => r.decision.state.restartsTotal },
  { name: 'lotusctl_breaker_open', type: 'gauge', help: '1 while the restart circuit breaker is open (no automatic restarts).', value: (r) => (r.decision.state.breakerOpen ? 1 : 0) },
];

/** The Prometheus text exposition (format 0.0.4) for one tick: HELP and TYPE per family, one series per service. */
export function renderMetrics(results: readonly TickResult[]): string {
  const sorted = [...results].sort((a, b) => (a.service < b.service ? -1 : a.service > b.service ? 1 : 0));
  const lines: string[] = [];
  for (const f of FAMILIES) {
    lines.push(`# HELP ${f.name} ${escapeHelp(f.help)}`, `# TYPE ${f.name} ${f.type}`);
    for (const r of sorted) {
      const v = f.value(r);
      if (v !== undefined && Number.isFinite(v)) lines.push(`${f.name}{service="${escapeLabelValue(r.service)}"} ${v}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

export function metricsPath(stateDir: string): string {
  return join(stateDir, 'metrics.prom');
}

/** Replaces metrics.prom atomically, so a scraper never reads half a file. */
export function writeMetrics(stateDir: string, results: readonly TickResult[]): string {
  const file = metricsPath(stateDir);
  makeDirs(stateDir, 0o700);
  writeFileAtomic(file, renderMetrics(results), { mode: 0o644 });
  return file;
}
