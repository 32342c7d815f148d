// Reading the monitor's samples lines (<stateDir>/samples/<day>.jsonl, written by src/monitor/samples.ts) back in.
// The lines are data from disk: anything that is not a usable sample is counted and skipped, never thrown.
// The core may not import src/monitor, so the line format is restated here; test/report checks the two agree.

/** The statuses a sample can carry (src/monitor/policy.ts HealthStatus), in report order. */
export const STATUSES = ['healthy', 'degraded', 'unhealthy', 'starting', 'unknown', 'stopped'] as const;
export type ReportStatus = (typeof STATUSES)[number];

/** One sample as the report uses it. A value that was absent, null or of the wrong type is `undefined`. */
export interface ReportSample {
  /** Unix ms. */
  readonly time: number;
  readonly service: string;
  /** A status this version does not know is read as `unknown` (never as healthy). */
  readonly status: ReportStatus;
  readonly reasons: readonly string[];
  readonly lagEpochs?: number;
  readonly peers?: number;
  readonly rssBytes?: number;
  readonly action: string;
  readonly why: string;
  /** launchctl's error when the restart this sample records failed. */
  readonly actionError?: string;
}

/** Samples read from text, plus how many non-blank lines were not usable samples. */
export interface ParsedSamples {
  readonly samples: ReportSample[];
  readonly skipped: number;
}

const KNOWN = new Set<string>(STATUSES);
// The exact shape src/monitor/samples.ts writes: toISOString(), always UTC with milliseconds.
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?Z$/;

const finite = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const text = (v: unknown): string => (typeof v === 'string' ? v : '');

/** One line -> a sample, or undefined when the line is not JSON, not an object, or lacks time/service/status. */
export function parseSampleLine(line: string): ReportSample | undefined {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
  const o = v as Record<string, unknown>;
  if (typeof o['time'] !== 'string' || !ISO_UTC.test(o['time'])) return undefined;
  const time = Date.parse(o['time']);
  if (!Number.isFinite(time)) return undefined;
  if (typeof o['service'] !== 'string' || o['service'] === '' || typeof o['status'] !== 'string') return undefined;
  const reasons = Array.isArray(o['reasons']) ? o['reasons'].filter((r): r is string => typeof r === 'string') : [];
  const lagEpochs = finite(o['lag_epochs']);
  const peers = finite(o['peers']);
  const rssBytes = finite(o['rss_bytes']);
  const actionError = typeof o['action_error'] === 'string' ? o['action_error'] : undefined;
  return {
    time,
    service: o['service'],
    status: KNOWN.has(o['status']) ? (o['status'] as ReportStatus) : 'unknown',
    reasons,
    ...(lagEpochs !== undefined ? { lagEpochs } : {}),
    ...(peers !== undefined ? { peers } : {}),
    ...(rssBytes !== undefined ? { rssBytes } : {}),
    action: text(o['action']),
    why: text(o['why']),
    ...(actionError !== undefined ? { actionError } : {}),
  };
}

/** Every line of a samples file; blank lines are ignored, unusable ones counted in `skipped`. */
export function parseSampleLines(content: string): ParsedSamples {
  const samples: ReportSample[] = [];
  let skipped = 0;
  for (const line of content.split('\n')) {
    if (line.trim() === '') continue;
    const s = parseSampleLine(line);
    if (s) samples.push(s);
    else skipped++;
  }
  return { samples, skipped };
}

/** The UTC dates (YYYY-MM-DD, the samples file names) of every day holding a time in the window (from, to], oldest first. */
export function daysOverlapping(from: number, to: number): string[] {
  if (!Number.isFinite(from) || !Number.isFinite(to) || to < from) return [];
  const days: string[] = [];
  const DAY = 86_400_000;
  for (let d = Math.floor(from / DAY) * DAY; d <= to; d += DAY) days.push(new Date(d).toISOString().slice(0, 10));
  return days;
}
