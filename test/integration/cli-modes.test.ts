import { spawn } from 'node:child_process';
import { existsSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { recordAsApplied } from '../helpers/applied.js';
import { cliPath } from '../helpers/cli.js';
import { Sandbox } from '../helpers/sandbox.js';

let sb: Sandbox;
beforeEach(() => {
  sb = new Sandbox();
});
afterEach(async () => {
  expect(await sb.stop()).toEqual([]);
});

function sleeperSpec(): string {
  const sleeper = sb.script('sleeper', 'exec sleep 600');
  return sb.writeSpec(`version: 1\nservices:\n  daemon:\n    program: ${sleeper}\n    throttle_interval: 1s\n`);
}

describe('apply output modes', () => {
  it('--json emits the plan, then one JSON event per line, then a summary', async () => {
    sleeperSpec();
    const r = await sb.cli(['apply', '--auto-approve', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines[0]).toMatchObject({ type: 'plan', format_version: '2', summary: { add: 2 } });
    const types = lines.map((l) => l.type);
    expect(types).toContain('step-start');
    expect(types).toContain('step-done');
    expect(types.at(-1)).toBe('summary');
    expect(lines.find((l) => l.type === 'step-start')).toMatchObject({ service: 'daemon', label: 'com.lotusctl.daemon' });
  });

  it('on a terminal it asks, and only "yes" applies (listr2 progress)', async () => {
    sleeperSpec();
    // `script` gives the CLI a real pseudo-terminal, as a person at a Mac would have.
    const runTty = (answer: string) => new Promise<{ code: number; out: string }>((resolve) => {
      const cmd = `${JSON.stringify(process.execPath)} ${JSON.stringify(cliPath)} apply`;
      const child = spawn('script', ['-qec', cmd, '/dev/null'], { cwd: sb.root, env: { ...sb.env, TERM: 'xterm' }, ...sb.runAs() });
      let out = '';
      let answered = false;
      child.stdout.on('data', (b: Buffer) => {
        out += b.toString();
        if (!answered && out.includes('Enter a value:')) {
          answered = true;
          child.stdin.write(`${answer}\n`);
        }
      });
      child.on('close', (code) => resolve({ code: code ?? 1, out }));
    });
    const no = await runTty('no');
    expect(no.code).toBe(1);
    expect(no.out).toMatch(/Apply cancelled; nothing was changed\./);
    expect(existsSync(sb.agentPlist('com.lotusctl.daemon'))).toBe(false);
    const yes = await runTty('yes');
    expect(yes.code, yes.out).toBe(0);
    expect(yes.out).toMatch(/Apply complete!/);
    expect((await sb.print('com.lotusctl.daemon')).pid).toBeGreaterThan(0);
  });
});

describe('interrupting apply', () => {
  it.each(['SIGINT', 'SIGTERM'] as const)('the first %s finishes the current step, stops before the next, and releases the lock', async (sig) => {
    const sleeper = sb.script('sleeper', 'exec sleep 600');
    sb.writeSpec(`version: 1\nservices:\n  first:\n    program: ${sleeper}\n    throttle_interval: 3s\n  second:\n    program: ${sleeper}\n    depends_on: [first]\n    throttle_interval: 1s\n`);
    const child = spawn(process.execPath, [cliPath, 'apply', '--auto-approve'], { cwd: sb.root, env: sb.env, ...sb.runAs() });
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    const closed = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? 1)));
    const { waitFor } = await import('../fakes/launchctl/harness.js');
    await waitFor('the first step to start waiting', () => out.includes('first: running as pid'), 30_000);
    child.kill(sig);
    expect(await closed).toBe(1);
    // SIGTERM comes from a process manager, not a keyboard: no "press Ctrl-C" then.
    expect(err).toMatch(sig === 'SIGINT' ? /SIGINT received; finishing the current step \(press Ctrl-C again to stop now\)/
      : /SIGTERM received; finishing the current step, then stopping \(a second SIGTERM stops at once\)/);
    expect(err).toMatch(/^error\[apply\.interrupted\]: interrupted: stopped before second/m);
    expect((await sb.print('com.lotusctl.first')).pid).toBeGreaterThan(0);
    expect(existsSync(sb.agentPlist('com.lotusctl.second'))).toBe(false);
    expect(existsSync(join(sb.stateDir(), 'lock.json'))).toBe(false);
    expect(Object.keys(sb.manifest().jobs)).toEqual(['com.lotusctl.first']);
  });
});

describe('monitor run --once output', () => {
  it('is lines for people on a terminal, and JSON lines without one', async () => {
    // The monitor watches what was applied (state.json): the daemon is recorded as applied, but not loaded.
    recordAsApplied(sleeperSpec(), { ...process.env, ...sb.env, ...sb.sudoEnv() }); // as the operator's apply (also when root)
    sb.chownToOperator(join(sb.home, 'Library')); // state.json as the operator's own apply would have left it
    const cmd = `${JSON.stringify(process.execPath)} ${JSON.stringify(cliPath)} monitor run --once`;
    const tty = await new Promise<{ code: number; out: string }>((resolve) => {
      const child = spawn('script', ['-qec', cmd, '/dev/null'], { cwd: sb.root, env: { ...sb.env, TERM: 'xterm', NO_COLOR: '1' }, ...sb.runAs() });
      let out = '';
      child.stdout.on('data', (b: Buffer) => (out += b.toString()));
      child.on('close', (code) => resolve({ code: code ?? 1, out }));
    });
    expect(tty.code, tty.out).toBe(0);
    expect(tty.out).not.toContain('{"time"');
    // The same lines as `lotusctl logs --monitor`: time, level, event, message, then the fields.
    expect(tty.out).toMatch(/^\S+Z INFO  status +daemon is stopped  service=daemon .*reasons=\["not loaded in launchd/m);
    expect(tty.out).toMatch(/^\S+Z INFO  tick +1 service checked  services=daemon:stopped\r?$/m);

    const plain = await sb.cli(['monitor', 'run', '--once']);
    expect(plain.code, plain.stderr).toBe(0);
    const events = plain.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { event: string }).event);
    expect(events).toContain('tick');
  });
});

describe('a job another lotusctl run is changing right now', () => {
  it('plan and apply wait for that run and name it, rather than calling its job foreign', async () => {
    sleeperSpec();
    // What a concurrent apply looks like from outside between loading a job and recording it: the job is loaded from
    // the plist path lotusctl uses, state.json does not have it yet, and a live lotusctl holds the state lock.
    const plist = sb.agentPlist('com.lotusctl.daemon');
    mkdirSync(join(sb.home, 'Library', 'LaunchAgents'), { recursive: true });
    writeFileSync(plist, `<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">\n<plist version="1.0">\n<dict>\n\t<key>Label</key>\n\t<string>com.lotusctl.daemon</string>\n\t<key>ProgramArguments</key>\n\t<array>\n\t\t<string>/bin/sleep</string>\n\t\t<string>600</string>\n\t</array>\n</dict>\n</plist>\n`);
    sb.chownToOperator(join(sb.home, 'Library'));
    expect((await sb.launchctl(['bootstrap', sb.gui, plist])).code).toBe(0);
    const alone = await sb.cli(['plan']);
    expect(alone.stderr).toMatch(/^error\[plan\.unmanaged-(plist|job)\]/m); // nobody is changing it: foreign

    const stateDir = sb.stateDir();
    mkdirSync(stateDir, { recursive: true });
    const holder = spawn('sleep', ['600']);
    writeFileSync(join(stateDir, 'lock.json'), JSON.stringify({ id: 'a3b07384-d9a0-4e4f-8f3c-1c2b3a4d5e6f', pid: holder.pid, host: (await import('node:os')).hostname(), command: 'lotusctl apply --auto-approve', user: 'alice', since: '2026-11-30T08:00:00.000Z' }));
    sb.chownToOperator(join(sb.home, 'Library'));
    try {
      for (const args of [['plan'], ['apply', '--auto-approve']]) {
        const r = await sb.cli(args, { LOTUSCTL_LOCK_WAIT_MS: '300' });
        expect(r.code, args.join(' ')).toBe(1);
        expect(r.stderr, args.join(' ')).toMatch(new RegExp(`^error\\[lock\\.held\\]: .*pid ${holder.pid}.*lotusctl apply`, 'm'));
      }
    } finally {
      holder.kill('SIGKILL');
      await new Promise((r) => holder.once('close', r));
    }
  });
});

describe('force-unlock', () => {
  it('refuses a live holder and clears a dead one', async () => {
    sleeperSpec();
    const stateDir = sb.stateDir();
    mkdirSync(stateDir, { recursive: true });
    const lock = join(stateDir, 'lock.json');
    const holder = spawn('sleep', ['600']);
    const info = { id: 'd3b07384-d9a0-4e4f-8f3c-1c2b3a4d5e6f', pid: holder.pid, host: (await import('node:os')).hostname(), command: 'lotusctl apply', user: 'alice', since: '2026-11-30T08:00:00.000Z' };
    writeFileSync(lock, JSON.stringify(info));
    sb.chownToOperator(join(sb.home, 'Library')); // the lock of an earlier run of the operator's, not root's
    try {
      const blocked = await sb.cli(['apply', '--auto-approve'], { LOTUSCTL_LOCK_WAIT_MS: '200' });
      expect(blocked.code).toBe(1);
      expect(blocked.stderr).toMatch(new RegExp(`pid ${holder.pid} on host .* since 2026-11-30T08:00:00`));
      const refused = await sb.cli(['force-unlock', info.id]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/^error\[lock\.holder-alive\]/);
    } finally {
      holder.kill('SIGKILL');
      await new Promise((r) => holder.once('close', r));
    }
    const wrong = await sb.cli(['force-unlock', 'not-the-id']);
    expect(wrong.stderr).toMatch(/^error\[lock\.id-mismatch\]/);
    sb.writeSpec('version: 1\nservices: {}\n', 'broken.yaml');
    const ok = await sb.cli(['force-unlock', info.id, '-f', 'broken.yaml', '--state-dir', stateDir]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(existsSync(lock)).toBe(false);
    expect(ok.stdout).toMatch(new RegExp(`^Lock ${info.id} \\(pid \\d+ on .*lotusctl apply, since 2026-11-30T08:00:00.000Z\\) removed\\.`));
    expect((await sb.cli(['apply', '--auto-approve'])).code).toBe(0);
  });
});

describe('a Mac reached only over SSH (no GUI session)', () => {
  it('gui domain: plan fails with the hint to use domain: user; user domain works', async () => {
    const noGui = new Sandbox({ FAKE_LAUNCHD_NO_GUI: '1' });
    try {
      const sleeper = noGui.script('sleeper', 'exec sleep 600');
      noGui.writeSpec(`version: 1\nservices:\n  daemon:\n    program: ${sleeper}\n    throttle_interval: 1s\n`);
      const r = await noGui.cli(['plan']);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^error\[launchctl\.no-gui-domain\]/);
      expect(r.stderr).toMatch(/set `domain: user` in lotus\.yaml/);
      noGui.writeSpec(`version: 1\ndefaults: { domain: user }\nservices:\n  daemon:\n    program: ${sleeper}\n    throttle_interval: 1s\n`);
      const ok = await noGui.cli(['apply', '--auto-approve']);
      expect(ok.code, ok.stderr).toBe(0);
      expect((await noGui.print('com.lotusctl.daemon', noGui.userDomain)).pid).toBeGreaterThan(0);
    } finally {
      expect(await noGui.stop()).toEqual([]);
    }
  });

  it('a missing launchctl is one clear error', async () => {
    sleeperSpec();
    const r = await sb.cli(['plan'], { LOTUSCTL_LAUNCHCTL: sb.path('no-such-launchctl') });
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(2);
    expect(r.stderr).toMatch(/^error\[launchctl\.spawn-failed\]: could not run .*no-such-launchctl/);
  });
});
