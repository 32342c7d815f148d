// Reports from the running monitor: monitor.reports.schedule drives writeHealthReport beside the ticks, whatever the
// services' health; a failed write is logged and the loop goes on. launchctl is a stub (no processes): its print
// fails, so every service is `unknown` and none is healthy.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runMonitor } from '../../src/monitor/loop.js';
import type { Launchctl } from '../../src/system/launchctl.js';
import { waitFor } from '../fakes/launchctl/harness.js';
import { recordAsApplied } from '../helpers/applied.js';

class UnreadableLaunchctl {
  prints = 0;
  async print(): Promise<never> {
    this.prints++;
    throw new Error('launchctl.timeout');
  }
  async kickstart(): Promise<undefined> {
    throw new Error('not expected: an unknown service is never restarted');
  }
  asLaunchctl(): Launchctl {
    return this as unknown as Launchctl;
  }
}

interface Line { event: string; level: string; msg: string; paths?: string[]; code?: string | null; hint?: string | null; schedule?: string; dir?: string }

let roots: string[] = [];
let stops: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const stop of stops) await stop();
  stops = [];
  for (const r of roots) rmSync(r, { recursive: true, force: true });
  roots = [];
});

function sandbox(reports: string | undefined) {
  const root = mkdtempSync(join(tmpdir(), 'lotusctl-loop-report-'));
  roots.push(root);
  const stateDir = join(root, 'state');
  const specFile = join(root, 'lotus.yaml');
  const spec = (r: string | undefined) => `version: 1
defaults:
  state_dir: ${stateDir}
services:
  node:
    program: /bin/sleep
    args: ["3600"]
${r === undefined ? '' : `monitor:\n  reports:\n${r}`}`;
  writeFileSync(specFile, spec(reports));
  recordAsApplied(specFile);
  const lines: Line[] = [];
  const events = (e: string) => lines.filter((l) => l.event === e);
  const ac = new AbortController();
  const done = runMonitor({ file: specFile, schedule: '1s', signal: ac.signal, launchctl: new UnreadableLaunchctl().asLaunchctl(), log: (l) => lines.push(JSON.parse(l) as Line) });
  const stop = async () => {
    ac.abort();
    return done;
  };
  stops.push(stop);
  return { root, specFile, spec, lines, events, stop };
}

describe('reports from runMonitor', () => {
  it('writes every format on a 1s schedule while no service is healthy', async () => {
    const sb = sandbox('    schedule: 1s\n    dir: reports\n    formats: [json, md, html]\n');
    const report = await waitFor('a report', () => sb.events('report')[0]);
    expect(sb.events('report-schedule')[0]).toMatchObject({ level: 'info', schedule: '1s', dir: join(sb.root, 'reports') });
    // A relative dir resolves against the spec's folder, like every path in lotus.yaml.
    const dir = join(sb.root, 'reports');
    expect(report.paths?.map((p) => p.replace(/lotus-health-\d{4}-\d\d-\d\dT\d{4}Z/, 'NAME'))).toEqual(['json', 'md', 'html'].map((e) => join(dir, `NAME.${e}`)));
    for (const p of report.paths ?? []) expect(existsSync(p), p).toBe(true);
    const json = JSON.parse(readFileSync(report.paths?.[0] as string, 'utf8')) as { services: Record<string, { samples: number; availability: number; status_share: Record<string, number> }> };
    expect(json.services['node']?.samples).toBeGreaterThanOrEqual(1);
    expect(json.services['node']?.status_share['unknown']).toBe(1);
    expect(json.services['node']?.availability).toBe(0);
    expect(sb.events('tick').every((t) => (t as { services?: Record<string, string> }).services?.['node'] === 'unknown')).toBe(true);
    await waitFor('a second report', () => sb.events('report').length >= 2);
    expect(await sb.stop()).toBe(0);
    expect(sb.lines.at(-1)?.event).toBe('monitor-stop');
    expect(sb.events('report-failed')).toEqual([]);
  });

  it('logs report-failed and goes on ticking; reports resume once the folder is writable', async () => {
    const sb = sandbox('    schedule: 1s\n    dir: reports\n    formats: [json]\n');
    writeFileSync(join(sb.root, 'reports'), 'a file where the folder should be');
    await waitFor('two failed reports', () => sb.events('report-failed').length >= 2);
    expect(sb.events('report-failed')[0]).toMatchObject({
      level: 'error', code: 'fs.write-failed', msg: expect.stringMatching(/^health report failed: cannot create the report folder/), hint: expect.any(String),
    });
    const ticks = sb.events('tick').length;
    await waitFor('a tick after the failures', () => sb.events('tick').length > ticks);
    rmSync(join(sb.root, 'reports'));
    await waitFor('a report', () => sb.events('report').length >= 1);
    expect(await sb.stop()).toBe(0);
  });

  it('writes no reports without a monitor section, and starts when one appears', async () => {
    const sb = sandbox(undefined);
    await waitFor('two ticks', () => sb.events('tick').length >= 2);
    expect(sb.events('report-schedule')).toEqual([]);
    writeFileSync(sb.specFile, sb.spec('    schedule: 1s\n    dir: later\n    formats: [md]\n'));
    const report = await waitFor('a report', () => sb.events('report')[0]);
    expect(report.paths?.[0]).toMatch(new RegExp(`^${join(sb.root, 'later')}/lotus-health-.*\\.md$`));
    expect(sb.events('report').length).toBeGreaterThan(0);
    expect(await sb.stop()).toBe(0);
  });
});
