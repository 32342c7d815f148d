import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from '../fakes/launchctl/harness.js';
import { Sandbox } from '../helpers/sandbox.js';

const DAEMON = 'com.lotusctl.daemon';

function daemonSpec(extra = '', services = ''): string {
  return Sandbox.lotusDaemonSpec(`${extra}${services}`);
}

let sb: Sandbox;
beforeEach(() => {
  sb = new Sandbox();
});
afterEach(async () => {
  expect(await sb.stop()).toEqual([]);
});

async function applyOk(args: string[] = []) {
  const r = await sb.cli(['apply', '--auto-approve', ...args]);
  expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
  return r;
}

describe('plan and apply against the launchctl and lotus doubles', () => {
  it('fresh install, then a second apply changes nothing', async () => {
    sb.writeSpec(daemonSpec());
    const plan = await sb.cli(['plan', '--detailed-exitcode']);
    expect(plan.code).toBe(2);
    expect(plan.stdout).toMatch(/Plan: 3 to add, 0 to change, 0 to replace, 0 to destroy\./);

    const r = await applyOk();
    expect(r.stdout).toMatch(/Applying 3 changes to 1 service\.\.\./);
    expect(r.stdout).toMatch(/Apply complete! Resources: 3 added, 0 changed, 0 replaced, 0 destroyed\./);
    expect(statSync(sb.agentPlist(DAEMON)).mode & 0o777).toBe(0o644);
    const first = await sb.print(DAEMON);
    expect(first.loaded).toBe(true);
    expect(first.pid).toBeGreaterThan(0);
    // The fake lotus really started: its repo and api file exist; lotusctl never writes into the repo itself.
    expect(existsSync(join(sb.home, '.lotus/api'))).toBe(true);
    expect(sb.manifest().jobs[DAEMON]?.state).toBe('running');

    const again = await sb.cli(['apply', '--auto-approve']);
    expect(again.code).toBe(0);
    expect(again.stdout.trim()).toBe('No changes. Your Mac matches lotus.yaml.');
    const second = await sb.print(DAEMON);
    expect({ pid: second.pid, runs: second.runs }).toEqual({ pid: first.pid, runs: first.runs });
    expect((await sb.cli(['plan', '--detailed-exitcode'])).code).toBe(0);
    expect((await sb.cli(['drift'])).code).toBe(0);
  });

  it('a field change replaces the loaded job; the plan says why', async () => {
    sb.writeSpec(daemonSpec());
    await applyOk();
    const before = await sb.print(DAEMON);
    sb.writeSpec(daemonSpec().replace('exit_timeout: 60s', 'exit_timeout: 5m'));
    const plan = await sb.cli(['plan', '--json']);
    const doc = JSON.parse(plan.stdout);
    expect(doc.changes.filter((c: { action: string }) => c.action !== 'no-op').map((c: { address: string; action: string }) => [c.address, c.action])).toEqual([
      ['daemon.plist', 'update'], ['daemon.job', 'replace'],
    ]);
    expect(doc.changes.find((c: { address: string }) => c.address === 'daemon.job').reason).toMatch(/launchd reads a plist only at bootstrap/);
    await applyOk();
    expect(readFileSync(sb.agentPlist(DAEMON), 'utf8')).toContain('<integer>300</integer>');
    const after = await sb.print(DAEMON);
    expect(after.pid).toBeGreaterThan(0);
    expect(after.pid).not.toBe(before.pid);
    expect(after.text).toMatch(/exit timeout = 300/);
  });

  it('a hand edit of the plist and a job booted out by hand are drift, and apply repairs both', async () => {
    sb.writeSpec(daemonSpec());
    await applyOk();
    const plist = sb.agentPlist(DAEMON);
    await sb.launchctl(['bootout', `${sb.gui}/${DAEMON}`]);
    writeFileSync(plist, readFileSync(plist, 'utf8').replace('<integer>60</integer>', '<integer>7</integer>'));

    const drift = await sb.cli(['drift', '--json']);
    expect(drift.code).toBe(2);
    expect(JSON.parse(drift.stdout).drift.map((d: { kind: string }) => d.kind).sort()).toEqual(['job-unloaded', 'plist-edited']);
    const human = await sb.cli(['plan']);
    expect(human.stdout).toMatch(/Drift: changes made outside lotusctl/);
    expect(human.stdout).toMatch(/ExitTimeOut = 7 \(7s\) -> 60 \(1m\)/);

    await applyOk();
    expect(readFileSync(plist, 'utf8')).toContain('<integer>60</integer>');
    expect((await sb.print(DAEMON)).pid).toBeGreaterThan(0);
    expect((await sb.cli(['drift'])).code).toBe(0);
  });

  it('a disabled job is re-enabled and a stopped one restarted', async () => {
    sb.writeSpec(daemonSpec());
    await applyOk();
    await sb.launchctl(['disable', `${sb.gui}/${DAEMON}`]);
    await sb.launchctl(['bootout', `${sb.gui}/${DAEMON}`]);
    const plan = JSON.parse((await sb.cli(['plan', '--json'])).stdout);
    expect(plan.drift.map((d: { kind: string }) => d.kind).sort()).toEqual(['job-disabled', 'job-unloaded']);
    await applyOk();
    const disabled = await sb.launchctl(['print-disabled', sb.gui]);
    expect(disabled.stdout).toMatch(new RegExp(`"${DAEMON.replace(/\./g, '\\.')}" => enabled`));
    expect((await sb.print(DAEMON)).pid).toBeGreaterThan(0);
  });

  it('a service removed from the spec is deleted; the other is untouched', async () => {
    const sleeper = sb.script('sleeper', 'exec sleep 600');
    const both = daemonSpec('', `  helper:\n    program: ${sleeper}\n    throttle_interval: 1s\n    exit_timeout: 60s\n`);
    sb.writeSpec(both);
    await applyOk();
    const daemonPid = (await sb.print(DAEMON)).pid;
    expect((await sb.print('com.lotusctl.helper')).pid).toBeGreaterThan(0);

    sb.writeSpec(daemonSpec());
    const plan = await sb.cli(['plan']);
    expect(plan.stdout).toMatch(/# helper\.job will be booted out \(no longer in lotus\.yaml\)/);
    expect(plan.stdout).toMatch(/Plan: 0 to add, 0 to change, 0 to replace, 2 to destroy\./);
    await applyOk();
    expect((await sb.print('com.lotusctl.helper')).loaded).toBe(false);
    expect(existsSync(sb.agentPlist('com.lotusctl.helper'))).toBe(false);
    expect((await sb.print(DAEMON)).pid).toBe(daemonPid);
    expect(Object.keys(sb.manifest().jobs)).toEqual([DAEMON]);
  });

  it('never touches a job lotusctl did not create', async () => {
    const sleeper = sb.script('sleeper', 'exec sleep 600');
    const foreign = sb.agentPlist('com.lotusctl.daemon');
    sb.writeSpec(daemonSpec());
    // Someone else's plist at the path lotusctl would use.
    writeFileSync(sb.path('foreign.plist'), `<?xml version="1.0" encoding="UTF-8"?>\n<plist version="1.0"><dict><key>Label</key><string>com.lotusctl.daemon</string><key>ProgramArguments</key><array><string>${sleeper}</string></array></dict></plist>\n`);
    mkdirSync(join(sb.home, 'Library/LaunchAgents'), { recursive: true });
    copyFileSync(sb.path('foreign.plist'), foreign);
    const r = await sb.cli(['plan']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error\[plan\.unmanaged-plist\]: .*com\.lotusctl\.daemon\.plist exists and was not created by lotusctl/);
    expect(readFileSync(foreign, 'utf8')).toContain(sleeper);
  });

  it('a saved plan applies exactly; a stale one is refused', async () => {
    sb.writeSpec(daemonSpec());
    const saved = await sb.cli(['plan', '--out', 'tfplan']);
    expect(saved.code).toBe(0);
    expect(statSync(sb.path('tfplan')).mode & 0o777).toBe(0o600);
    const ok = await sb.cli(['apply', 'tfplan']);
    expect(ok.code, ok.stderr).toBe(0);
    expect((await sb.print(DAEMON)).pid).toBeGreaterThan(0);

    sb.writeSpec(daemonSpec().replace('exit_timeout: 60s', 'exit_timeout: 90s'));
    await sb.cli(['plan', '--out', 'tfplan2']);
    await sb.launchctl(['bootout', `${sb.gui}/${DAEMON}`]);
    const stale = await sb.cli(['apply', 'tfplan2']);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toMatch(/^error\[plan\.stale\]: the plan is stale/m);
    expect(readFileSync(sb.agentPlist(DAEMON), 'utf8')).toContain('<integer>60</integer>');
  });

  it('without a terminal, apply needs --auto-approve or a plan file', async () => {
    sb.writeSpec(daemonSpec());
    const r = await sb.cli(['apply']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error\[apply\.needs-approval\]/);
    expect(r.stderr).toMatch(/hint: run lotusctl apply --auto-approve/);
    expect(existsSync(sb.agentPlist(DAEMON))).toBe(false);
  });

  it('a concurrent apply is refused and names the holder', async () => {
    const slow = sb.script('slow', 'exec sleep 600');
    sb.writeSpec(`version: 1\nservices:\n  slow:\n    program: ${slow}\n    throttle_interval: 6s\n    exit_timeout: 60s\n`);
    const first = sb.cli(['apply', '--auto-approve']);
    const lock = join(sb.stateDir(), 'lock.json');
    const holder = await waitFor('the first apply to hold the lock', () => existsSync(lock) && JSON.parse(readFileSync(lock, 'utf8')), 30_000);
    const second = await sb.cli(['apply', '--auto-approve'], { LOTUSCTL_LOCK_WAIT_MS: '300' });
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(new RegExp(`^error\\[lock\\.held\\]: .*pid ${holder.pid}.*lotusctl apply`, 'm'));
    // A live holder is proven alive: the hint is to wait (or stop it), never to force-unlock it.
    expect(second.stderr).toMatch(new RegExp(`^hint: wait for it to finish \\(or stop it: kill ${holder.pid}\\), then run your command again$`, 'm'));
    expect(second.stderr).not.toMatch(/force-unlock/);
    expect((await first).code).toBe(0);
    expect(existsSync(lock)).toBe(false);
  });

  it('a crash-looping program fails the apply with its exit explained, and is rolled back', async () => {
    const crashy = sb.script('crashy', 'echo "fatal: cannot open chain store" >&2; exit 3');
    sb.writeSpec(`version: 1\nservices:\n  crashy:\n    program: ${crashy}\n    logs: { dir: ~/Library/Logs/crashy }\n    keep_alive: true\n    throttle_interval: 1s\n    exit_timeout: 60s\n`);
    const r = await sb.cli(['apply', '--auto-approve']);
    expect(r.code).toBe(1);
    // Whether launchd is caught between two spawns or during one, the verdict is the same: it does not stay up.
    expect(r.stderr).toMatch(/^error\[apply\.job-failed\]: crashy: com\.lotusctl\.crashy exited (as soon as|right after) it started.*: .*status 3/m);
    expect(r.stderr).toContain('fatal: cannot open chain store');
    expect(r.stderr).toMatch(/rolled back:/);
    expect(r.stdout).not.toMatch(/Apply complete/);
    expect((await sb.print('com.lotusctl.crashy')).loaded).toBe(false);
    expect(existsSync(sb.agentPlist('com.lotusctl.crashy'))).toBe(false);
    expect(sb.manifest().jobs['com.lotusctl.crashy']).toBeUndefined();
  });

  it('a failed start of a changed service rolls it back to the previous plist and job', async () => {
    sb.writeSpec(daemonSpec());
    await applyOk();
    const good = readFileSync(sb.agentPlist(DAEMON), 'utf8');
    sb.writeSpec(daemonSpec().replace('program: lotus', `program: ${sb.path('bin/missing-binary')}`));
    const r = await sb.cli(['apply', '--auto-approve']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/EX_CONFIG|78/);
    expect(r.stderr).toMatch(/rolled back:\n(.*\n)*.*restored the previous/);
    expect(readFileSync(sb.agentPlist(DAEMON), 'utf8')).toBe(good);
    await waitFor('the previous daemon to run again', async () => (await sb.print(DAEMON)).pid, 20_000);
  });

  it('destroy removes what lotusctl manages and never the Lotus repo or logs', async () => {
    sb.writeSpec(daemonSpec());
    await applyOk();
    const r = await sb.cli(['destroy', '--auto-approve']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Destroy complete! Resources: 2 destroyed\./);
    expect((await sb.print(DAEMON)).loaded).toBe(false);
    expect(existsSync(sb.agentPlist(DAEMON))).toBe(false);
    expect(existsSync(join(sb.home, '.lotus/config.toml'))).toBe(true);
    expect(existsSync(join(sb.home, '.lotus/keystore'))).toBe(true);
    expect(existsSync(join(sb.home, 'Library/Logs/lotus/daemon.err.log'))).toBe(true);
    expect(sb.manifest().jobs).toEqual({});
    expect((await sb.cli(['destroy', '--auto-approve'])).stdout).toMatch(/No changes/);
  });

  it('--target plans one service with its dependencies', async () => {
    const sleeper = sb.script('sleeper', 'exec sleep 600');
    sb.writeSpec(daemonSpec('', `  miner:\n    program: ${sleeper}\n    depends_on: [daemon]\n    throttle_interval: 1s\n  other:\n    program: ${sleeper}\n`));
    const plan = JSON.parse((await sb.cli(['plan', '--json', '--target', 'miner'])).stdout);
    const services = [...new Set(plan.changes.map((c: { service: string }) => c.service))].sort();
    expect(services).toEqual(['daemon', 'miner']);
  });
});

describe('apply order', () => {
  it('starts a dependent only after what it depends on is ready', async () => {
    const marker = sb.path('daemon-was-up');
    // The miner's program records whether the daemon's API file existed when it started.
    const miner = sb.script('miner', `if [ -f "${sb.home}/.lotus/api" ]; then echo yes > "${marker}"; else echo no > "${marker}"; fi; exec sleep 600`);
    sb.writeSpec(daemonSpec('', `  miner:\n    program: ${miner}\n    depends_on: [daemon]\n    throttle_interval: 1s\n    exit_timeout: 60s\n`));
    await applyOk();
    expect(readFileSync(marker, 'utf8').trim()).toBe('yes');
  });
});

