// Retention of the health reports the monitor writes (monitor.reports.retention and keep), through `monitor run --once`:
// old report files go, by age and by count per format; nothing else in the folder is ever touched.
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { recordAsApplied } from '../helpers/applied.js';
import { Sandbox } from '../helpers/sandbox.js';

const DAY = 86_400_000;
let sb: Sandbox;
beforeEach(() => {
  sb = new Sandbox();
});
afterEach(async () => {
  expect(await sb.stop()).toEqual([]);
});

/** A report file name as lotusctl writes it, for `ago` ms before now. */
function reportName(ago: number, ext: string): string {
  const iso = new Date(Date.now() - ago).toISOString();
  return `lotus-health-${iso.slice(0, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}Z.${ext}`;
}

function spec(reports: string): string {
  const file = sb.writeSpec(`version: 1\nservices:\n  daemon:\n    program: /bin/sleep\n    args: ["600"]\nmonitor:\n  reports: { dir: reports${reports} }\n`);
  // The monitor watches what was applied: record the spec as applied (no job needs to run for housekeeping).
  recordAsApplied(file, { ...process.env, ...sb.env });
  sb.chownToOperator(join(sb.home, 'Library')); // the monitor runs as the operator: its state dir is theirs
  return file;
}

async function tick(): Promise<Array<{ event: string; files?: string[] }>> {
  const r = await sb.cli(['monitor', 'run', '--once']);
  return r.stdout.trim().split('\n').map((l) => JSON.parse(l));
}

describe('monitor.reports retention', () => {
  it('deletes report files past retention or past the newest `keep` of their format, and nothing else in the folder', async () => {
    spec(', retention: 7d, keep: 3');
    const dir = sb.path('reports');
    mkdirSync(dir);
    const put = (name: string, text = 'report\n') => writeFileSync(join(dir, name), text);
    const kept = [reportName(1 * DAY, 'json'), reportName(2 * DAY, 'json'), reportName(3 * DAY, 'json'), reportName(1 * DAY, 'html'), reportName(6 * DAY, 'md')];
    const old = [reportName(4 * DAY, 'json'), reportName(30 * DAY, 'html'), reportName(8 * DAY, 'md')];
    for (const n of [...kept, ...old]) put(n);
    // Not lotusctl's reports (or not regular files): all stay, whatever their age.
    const outside = sb.path('outside.md');
    writeFileSync(outside, 'not a report\n');
    const foreign = ['notes.txt', 'lotus-health-old.json', 'lotus-health-2020-01-01T0000Z.json.bak', 'lotus-health-2020-02-31T0000Z.json',
      'lotus-health-2020-01-01T0000Z.JSON', 'my-lotus-health-2020-01-01T0000Z.json'];
    for (const n of foreign) put(n);
    symlinkSync(outside, join(dir, 'lotus-health-2020-01-01T0000Z.md'));
    mkdirSync(join(dir, 'lotus-health-2020-01-02T0000Z.html'));
    mkdirSync(join(dir, 'archive'));
    writeFileSync(join(dir, 'archive', 'lotus-health-2020-01-01T0000Z.json'), 'archived\n');

    sb.chownToOperator(dir); // the operator's report folder, as the monitor would have made it
    const lines = await tick();
    expect(lines.find((l) => l.event === 'reports-pruned')?.files?.sort()).toEqual(old.map((n) => join(dir, n)).sort());
    expect(readdirSync(dir).sort()).toEqual([...kept, ...foreign, 'lotus-health-2020-01-01T0000Z.md', 'lotus-health-2020-01-02T0000Z.html', 'archive'].sort());
    expect(readFileSync(outside, 'utf8')).toBe('not a report\n');
    expect(existsSync(join(dir, 'archive', 'lotus-health-2020-01-01T0000Z.json'))).toBe(true);

    // Nothing more to delete: the next round says nothing.
    expect((await tick()).map((l) => l.event)).not.toContain('reports-pruned');
  });

  it('defaults: 90 days and the newest 100 per format; lotusctl report --dir elsewhere is never pruned', async () => {
    spec('');
    const dir = sb.path('reports');
    const elsewhere = sb.path('elsewhere');
    mkdirSync(dir);
    mkdirSync(elsewhere);
    const recent = Array.from({ length: 102 }, (_, i) => reportName((i + 1) * 3_600_000, 'json'));
    for (const n of [...recent, reportName(100 * DAY, 'html'), reportName(80 * DAY, 'html')]) writeFileSync(join(dir, n), '{}\n');
    writeFileSync(join(elsewhere, reportName(400 * DAY, 'json')), '{}\n');
    sb.chownToOperator(dir);
    sb.chownToOperator(elsewhere);
    await tick();
    expect(readdirSync(dir).sort()).toEqual([...recent.slice(0, 100), reportName(80 * DAY, 'html')].sort());
    expect(readdirSync(elsewhere)).toEqual([reportName(400 * DAY, 'json')]);
  });

  it('retention and keep are bounded like other durations and counts', async () => {
    sb.writeSpec('version: 1\nservices:\n  daemon:\n    program: /bin/sleep\nmonitor:\n  reports:\n    retention: 30m\n    keep: 0\n');
    const r = await sb.cli(['validate']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('lotus.yaml:7:16  monitor.reports.retention: must be at least 1h');
    expect(r.stderr).toMatch(/lotus\.yaml:8:11 {2}monitor\.reports\.keep: /);
    sb.writeSpec('version: 1\nservices:\n  daemon:\n    program: /bin/sleep\nmonitor:\n  reports: { retention: 4000d, keep: 100001 }\n');
    const big = await sb.cli(['validate']);
    expect(big.code).toBe(1);
    expect(big.stderr).toContain('monitor.reports.retention: too long: at most 3660d');
    expect(big.stderr).toMatch(/monitor\.reports\.keep: .*100000/);
  });
});
