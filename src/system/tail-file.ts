// Bounded reading of log files from their end, and following them across rotation (the `tail -F` behaviour).
// A log may be gigabytes: nothing here reads a file whole. Tails read backwards in chunks and stop after the lines
// asked for (or a byte cap); following reads only what was appended, a chunk at a time.
import { closeSync, fstatSync, readSync, statSync } from 'node:fs';
import { errnoCode } from './atomic-file.js';
import { openRegularFile } from './read-file.js';

const CHUNK = 64 * 1024;
/** Default cap on how far back a tail scans: a few very long lines must not pull in a whole file. */
export const DEFAULT_MAX_SCAN_BYTES = 16 * 1024 * 1024;

/**
 * Lines of `path` from the last one backwards (the unterminated tail first, if any); stops at `maxBytes` scanned.
 * `end`: read as if the file ended at this byte offset (a follower's start, so nothing is shown twice).
 */
export function* linesFromEnd(path: string, opts: { maxBytes?: number; end?: number } = {}): Generator<string, { capped: boolean }, undefined> {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_SCAN_BYTES;
  // Regular files only, opened without blocking: a FIFO or a device at a log path must not hang the command.
  const fd = openRegularFile(path);
  try {
    const size = fstatSync(fd).size;
    let pos = opts.end === undefined ? size : Math.min(size, opts.end);
    const start = Math.max(0, pos - maxBytes);
    let rest: Buffer = Buffer.alloc(0);
    let first = true;
    while (pos > start) {
      const len = Math.min(CHUNK, pos - start);
      pos -= len;
      const buf = Buffer.alloc(len);
      const got = readSync(fd, buf, 0, len, pos);
      let data = Buffer.concat([buf.subarray(0, got), rest]);
      // A newline at the very end terminates the last line; it does not start an empty one.
      if (first && data.length > 0 && data[data.length - 1] === 0x0a) data = data.subarray(0, data.length - 1);
      first = false;
      let end = data.length;
      for (let i = data.length - 1; i >= 0; i--) {
        if (data[i] === 0x0a) {
          yield stripCr(data.subarray(i + 1, end).toString('utf8'));
          end = i;
        }
      }
      rest = data.subarray(0, end);
    }
    if (start === 0) {
      if (rest.length > 0) yield stripCr(rest.toString('utf8'));
      return { capped: false };
    }
    // The scan stopped at the cap in the middle of a line: that partial line is left out.
    return { capped: true };
  } finally {
    closeSync(fd);
  }
}

const stripCr = (s: string): string => (s.endsWith('\r') ? s.slice(0, -1) : s);

/**
 * The last `n` lines of `path` (only those `keep` accepts, when given), oldest first, and whether the scan hit its
 * byte cap before finding them.
 */
export function tailLines(path: string, n: number, opts: { maxBytes?: number; end?: number; keep?: (line: string) => boolean } = {}): { lines: string[]; capped: boolean } {
  const out: string[] = [];
  if (n <= 0) return { lines: out, capped: false };
  const it = linesFromEnd(path, opts);
  for (;;) {
    const r = it.next();
    if (r.done) return { lines: out.reverse(), capped: r.value.capped };
    if (opts.keep && !opts.keep(r.value)) continue;
    out.push(r.value);
    if (out.length >= n) {
      it.return({ capped: false });
      return { lines: out.reverse(), capped: false };
    }
  }
}

/** What happened to a followed file between two polls. */
export type FollowEvent =
  | { kind: 'lines'; lines: string[] }
  /** The path now names another file (renamed away, a new one created): the old one was read to its end first. */
  | { kind: 'rotated' }
  /** The file got shorter (truncated in place, as copytruncate does): reading restarts at its beginning. */
  | { kind: 'truncated' }
  | { kind: 'appeared' }
  | { kind: 'missing' }
  | { kind: 'unreadable'; code: string };

interface Open { fd: number; dev: number; ino: number; pos: number }

/**
 * Follows one file by polling (fs.watch misses renames on some file systems and is not available everywhere).
 * Starts at the current end, or at 0 for a file that appears later. Complete lines only; a partial last line
 * waits for its newline (or is emitted when its file is rotated away).
 */
export class FileFollower {
  private cur: Open | undefined;
  private partial = '';
  private lastProblem: string | undefined;

  constructor(readonly path: string, opts: { fromStart?: boolean } = {}) {
    this.cur = this.openAt(opts.fromStart ? 'start' : 'end');
  }

  /** The byte offset reading starts from in the current file (undefined while it does not exist). */
  get position(): number | undefined {
    return this.cur?.pos;
  }

  /** Reads whatever is new; at most `maxBytes` per call so one huge append cannot stall the others. */
  poll(maxBytes = 4 * 1024 * 1024): FollowEvent[] {
    const events: FollowEvent[] = [];
    if (this.cur === undefined) {
      this.cur = this.openAt('start');
      if (this.cur !== undefined) events.push({ kind: 'appeared' });
      else {
        this.report(events);
        return events;
      }
    }
    const c = this.cur;
    try {
      const size = fstatSync(c.fd).size;
      if (size < c.pos) {
        c.pos = 0;
        this.partial = '';
        events.push({ kind: 'truncated' });
      }
      this.readFrom(c, maxBytes, events);
      if (c.pos < fstatSync(c.fd).size) return events; // more to read next time, from this same file
    } catch (e) {
      // e.g. EISDIR, EIO: say so once, and keep watching the path (it may be replaced by a readable file).
      const code = errnoCode(e) ?? String(e);
      if (code !== this.lastProblem) events.push({ kind: 'unreadable', code });
      this.lastProblem = code;
    }
    // Caught up with this file: has the path moved on to another one?
    let st: { dev: number; ino: number } | undefined;
    try {
      st = statSync(this.path);
    } catch (e) {
      if (errnoCode(e) !== 'ENOENT') throw e;
    }
    if (st !== undefined && (st.dev !== c.dev || st.ino !== c.ino)) {
      this.flushPartial(events);
      closeSync(c.fd);
      this.cur = this.openAt('start');
      events.push({ kind: 'rotated' });
      if (this.cur !== undefined) this.readFrom(this.cur, maxBytes, events);
    }
    return events;
  }

  close(): void {
    if (this.cur !== undefined) closeSync(this.cur.fd);
    this.cur = undefined;
  }

  private report(events: FollowEvent[]): void {
    // Say once that the file is missing or unreadable, not on every poll.
    let problem = 'missing';
    try {
      statSync(this.path);
      problem = 'EACCES';
    } catch (e) {
      problem = errnoCode(e) === 'ENOENT' ? 'missing' : (errnoCode(e) ?? 'unknown');
    }
    if (problem !== this.lastProblem) events.push(problem === 'missing' ? { kind: 'missing' } : { kind: 'unreadable', code: problem });
    this.lastProblem = problem;
  }

  private openAt(where: 'start' | 'end'): Open | undefined {
    let fd: number;
    try {
      fd = openRegularFile(this.path);
    } catch (e) {
      const code = errnoCode(e);
      if (code === 'ENOENT' || code === 'EACCES' || code === 'EPERM') return undefined;
      throw e;
    }
    const st = fstatSync(fd);
    this.lastProblem = undefined;
    return { fd, dev: st.dev, ino: st.ino, pos: where === 'end' ? st.size : 0 };
  }

  private readFrom(c: Open, maxBytes: number, events: FollowEvent[]): void {
    let budget = maxBytes;
    const buf = Buffer.alloc(CHUNK);
    let text = '';
    while (budget > 0) {
      const got = readSync(c.fd, buf, 0, Math.min(CHUNK, budget), c.pos);
      if (got <= 0) break;
      c.pos += got;
      budget -= got;
      text += buf.subarray(0, got).toString('latin1');
    }
    if (text === '') return;
    // latin1 keeps bytes 1:1, so a UTF-8 character split across reads is decoded whole once its line is complete.
    const parts = (this.partial + text).split('\n');
    this.partial = parts.pop() ?? '';
    if (parts.length > 0) events.push({ kind: 'lines', lines: parts.map((l) => stripCr(Buffer.from(l, 'latin1').toString('utf8'))) });
  }

  private flushPartial(events: FollowEvent[]): void {
    if (this.partial === '') return;
    events.push({ kind: 'lines', lines: [Buffer.from(this.partial, 'latin1').toString('utf8')] });
    this.partial = '';
  }
}
