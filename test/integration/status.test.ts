import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from '../fakes/launchctl/harness.js';
import { Sandbox } from '../helpers/sandbox.js';
import { snapshotTree } from '../helpers/snapshot.js';
import { CliProcess } from '../helpers/spawn-cli.js';

let sb: Sandbox;
let proc: CliProcess | undefined;
beforeEach(() => {
  sb = new Sandbox();
});
afterEach(async () => {
  proc?.kill();
  proc = undefined;
  expect(await sb.stop()).toEqual([]);
});

interface Row { service: string; domain: string; launchd_state: string | null; pid: number | null; health: { status: string; summary: string }; [k: string]: unknown }
const rows = (stdout: string): Record<string, Row> => Object.fromEntries((JSON.parse(stdout).services as Row[]).map((r) => [r.service, r]));

describe('lotusctl status', () => {
  it('not applied: exit 2, every job not loaded; applied and sampled: exit 0 with pid, uptime, health, chain height and peers; it never writes', async () => {
    sb.writeSpec(Sandbox.lotusDaemonSpec('monitor:\n  schedule: 1s\n'));
    const before = await sb.cli(['status']);
    expect(before.code, before.stderr).toBe(2);
    expect(before.stdout).toMatch(/^SERVICE +LABEL +DOMAIN +DESIRED +LAUNCHD +PID +UPTIME +LAST EXIT +HEALTH +RESTARTS 24H +HEIGHT +PEERS\ndaemon +com\.lotusctl\.daemon +\S+ +running +not loaded /);
    expect(before.stdout).toMatch(/daemon: wanted running, but it is not loaded in \S+: run lotusctl apply/);

    expect((await sb.cli(['apply', '--auto-approve'])).code).toBe(0);
    // The monitor (every 1 s) samples the daemon healthy: then status is all well.
    const ok = await waitFor('status exit 0', async () => {
      const r = await sb.cli(['status', '--json']);
      return r.code === 0 ? r : undefined;
    }, 60_000);
    const j = JSON.parse(ok.stdout);
    expect(j).toMatchObject({ format_version: '1', ok: true });
    const r = rows(ok.stdout);
    const printed = await sb.print('com.lotusctl.daemon', r.daemon!.domain);
    expect(r.daemon).toMatchObject({
      kind: 'service', label: 'com.lotusctl.daemon', desired_state: 'running', launchd_state: 'running', as_desired: true, pid: printed.pid,
      health: { status: 'healthy', source: 'monitor' }, restarts_24h: 0, breaker_open: false, peers: 8,
      last_exit: { kind: 'never', summary: 'never exited' },
    });
    expect(r.daemon!.uptime_seconds).toEqual(expect.any(Number));
    expect(r.daemon!.chain_height).toBeGreaterThan(4_000_000);
    expect(r.monitor).toMatchObject({ kind: 'monitor', launchd_state: 'running', health: { status: 'ticking' } });

    const one = await sb.cli(['status', 'daemon']);
    expect(one.stdout.split('\n').filter((l) => /^(daemon|monitor) /.test(l)).map((l) => l.split(/ +/)[0])).toEqual(['daemon']);
    const unknown = await sb.cli(['status', 'deamon']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^error\[cli\.unknown-service\]: .*"deamon"\nhint: did you mean daemon\?/);

    // Stop the only other writer (the monitor), then: status reads launchd, ps, the samples and the API, and writes nothing.
    expect((await sb.launchctl(['bootout', `${r.monitor!.domain}/com.lotusctl.monitor`])).code).toBe(0);
    const home = snapshotTree(sb.home);
    for (const args of [['status'], ['status', '--json'], ['status', 'daemon'], ['status', 'monitor', '--json']]) {
      const s = await sb.cli(args);
      // The daemon alone is still as desired and healthy; any view with the monitor row is not.
      expect(s.code, `${args.join(' ')}: ${s.stderr}`).toBe(args.includes('daemon') ? 0 : 2);
    }
    expect(snapshotTree(sb.home)).toEqual(home);
    const after = rows((await sb.cli(['status', '--json'])).stdout);
    expect(after.monitor).toMatchObject({ launchd_state: 'not loaded', as_desired: false });
  }, 120_000);

  it('the monitor\'s records: a stale last sample says how old, restarts in 24 h are counted, an open breaker is shown', async () => {
    sb.writeSpec(Sandbox.lotusDaemonSpec('monitor:\n  schedule: 30s\n'));
    const now = Date.now();
    const stateDir = sb.stateDir();
    mkdirSync(join(stateDir, 'samples'), { recursive: true });
    const line = (ago: number, action: string) => JSON.stringify({ time: new Date(now - ago).toISOString(), service: 'daemon', status: 'unhealthy', reasons: ['API unreachable'], height: null, lag_epochs: null, peers: null, rss_bytes: null, pid: 1, action, why: 'x' });
    // Three restarts within 24 h, two older: one a minute before the window starts, in a day file the window touches.
    const samples = [[30 * 3_600_000, 'restart'], [24 * 3_600_000 + 60_000, 'restart'], [3 * 3_600_000, 'restart'], [2 * 3_600_000, 'restart'], [3_600_000, 'none'], [20 * 60_000, 'restart']] as const;
    for (const [ago, action] of samples) {
      const file = join(stateDir, 'samples', `${new Date(now - ago).toISOString().slice(0, 10)}.jsonl`);
      writeFileSync(file, `${line(ago, action)}\n`, { flag: 'a' });
    }
    writeFileSync(join(stateDir, 'monitor-state.json'), JSON.stringify({ format_version: 1, services: { daemon: { consecutive_failures: 0, restart_times: [], restarts_total: 4, backoff_attempt: 3, breaker_open: true } } }));
    const r = await sb.cli(['status', '--json']);
    expect(r.code).toBe(2);
    const d = rows(r.stdout).daemon!;
    expect(d).toMatchObject({ restarts_24h: 3, restarts_24h_complete: true, breaker_open: true, health: { status: 'stale' } });
    expect(d.health.summary).toMatch(/^stale: last sample 20m\d*s? ago said unhealthy: API unreachable \(the monitor samples every 30s\)$/);
    const text = await sb.cli(['status']);
    expect(text.stdout).toMatch(/stale \(last sample 20m\d*s? ago\) +3 \(breaker open\)/);
    expect(text.stdout).toMatch(/circuit breaker is open/);
  });

  it('no GUI session: the rows are unknown, never running, and say why (exit 2)', async () => {
    sb.writeSpec(Sandbox.lotusDaemonSpec());
    const r = await sb.cli(['status', '--json'], { FAKE_LAUNCHD_NO_GUI: '1' });
    expect(r.code, r.stderr).toBe(2);
    const d = rows(r.stdout).daemon!;
    expect(d).toMatchObject({ launchd_state: 'unknown', pid: null, as_desired: false });
    expect((d.notes as string[]).join('\n')).toMatch(/unknown \(launchctl print gui\/\d+\/com\.lotusctl\.daemon: gui\/\d+ does not exist \(no console login session/);
    // No monitor section: its row says nothing watches the node.
    expect(rows(r.stdout).monitor).toMatchObject({ launchd_state: null, health: { status: 'not configured' } });
  });

  it('--watch prints a new table each interval when stdout is not a terminal; Ctrl-C ends it with 0', async () => {
    sb.writeSpec(Sandbox.lotusDaemonSpec());
    proc = new CliProcess(['status', '--watch', '--interval', '500ms'], { env: sb.env, cwd: sb.root, ...sb.runAs() });
    await waitFor('two tables', () => (proc!.stdout.match(/^--- \d{4}-\d\d-\d\dT/gm) ?? []).length >= 2, 30_000);
    expect(await proc.interrupt()).toEqual({ code: 0, signal: null });
    expect(proc.stdout.match(/^SERVICE +LABEL/gm)!.length).toBeGreaterThanOrEqual(2);
  });
});
