// Samples over a time window -> per-service health figures (pure: the window and the samples are arguments).
// Time-weighted: each sample stands for the time until the service's next sample, so an irregular tick rate does not
// skew the shares. A silence longer than GAP_FACTOR × the median interval is a gap (the monitor was not running or
// not writing): it is listed, and the sample before it stands for one median interval only.
import { STATUSES, type ReportSample, type ReportStatus } from './samples.js';

/** A gap longer than this many median intervals is an incident ("monitor down"). */
export const GAP_FACTOR = 3;

/** The window a report covers: samples with from < time <= to (Unix ms). */
export interface ReportWindow {
  readonly from: number;
  readonly to: number;
}

/** One restart the monitor chose (`action: restart`), whether or not launchctl carried it out. */
export interface RestartEvent {
  readonly time: number;
  /** The health reasons of that tick. */
  readonly reasons: readonly string[];
  readonly why: string;
  /** launchctl's error: present only when the restart attempt failed. */
  readonly error?: string;
}

/** A time the samples show the circuit breaker holding a due restart, after a sample that did not. */
export interface BreakerOpening {
  readonly time: number;
  readonly why: string;
}

/** A stretch with no samples: `from` is the last sample before it, `to` the next one (or the window end if `ongoing`). */
export interface Gap {
  readonly from: number;
  readonly to: number;
  readonly durationMs: number;
  /** True when no sample came after it within the window. */
  readonly ongoing: boolean;
}

/** A run of consecutive unhealthy samples; `reasons` are those of its first sample. */
export interface Streak {
  readonly from: number;
  readonly to: number;
  readonly durationMs: number;
  readonly reasons: readonly string[];
}

/** Min/avg/max/last of a series; absent when the window has no value for it. avg is rounded to 2 decimals. */
export interface SeriesStats {
  readonly min: number;
  readonly avg: number;
  readonly max: number;
  readonly last: number;
}

/** One service over the window. Times are Unix ms. */
export interface ServiceSummary {
  readonly service: string;
  readonly samples: number;
  readonly firstSample: number;
  readonly lastSample: number;
  /** Median time between consecutive samples (else the fallback); absent when neither is known. */
  readonly medianIntervalMs?: number;
  /** The time the samples stand for (the denominator of the shares). */
  readonly observedMs: number;
  readonly statusMs: Readonly<Record<ReportStatus, number>>;
  /** Fractions of observedMs (of the sample count when observedMs is 0); they sum to 1. */
  readonly statusShare: Readonly<Record<ReportStatus, number>>;
  /** healthy + degraded share. `unknown` counts against it: what was not seen is never called up. */
  readonly availability: number;
  readonly restarts: readonly RestartEvent[];
  readonly failedRestarts: number;
  readonly breakerOpenings: readonly BreakerOpening[];
  readonly lagEpochs?: SeriesStats;
  readonly peers?: Omit<SeriesStats, 'max'>;
  readonly rssBytes?: Pick<SeriesStats, 'max' | 'last'>;
  readonly longestUnhealthy?: Streak;
  readonly gaps: readonly Gap[];
  /** Chain lag points in time order (for sparklines; not part of the JSON report). */
  readonly lagSeries: readonly { readonly time: number; readonly lag: number }[];
}

/** The whole report's data. Deterministic for the same samples and options. */
export interface Summary {
  readonly generatedAt: number;
  readonly window: ReportWindow;
  /** Lines of the samples files that were not usable samples. */
  readonly skippedLines: number;
  /** Sorted by service name. */
  readonly services: readonly ServiceSummary[];
}

/** The window, plus what the report states beyond the samples. */
export interface SummarizeOptions extends ReportWindow {
  /** Default: `to`. */
  readonly generatedAt?: number;
  readonly skippedLines?: number;
}

// Text the policy (src/monitor/policy.ts decide) gives a restart held by an open breaker; samples carry no breaker flag.
const BREAKER_WHY = 'circuit breaker open';

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const round2 = (n: number): number => Math.round(n * 100) / 100;

function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

function stats(values: readonly number[]): SeriesStats | undefined {
  if (values.length === 0) return undefined;
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (const v of values) {
    min = Math.min(min, v);
    max = Math.max(max, v);
    sum += v;
  }
  return { min, avg: round2(sum / values.length), max, last: values[values.length - 1] as number };
}

const zeroes = (): Record<ReportStatus, number> => Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<ReportStatus, number>;

/** Positive differences between consecutive times (sorted input). */
function intervalsOf(sorted: readonly ReportSample[]): number[] {
  const out: number[] = [];
  for (let i = 1; i < sorted.length; i++) {
    const d = (sorted[i] as ReportSample).time - (sorted[i - 1] as ReportSample).time;
    if (d > 0) out.push(d);
  }
  return out;
}

/**
 * One service's samples (already in the window, any order) -> its summary. `fallbackIntervalMs` stands in for the
 * median interval of a service with too few samples to have one (summarize passes the median over all services:
 * one tick samples every service).
 */
export function summarizeService(service: string, input: readonly ReportSample[], window: ReportWindow, fallbackIntervalMs?: number): ServiceSummary {
  // Stable sort: equal times keep file order.
  const ss = [...input].sort((a, b) => a.time - b.time);
  const first = ss[0];
  const last = ss[ss.length - 1];
  if (!first || !last) throw new RangeError(`summarizeService(${service}): no samples`);
  const med = median(intervalsOf(ss)) ?? fallbackIntervalMs;
  const isGap = (d: number): boolean => med !== undefined && d > GAP_FACTOR * med;

  // What each sample stands for, and the gaps between them.
  const weights: number[] = [];
  const gaps: Gap[] = [];
  ss.forEach((s, i) => {
    const next = ss[i + 1];
    if (next) {
      const d = next.time - s.time;
      if (isGap(d)) gaps.push({ from: s.time, to: next.time, durationMs: d, ongoing: false });
      weights.push(isGap(d) ? (med as number) : d);
    } else {
      const tail = window.to - s.time;
      if (isGap(tail)) gaps.push({ from: s.time, to: window.to, durationMs: tail, ongoing: true });
      weights.push(med === undefined ? 0 : Math.max(0, Math.min(med, tail)));
    }
  });

  const statusMs = zeroes();
  const counts = zeroes();
  ss.forEach((s, i) => {
    statusMs[s.status] += weights[i] as number;
    counts[s.status] += 1;
  });
  const observedMs = STATUSES.reduce((sum, st) => sum + statusMs[st], 0);
  const [base, total] = observedMs > 0 ? [statusMs, observedMs] : [counts, ss.length];
  const statusShare = Object.fromEntries(STATUSES.map((st) => [st, base[st] / total])) as Record<ReportStatus, number>;

  // Longest run of consecutive unhealthy samples not broken by a gap; the earliest wins a tie.
  let longest: Streak | undefined;
  let runStart: ReportSample | undefined;
  ss.forEach((s, i) => {
    if (s.status !== 'unhealthy') {
      runStart = undefined;
      return;
    }
    runStart ??= s;
    const end = s.time + (weights[i] as number);
    const next = ss[i + 1];
    const runEnds = !next || next.status !== 'unhealthy' || isGap(next.time - s.time);
    if (runEnds) {
      const from = runStart.time;
      if (!longest || end - from > longest.durationMs) longest = { from, to: end, durationMs: end - from, reasons: runStart.reasons };
      runStart = undefined;
    }
  });

  const restarts: RestartEvent[] = ss
    .filter((s) => s.action === 'restart')
    .map((s) => ({ time: s.time, reasons: s.reasons, why: s.why, ...(s.actionError !== undefined ? { error: s.actionError } : {}) }));
  const breakerOpenings: BreakerOpening[] = [];
  ss.forEach((s, i) => {
    if (s.why.startsWith(BREAKER_WHY) && !(ss[i - 1]?.why.startsWith(BREAKER_WHY) ?? false)) breakerOpenings.push({ time: s.time, why: s.why });
  });

  const lagSeries = ss.flatMap((s) => (s.lagEpochs !== undefined ? [{ time: s.time, lag: s.lagEpochs }] : []));
  const lagEpochs = stats(lagSeries.map((p) => p.lag));
  const peerStats = stats(ss.flatMap((s) => (s.peers !== undefined ? [s.peers] : [])));
  const rssStats = stats(ss.flatMap((s) => (s.rssBytes !== undefined ? [s.rssBytes] : [])));
  return {
    service,
    samples: ss.length,
    firstSample: first.time,
    lastSample: last.time,
    ...(med !== undefined ? { medianIntervalMs: med } : {}),
    observedMs,
    statusMs,
    statusShare,
    availability: statusShare.healthy + statusShare.degraded,
    restarts,
    failedRestarts: restarts.filter((r) => r.error !== undefined).length,
    breakerOpenings,
    ...(lagEpochs ? { lagEpochs } : {}),
    ...(peerStats ? { peers: { min: peerStats.min, avg: peerStats.avg, last: peerStats.last } } : {}),
    ...(rssStats ? { rssBytes: { max: rssStats.max, last: rssStats.last } } : {}),
    ...(longest ? { longestUnhealthy: longest } : {}),
    gaps,
    lagSeries,
  };
}

/** Samples (any order, any window) -> the report data for the window (from, to]. */
export function summarize(samples: readonly ReportSample[], opts: SummarizeOptions): Summary {
  const window = { from: opts.from, to: opts.to };
  const per = new Map<string, ReportSample[]>();
  for (const s of samples) {
    if (!(s.time > window.from && s.time <= window.to)) continue;
    const list = per.get(s.service);
    if (list) list.push(s);
    else per.set(s.service, [s]);
  }
  const names = [...per.keys()].sort(byName);
  const overall = median(names.flatMap((n) => intervalsOf([...(per.get(n) as ReportSample[])].sort((a, b) => a.time - b.time))));
  return {
    generatedAt: opts.generatedAt ?? opts.to,
    window,
    skippedLines: opts.skippedLines ?? 0,
    services: names.map((name) => summarizeService(name, per.get(name) as ReportSample[], window, overall)),
  };
}
