// Start-up cost is structural: a command loads only the modules it needs. The timing lives in `npm run bench`;
// this checks what loads, from the built CLI as users run it (run npm run build first; npm test does).
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { ModuleTrace } from '../helpers/module-trace.js';
import { Sandbox } from '../helpers/sandbox.js';

// What never loads for validate, plan, drift, --version or --help: progress UI, host probing, the scheduler, the
// monitor, the report renderer, and the apply engine; and execa, whose loading alone cost a plan about 15 ms (run
// commands on those paths with node:child_process, as src/system/launchctl.ts does, or load them lazily).
const HEAVY = [/node_modules\/listr2\//, /node_modules\/systeminformation\//, /node_modules\/node-cron\//, /^src\/monitor\//, /^src\/report\//, /^src\/apply\//, /node_modules\/execa\//];
const heavyIn = (mods: string[]) => mods.filter((m) => HEAVY.some((re) => re.test(m)));

const trace = new ModuleTrace();
afterAll(() => trace.stop());

let sb: Sandbox;
beforeEach(() => {
  sb = new Sandbox();
  sb.writeSpec(`version: 1\nservices:\n  daemon:\n    program: ${sb.script('sleeper', 'exec sleep 600')}\n`);
});
afterEach(async () => {
  expect(await sb.stop()).toEqual([]);
});

async function loaded(args: string[]): Promise<string[]> {
  trace.take();
  const r = await runCli(args, { env: { ...sb.env, ...trace.env }, cwd: sb.root, nodeArgs: trace.nodeArgs, ...sb.runAs() });
  expect(r.code, r.stderr).toBeLessThanOrEqual(2);
  return trace.take();
}

describe('each command loads only what it needs', () => {
  it('--version loads neither commander nor any command', async () => {
    const mods = await loaded(['--version']);
    expect(mods).toContain('src/cli/main.ts');
    expect(mods.filter((m) => m.startsWith('node_modules/'))).toEqual([]);
    expect(mods.filter((m) => /^src\/(spec|plan|observe|render|launchd|cli\/commands)\//.test(m))).toEqual([]);
  });

  it('--help loads commander and the command list, no command', async () => {
    const mods = await loaded(['--help']);
    expect(mods).toContain('node_modules/commander/lib/command.js');
    expect(mods.filter((m) => /^src\/(spec|plan|observe|system\/load-spec|cli\/commands)\//.test(m))).toEqual([]);
    expect(heavyIn(mods)).toEqual([]);
  });

  it('validate loads the spec code, and no XML parser, zod locale or heavy module', async () => {
    const mods = await loaded(['validate']);
    expect(mods).toContain('src/spec/validate.ts');
    expect(mods.filter((m) => /^src\/(plan|observe)\//.test(m))).toEqual([]);
    // zod's default English messages are needed; its other locales are not.
    expect(mods.filter((m) => /@xmldom|zod\/v4\/locales\/(?!en\.js)/.test(m))).toEqual([]);
    expect(heavyIn(mods)).toEqual([]);
  });

  it('plan and drift load the engine, and no heavy module', async () => {
    const plan = await loaded(['plan']);
    expect(plan).toContain('src/observe/observe.ts');
    expect(heavyIn(plan)).toEqual([]);
    const drift = await loaded(['drift']);
    expect(drift).toContain('src/observe/observe.ts');
    expect(heavyIn(drift)).toEqual([]);
  });

  it('plan and drift of an unchanged machine parse no plist: the XML parser loads only for a file lotusctl did not write', async () => {
    expect((await sb.cli(['apply', '--auto-approve'])).code).toBe(0);
    const xmlParser = (mods: string[]) => mods.filter((m) => /@xmldom|plist\/dist\/parse/.test(m));
    expect(xmlParser(await loaded(['plan', '--detailed-exitcode']))).toEqual([]);
    expect(xmlParser(await loaded(['drift']))).toEqual([]);
    // The same keys and values in other bytes (an editor's reformatting) must be parsed to be compared.
    const plist = sb.path('home', 'Library', 'LaunchAgents', 'com.lotusctl.daemon.plist');
    writeFileSync(plist, readFileSync(plist, 'utf8').replace(/\t/g, '  '));
    expect(xmlParser(await loaded(['plan']))).toContain('node_modules/@xmldom/xmldom/lib/dom-parser.js');
  });

  it('the trace sees what a command does load: report loads the report code', async () => {
    const mods = await loaded(['report', '--print']);
    expect(mods).toContain('src/report/summary.ts');
  });
});
