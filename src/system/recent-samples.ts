// The monitor's recent samples for `status` and `doctor`, read from the end of the day files (newest first), so a long
// history costs nothing: the scan stops at the start of the window or at a byte cap per file, whichever comes first.
import { join } from 'node:path';
import { daysOverlapping, parseSampleLine, type ReportSample } from '../report/samples.js';
import { errnoCode } from './atomic-file.js';
import { linesFromEnd } from './tail-file.js';

export interface RecentSamples {
  /** The newest sample of each service within the window. */
  readonly last: ReadonlyMap<string, ReportSample>;
  /** Samples with action `restart` per service within the window. */
  readonly restarts: ReadonlyMap<string, number>;
  /** The newest sample of any service (the monitor's heartbeat). */
  readonly newest?: number;
  /** False when a file was cut off by the byte cap before the window start: counts are then lower bounds. */
  readonly complete: boolean;
  /** Day files that could not be read (e.g. EACCES), as `path: CODE`. */
  readonly unreadable: readonly string[];
}

/** Samples in (now − windowMs, now] from <stateDir>/samples/<day>.jsonl. Never throws for missing or unreadable files. */
export function readRecentSamples(stateDir: string, now: number, windowMs: number, opts: { maxBytesPerFile?: number } = {}): RecentSamples {
  const from = now - windowMs;
  const last = new Map<string, ReportSample>();
  const restarts = new Map<string, number>();
  const unreadable: string[] = [];
  let newest: number | undefined;
  let complete = true;
  for (const day of daysOverlapping(from, now).reverse()) {
    const file = join(stateDir, 'samples', `${day}.jsonl`);
    let it: Generator<string, { capped: boolean }, undefined>;
    try {
      it = linesFromEnd(file, { maxBytes: opts.maxBytesPerFile ?? 64 * 1024 * 1024 });
      for (;;) {
        const r = it.next();
        if (r.done) {
          if (r.value.capped) complete = false;
          break;
        }
        const s = parseSampleLine(r.value);
        if (s === undefined || s.time > now) continue;
        // Lines are appended in time order, so the first one before the window ends this file's scan.
        if (s.time <= from) {
          it.return({ capped: false });
          break;
        }
        if (newest === undefined || s.time > newest) newest = s.time;
        if (!last.has(s.service)) last.set(s.service, s);
        if (s.action === 'restart') restarts.set(s.service, (restarts.get(s.service) ?? 0) + 1);
      }
    } catch (e) {
      const code = errnoCode(e);
      if (code === 'ENOENT' || code === 'ENOTDIR') continue;
      unreadable.push(`${file}: ${code ?? String(e)}`);
      complete = false;
    }
  }
  return { last, restarts, ...(newest !== undefined ? { newest } : {}), complete, unreadable };
}
