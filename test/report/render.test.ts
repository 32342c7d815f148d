// The three report formats, pinned byte for byte on goldens (test/golden/report/<case>/report.{json,md,html};
// UPDATE_GOLDEN=1 rewrites them), plus what must hold whatever the goldens say: escaping, self-containment, determinism.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { escapeHtml, escapeMarkdown, parseSampleLines, renderHtml, renderJson, renderMarkdown, summarize, type Summary } from '../../src/report/index.js';

const root = join(import.meta.dirname, '../..');
const goldenDir = join(root, 'test/golden/report');
const update = process.env.UPDATE_GOLDEN === '1';

const T0 = Date.parse('2026-08-06T00:00:00.000Z');
const NOW = T0 + 2 * 3_600_000; // reports cover the two hours after T0
const TICK = 30_000;

interface Tick {
  service: string;
  status: string;
  reasons?: string[];
  height?: number | null;
  lag_epochs?: number | null;
  peers?: number | null;
  rss_bytes?: number | null;
  action?: string;
  why?: string;
  action_error?: string;
}

/** A samples line exactly as src/monitor/samples.ts writes it. */
function line(time: number, t: Tick): string {
  return JSON.stringify({
    time: new Date(time).toISOString(), service: t.service, status: t.status, reasons: t.reasons ?? [], height: t.height ?? null,
    lag_epochs: t.lag_epochs ?? null, peers: t.peers ?? null, rss_bytes: t.rss_bytes ?? null, pid: t.status === 'stopped' ? null : 4242,
    action: t.action ?? 'none', why: t.why ?? t.status, ...(t.action_error !== undefined ? { action_error: t.action_error } : {}),
  });
}

const BREAKER = 'circuit breaker open: 2 restarts within 3600s (max 2); no restart before 2026-08-06T01:30:00.000Z';

/** Two hours of a healthy daemon and a troubled miner, with a 20-minute monitor outage and one torn line. */
function mixedLines(): string[] {
  const lines: string[] = [];
  for (let i = 1; i * TICK <= 2 * 3_600_000; i++) {
    const t = T0 + i * TICK;
    const minute = (i * TICK) / 60_000;
    if (minute > 60 && minute <= 80) continue; // the monitor was down
    const lag = i % 10 === 0 ? 4 : i % 3;
    lines.push(line(t, {
      service: 'daemon', status: lag > 2 ? 'degraded' : 'healthy', reasons: lag > 2 ? [`${lag} epochs behind (healthy ≤ 2)`] : [],
      height: 5_000_000 + i, lag_epochs: lag, peers: 40 + (i % 7), rss_bytes: 6 * 1024 ** 3 + i * 1024 ** 2,
    }));
    let miner: Tick = { service: 'miner', status: 'healthy', rss_bytes: 512 * 1024 ** 2 };
    if (minute > 10 && minute <= 15) miner = { service: 'miner', status: 'unhealthy', reasons: ['API unreachable: Filecoin.ChainHead: <script>alert("x")</script> | *boom*'] };
    if (minute === 15) miner = { ...miner, action: 'restart', why: 'unhealthy for 10 consecutive ticks (threshold 10): API unreachable' };
    if (minute > 15 && minute <= 17) miner = { service: 'miner', status: 'starting', reasons: ['started 30s ago (startup_grace 5m0s)'] };
    if (minute > 40 && minute <= 50) miner = { service: 'miner', status: 'stopped', reasons: ['loaded but not running; last exit: exited with code 1'] };
    if (minute === 45) miner = { ...miner, action: 'restart', why: 'stopped for 10 consecutive ticks (threshold 10): loaded but not running', action_error: 'launchctl kickstart: Could not find service "x" in domain' };
    if (minute > 50 && minute <= 55) miner = { ...miner, status: 'stopped', why: BREAKER };
    if (minute > 100) miner = { service: 'miner', status: 'unknown', reasons: ['launchd state unreadable: launchctl.timeout'], why: 'unknown: nothing the monitor can act on' };
    lines.push(line(t, miner));
  }
  // A torn write and a line from another tool: counted, never fatal.
  lines.splice(10, 0, '{"time":"2026-08-06T00:05:', 'not json at all');
  // A service name and reason that arrive as markup.
  lines.push(line(NOW - TICK, { service: '<img src=x onerror=alert(1)>', status: 'unhealthy', reasons: ['<b>bold</b> & "quoted"'] }));
  return lines;
}

function summaryOf(lines: readonly string[]): Summary {
  const parsed = parseSampleLines(lines.join('\n'));
  return summarize(parsed.samples, { from: NOW - 2 * 3_600_000, to: NOW, skippedLines: parsed.skipped });
}

const CASES: Record<string, () => string[]> = {
  mixed: mixedLines,
  empty: () => [],
  'single-sample': () => [line(NOW - 5000, { service: 'daemon', status: 'healthy', lag_epochs: 0, peers: 3, rss_bytes: 900 })],
};

const FILES = { 'report.json': renderJson, 'report.md': renderMarkdown, 'report.html': renderHtml };

function golden(dir: string, file: string, actual: string): void {
  const path = join(dir, file);
  if (update) writeFileSync(path, actual);
  expect(existsSync(path), `${path} is missing (UPDATE_GOLDEN=1 writes it)`).toBe(true);
  expect(actual, `${path} (UPDATE_GOLDEN=1 rewrites it)`).toBe(readFileSync(path, 'utf8'));
}

describe('report goldens: test/golden/report/<case>/', () => {
  for (const [name, build] of Object.entries(CASES)) {
    it(name, () => {
      const dir = join(goldenDir, name);
      if (update) mkdirSync(dir, { recursive: true });
      const summary = summaryOf(build());
      for (const [file, render] of Object.entries(FILES)) golden(dir, file, render(summary));
      expect(readdirSync(dir).sort()).toEqual(Object.keys(FILES).sort());
    });
  }

  it('has no golden folder without a case', () => {
    expect(readdirSync(goldenDir).sort()).toEqual(Object.keys(CASES).sort());
  });
});

describe('report content', () => {
  const summary = summaryOf(mixedLines());

  it('reads the mixed case as designed (the goldens show the rest)', () => {
    const json = JSON.parse(renderJson(summary)) as { skipped_lines: number; services: Record<string, Record<string, unknown>> };
    expect(json.skipped_lines).toBe(2);
    expect(Object.keys(json.services)).toEqual(['<img src=x onerror=alert(1)>', 'daemon', 'miner']);
    const miner = json.services['miner'];
    expect(miner).toMatchObject({ restart_count: 2, failed_restart_count: 1, breaker_openings: [{ time: '2026-08-06T00:50:30.000Z' }] });
    expect(miner?.['gaps']).toEqual([{ from: '2026-08-06T01:00:00.000Z', to: '2026-08-06T01:20:30.000Z', duration_ms: 1_230_000, ongoing: false }]);
    expect(json.services['daemon']?.['gaps']).toEqual(miner?.['gaps']);
  });

  it('specs/report-json.md documents every field the JSON report has', () => {
    const doc = readFileSync(join(root, 'specs/report-json.md'), 'utf8');
    const keys = new Set<string>();
    const walk = (v: unknown, inServices: boolean): void => {
      if (Array.isArray(v)) return v.forEach((x) => walk(x, false));
      if (typeof v !== 'object' || v === null) return;
      for (const [k, x] of Object.entries(v)) {
        if (!inServices) keys.add(k);
        walk(x, k === 'services' && !inServices);
      }
    };
    walk(JSON.parse(renderJson(summary)), false);
    const statuses = ['healthy', 'degraded', 'unhealthy', 'starting', 'unknown', 'stopped'];
    const undocumented = [...keys].filter((k) => !statuses.includes(k) && !doc.includes(`\`${k}\``)).sort();
    expect(undocumented).toEqual([]);
    expect(keys.has('reasons') && keys.has('ongoing') && keys.has('status_share')).toBe(true); // the walk reached the leaves
  });

  it('is deterministic: the same samples in any order give the same bytes', () => {
    const reversed = summaryOf([...mixedLines()].reverse());
    for (const render of Object.values(FILES)) expect(render(reversed)).toBe(render(summary));
  });

  it('HTML: user text is escaped, and nothing runs or loads', () => {
    const html = renderHtml(summary);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<img/i);
    expect(html).not.toMatch(/<b>/);
    expect(html).toContain('&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62;');
    expect(html).toContain('&#60;img src=x onerror=alert(1)&#62;');
    expect(html).toContain('&#60;b&#62;bold&#60;/b&#62; &#38; &#34;quoted&#34;');
    // Self-contained: no external reference of any kind.
    expect(html).not.toMatch(/<[^>]*\b(src|href)\s*=/i); // in a tag: the escaped text above holds `src=` as text
    expect(html).not.toMatch(/url\(|@import|https?:/i);
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'"`);
    expect(html).toMatch(/<polyline points="[\d., ]+"/); // the chain lag sparkline
  });

  it('Markdown: user text cannot break the table or inject HTML', () => {
    const md = renderMarkdown(summary);
    expect(md).not.toMatch(/(?<!\\)<(script|img|b>)/); // only backslash-escaped, which Markdown shows as text
    expect(md).toContain('\\<script\\>alert("x")\\</script\\> \\| \\*boom\\*');
    const rows = md.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| Service') && !l.startsWith('| ---'));
    expect(rows).toHaveLength(3);
    const headCells = md.split('\n').find((l) => l.startsWith('| Service'))?.split(/(?<!\\)\|/).length;
    for (const r of rows) expect(r.split(/(?<!\\)\|/).length, r).toBe(headCells);
  });

  it.each([
    ['<script>alert(1)</script>', '&#60;script&#62;alert(1)&#60;/script&#62;'],
    [`a & b "c" 'd'`, 'a &#38; b &#34;c&#34; &#39;d&#39;'],
    ['plain', 'plain'],
  ])('escapeHtml(%j)', (raw, want) => expect(escapeHtml(raw)).toBe(want));

  it.each([
    ['a|b', 'a\\|b'],
    ['line\nbreak\r\nx', 'line break x'],
    ['*x* _y_ `z` [l](u) <t> ~s~ &amp; \\', '\\*x\\* \\_y\\_ \\`z\\` \\[l\\](u) \\<t\\> \\~s\\~ \\&amp; \\\\'],
  ])('escapeMarkdown(%j)', (raw, want) => expect(escapeMarkdown(raw)).toBe(want));
});
