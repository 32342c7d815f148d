// What scripts and the Ansible module rely on: plan --stdin, plan --destroy, show PLANFILE, and --json errors for a broken spec.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { Sandbox } from '../helpers/sandbox.js';

const DAEMON = 'com.lotusctl.daemon';

let sb: Sandbox;
beforeEach(() => {
  sb = new Sandbox();
});
afterEach(async () => {
  expect(await sb.stop()).toEqual([]);
});

const stdinCli = (args: string[], input: string) => runCli(args, { env: sb.env, cwd: sb.root, input });

describe('plan for scripts', () => {
  it('--json on a broken spec prints one spec.invalid error with each problem as file:line:col', async () => {
    const f = sb.writeSpec('version: 1\nservices:\n  daemon:\n    program: /bin/sh\n    exit_timout: 5s\n');
    for (const cmd of [['plan', '--json', '--detailed-exitcode'], ['drift', '--json'], ['apply', '--auto-approve', '--json']]) {
      const r = await sb.cli([...cmd, '-f', f]);
      expect(r.code, cmd.join(' ')).toBe(1);
      expect(JSON.parse(r.stdout.trim().split('\n').at(-1) as string)).toEqual({
        format_version: '1',
        error: {
          code: 'spec.invalid', message: `${f} has 1 error`, hint: `run lotusctl validate -f ${f}`,
          details: [`${f}:5:5  services.daemon.exit_timout: unknown key "exit_timout" (did you mean "exit_timeout"?)`],
        },
      });
    }
    expect(existsSync(join(sb.home, 'Library'))).toBe(false);
  });

  it('--stdin plans text that is not on disk yet, resolving relative paths from --file', async () => {
    const sleeper = sb.script('sleeper', 'exec sleep 600');
    const file = sb.path('etc/lotus.yaml');
    const text = `version: 1\nservices:\n  daemon:\n    program: ${sleeper}\n    logs: { dir: ./logs }\n`;
    const r = await stdinCli(['plan', '--stdin', '-f', file, '--json', '--detailed-exitcode'], text);
    expect(r.code, r.stderr).toBe(2);
    const plan = JSON.parse(r.stdout);
    expect(plan.changes.map((c: { address: string }) => c.address)).toContain(`daemon.directory[${sb.path('etc/logs')}]`);
    expect(existsSync(file)).toBe(false);
    // Diagnostics name the --file path, with the line and column of the text read.
    const bad = await stdinCli(['plan', '--stdin', '-f', file], 'version: 1\nservices:\n  daemon:\n    program: x\n    nice: 99\n');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(`${file}:5:11  services.daemon.nice:`);
  });

  it('show prints a saved plan as plan did (text and JSON); plan --destroy saves a removal that apply carries out', async () => {
    const sleeper = sb.script('sleeper', 'exec sleep 600');
    sb.writeSpec(`version: 1\nservices:\n  daemon:\n    program: ${sleeper}\n    throttle_interval: 1s\n`);
    const saved = sb.path('install.plan');
    const text = await sb.cli(['plan', '--out', saved]);
    const json = await sb.cli(['plan', '--json']);
    const shown = await sb.cli(['show', saved]);
    expect(shown.code, shown.stderr).toBe(0);
    expect(text.stdout.startsWith(shown.stdout.trimEnd())).toBe(true);
    expect(shown.stdout).toMatch(/Plan: 2 to add, 0 to change, 0 to replace, 0 to destroy\./);
    const shownJson = JSON.parse((await sb.cli(['show', '--json', saved])).stdout);
    expect({ ...shownJson, created_at: 0, fingerprint: 0 }).toEqual({ ...JSON.parse(json.stdout), created_at: 0, fingerprint: 0 });
    expect((await sb.cli(['apply', saved])).code).toBe(0);
    expect((await sb.print(DAEMON)).pid).toBeGreaterThan(0);

    const removal = sb.path('destroy.plan');
    const d = await sb.cli(['plan', '--destroy', '--detailed-exitcode', '--out', removal]);
    expect(d.code, d.stderr).toBe(2);
    expect(d.stdout).toMatch(/Plan: 0 to add, 0 to change, 0 to replace, 2 to destroy\./);
    expect((await sb.print(DAEMON)).loaded).toBe(true);
    const applied = await sb.cli(['apply', removal]);
    expect(applied.code, applied.stderr).toBe(0);
    expect((await sb.print(DAEMON)).loaded).toBe(false);
    expect(existsSync(sb.agentPlist(DAEMON))).toBe(false);
    expect((await sb.cli(['plan', '--destroy', '--detailed-exitcode'])).code).toBe(0);

    const missing = await sb.cli(['show', '--json', sb.path('nope.plan')]);
    expect(missing.code).toBe(1);
    expect(JSON.parse(missing.stdout).error.code).toBe('plan.file-unreadable');
    expect(readdirSync(sb.root)).not.toContain('nope.plan');
  });
});
