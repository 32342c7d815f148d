import { existsSync, readFileSync } from 'node:fs';
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

    const d = await sb.cli(['destroy', '--auto-approve']);
    expect(d.code, d.stderr).toBe(0);
    expect((await sb.print('com.lotusctl.monitor')).loaded).toBe(false);
    expect((await sb.print('com.lotusctl.daemon')).loaded).toBe(false);
  });
});
