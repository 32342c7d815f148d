import { decodeWaitStatus, type LastExit } from './exit-status.js';

/** A value of an old-style (NeXTSTEP / OpenStep) plist as `launchctl list <label>` prints it. */
export type OpenStepValue = string | number | boolean | OpenStepValue[] | { [key: string]: OpenStepValue };

/**
 * What `launchctl list <label>` says (specs/launchd-behaviour.md §7). `label` is '' when the dict has no readable string `Label`.
 * `pid` is present only while the job runs. `lastExit` decodes the raw wait(2) `LastExitStatus`; unknown when absent.
 * `raw` is the whole dict as read (unquoted integers become numbers, `true`/`false` booleans, everything else strings).
 */
export interface ListLabel {
  label: string;
  pid?: number;
  lastExit: LastExit;
  program?: string;
  arguments?: string[];
  raw: Record<string, unknown>;
  /** Set (true) only when the dict did not end properly; entries after the cut are absent. */
  truncated?: boolean;
}

/** Parses `launchctl list <label>` output. Never throws. */
export function parseListLabel(text: string): ListLabel {
  const { value, complete } = parseOpenStepLoose(String(text));
  const raw: Record<string, unknown> = isDict(value) ? value : {};
  const out: ListLabel = { label: typeof raw['Label'] === 'string' ? raw['Label'] : '', lastExit: { kind: 'unknown' }, raw };
  if (!complete) out.truncated = true;
  const pid = raw['PID'];
  if (typeof pid === 'number' && Number.isSafeInteger(pid) && pid > 0) out.pid = pid;
  const status = raw['LastExitStatus'];
  if (typeof status === 'number') out.lastExit = decodeWaitStatus(status);
  const program = raw['Program'];
  if (typeof program === 'string' && program !== '') out.program = program;
  const args = raw['ProgramArguments'];
  if (Array.isArray(args) && args.every((a): a is string => typeof a === 'string')) out.arguments = args;
  return out;
}

function isDict(v: unknown): v is { [key: string]: OpenStepValue } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Tolerant OpenStep reader. `plist.parseOpenStep` rejects launchctl's `( "a"; "b"; )` arrays, hence this.
 * It stops at the first thing it cannot read and returns what it had, with `complete: false`; an entry counts only
 * once its terminating `;` (or closing brace) has been seen, so a cut-off value is never half-read.
 */
export function parseOpenStepLoose(text: string): { value: OpenStepValue | undefined; complete: boolean } {
  const r = new Reader(text);
  const value = r.value(0);
  if (value !== undefined && !r.failed) {
    r.ws();
    if (r.peek() === ';') r.pos++; // launchctl ends the dict with `};`
    r.ws();
    if (r.pos < text.length) r.failed = true;
  }
  return { value, complete: !r.failed };
}

const MAX_DEPTH = 64;
const TOKEN = /[^\s;,=(){}"<>]/;

class Reader {
  pos = 0;
  failed = false;
  constructor(private readonly s: string) {}

  peek(): string | undefined {
    return this.s[this.pos];
  }

  ws(): void {
    while (this.pos < this.s.length && /\s/.test(this.s[this.pos] ?? '')) this.pos++;
  }

  fail(): undefined {
    this.failed = true;
    return undefined;
  }

  value(depth: number): OpenStepValue | undefined {
    if (depth > MAX_DEPTH) return this.fail();
    this.ws();
    const c = this.peek();
    if (c === '{') return this.dict(depth);
    if (c === '(') return this.array(depth);
    if (c === '"') return this.quoted();
    if (c === '<') return this.data();
    return this.token();
  }

  private dict(depth: number): OpenStepValue | undefined {
    this.pos++;
    const entries = new Map<string, OpenStepValue>();
    const partial = (): OpenStepValue => Object.fromEntries(entries);
    for (;;) {
      this.ws();
      if (this.peek() === '}') {
        this.pos++;
        return partial();
      }
      const key = this.peek() === '"' ? this.quoted() : this.token();
      if (typeof key !== 'string' && typeof key !== 'number' && typeof key !== 'boolean') return this.failWith(partial());
      this.ws();
      if (this.peek() !== '=') return this.failWith(partial());
      this.pos++;
      const v = this.value(depth + 1);
      if (v === undefined || this.failed) return this.failWith(partial());
      this.ws();
      if (this.peek() === ';') this.pos++;
      else if (this.peek() !== '}') return this.failWith(partial());
      entries.set(String(key), v);
    }
  }

  private array(depth: number): OpenStepValue | undefined {
    this.pos++;
    const items: OpenStepValue[] = [];
    for (;;) {
      this.ws();
      if (this.peek() === ')') {
        this.pos++;
        return items;
      }
      const v = this.value(depth + 1);
      if (v === undefined || this.failed) return this.failWith(items);
      this.ws();
      const sep = this.peek();
      if (sep === ';' || sep === ',') this.pos++;
      else if (sep !== ')') return this.failWith(items);
      items.push(v);
    }
  }

  private failWith<T>(partial: T): T {
    this.failed = true;
    return partial;
  }

  private quoted(): string | undefined {
    this.pos++;
    let out = '';
    while (this.pos < this.s.length) {
      const c = this.s[this.pos++] ?? '';
      if (c === '"') return out;
      if (c === '\\') {
        const e = this.s[this.pos++];
        if (e === undefined) break;
        out += e === 'n' ? '\n' : e === 't' ? '\t' : e === 'r' ? '\r' : e;
      } else {
        out += c;
      }
    }
    return this.fail();
  }

  private data(): string | undefined {
    const end = this.s.indexOf('>', this.pos);
    if (end < 0) return this.fail();
    const v = this.s.slice(this.pos, end + 1);
    this.pos = end + 1;
    return v;
  }

  private token(): OpenStepValue | undefined {
    const start = this.pos;
    while (this.pos < this.s.length && TOKEN.test(this.s[this.pos] ?? '')) this.pos++;
    const t = this.s.slice(start, this.pos);
    if (t === '') return this.fail();
    if (/^-?\d+$/.test(t)) {
      const n = Number(t);
      return Number.isSafeInteger(n) ? n + 0 : t;
    }
    if (t === 'true') return true;
    if (t === 'false') return false;
    return t;
  }
}
