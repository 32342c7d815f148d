import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/program.js';
import { Sandbox } from '../helpers/sandbox.js';

// The --json help of each command names the format_version it prints, and program.ts hardcodes it (it must not load
// the render modules). This test keeps the two equal: every command with --json is run and its output compared.

let sb: Sandbox;
let env: Record<string, string>;
beforeEach(() => {
  sb = new Sandbox();
  const facts = sb.path('machine.json');
  writeFileSync(facts, JSON.stringify({ platform: 'darwin', os_version: '14.5', cpu_cores: 8, memory_bytes: 16 * 1024 ** 3, max_files_per_proc: 24576, volumes: [] }));
  env = { LOTUSCTL_MACHINE_FACTS: facts };
});
afterEach(async () => {
  expect(await sb.stop()).toEqual([]);
});

/** Every command (by its path, `monitor run`) that takes --json, with the help text of that option. */
function jsonCommands(): Map<string, string> {
  const found = new Map<string, string>();
  const walk = (c: Command, path: string[]) => {
    for (const sub of c.commands) {
      const p = [...path, sub.name()];
      const opt = sub.options.find((o) => o.long === '--json');
      if (opt) found.set(p.join(' '), opt.description);
      walk(sub, p);
    }
  };
  walk(buildProgram(() => undefined), []);
  return found;
}

const namedVersion = (help: string): string | undefined => /\(format_version (\w+)[,)]/.exec(help)?.[1];

/** Every JSON document a command printed: one pretty-printed object, or one object per line. */
function documents(stdout: string): Array<Record<string, unknown>> {
  try {
    return [JSON.parse(stdout)];
  } catch {
    return stdout.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l));
  }
}

const PLIST = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0"><dict>
<key>Label</key><string>com.example.sleeper</string>
<key>ProgramArguments</key><array><string>/bin/sleep</string><string>600</string></array>
</dict></plist>
`;

describe('--json output names the format_version its help names', () => {
  it('for every command with --json, run against the sandbox (successes and failures)', async () => {
    const helps = jsonCommands();
    const sleeper = sb.script('sleeper', 'exec sleep 600');
    sb.writeSpec(`version: 1\nservices:\n  daemon:\n    program: ${sleeper}\n    throttle_interval: 1s\n    logs: { dir: logs }\n`);
    mkdirSync(sb.path('logs'));
    writeFileSync(join(sb.path('logs'), 'daemon.out.log'), '2026-08-06T10:00:01.000Z\tINFO\tmain\thello\n');
    writeFileSync(sb.path('foreign.plist'), PLIST);
    sb.chownToOperator(sb.path('logs')); // the CLI and the jobs run as the operator
    sb.chownToOperator(sb.path('foreign.plist'));
    const saved = sb.path('saved.plan');
    expect((await sb.cli(['plan', '--out', saved], env)).code).toBe(0);

    // In order: apply before what needs an applied job, destroy last. Each entry: the command's path, its arguments.
    const runs: Array<[string, string[]]> = [
      ['validate', ['validate', '--json']],
      ['plan', ['plan', '--json']],
      ['show', ['show', saved, '--json']],
      ['apply', ['apply', '--auto-approve', '--json']],
      ['drift', ['drift', '--json']],
      ['status', ['status', '--json']],
      ['restart', ['restart', 'daemon', '--json']],
      ['logs', ['logs', 'daemon', '--json']],
      ['doctor', ['doctor', '--json']],
      ['monitor run', ['monitor', 'run', '--once', '--json']],
      ['import', ['import', sb.path('foreign.plist'), '--out', 'imported.yaml', '--dry-run', '--json']],
      ['init', ['init', '--out', 'new.yaml', '--domain', 'gui', '--json']],
      ['optimize', ['optimize', '--json']],
      ['destroy', ['destroy', '--auto-approve', '--json']],
    ];
    // A command given --json that is not run here fails the test: its help could say anything.
    expect(runs.map(([c]) => c).sort()).toEqual([...helps.keys()].sort());
    for (const [command, args] of runs) {
      const version = namedVersion(helps.get(command) as string);
      expect(version, `${command}: its --json help names no format_version`).toBeDefined();
      const r = await sb.cli(args, env);
      expect([0, 2], `${command}: ${r.stdout}${r.stderr}`).toContain(r.code);
      const docs = documents(r.stdout);
      expect(docs.length, `${command} printed no JSON`).toBeGreaterThan(0);
      for (const d of docs) {
        expect(d, `${command}: ${JSON.stringify(d)}`).not.toHaveProperty('error');
        expect({ command, format_version: d['format_version'] }).toEqual({ command, format_version: version });
      }
    }

    // Failures print one error object whose version the root help names.
    const root = (await sb.cli(['--help'])).stdout;
    const errorVersion = /error object \(format_version (\w+)[,)]/.exec(root)?.[1];
    expect(errorVersion, 'lotusctl --help names no error format_version').toBeDefined();
    const failing: Array<[string, string[]]> = [
      ['validate', ['validate', '-f', 'missing.yaml', '--json']],
      ['plan', ['plan', '-f', 'missing.yaml', '--json']],
      ['show', ['show', 'missing.plan', '--json']],
      ['apply', ['apply', 'missing.plan', '--json']],
      ['drift', ['drift', '-f', 'missing.yaml', '--json']],
      ['status', ['status', 'nosuch', '--json']],
      ['restart', ['restart', 'nosuch', '--json']],
      ['logs', ['logs', 'nosuch', '--json']],
      ['doctor', ['doctor', '-f', 'missing.yaml', '--json']],
      ['monitor run', ['monitor', 'run', '--schedule', 'never', '--json']],
      ['import', ['import', 'com.example.nosuch', '--out', 'imported.yaml', '--json']],
      ['init', ['init', '--out', 'lotus.yaml', '--json']],
      ['optimize', ['optimize', '-f', 'missing.yaml', '--json']],
      ['destroy', ['destroy', '--json']],
      ['plan', ['plan', '--no-such-flag', '--json']],
    ];
    expect([...new Set(failing.map(([c]) => c))].sort()).toEqual([...helps.keys()].sort());
    for (const [command, args] of failing) {
      const r = await sb.cli(args, env);
      expect(r.code, `${args.join(' ')}: ${r.stdout}${r.stderr}`).toBe(1);
      const last = documents(r.stdout).at(-1);
      expect(last, `${args.join(' ')}: ${r.stdout}`).toMatchObject({ error: { code: expect.any(String) } });
      expect({ command, format_version: last?.['format_version'] }).toEqual({ command, format_version: errorVersion });
    }
  }, 240_000);
});
