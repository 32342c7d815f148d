// Issue 8.4: specs that share a state dir (the default one) each manage only their own jobs.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Sandbox } from '../helpers/sandbox.js';

let sb: Sandbox;
beforeEach(() => {
  sb = new Sandbox();
});
afterEach(async () => {
  expect(await sb.stop()).toEqual([]);
});

const service = (name: string, program: string, extra = '') => `  ${name}:\n    program: ${program}\n    throttle_interval: 1s\n    exit_timeout: 60s\n${extra}`;

async function ok(args: string[]) {
  const r = await sb.cli(args);
  expect(r.code, `${args.join(' ')}\n${r.stdout}\n${r.stderr}`).toBe(0);
  return r;
}

describe('two specs, one state dir', () => {
  it('destroy -f other.yaml never touches lotus.yaml\'s jobs; each spec applies and destroys its own', async () => {
    const sleeper = sb.script('sleeper', 'exec sleep 600');
    sb.writeSpec(`version: 1\nservices:\n${service('daemon', sleeper)}monitor:\n  schedule: 30s\n`);
    sb.writeSpec(`version: 1\nservices:\n${service('worker', sleeper)}`, 'other.yaml');
    await ok(['apply', '--auto-approve']);
    const daemonPid = (await sb.print('com.lotusctl.daemon')).pid;
    expect(daemonPid).toBeGreaterThan(0);

    const d = await ok(['destroy', '-f', 'other.yaml', '--auto-approve']);
    expect(d.stdout.trim()).toBe('No changes. No objects need to be destroyed.');
    expect((await sb.print('com.lotusctl.daemon')).pid).toBe(daemonPid);
    expect((await sb.print('com.lotusctl.monitor')).loaded).toBe(true);
    expect(existsSync(sb.agentPlist('com.lotusctl.daemon'))).toBe(true);

    // other.yaml's apply adds its worker and plans nothing for lotus.yaml's jobs.
    const plan = JSON.parse((await ok(['plan', '-f', 'other.yaml', '--json'])).stdout);
    expect([...new Set(plan.changes.map((c: { service: string }) => c.service))]).toEqual(['worker']);
    await ok(['apply', '-f', 'other.yaml', '--auto-approve']);
    expect((await sb.print('com.lotusctl.worker')).pid).toBeGreaterThan(0);
    expect((await sb.cli(['plan', '--detailed-exitcode'])).code).toBe(0);
    const state = sb.manifest() as unknown as { format_version: number; jobs: Record<string, { owner: { spec: string } }> };
    expect(state.format_version).toBe(2);
    expect(state.jobs['com.lotusctl.daemon']?.owner.spec).toBe(sb.path('lotus.yaml'));
    expect(state.jobs['com.lotusctl.worker']?.owner.spec).toBe(sb.path('other.yaml'));

    await ok(['destroy', '-f', 'other.yaml', '--auto-approve']);
    expect((await sb.print('com.lotusctl.worker')).loaded).toBe(false);
    expect((await sb.print('com.lotusctl.daemon')).pid).toBe(daemonPid);
  });

  it('a label another spec manages is refused with a clear error; nothing changes', async () => {
    const sleeper = sb.script('sleeper', 'exec sleep 600');
    sb.writeSpec(`version: 1\nservices:\n${service('daemon', sleeper)}`);
    await ok(['apply', '--auto-approve']);
    sb.writeSpec(`version: 1\nservices:\n${service('node', sleeper, '    label: com.lotusctl.daemon\n')}`, 'other.yaml');
    const r = await sb.cli(['apply', '-f', 'other.yaml', '--auto-approve']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^error\\[plan\\.owned-by-other-spec\\]: service "node": label com\\.lotusctl\\.daemon is managed by another spec, ${sb.path('lotus.yaml').replace(/[.]/g, '\\.')}`, 'm'));
    expect(r.stderr).toMatch(/hint: .*lotusctl destroy -f .*lotus\.yaml --target daemon/);
    expect(sb.manifest().jobs['com.lotusctl.daemon']).toBeDefined();
  });

  it('a state.json from before owners (format 1) is migrated without losing or restarting a job', async () => {
    const sleeper = sb.script('sleeper', 'exec sleep 600');
    sb.writeSpec(`version: 1\nservices:\n${service('daemon', sleeper)}${service('helper', sleeper)}`);
    sb.writeSpec(`version: 1\nservices:\n${service('worker', sleeper)}`, 'other.yaml');
    await ok(['apply', '--auto-approve']);
    const pid = (await sb.print('com.lotusctl.daemon')).pid;
    // What an older lotusctl wrote: format 1, no owners.
    const file = join(sb.stateDir(), 'state.json');
    const v2 = JSON.parse(readFileSync(file, 'utf8'));
    for (const r of Object.values(v2.jobs) as Array<Record<string, unknown>>) {
      delete r.owner;
      delete r.watch;
    }
    writeFileSync(file, JSON.stringify({ ...v2, format_version: 1 }));

    // other.yaml wants none of them: they are not its to remove.
    const other = JSON.parse((await ok(['plan', '-f', 'other.yaml', '--json'])).stdout);
    expect(other.changes.filter((c: { service: string }) => c.service !== 'worker')).toEqual([]);
    // lotus.yaml wants them: it adopts them all, records its ownership and restarts nothing.
    const plan = await ok(['plan']);
    expect(plan.stdout).toMatch(/# daemon\.record will be updated in state\.json \(recorded by an older lotusctl without its spec; this spec takes it over/);
    await ok(['apply', '--auto-approve']);
    expect((await sb.print('com.lotusctl.daemon')).pid).toBe(pid);
    const migrated = JSON.parse(readFileSync(file, 'utf8'));
    expect(migrated.format_version).toBe(2);
    expect(Object.keys(migrated.jobs).sort()).toEqual(['com.lotusctl.daemon', 'com.lotusctl.helper']);
    expect((await sb.cli(['plan', '--detailed-exitcode'])).code).toBe(0);
  });

  it('a spec moved or renamed (in git) keeps its jobs, and removes the ones it dropped on the way', async () => {
    const sleeper = sb.script('sleeper', 'exec sleep 600');
    mkdirSync(sb.path('a'));
    mkdirSync(sb.path('b'));
    sb.writeSpec(`version: 1\nservices:\n${service('daemon', sleeper)}${service('helper', sleeper)}`, 'a/lotus.yaml');
    await ok(['apply', '-f', 'a/lotus.yaml', '--auto-approve']);
    const pid = (await sb.print('com.lotusctl.daemon')).pid;
    renameSync(sb.path('a/lotus.yaml'), sb.path('b/node.yaml'));
    sb.writeSpec(`version: 1\nservices:\n${service('daemon', sleeper)}`, 'b/node.yaml');
    const plan = JSON.parse((await ok(['plan', '-f', 'b/node.yaml', '--json'])).stdout);
    expect(plan.changes.filter((c: { action: string }) => c.action !== 'no-op').map((c: { address: string; action: string }) => `${c.address}:${c.action}`))
      .toEqual(['helper.job:delete', 'helper.plist:delete', 'daemon.record:update']);
    await ok(['apply', '-f', 'b/node.yaml', '--auto-approve']);
    expect((await sb.print('com.lotusctl.daemon')).pid).toBe(pid);
    expect((await sb.print('com.lotusctl.helper')).loaded).toBe(false);
    expect((sb.manifest() as unknown as { jobs: Record<string, { owner: { spec: string } }> }).jobs['com.lotusctl.daemon']?.owner.spec).toBe(sb.path('b/node.yaml'));
  });
});
