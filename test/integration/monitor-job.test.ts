import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from '../fakes/launchctl/harness.js';
import { Sandbox } from '../helpers/sandbox.js';

let sb: Sandbox;
beforeEach(() => {
  sb = new Sandbox();
});
afterEach(async () => {
  expect(await sb.stop()).toEqual([]);
});

describe('the monitor job', () => {
  it('apply installs `lotusctl monitor run` as a launchd job that probes the node; a schedule change reloads it; destroy removes it', async () => {
    const spec = (schedule: string) => Sandbox.lotusDaemonSpec(`monitor:\n  schedule: ${schedule}\n`);
    sb.writeSpec(spec('2s'));
    const r = await sb.cli(['apply', '--auto-approve']);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    const mon = await sb.print('com.lotusctl.monitor');
    expect(mon.pid).toBeGreaterThan(0);
    expect(mon.text).toMatch(/monitor\n\s+run\n\s+--file\n/);
    const log = join(sb.home, 'Library/Logs/lotusctl/monitor.out.log');
    // The monitor, run by launchd, reads the spec, reaches the same launchd and the node's API, and records samples.
    await waitFor('a monitor round that saw the daemon healthy', () => existsSync(log) && /"service":"daemon"[^\n]*"status":"(healthy|starting|degraded)"|"status":"(healthy|starting|degraded)"[^\n]*"service":"daemon"/.test(readFileSync(log, 'utf8')), 60_000);
    const samplesDir = join(sb.stateDir(), 'samples');
    await waitFor('samples on disk', () => existsSync(samplesDir), 30_000);

    sb.writeSpec(spec('5s'));
    const plan = JSON.parse((await sb.cli(['plan', '--json'])).stdout);
    expect(plan.changes.filter((c: { action: string }) => c.action !== 'no-op').map((c: { address: string; action: string }) => `${c.address}:${c.action}`)).toEqual(['monitor.plist:update', 'monitor.job:replace']);
    expect((await sb.cli(['apply', '--auto-approve'])).code).toBe(0);
    expect((await sb.print('com.lotusctl.monitor')).text).toMatch(/--schedule\n\s+5s\n/);
    // launchd stopped the old monitor with SIGTERM: it logged that as JSON, and its stderr says nothing of Ctrl-C.
    await waitFor('the stop logged', () => /"event":"monitor-stopping"[^\n]*"signal":"SIGTERM"/.test(readFileSync(log, 'utf8')), 30_000);
    const err = join(sb.home, 'Library/Logs/lotusctl/monitor.err.log');
    expect(existsSync(err) ? readFileSync(err, 'utf8') : '').not.toMatch(/Ctrl-C|received/);

    const d = await sb.cli(['destroy', '--auto-approve']);
    expect(d.code, d.stderr).toBe(0);
    expect((await sb.print('com.lotusctl.monitor')).loaded).toBe(false);
    expect((await sb.print('com.lotusctl.daemon')).loaded).toBe(false);
  });
});

describe('lotusctl report', () => {
  it('summarizes the samples the monitor wrote into json, md and html files', async () => {
    sb.writeSpec(Sandbox.lotusDaemonSpec('monitor:\n  schedule: 1s\n  reports: { dir: reports, formats: [json, md] }\n'));
    expect((await sb.cli(['apply', '--auto-approve'])).code).toBe(0);
    const samplesDir = join(sb.stateDir(), 'samples');
    await waitFor('a few samples', () => existsSync(samplesDir) && readFileSync(join(samplesDir, readdirSync(samplesDir)[0]!), 'utf8').trim().split('\n').length >= 3, 60_000);
    const r = await sb.cli(['report', '--window', '1h']);
    expect(r.code, r.stderr).toBe(0);
    const paths = r.stdout.trim().split('\n');
    expect(paths.map((p) => p.replace(/.*\//, '').replace(/\d{4}-\d{2}-\d{2}T\d{4}Z/, 'DATE'))).toEqual(['lotus-health-DATE.json', 'lotus-health-DATE.md']);
    expect(paths.every((p) => p.startsWith(sb.path('reports')))).toBe(true);
    const json = JSON.parse(readFileSync(paths[0]!, 'utf8'));
    expect(json).toMatchObject({ format_version: '1', services: { daemon: expect.any(Object) } });
    const html = await sb.cli(['report', '--format', 'html', '--dir', sb.path('out')]);
    expect(html.code).toBe(0);
    expect(readFileSync(html.stdout.trim(), 'utf8')).toMatch(/^<!DOCTYPE html>/i);
    const printed = await sb.cli(['report', '--print']);
    expect(printed.stdout).toMatch(/daemon/);
    const bad = await sb.cli(['report', '--format', 'pdf']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^error\[cli\.bad-format\]: unknown report format pdf/);
  });
});
