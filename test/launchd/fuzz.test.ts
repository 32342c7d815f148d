// Robustness: launchctl's `print` output is "NOT API", pastes are cut short and re-indented. No input may make a
// parser throw, and a cut-off copy may lose fields but must never report a value the full output does not.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  parseDomainPrint,
  parseList,
  parseListLabel,
  parsePrintDisabled,
  parseServicePrint,
  type LastExit,
} from '../../src/launchd/parsers.js';
import { listFixtures, readFixture } from '../helpers/fixtures.js';

type Parser = (text: string) => unknown;

// Every stdout sample and the parser it belongs to; a new sample fails here until it is pinned in its own test file.
const OWNER: Record<string, Parser> = {
  'list-label-running-supervisord-yosemite.txt': parseListLabel,
  'list-user-elcapitan-truncated.txt': parseList,
  'print-disabled-system-legacy-truefalse-macos12.txt': parsePrintDisabled,
  'print-disabled-system-modern-enabled-disabled.txt': parsePrintDisabled,
  'print-domain-system-abridged-macos13or14.txt': parseDomainPrint,
  'print-service-gui-runatload-exit0-parentalcontrols-check-macos26.txt': parseServicePrint,
  'print-service-gui-submitted-loginitem-exited0-macos13or14.txt': parseServicePrint,
  'print-service-system-exit1-semaphore-wifiFirmwareLoader-macos26.txt': parseServicePrint,
  'print-service-system-never-run-rpmuxd-macos26.txt': parseServicePrint,
  'print-service-system-running-akd-macos13or14.txt': parseServicePrint,
  'print-service-system-running-never-exited-runningboardd-macos26.txt': parseServicePrint,
  'print-service-system-running-yosemite-truncated.txt': parseServicePrint,
  'print-service-system-signal-killed9-kerberos-digest-macos26.txt': parseServicePrint,
};
const FIXTURES = listFixtures();

const EXIT_KINDS = new Set(['never', 'code', 'signal', 'reclaimed', 'unknown', 'pressured-exit']);
const isInt = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n);

// Checks build a list of problems instead of calling expect() per field: thousands of inputs stay fast.
function lastExitProblems(e: LastExit | { kind: 'pressured-exit' }): string[] {
  if (!EXIT_KINDS.has(e.kind)) return [`bad kind ${e.kind}`];
  if (e.kind === 'code' && !(isInt(e.code) && e.code >= 0 && e.code <= 255)) return [`bad code ${e.code}`];
  if (e.kind === 'signal' && !(isInt(e.signal) && e.signal >= 1 && e.signal <= 127)) return [`bad signal ${e.signal}`];
  return [];
}

/** Shape invariants every result must satisfy, whatever the input; returns what is violated. */
function wellFormedProblems(text: string): string[] {
  const bad: string[] = [];
  const s = parseServicePrint(text);
  if (!s.properties.every((p) => typeof p === 'string' && p !== '')) bad.push('service properties');
  bad.push(...lastExitProblems(s.lastExit));
  if (s.pid !== undefined && !(isInt(s.pid) && s.pid > 0)) bad.push(`service pid ${s.pid}`);
  for (const k of ['runs', 'activeCount', 'exitTimeout', 'minimumRuntime', 'asid'] as const) {
    const v = s[k];
    if (v !== undefined && !(isInt(v) && v >= 0)) bad.push(`service ${k} ${v}`);
  }
  if (s.arguments !== undefined && !s.arguments.every((a) => typeof a === 'string')) bad.push('service arguments');

  const d = parseDomainPrint(text);
  for (const row of d.services) {
    if (row.label === '') bad.push('domain row label');
    if (row.pid !== undefined && !(isInt(row.pid) && row.pid > 0)) bad.push(`domain row pid ${row.pid}`);
    bad.push(...lastExitProblems(row.lastStatus));
  }
  if (!Object.values(parsePrintDisabled(text)).every((v) => typeof v === 'boolean')) bad.push('disabled value');
  for (const row of parseList(text)) {
    if (row.label === '') bad.push('list label');
    if (!isInt(row.status)) bad.push(`list status ${row.status}`);
    bad.push(...lastExitProblems(row.lastExit));
  }
  const l = parseListLabel(text);
  if (typeof l.label !== 'string') bad.push('list-label label');
  bad.push(...lastExitProblems(l.lastExit));
  if (l.pid !== undefined && !(isInt(l.pid) && l.pid > 0)) bad.push(`list-label pid ${l.pid}`);
  return bad;
}

function checkWellFormed(text: string): void {
  const bad = wellFormedProblems(text);
  if (bad.length > 0) expect({ text, bad }).toEqual({ text, bad: [] });
}

/** Fields of `part` (a parse of a cut-off copy) whose value differs from the full parse; skips "not read" defaults. */
function invented(part: object, full: object, skip: (k: string, v: unknown) => boolean = () => false): string[] {
  const f = full as Record<string, unknown>;
  return Object.entries(part)
    .filter(([k, v]) => !skip(k, v) && JSON.stringify(v) !== JSON.stringify(f[k]))
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`);
}

/** Every line-boundary prefix of `text` (with and without the final newline). */
function prefixes(text: string): string[] {
  const lines = text.split('\n');
  const out: string[] = [];
  for (let i = 0; i <= lines.length; i++) {
    const p = lines.slice(0, i).join('\n');
    out.push(p, `${p}\n`);
  }
  return out;
}

/** Every character prefix: a paste can be cut mid-line too. */
function charPrefixes(text: string): string[] {
  return Array.from({ length: text.length + 1 }, (_, i) => text.slice(0, i));
}

describe('fixture inventory', () => {
  it('knows every sample in test/fixtures/launchctl', () => {
    expect(FIXTURES).toEqual(Object.keys(OWNER).sort());
  });
});

describe('truncated copies', () => {
  it.each(FIXTURES)('%s: no parser throws and results stay well-formed', (file) => {
    // wellFormedProblems runs every parser, so a throw fails the test too.
    const bad = prefixes(readFixture(file)).flatMap((p) => wellFormedProblems(p).map((x) => `${JSON.stringify(p.slice(-30))}: ${x}`));
    expect(bad).toEqual([]);
  });

  const serviceFiles = FIXTURES.filter((f) => OWNER[f] === parseServicePrint);
  it.each(serviceFiles)('%s: a copy cut at any character never reports a value the full output lacks', (file) => {
    const text = readFixture(file);
    const full = parseServicePrint(text);
    const skip = (k: string, v: unknown): boolean =>
      k === 'truncated' || (k === 'properties' && Array.isArray(v) && v.length === 0) || (k === 'lastExit' && (v as LastExit).kind === 'unknown');
    const bad = charPrefixes(text).flatMap((p, cut) => invented(parseServicePrint(p), full, skip).map((x) => `cut ${cut}: ${x}`));
    expect(bad).toEqual([]);
  });

  it('list <label>: a copy cut at any character keeps only fully read entries', () => {
    const text = readFixture('list-label-running-supervisord-yosemite.txt');
    const full = parseListLabel(text);
    const skip = (k: string, v: unknown): boolean =>
      k === 'truncated' || (k === 'label' && v === '') || (k === 'lastExit' && (v as LastExit).kind === 'unknown');
    const bad = charPrefixes(text).flatMap((p, cut) => {
      const part = parseListLabel(p);
      return [...invented(part, full, (k, v) => k === 'raw' || skip(k, v)), ...invented(part.raw, full.raw)].map((x) => `cut ${cut}: ${x}`);
    });
    expect(bad).toEqual([]);
  });

  it('print <domain>: a copy cut at any character lists only real rows and overrides', () => {
    const text = readFixture('print-domain-system-abridged-macos13or14.txt');
    const full = parseDomainPrint(text);
    const bad = charPrefixes(text).flatMap((p, cut) => {
      const part = parseDomainPrint(p);
      const problems = [
        ...invented({ services: part.services }, { services: full.services.slice(0, part.services.length) }),
        ...invented({ subdomains: part.subdomains }, { subdomains: full.subdomains.slice(0, part.subdomains.length) }),
        ...invented(part.disabled, full.disabled),
      ];
      return problems.map((x) => `cut ${cut}: ${x}`);
    });
    expect(bad).toEqual([]);
  });

  it('list and print-disabled: a cut-off copy yields a prefix / subset of the full result', () => {
    const listText = readFixture('list-user-elcapitan-truncated.txt');
    const rows = parseList(listText);
    const bad = prefixes(listText).flatMap((p) => {
      const part = parseList(p);
      return invented({ rows: part }, { rows: rows.slice(0, part.length) });
    });
    for (const file of FIXTURES.filter((f) => OWNER[f] === parsePrintDisabled)) {
      const text = readFixture(file);
      const full = parsePrintDisabled(text);
      bad.push(...charPrefixes(text).flatMap((p, cut) => invented(parsePrintDisabled(p), full).map((x) => `${file} cut ${cut}: ${x}`)));
    }
    expect(bad).toEqual([]);
  });
});

// Lines that exercise the grammar's edges: openers, closers, operators with nothing around them.
const trickyLine = fc.oneof(
  fc.constantFrom(
    '{', '}', '[', ']', '};', ' = {', ' => {', ' => [', 'x = {', 'x => [', '= ', ' = ', ' => ', '=>', '=', 'properties = ',
    'pid = abc', 'pid = 99999999999999999999', 'last exit code = ', 'last exit code = 78: EX_CONFIG',
    'last terminating signal = : 9', 'last exit reason = JETSAM_X', 'arguments = {', 'environment = {', '"', '"a" = (',
    '(', ')', ');', '"PID" = -1;', '"LastExitStatus" = 99999999;', '0\t-\t', '-\t-15\tx', '\t\t', '\u0000', '__proto__ => 1',
    '"constructor" => disabled', 'uid unset',
  ),
  fc.string({ maxLength: 40 }),
);

describe('random garbage (fast-check, fixed seed)', () => {
  const opts = { numRuns: 300, seed: 0x1a7e5 };

  it('any lines at all', () => {
    fc.assert(
      fc.property(fc.array(trickyLine, { maxLength: 40 }), (lines) => {
        checkWellFormed(lines.join('\n'));
      }),
      opts,
    );
  });

  it('fixtures with lines replaced, inserted, dropped or duplicated', () => {
    const texts = FIXTURES.map(readFixture);
    const edit = fc.record({ at: fc.nat(), op: fc.constantFrom('replace', 'insert', 'drop', 'dup'), line: trickyLine });
    fc.assert(
      fc.property(fc.nat({ max: texts.length - 1 }), fc.array(edit, { minLength: 1, maxLength: 6 }), (fi, edits) => {
        const lines = (texts[fi] ?? '').split('\n');
        for (const e of edits) {
          const i = e.at % (lines.length + 1);
          if (e.op === 'replace') lines[i] = e.line;
          else if (e.op === 'insert') lines.splice(i, 0, e.line);
          else if (e.op === 'drop') lines.splice(i, 1);
          else lines.splice(i, 0, lines[i] ?? '');
        }
        checkWellFormed(lines.join('\n'));
      }),
      opts,
    );
  });

  it('fixtures cut at any character', () => {
    const texts = FIXTURES.map(readFixture);
    fc.assert(
      fc.property(fc.nat({ max: texts.length - 1 }), fc.nat(), (fi, cut) => {
        const t = texts[fi] ?? '';
        checkWellFormed(t.slice(0, cut % (t.length + 1)));
      }),
      opts,
    );
  });
});
