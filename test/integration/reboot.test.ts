// What survives the Mac restarting and the operator logging in again (issue 9, items 3 and 4 with the double's
// reboot and login): a stopped service stays stopped, and a service moved to another domain comes back as one job.
import { existsSync, readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from '../fakes/launchctl/harness.js';
import { ok } from '../helpers/expect-ok.js';
import { IS_ROOT } from '../helpers/operator.js';
import { Sandbox } from '../helpers/sandbox.js';

const DAEMON = 'com.lotusctl.daemon';

let sb: Sandbox;
beforeEach(() => {
  sb = new Sandbox();
});
afterEach(async () => {
  expect(await sb.stop()).toEqual([]);
});


const sleeperSpec = (s: Sandbox, extra = ''): string =>
  `version: 1\nservices:\n  daemon:\n    program: ${s.script('sleeper', 'exec sleep 600')}\n    throttle_interval: 1s\n${extra}`;

describe('state: stopped', () => {
  it('stays stopped across a reboot and the next console login; running brings it back after the next one', async () => {
    sb.writeSpec(sleeperSpec(sb));
    await ok(sb.cli(['apply', '--auto-approve']));
    expect((await sb.print(DAEMON)).pid).toBeGreaterThan(0);

    sb.writeSpec(sleeperSpec(sb, '    state: stopped\n'));
    await ok(sb.cli(['apply', '--auto-approve']));
    expect((await sb.print(DAEMON)).loaded).toBe(false);
    expect(existsSync(sb.agentPlist(DAEMON))).toBe(true); // the plist stays: the spec is the record

    await sb.reboot();
    await sb.login('console');
    // The login loaded the operator's agents; this one's disable override kept it out.
    expect((await sb.print(DAEMON)).loaded).toBe(false);
    const plan = await sb.cli(['plan', '--detailed-exitcode']);
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);

    sb.writeSpec(sleeperSpec(sb));
    await ok(sb.cli(['apply', '--auto-approve']));
    await sb.reboot();
    await sb.login('console');
    expect(await waitFor('the job to come back at the login', async () => (await sb.print(DAEMON)).pid, 15_000)).toBeGreaterThan(0);
  });

  it.runIf(IS_ROOT)('a stopped LaunchDaemon stays stopped across a reboot (needs root)', async () => {
    sb.writeSpec(sleeperSpec(sb, '    domain: system\n'));
    expect((await sb.sudo(['apply', '--auto-approve'])).code).toBe(0);
    sb.writeSpec(sleeperSpec(sb, '    domain: system\n    state: stopped\n'));
    expect((await sb.sudo(['apply', '--auto-approve'])).code).toBe(0);
    await sb.reboot();
    expect((await sb.print(DAEMON, 'system')).loaded).toBe(false);
    expect(existsSync(sb.daemonPlist(DAEMON))).toBe(true);
  });
});

describe('a domain change', () => {
  it('leaves one job: moved from gui to user it runs once, and after a reboot and a console login still once', async () => {
    sb.writeSpec(Sandbox.lotusDaemonSpec());
    await ok(sb.cli(['apply', '--auto-approve']));
    expect((await sb.print(DAEMON, sb.gui)).pid).toBeGreaterThan(0);

    sb.writeSpec(Sandbox.lotusDaemonSpec().replace('version: 1\n', 'version: 1\ndefaults: { domain: user }\n'));
    await ok(sb.cli(['apply', '--auto-approve']));
    expect((await sb.print(DAEMON, sb.gui)).loaded).toBe(false);
    const moved = await sb.print(DAEMON, sb.userDomain);
    expect(moved.pid).toBeGreaterThan(0);
    expect(readFileSync(sb.agentPlist(DAEMON), 'utf8')).toMatch(/<key>LimitLoadToSessionType<\/key>\s*<string>Background<\/string>/);

    await sb.reboot();
    await sb.login('console');
    expect(await waitFor('the node in the user domain after the login', async () => (await sb.print(DAEMON, sb.userDomain)).pid, 30_000)).toBeGreaterThan(0);
    expect((await sb.print(DAEMON, sb.gui)).loaded).toBe(false); // not a second copy in the console session
    const plan = await sb.cli(['plan', '--detailed-exitcode']);
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
  });
});
