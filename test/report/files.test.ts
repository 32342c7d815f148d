// The shell half of reports: which day files are read, file names, modes, atomic replacement, errors.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { renderHtml, renderJson, renderMarkdown, reportFileName } from '../../src/report/index.js';
import { buildHealthSummary, readSamplesForWindow, writeHealthReport } from '../../src/system/report-files.js';

const NOW = new Date('2026-08-06T12:34:56.789Z');
const HOUR = 3_600_000;

let roots: string[] = [];
afterEach(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
  roots = [];
});

function sandbox() {
  const root = mkdtempSync(join(tmpdir(), 'lotusctl-report-'));
  roots.push(root);
  const stateDir = join(root, 'state');
  mkdirSync(join(stateDir, 'samples'), { recursive: true });
  const day = (date: string, lines: string[]) => writeFileSync(join(stateDir, 'samples', `${date}.jsonl`), lines.map((l) => `${l}\n`).join(''));
  return { root, stateDir, day };
}

const sample = (iso: string, service = 'node', status = 'healthy') =>
  JSON.stringify({ time: iso, service, status, reasons: [], height: 1, lag_epochs: 0, peers: 5, rss_bytes: 1024, pid: 7, action: 'none', why: status });

const modeOf = (p: string) => statSync(p).mode & 0o777;

describe('reportFileName', () => {
  it.each([
    ['2026-08-06T12:34:56.789Z', 'json', 'lotus-health-2026-08-06T1234Z.json'],
    ['2026-01-02T03:04:00.000Z', 'md', 'lotus-health-2026-01-02T0304Z.md'],
    ['2026-12-31T23:59:59.999Z', 'html', 'lotus-health-2026-12-31T2359Z.html'],
  ] as const)('%s %s', (iso, fmt, want) => expect(reportFileName(Date.parse(iso), fmt)).toBe(want));
});

describe('readSamplesForWindow', () => {
  it('reads only the day files overlapping the window, counting unusable lines', async () => {
    const sb = sandbox();
    // Days outside the window hold lines timed inside it, and junk: reading them would show.
    sb.day('2026-08-04', [sample('2026-08-06T06:00:00.000Z', 'planted-before'), 'junk', 'junk']);
    sb.day('2026-08-05', [sample('2026-08-05T11:00:00.000Z', 'too-old'), sample('2026-08-05T13:00:00.000Z'), 'junk']);
    sb.day('2026-08-06', [sample('2026-08-06T12:00:00.000Z'), '{"time":"2026-08-06T12:30:00.000Z","serv']);
    sb.day('2026-08-07', [sample('2026-08-06T12:30:00.000Z', 'planted-after'), 'junk']);
    const window = { from: NOW.getTime() - 24 * HOUR, to: NOW.getTime() };
    const r = await readSamplesForWindow(sb.stateDir, window);
    expect(r.files).toEqual([join(sb.stateDir, 'samples', '2026-08-05.jsonl'), join(sb.stateDir, 'samples', '2026-08-06.jsonl')]);
    expect(r.skippedLines).toBe(2);
    expect(r.samples.map((s) => s.service)).toEqual(['too-old', 'node', 'node']);

    const summary = await buildHealthSummary({ stateDir: sb.stateDir, now: NOW });
    expect(summary.services.map((s) => [s.service, s.samples])).toEqual([['node', 2]]); // too-old is before the window
    expect(summary.skippedLines).toBe(2);
    expect(summary.window).toEqual(window);
  });

  it('is empty when there are no samples yet', async () => {
    const sb = sandbox();
    rmSync(join(sb.stateDir, 'samples'), { recursive: true });
    expect(await readSamplesForWindow(sb.stateDir, { from: 0, to: NOW.getTime() - 1 })).toEqual({ samples: [], skippedLines: 0, files: [] });
  });

  it('takes the window length from windowMs', async () => {
    const sb = sandbox();
    sb.day('2026-08-06', [sample('2026-08-06T11:00:00.000Z'), sample('2026-08-06T12:00:00.000Z')]);
    const s = await buildHealthSummary({ stateDir: sb.stateDir, now: NOW, windowMs: HOUR });
    expect(s.services[0]?.samples).toBe(1);
  });

  it('fails with fs.not-a-file when a day file is not a regular file', async () => {
    const sb = sandbox();
    mkdirSync(join(sb.stateDir, 'samples', '2026-08-06.jsonl'));
    await expect(readSamplesForWindow(sb.stateDir, { from: NOW.getTime() - HOUR, to: NOW.getTime() })).rejects.toMatchObject({
      code: 'fs.not-a-file', message: expect.stringMatching(/2026-08-06\.jsonl: not a regular file \(a directory\)/),
    });
  });
});

describe('writeHealthReport', () => {
  it('writes each format once as lotus-health-<UTC minute>.<ext>, 0644, in a folder created 0755', async () => {
    const sb = sandbox();
    sb.day('2026-08-06', [sample('2026-08-06T12:00:00.000Z'), sample('2026-08-06T12:00:30.000Z', 'node', 'unhealthy')]);
    const dir = join(sb.root, 'logs', 'lotusctl', 'reports');
    const old = process.umask(0o077); // the modes must not depend on the umask
    let paths: string[];
    try {
      paths = await writeHealthReport({ stateDir: sb.stateDir, dir, formats: ['md', 'json', 'html', 'json'], now: NOW });
    } finally {
      process.umask(old);
    }
    expect(paths).toEqual(['md', 'json', 'html'].map((ext) => join(dir, `lotus-health-2026-08-06T1234Z.${ext}`)));
    expect(readdirSync(dir).sort()).toEqual(['lotus-health-2026-08-06T1234Z.html', 'lotus-health-2026-08-06T1234Z.json', 'lotus-health-2026-08-06T1234Z.md']);
    for (const p of paths) expect(modeOf(p), p).toBe(0o644);
    for (const d of [join(sb.root, 'logs'), join(sb.root, 'logs', 'lotusctl'), dir]) expect(modeOf(d), d).toBe(0o755);
    expect(modeOf(sb.root)).toBe(0o700); // an existing parent keeps its mode

    const summary = await buildHealthSummary({ stateDir: sb.stateDir, now: NOW });
    expect(readFileSync(paths[0] as string, 'utf8')).toBe(renderMarkdown(summary));
    expect(readFileSync(paths[1] as string, 'utf8')).toBe(renderJson(summary));
    expect(readFileSync(paths[2] as string, 'utf8')).toBe(renderHtml(summary));
    expect(JSON.parse(readFileSync(paths[1] as string, 'utf8'))).toMatchObject({
      format_version: '1', generated_at: NOW.toISOString(), services: { node: { samples: 2 } },
    });
  });

  it('is deterministic, and replaces an earlier report of the same minute atomically (no temp files left)', async () => {
    const sb = sandbox();
    const dir = join(sb.root, 'reports');
    sb.day('2026-08-06', [sample('2026-08-06T12:00:00.000Z')]);
    const [first] = await writeHealthReport({ stateDir: sb.stateDir, dir, formats: ['json'], now: NOW });
    const before = readFileSync(first as string, 'utf8');
    expect((await writeHealthReport({ stateDir: sb.stateDir, dir, formats: ['json'], now: NOW }))[0]).toBe(first);
    expect(readFileSync(first as string, 'utf8')).toBe(before);

    sb.day('2026-08-06', [sample('2026-08-06T12:00:00.000Z'), sample('2026-08-06T12:01:00.000Z', 'miner')]);
    await writeHealthReport({ stateDir: sb.stateDir, dir, formats: ['json'], now: new Date(NOW.getTime() + 1000) });
    expect(Object.keys((JSON.parse(readFileSync(first as string, 'utf8')) as { services: object }).services)).toEqual(['miner', 'node']);
    expect(readdirSync(dir)).toEqual(['lotus-health-2026-08-06T1234Z.json']);
    expect(modeOf(first as string)).toBe(0o644);
  });

  it('writes a report with no services when there are no samples (the monitor may never have run)', async () => {
    const sb = sandbox();
    const [p] = await writeHealthReport({ stateDir: join(sb.root, 'nothing'), dir: join(sb.root, 'r'), formats: ['json'], now: NOW });
    expect(JSON.parse(readFileSync(p as string, 'utf8'))).toMatchObject({ services: {}, skipped_lines: 0 });
  });

  it.each([
    ['the folder is a file', (root: string) => writeFileSync(join(root, 'reports'), 'x'), /cannot create the report folder .*reports: (EEXIST|ENOTDIR)/],
    ['the report name is a folder', (root: string) => mkdirSync(join(root, 'reports', 'lotus-health-2026-08-06T1234Z.json'), { recursive: true }), /cannot write .*lotus-health-2026-08-06T1234Z\.json/],
  ])('fails with fs.write-failed when %s', async (_, prepare, message) => {
    const sb = sandbox();
    prepare(sb.root);
    await expect(writeHealthReport({ stateDir: sb.stateDir, dir: join(sb.root, 'reports'), formats: ['json'], now: NOW })).rejects.toMatchObject({
      code: 'fs.write-failed', message: expect.stringMatching(message), hint: expect.any(String),
    });
  });

  it.each([
    ['an unknown format', { formats: ['pdf' as 'json'] }, 'report.bad-format'],
    ['an empty window', { windowMs: 0 }, 'report.bad-window'],
    ['a bad date', { now: new Date('nope') }, 'report.bad-time'],
  ])('refuses %s', async (_, patch, code) => {
    const sb = sandbox();
    const dir = join(sb.root, 'reports');
    await expect(writeHealthReport({ stateDir: sb.stateDir, dir, formats: ['json'], now: NOW, ...patch })).rejects.toMatchObject({ code });
    expect(() => statSync(dir)).toThrow(); // nothing written
  });
});
