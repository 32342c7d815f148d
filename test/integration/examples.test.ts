import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/cli.js';
import { Sandbox } from '../helpers/sandbox.js';

function run(cmd: string, args: string[], env: Record<string, string>, cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { env, cwd, timeout: 180_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
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
    const first = await run(process.execPath, [script, spec], sb.env, repoRoot);
    expect(first.code, first.stderr).toBe(2);
    expect(JSON.parse(first.stdout.trim())).toMatchObject({ changed: true, applied: 1, services: ['daemon'] });
    const second = await run(process.execPath, [script, spec], sb.env, repoRoot);
    expect(second.code, second.stderr).toBe(0);
    expect(JSON.parse(second.stdout.trim())).toEqual({ changed: false, drift: 0 });
    const bad = sb.writeSpec('version: 1\nservices:\n  daemon:\n    progam: x\n', 'bad.yaml');
    const third = await run(process.execPath, [script, bad], sb.env, repoRoot);
    expect(third.code).toBe(1);
    expect(third.stderr).toMatch(/bad\.yaml:4:5  error: unknown key "progam"/);
  });
});

describe('npm run demo (examples/demo.sh)', () => {
  it('runs the whole story in its sandbox and cleans up', async () => {
    const r = await run('bash', [join(repoRoot, 'examples/demo.sh')], { PATH: process.env.PATH ?? '', NO_COLOR: '1' }, repoRoot);
    expect(r.code, r.stdout.slice(-3000) + r.stderr).toBe(0);
    for (const marker of [
      'valid (1 service)',
      'broken.yaml:17:5  services.daemon.exit_timout: unknown key "exit_timout"',
      'Plan: 6 to add, 0 to change, 0 to destroy.',
      'Apply complete! Resources: 6 added, 0 changed, 0 destroyed.',
      'No changes. Your Mac matches lotus.yaml.',
      '"event":"restart","msg":"restarting daemon: unhealthy for 2 consecutive ticks',
      'com.lotusctl.daemon was booted out (unloaded) outside lotusctl',
      'ExitTimeOut = 5 (5s) -> 120 (2m)',
      'SERVICE  LABEL                 DOMAIN',
      'FAIL  launchd.loaded      not loaded in gui/',
      'Destroy complete! Resources: 4 destroyed.',
      'Demo complete.',
    ]) expect(r.stdout).toContain(marker);
  });
});
