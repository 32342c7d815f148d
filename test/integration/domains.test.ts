// Domains, users and sessions on a simulated Mac (issue 9, items 1, 2 and 9; specs/domains.md): the launchctl double
// reboots and logs the operator in and out, and lotusctl runs as the operator or with sudo from their account.
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from '../fakes/launchctl/harness.js';
import { runCli } from '../helpers/cli.js';
import { ok } from '../helpers/expect-ok.js';
import { IS_ROOT } from '../helpers/operator.js';
import { Sandbox } from '../helpers/sandbox.js';

const NODE = 'com.lotusctl.daemon';

let sb: Sandbox;
beforeEach(() => {
  sb = new Sandbox();
});
afterEach(async () => {
  expect(await sb.stop()).toEqual([]);
});


/** Every path under `dir` (itself included) whose owner is not `uid`, with its owner. */
function notOwnedBy(dir: string, uid: number): string[] {
  const out: string[] = [];
  const walk = (p: string): void => {
    const st = lstatSync(p);
    if (st.uid !== uid) out.push(`${p} (uid ${st.uid})`);
    if (st.isDirectory()) for (const n of readdirSync(p)) walk(join(p, n));
  };
  walk(dir);
  return out;
}

describe('domain: user', () => {
  it('is a Background agent: back after a reboot at the next login, and a console login does not start a second copy', async () => {
    sb.writeSpec(Sandbox.lotusDaemonSpec().replace('version: 1\n', 'version: 1\ndefaults: { domain: user }\n'));
    await ok(sb.cli(['apply', '--auto-approve']));
    expect(readFileSync(sb.agentPlist(NODE), 'utf8')).toMatch(/<key>LimitLoadToSessionType<\/key>\s*<string>Background<\/string>/);
    const first = await sb.print(NODE, sb.userDomain);
    expect(first.pid).toBeGreaterThan(0);
    expect((await sb.print(NODE, sb.gui)).loaded).toBe(false);

    // After a reboot nothing of the operator's runs until they log in (specs/domains.md).
    await sb.reboot();
    expect((await sb.print(NODE, sb.userDomain)).loaded).toBe(false);
    await sb.login('console');
    const back = await waitFor('the node to start in the user domain after the login', async () => (await sb.print(NODE, sb.userDomain)).pid, 30_000);
    expect(back).not.toBe(first.pid);
    // The console login loaded the operator's Aqua agents into gui/<uid>, and this one is not among them.
    expect((await sb.print(NODE, sb.gui)).loaded).toBe(false);
    const plan = await sb.cli(['plan', '--detailed-exitcode']);
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
  });

  it('an SSH login brings it back too; validate says what the domain implies', async () => {
    sb.writeSpec(Sandbox.lotusDaemonSpec().replace('version: 1\n', 'version: 1\ndefaults: { domain: user }\n'));
    await ok(sb.cli(['apply', '--auto-approve']));
    await sb.reboot();
    await sb.login('ssh');
    expect(await waitFor('the node after an SSH login', async () => (await sb.print(NODE, sb.userDomain)).pid, 30_000)).toBeGreaterThan(0);
    const v = await ok(sb.cli(['validate']));
    expect(v).toMatch(new RegExp(`lotus\\.yaml:\\d+:\\d+  defaults\\.domain: note: "daemon" runs in user/${sb.uid}, .*after a reboot it starts only when .* first logs in \\(console or SSH\\)`));
  });
});

describe('domain: gui (the default)', () => {
  it('stops at logout, is not back after a reboot until the console login; validate says so', async () => {
    const sleeper = sb.script('sleeper', 'exec sleep 600');
    sb.writeSpec(`version: 1\nservices:\n  desk:\n    program: ${sleeper}\n    throttle_interval: 1s\n`);
    await ok(sb.cli(['apply', '--auto-approve']));
    const v = await ok(sb.cli(['validate']));
    expect(v).toMatch(/note: "desk" runs in gui\/\d+, .*console session: it stops when .* logs out and does not start after a reboot until .* logs in at the console; for a node that must run unattended use domain: system/);
    const json = JSON.parse(await ok(sb.cli(['validate', '--json'])));
    expect(json.notes.map((n: { code: string }) => n.code)).toEqual(['note.domain-gui']);

    await sb.logout();
    expect((await sb.launchctl(['print', `${sb.gui}/com.lotusctl.desk`])).code).toBe(112); // no console session
    await sb.reboot();
    await sb.login('ssh'); // an SSH login does not start a gui agent
    expect((await sb.launchctl(['print', `${sb.gui}/com.lotusctl.desk`])).code).toBe(112);
    await sb.logout().catch(() => undefined);
    await sb.login('console');
    expect(await waitFor('the agent after the console login', async () => (await sb.print('com.lotusctl.desk')).pid, 15_000)).toBeGreaterThan(0);
  });
});

describe.runIf(IS_ROOT)('sudo (needs the tests to run as root)', () => {
  it('sudo lotusctl apply acts for the operator: agents in their domains, every file in their home theirs, a LaunchDaemon that starts at boot', async () => {
    const sleeper = sb.script('sleeper', 'exec sleep 600');
    sb.writeSpec(`${Sandbox.lotusDaemonSpec().replace('  daemon:\n', '  daemon:\n    domain: user\n')}  desk:
    program: ${sleeper}
    throttle_interval: 1s
    logs: { dir: ~/Library/Logs/desk }
  boot:
    domain: system
    user: ${sb.user}
    program: ${sleeper}
    throttle_interval: 1s
    logs: { dir: ~/Library/Logs/boot }
`);
    const r = await sb.sudo(['apply', '--auto-approve']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect((await sb.print(NODE, sb.userDomain)).pid).toBeGreaterThan(0);
    expect((await sb.print('com.lotusctl.desk', sb.gui)).pid).toBeGreaterThan(0);
    expect((await sb.print('com.lotusctl.boot', 'system')).text).toMatch(new RegExp(`\\tusername = ${sb.user}\\n`));
    // Everything lotusctl made in the operator's home is theirs (plists, LaunchAgents, state dir, manifest, log
    // folders); the LaunchDaemon's plist is root's, as /Library/LaunchDaemons must be.
    expect(notOwnedBy(sb.home, sb.uid)).toEqual([]);
    expect(lstatSync(sb.daemonPlist('com.lotusctl.boot')).uid).toBe(0);

    // The operator carries on without sudo: no EACCES on the state dir, the lock or the backups.
    const plan = await sb.cli(['plan', '--detailed-exitcode']);
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
    sb.writeSpec(readFileSync(sb.path('lotus.yaml'), 'utf8').replace(`    program: ${sleeper}\n    throttle_interval: 1s\n    logs: { dir: ~/Library/Logs/desk }`, `    program: ${sleeper}\n    throttle_interval: 2s\n    logs: { dir: ~/Library/Logs/desk }`));
    await ok(sb.cli(['apply', '--auto-approve', '--target', 'desk']));
    expect(notOwnedBy(sb.home, sb.uid)).toEqual([]);

    // A reboot: the LaunchDaemon starts at boot, before anyone logs in; the agents wait for the operator.
    await sb.reboot();
    expect(await waitFor('the LaunchDaemon at boot', async () => (await sb.print('com.lotusctl.boot', 'system')).pid, 15_000)).toBeGreaterThan(0);
    expect((await sb.print(NODE, sb.userDomain)).loaded).toBe(false);
    expect((await sb.print('com.lotusctl.desk', sb.gui)).loaded).toBe(false);
  });

  it('a LaunchDaemon node gets a LaunchDaemon monitor (an agent could not restart it), acting for the operator', async () => {
    sb.writeSpec(Sandbox.lotusDaemonSpec('monitor:\n  schedule: 1s\n').replace('  daemon:\n', `  daemon:\n    domain: system\n    user: ${sb.user}\n`));
    const v = await ok(sb.cli(['validate']));
    expect(v).toMatch(/monitor: note: the monitor runs in the system domain, as root: "daemon" is a LaunchDaemon, and only root may restart a job in the system domain/);
    const r = await sb.sudo(['apply', '--auto-approve']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(lstatSync(sb.daemonPlist('com.lotusctl.monitor')).uid).toBe(0);
    expect((await sb.print('com.lotusctl.monitor', 'system')).pid).toBeGreaterThan(0);
    // It reads the spec as sudo would (the operator's ~) and probes the node it may restart.
    const log = join(sb.home, 'Library/Logs/lotusctl/monitor.out.log');
    await waitFor('a tick that saw the daemon', () => /"event":"tick".*"daemon":"(healthy|starting)"/.test((() => { try { return readFileSync(log, 'utf8'); } catch { return ''; } })()), 60_000);
    // What the monitor writes in the operator's home is theirs (launchd's own log files are root's, as for any daemon).
    expect(notOwnedBy(sb.stateDir(), sb.uid)).toEqual([]);
  });

  it('as root without sudo, agents are refused (validate says why), LaunchDaemons are not', async () => {
    sb.writeSpec(Sandbox.lotusDaemonSpec());
    const asRoot = (args: string[]) => runCli(args, { env: { ...sb.env, HOME: sb.path('var-root') }, cwd: sb.root });
    const plan = await asRoot(['plan']);
    expect(plan.code).toBe(1);
    expect(plan.stderr).toMatch(/^error\[host\.agents-as-root\]: daemon is an agent .* runs as root without sudo/);
    expect(plan.stderr).toMatch(/hint: run lotusctl as the user who owns the node, or with sudo from that account/);
    const v = await asRoot(['validate']);
    expect(v.code).toBe(0);
    expect(v.stdout).toMatch(/note: lotusctl runs as root without sudo, so plan and apply will refuse "daemon"/);
    const sleeper = sb.script('sleeper', 'exec sleep 600');
    sb.writeSpec(`version: 1\ndefaults: { domain: system, state_dir: ${sb.path('state')} }\nservices:\n  boot:\n    program: ${sleeper}\n    throttle_interval: 1s\n`);
    const daemon = await asRoot(['apply', '--auto-approve']);
    expect(daemon.code, daemon.stdout + daemon.stderr).toBe(0);
    expect((await sb.print('com.lotusctl.boot', 'system')).pid).toBeGreaterThan(0);
  });
});
