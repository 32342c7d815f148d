// Issue 8.6 (the loaded job against its plist; apply --replace; lotusctl restart) and 8.7 (no restart for bytes only).
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { buildBinary, parse } from 'plist';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Sandbox } from '../helpers/sandbox.js';

const DAEMON = 'com.lotusctl.daemon';
let sb: Sandbox;
beforeEach(() => {
  sb = new Sandbox();
});
afterEach(async () => {
  expect(await sb.stop()).toEqual([]);
});

const spec = (sleeper: string, level: string) =>
  `version: 1\nservices:\n  daemon:\n    program: ${sleeper}\n    env: { GOLOG_LOG_LEVEL: ${level}, SECRETISH: s3cr3t-${level} }\n    throttle_interval: 1s\n    exit_timeout: 60s\n`;

async function applyOk(args: string[] = []) {
  const r = await sb.cli(['apply', '--auto-approve', ...args]);
  expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
  return r;
}

const changed = (doc: { changes: Array<{ address: string; action: string }> }) =>
  doc.changes.filter((c) => c.action !== 'no-op').map((c) => `${c.address}:${c.action}`);

describe('the loaded job against its plist', () => {
  it('a plist written without a reload is planned as a reload, and is drift; apply loads it', async () => {
    const sleeper = sb.script('sleeper', 'exec sleep 600');
    sb.writeSpec(spec(sleeper, 'info'));
    await applyOk();
    // The spec changes and someone writes the new plist by hand (lotusctl render) without reloading.
    sb.writeSpec(spec(sleeper, 'debug'));
    const rendered = await sb.cli(['render']);
    writeFileSync(sb.agentPlist(DAEMON), rendered.stdout);
    expect((await sb.print(DAEMON)).text).toMatch(/GOLOG_LOG_LEVEL => info/);

    const plan = await sb.cli(['plan', '--json', '--detailed-exitcode']);
    expect(plan.code).toBe(2);
    const doc = JSON.parse(plan.stdout);
    expect(changed(doc)).toEqual(['daemon.job:replace']);
    expect(doc.changes.find((c: { address: string }) => c.address === 'daemon.job').reason)
      .toMatch(/the loaded job differs from its plist in EnvironmentVariables\.GOLOG_LOG_LEVEL, EnvironmentVariables\.SECRETISH/);
    const drift = await sb.cli(['drift']);
    expect(drift.code).toBe(2);
    expect(drift.stdout).toMatch(/~ daemon \(com\.lotusctl\.daemon\): the loaded job differs from its plist on disk in EnvironmentVariables\.GOLOG_LOG_LEVEL/);
    // Names only: the values print shows are never repeated.
    expect(drift.stdout).not.toMatch(/s3cr3t/);
    expect(JSON.stringify(doc.changes.find((c: { address: string }) => c.address === 'daemon.job'))).not.toMatch(/s3cr3t/);

    await applyOk();
    expect((await sb.print(DAEMON)).text).toMatch(/GOLOG_LOG_LEVEL => debug/);
    expect((await sb.cli(['plan', '--detailed-exitcode'])).code).toBe(0);
  });

  it('apply --replace reloads an unchanged service; lotusctl restart kickstarts it with the readiness checks', async () => {
    const sleeper = sb.script('sleeper', 'exec sleep 600');
    sb.writeSpec(spec(sleeper, 'info'));
    await applyOk();
    const first = (await sb.print(DAEMON)).pid;

    const plan = await sb.cli(['plan', '--replace', 'daemon']);
    expect(plan.stdout).toMatch(/# daemon\.job must be replaced \(requested with --replace\)/);
    expect(plan.stdout).toMatch(/Plan: 0 to add, 0 to change, 1 to replace, 0 to destroy\./);
    const r = await applyOk(['--replace', 'daemon']);
    expect(r.stdout).toMatch(/Apply complete! Resources: 0 added, 0 changed, 1 replaced, 0 destroyed\./);
    const second = (await sb.print(DAEMON)).pid;
    expect(second).toBeGreaterThan(0);
    expect(second).not.toBe(first);
    expect((await sb.cli(['apply', '--auto-approve', '--replace', 'nope'])).stderr).toMatch(/^error\[plan\.unknown-target\]: --replace nope: no such service/m);

    const restart = await sb.cli(['restart', 'daemon']);
    expect(restart.code, restart.stderr).toBe(0);
    const third = (await sb.print(DAEMON)).pid;
    expect(third).toBeGreaterThan(0);
    expect(third).not.toBe(second);
    expect(restart.stdout).toMatch(new RegExp(`Restarted daemon \\(gui/\\d+/com\\.lotusctl\\.daemon\\): pid ${second} -> ${third}; it stayed up for 1s\\.`));
    expect(restart.stdout).toMatch(/daemon: checking it stays up for 1s|daemon: running as pid \d+; checking it stays up for 1s/);

    // A crashed apply's lock does not stop a restart (8.8, issue 12): it is taken over, and said.
    const dead = await new Promise<number>((resolve) => {
      const c = spawn(process.execPath, ['-e', '']);
      c.on('exit', () => resolve(c.pid as number));
    });
    writeFileSync(join(sb.stateDir(), 'lock.json'), JSON.stringify({ id: 'a1b2c3d4-0000-4000-8000-000000000001', pid: dead, host: hostname(), command: 'lotusctl apply', user: 'alice', since: '2026-11-30T08:00:00.000Z' }));
    const afterCrash = await sb.cli(['restart', 'daemon']);
    expect(afterCrash.code, afterCrash.stderr).toBe(0);
    expect(afterCrash.stdout).toContain(`daemon: took over the lock of lotusctl apply pid ${dead}, which is no longer running`);
    expect(existsSync(join(sb.stateDir(), 'lock.json'))).toBe(false);

    // The plist changed without a reload: restart says it does not load it.
    sb.writeSpec(spec(sleeper, 'debug'));
    writeFileSync(sb.agentPlist(DAEMON), (await sb.cli(['render'])).stdout);
    const noted = await sb.cli(['restart', 'daemon']);
    expect(noted.code).toBe(0);
    expect(noted.stdout).toMatch(/note: the loaded job differs from lotus\.yaml \(EnvironmentVariables\.GOLOG_LOG_LEVEL.*\); a restart does not re-read the plist: run lotusctl apply \(or apply --replace daemon\)/);

    const missing = await sb.cli(['restart', 'worker']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^error\[restart\.unknown-service\]: no service named "worker"/m);
  });

  it('a crash-looping service fails its restart honestly', async () => {
    const flag = sb.path('healthy');
    writeFileSync(flag, '');
    const flaky = sb.script('flaky', `[ -f ${flag} ] || { echo "fatal: broken after restart" >&2; exit 3; }\nexec sleep 600`);
    sb.writeSpec(`version: 1\nservices:\n  daemon:\n    program: ${flaky}\n    keep_alive: true\n    logs: { dir: ~/Library/Logs/flaky }\n    throttle_interval: 1s\n    exit_timeout: 60s\n`);
    await applyOk();
    rmSync(flag);
    const r = await sb.cli(['restart', 'daemon']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error\[apply\.job-failed\]: com\.lotusctl\.daemon exited/m);
    expect(r.stderr).toContain('fatal: broken after restart');
    expect(r.stdout).not.toMatch(/Restarted/);
  });
});

describe('bytes that differ only in encoding', () => {
  for (const [what, convert] of [
    ['converted to a binary plist', (xml: string) => buildBinary(parse(xml) as never)],
    ['re-indented', (xml: string) => xml.replace(/\t/g, '    ')],
  ] as const) {
    it(`a plist ${what} is rewritten without restarting the job`, async () => {
      const sleeper = sb.script('sleeper', 'exec sleep 600');
      sb.writeSpec(spec(sleeper, 'info'));
      await applyOk();
      const before = await sb.print(DAEMON);
      const xml = readFileSync(sb.agentPlist(DAEMON), 'utf8');
      writeFileSync(sb.agentPlist(DAEMON), convert(xml));

      const plan = await sb.cli(['plan']);
      expect(plan.stdout).toMatch(/# daemon\.plist will be updated in-place \(only its encoding differs \(binary or formatting\): its keys and values match lotus\.yaml, so it is rewritten without reloading the job\)/);
      expect(plan.stdout).toMatch(/Plan: 0 to add, 1 to change, 0 to replace, 0 to destroy\./);
      expect(plan.stdout).not.toMatch(/must be replaced/);
      expect(plan.stdout).toMatch(/was rewritten outside lotusctl; its keys and values match lotus\.yaml/);
      await applyOk();
      const after = await sb.print(DAEMON);
      expect({ pid: after.pid, runs: after.runs }).toEqual({ pid: before.pid, runs: before.runs });
      expect(readFileSync(sb.agentPlist(DAEMON), 'utf8')).toBe(xml);
      expect((await sb.cli(['plan', '--detailed-exitcode'])).code).toBe(0);
    });
  }
});
