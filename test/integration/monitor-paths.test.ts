// The monitor job's program paths (issue 9, item 5): run from a Homebrew node, lotusctl writes Homebrew's opt/ link
// into the monitor's plist, so a `brew upgrade` that removes the old Cellar version leaves the job runnable; where it
// cannot find a stable path, validate warns and plan shows the drift once the path is gone.
import { copyFileSync, linkSync, mkdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
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

/** A node binary at <sandbox>/homebrew/Cellar/node/<version>/bin/node (a hard link to this node, or a copy). */
function cellarNode(version: string): string {
  const p = sb.path('homebrew/Cellar/node', version, 'bin/node');
  mkdirSync(dirname(p), { recursive: true });
  try {
    linkSync(process.execPath, p);
  } catch {
    copyFileSync(process.execPath, p); // another file system
  }
  return p;
}

/** `brew link`: <prefix>/opt/node points at the version. */
function optLink(version: string): string {
  mkdirSync(sb.path('homebrew/opt'), { recursive: true });
  rmSync(sb.path('homebrew/opt/node'), { force: true });
  symlinkSync(`../Cellar/node/${version}`, sb.path('homebrew/opt/node'));
  return sb.path('homebrew/opt/node/bin/node');
}

const spec = () => Sandbox.lotusDaemonSpec('monitor:\n  schedule: 2s\n');
const monitorArgs = (): string[] => [...readFileSync(sb.agentPlist('com.lotusctl.monitor'), 'utf8').matchAll(/<string>([^<]*)<\/string>/g)].map((m) => m[1] as string);

describe('the monitor job program', () => {
  it('run from a Homebrew Cellar node, it names the opt/ link, and survives `brew upgrade` removing that version', async () => {
    const old = cellarNode('20.0.0');
    const opt = optLink('20.0.0');
    sb.writeSpec(spec());
    const r = await sb.cli(['apply', '--auto-approve'], {}, { node: old });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(monitorArgs()).toContain(opt);
    expect(monitorArgs()).not.toContain(old);
    expect(await waitFor('the monitor to run', async () => (await sb.print('com.lotusctl.monitor')).pid, 30_000)).toBeGreaterThan(0);

    // brew upgrade node: a new version, the opt/ link moved, the old version deleted.
    const next = cellarNode('20.1.0');
    optLink('20.1.0');
    rmSync(sb.path('homebrew/Cellar/node/20.0.0'), { recursive: true });
    const plan = await sb.cli(['plan', '--detailed-exitcode'], {}, { node: next });
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
    // launchd can start it again from the same plist.
    expect((await sb.launchctl(['kickstart', '-k', `${sb.gui}/com.lotusctl.monitor`])).code).toBe(0);
    expect(await waitFor('the monitor to run again', async () => (await sb.print('com.lotusctl.monitor')).pid, 30_000)).toBeGreaterThan(0);
  });

  it('without a stable path validate warns, and once that path is gone plan shows the drift and rewrites the plist', async () => {
    const old = cellarNode('20.0.0'); // no opt/ link: nothing stable to use
    sb.writeSpec(spec());
    const v = await sb.cli(['validate'], {}, { node: old });
    expect(v.code).toBe(0);
    expect(v.stderr).toMatch(new RegExp(`monitor: warning: the monitor job would run ${old.replace(/[.]/g, '\\.')} is in a versioned Homebrew Cellar folder \\(gone after brew upgrade\\): once that is gone, launchd fails the monitor with EX_CONFIG \\(78\\)`));
    expect((await sb.cli(['apply', '--auto-approve'], {}, { node: old })).code).toBe(0);
    expect(monitorArgs()).toContain(old);

    rmSync(sb.path('homebrew/Cellar/node/20.0.0'), { recursive: true });
    const drift = await sb.cli(['drift', '--json']);
    expect(drift.code).toBe(2);
    expect(JSON.parse(drift.stdout).drift).toContainEqual(expect.objectContaining({ kind: 'program-missing', service: 'monitor', message: expect.stringContaining(`${old}, which com.lotusctl.monitor runs, no longer exists`) }));
    const plan = JSON.parse((await sb.cli(['plan', '--json'])).stdout);
    expect(plan.changes.filter((c: { action: string }) => c.action !== 'no-op').map((c: { address: string; action: string }) => `${c.address}:${c.action}`)).toEqual(['monitor.plist:update', 'monitor.job:replace']);
    expect((await sb.cli(['apply', '--auto-approve'])).code).toBe(0);
    expect(monitorArgs()).toContain(process.execPath);
    expect((await sb.cli(['drift'])).code).toBe(0);
  });
});
