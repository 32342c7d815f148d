// The monitor's restart of a Lotus that takes long to stop (issue 9, item 6): `kickstart -k` is given the job's
// ExitTimeOut plus a margin, and the monitor waits for the new instance instead of calling the restart failed.
// 32 s of shutdown: longer than the 30 s any single launchctl call was allowed before (and than the double's own
// wait inside kickstart -k, after which it answers 36 while the kill goes on).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
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

interface Event { event: string; msg?: string; service?: string; pid?: number; previous_pid?: number }

describe('the monitor restarting a slow-to-stop node', () => {
  it('waits for the old instance to drain and the new one to run, and says so', async () => {
    // A short startup grace, so that the stall counts soon after the start.
    sb.writeSpec(Sandbox.lotusDaemonSpec(`monitor:
  schedule: 1s
  failure_threshold: 1
  backoff: { initial: 1h, max: 2h, reset_after: 1h }
`).replace('startup_grace: 30s', 'startup_grace: 8s'));
    const r = await sb.cli(['apply', '--auto-approve']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const log = join(sb.home, 'Library/Logs/lotusctl/monitor.out.log');
    const events = (): Event[] => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Event) : []);
    await waitFor('a healthy tick', () => events().some((e) => e.event === 'tick'), 60_000);
    const before = (await sb.print('com.lotusctl.daemon')).pid;

    // The node stalls, and from now on takes 32 s to shut down (the fake lotus reads this file at shutdown too).
    writeFileSync(join(sb.home, '.lotus/fake-lotus.json'), JSON.stringify({ scenario: ['stalled', 'slow-shutdown'], stallBehindEpochs: 20, shutdownDelayMs: 32_000 }));
    const restarted = await waitFor('the restart to finish', () => events().find((e) => e.event === 'restarted' || e.event === 'restart-failed'), 120_000);
    expect(restarted.event, JSON.stringify(events().filter((e) => e.event.startsWith('restart')))).toBe('restarted');
    expect(restarted.previous_pid).toBe(before);
    expect(restarted.pid).not.toBe(before);
    expect(events().find((e) => e.event === 'restart')).toMatchObject({ msg: expect.stringMatching(/; waiting up to 75s for it to stop and start again$/) });
    expect((await sb.print('com.lotusctl.daemon')).pid).toBe(restarted.pid);
  }, 180_000);
});
