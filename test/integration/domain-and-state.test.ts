// Issue 9.3 (a changed domain or label replaces the job where it was recorded) and 9.4 (state: stopped is a
// persistent disable override, read back by plan).
import { existsSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Sandbox } from '../helpers/sandbox.js';

const uid = process.getuid?.() ?? 0;
let sb: Sandbox;
beforeEach(() => {
  sb = new Sandbox();
});
afterEach(async () => {
  expect(await sb.stop()).toEqual([]);
});

const spec = (sleeper: string, extra = '') => `version: 1\nservices:\n  daemon:\n    program: ${sleeper}\n    throttle_interval: 1s\n    exit_timeout: 60s\n${extra}`;

async function ok(args: string[]) {
  const r = await sb.cli(args);
  expect(r.code, `${args.join(' ')}\n${r.stdout}\n${r.stderr}`).toBe(0);
  return r;
}

async function overrides(domain = `gui/${uid}`): Promise<string> {
  return (await sb.launchctl(['print-disabled', domain])).stdout;
}

describe('a changed domain or label', () => {
  it('domain gui -> user: the job leaves gui and runs in user; exactly one runs', async () => {
    const sleeper = sb.script('sleeper', 'exec sleep 600');
    sb.writeSpec(spec(sleeper));
    await ok(['apply', '--auto-approve']);
    expect((await sb.print('com.lotusctl.daemon', `gui/${uid}`)).pid).toBeGreaterThan(0);

    sb.writeSpec(spec(sleeper, '    domain: user\n'));
    const plan = await sb.cli(['plan']);
    expect(plan.stdout).toMatch(new RegExp(`# daemon\\.job must be replaced \\(its domain changes from gui/${uid} to user/${uid}: booted out of gui/${uid}, then bootstrapped into user/${uid}\\)`));
    await ok(['apply', '--auto-approve']);
    expect((await sb.print('com.lotusctl.daemon', `gui/${uid}`)).loaded).toBe(false);
    expect((await sb.print('com.lotusctl.daemon', `user/${uid}`)).pid).toBeGreaterThan(0);
    const again = await sb.cli(['plan', '--detailed-exitcode']);
    expect(again.code, again.stdout).toBe(0);
    expect(sb.manifest().jobs['com.lotusctl.daemon']).toMatchObject({ domain: { kind: 'user', uid } });
  });

  it('a new label: the old job is booted out and its plist removed; one job runs under the new label', async () => {
    const sleeper = sb.script('sleeper', 'exec sleep 600');
    sb.writeSpec(spec(sleeper));
    await ok(['apply', '--auto-approve']);
    sb.writeSpec(spec(sleeper, '    label: org.example.lotusd\n'));
    const plan = await sb.cli(['plan']);
    expect(plan.stdout).toMatch(/# daemon\.plist must be replaced \(its label changes from com\.lotusctl\.daemon to org\.example\.lotusd: the old plist is removed and the new one written\)/);
    await ok(['apply', '--auto-approve']);
    expect((await sb.print('com.lotusctl.daemon')).loaded).toBe(false);
    expect(existsSync(sb.agentPlist('com.lotusctl.daemon'))).toBe(false);
    expect((await sb.print('org.example.lotusd')).pid).toBeGreaterThan(0);
    expect(Object.keys(sb.manifest().jobs)).toEqual(['org.example.lotusd']);
    expect((await sb.cli(['plan', '--detailed-exitcode'])).code).toBe(0);
  });
});

describe('state: stopped', () => {
  it('disables the job (launchd will not load it at login or boot); plan reads the override back; running re-enables', async () => {
    const sleeper = sb.script('sleeper', 'exec sleep 600');
    sb.writeSpec(spec(sleeper));
    await ok(['apply', '--auto-approve']);
    sb.writeSpec(spec(sleeper, '    state: stopped\n'));
    const r = await ok(['apply', '--auto-approve']);
    expect(r.stdout).toMatch(/daemon: done \(stopped and disabled\)/);
    expect((await sb.print('com.lotusctl.daemon')).loaded).toBe(false);
    expect(await overrides()).toMatch(/"com\.lotusctl\.daemon" => disabled/);
    expect(existsSync(sb.agentPlist('com.lotusctl.daemon'))).toBe(true);
    expect((await sb.cli(['plan', '--detailed-exitcode'])).code).toBe(0);

    // Someone enables it again: drift, and plan disables it again.
    await sb.launchctl(['enable', `gui/${uid}/com.lotusctl.daemon`]);
    const drift = await sb.cli(['drift']);
    expect(drift.code).toBe(2);
    expect(drift.stdout).toMatch(/not disabled, so launchd would load it again at the next login or boot/);
    const plan = await sb.cli(['plan', '--json']);
    const job = JSON.parse(plan.stdout).changes.find((c: { address: string }) => c.address === 'daemon.job');
    expect(job).toMatchObject({ action: 'update', after: { loaded: false, enabled: false, running: false } });
    await ok(['apply', '--auto-approve']);
    expect(await overrides()).toMatch(/"com\.lotusctl\.daemon" => disabled/);

    sb.writeSpec(spec(sleeper));
    await ok(['apply', '--auto-approve']);
    expect(await overrides()).toMatch(/"com\.lotusctl\.daemon" => enabled/);
    expect((await sb.print('com.lotusctl.daemon')).pid).toBeGreaterThan(0);
  });
});
