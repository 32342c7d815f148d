import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cliPath, repoRoot } from '../helpers/cli.js';
import { IS_ROOT } from '../helpers/operator.js';
import { Sandbox } from '../helpers/sandbox.js';

function run(cmd: string, args: string[], env: Record<string, string>, cwd: string, as: { uid?: number; gid?: number } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { env, cwd, timeout: 180_000, maxBuffer: 16 * 1024 * 1024, ...as }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

describe('examples', () => {
  let sb: Sandbox;
  beforeEach(() => {
    sb = new Sandbox();
  });
  afterEach(async () => {
    expect(await sb.stop()).toEqual([]);
  });

  it('examples/provision.mjs applies once (exit 2), then finds nothing to do (exit 0)', async () => {
    const sleeper = sb.script('sleeper', 'exec sleep 600');
    const spec = sb.writeSpec(`version: 1\nservices:\n  daemon:\n    program: ${sleeper}\n    throttle_interval: 1s\n`);
    const script = join(repoRoot, 'examples/provision.mjs');
    // The provisioning script runs as the operator, as a CI/Ansible step on a Mac would (never as a bare root login).
    const first = await run(process.execPath, [script, spec], sb.env, repoRoot, sb.runAs());
    expect(first.code, first.stderr).toBe(2);
    expect(JSON.parse(first.stdout.trim())).toMatchObject({ changed: true, applied: 1, services: ['daemon'] });
    const second = await run(process.execPath, [script, spec], sb.env, repoRoot, sb.runAs());
    expect(second.code, second.stderr).toBe(0);
    expect(JSON.parse(second.stdout.trim())).toEqual({ changed: false, drift: 0 });
    const bad = sb.writeSpec('version: 1\nservices:\n  daemon:\n    progam: x\n', 'bad.yaml');
    const third = await run(process.execPath, [script, bad], sb.env, repoRoot, sb.runAs());
    expect(third.code).toBe(1);
    expect(third.stderr).toMatch(/bad\.yaml:4:5  error: unknown key "progam"/);
  });

  // LaunchDaemons need root: as another user the suite cannot load them (launchd refuses, and so does the double).
  it.runIf(IS_ROOT)('examples/mdm-postinstall.sh answers with exit codes: applies once, then 0 with no changes; --check reports drift without repairing it (needs root)', async () => {
    const sleeper = sb.script('sleeper', 'exec sleep 600');
    // MDM agents run the script as root: the jobs are LaunchDaemons (agents need a user: host.agents-as-root).
    const spec = sb.writeSpec(`version: 1\ndefaults: { domain: system }\nservices:\n  daemon:\n    program: ${sleeper}\n    throttle_interval: 1s\n`);
    const log = sb.path('logs/mdm.log');
    const lotusctl = sb.script('lotusctl', `exec ${JSON.stringify(process.execPath)} ${JSON.stringify(cliPath)} "$@"`);
    const script = join(repoRoot, 'examples/mdm-postinstall.sh');
    const tmp = sb.path('tmp');
    mkdirSync(tmp);
    const env = { ...sb.env, LOTUSCTL_BIN: lotusctl, LOTUSCTL_LOG: log, TMPDIR: tmp };
    const mdm = (args: string[], extra: Record<string, string> = {}) => run('bash', [script, ...args], { ...env, ...extra }, sb.root);
    const logText = () => readFileSync(log, 'utf8');
    const label = 'com.lotusctl.daemon';

    // Jamf Pro's calling convention: "/", computer name, user, then parameter 4 (the spec).
    const first = await mdm(['/', 'mac-mini-7', 'admin', spec]);
    expect(first.code, logText()).toBe(0);
    expect(first.stdout).toMatch(/^lotusctl: changes applied: the Mac matches /);
    expect(logText()).toMatch(/Plan: 2 to add, 0 to change, 0 to replace, 0 to destroy\./);
    expect(logText()).toMatch(/Apply complete! Resources: 2 added, 0 changed, 0 replaced, 0 destroyed\./);
    const pid = (await sb.print(label, 'system')).pid;
    expect(pid).toBeGreaterThan(0);
    // No saved plan (it holds secrets) is left behind.
    expect(readdirSync(tmp)).toEqual([]);

    const second = await mdm([spec]);
    expect(second.code, logText()).toBe(0);
    expect(second.stdout).toMatch(/no changes/);
    expect((await sb.print(label, 'system')).pid).toBe(pid);

    await sb.launchctl(['bootout', `system/${label}`]);
    const audit = await mdm(['--check'], { LOTUSCTL_SPEC: spec });
    expect(audit.code).toBe(1);
    expect(audit.stdout).toMatch(/changes pending/);
    expect((await sb.print(label, 'system')).loaded).toBe(false);
    const repair = await mdm([spec]);
    expect(repair.code, logText()).toBe(0);
    expect((await sb.print(label, 'system')).pid).toBeGreaterThan(0);

    const bad = sb.writeSpec(`version: 1\nservices:\n  daemon:\n    program: ${sleeper}\n    exit_timout: 5s\n`, 'bad.yaml');
    const broken = await mdm([bad]);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toMatch(/lotusctl plan failed \(exit 1\): nothing was changed/);
    expect(logText()).toContain(`${bad}:5:5  services.daemon.exit_timout: unknown key "exit_timout"`);
    const missing = await mdm([spec], { LOTUSCTL_BIN: sb.path('bin/nope') });
    expect(missing.code).toBe(1);
    expect(missing.stdout).toMatch(/lotusctl not found/);
  });
});

describe('npm run demo (examples/demo.sh)', () => {
  it('runs the whole story in its sandbox and cleans up', async () => {
    const r = await run('bash', [join(repoRoot, 'examples/demo.sh')], { PATH: process.env.PATH ?? '', NO_COLOR: '1' }, repoRoot);
    expect(r.code, r.stdout.slice(-3000) + r.stderr).toBe(0);
    for (const marker of [
      'valid (1 service)',
      'broken.yaml:16:5  services.daemon.exit_timout: unknown key "exit_timout"',
      'Plan: 6 to add, 0 to change, 0 to replace, 0 to destroy.',
      'Applying 6 changes to 2 services...',
      'Apply complete! Resources: 6 added, 0 changed, 0 replaced, 0 destroyed.',
      'No changes. Your Mac matches lotus.yaml.',
      'restarting daemon: unhealthy for 2 consecutive ticks',
      'metrics for Prometheus (textfile collector), after the recovery:\nlotusctl_service_up{service="daemon"} 1\n',
      'lotusctl_restarts_total{service="daemon"} 1',
      'daemon (com.lotusctl.daemon): booted out (unloaded) outside lotusctl',
      'ExitTimeOut = 5 (5s) -> 120 (2m)',
      'SERVICE  LABEL                 DOMAIN',
      'FAIL  launchd.loaded      not loaded in gui/',
      'Destroy complete! Resources: 4 destroyed.',
      'Demo complete.',
    ]) expect(r.stdout).toContain(marker);
    // The monitor's events are shown whole, in order: healthy, stalled, restarted, healthy again.
    expect(r.stdout).toMatch(/ {2}\d\d:\d\d:\d\d {2}daemon is healthy\n(.*\n)* {2}\d\d:\d\d:\d\d {2}daemon is unhealthy \(20 epochs behind \(max 5\)\)\n(.*\n)* {2}\d\d:\d\d:\d\d {2}restarting daemon: .*\n(.*\n)* {2}\d\d:\d\d:\d\d {2}daemon is healthy\n/);
    // What a newcomer reads is what a Mac shows: no test plumbing in the spec or the plans.
    expect(r.stdout).not.toMatch(/FAKE_|LOTUSCTL_LAUNCHCTL/);
  }, 180_000); // as long as its run() allows: the whole story takes over a minute on a loaded 2-core box
});
