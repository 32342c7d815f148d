// Issue 8.10: reserved names, destroy of a dependency, unreadable plists, jobs lotusctl did not create, and a monitor
// that watches what was applied rather than the working copy.
import { copyFileSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Sandbox } from '../helpers/sandbox.js';

const uid = process.getuid?.() ?? 0;
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

describe('names', () => {
  it('a service named monitor is refused: it is the monitor\'s name', async () => {
    sb.writeSpec(`version: 1\nservices:\n${service('monitor', '/bin/sleep')}`);
    const r = await sb.cli(['validate']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/lotus\.yaml:3:3  services\.monitor: "monitor" is reserved: it names lotusctl.s own health monitor/);
  });

  it('labels that differ only in case are refused: one plist file on a case-insensitive disk', async () => {
    sb.writeSpec(`version: 1\nservices:\n${service('a', '/bin/sleep', '    label: com.example.Node\n')}${service('b', '/bin/sleep', '    label: com.example.node\n')}`);
    const r = await sb.cli(['validate']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/differs from service "a"'s "com\.example\.Node" only in case/);
  });

  it('a disabled monitor still owns its label', async () => {
    sb.writeSpec(`version: 1\nservices:\n${service('daemon', '/bin/sleep', '    label: com.lotusctl.monitor\n')}monitor:\n  enabled: false\n`);
    const r = await sb.cli(['validate']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/label "com\.lotusctl\.monitor" is already used by service "daemon"/);
  });
});

describe('destroy --target', () => {
  it('removes what depends on the target too, and says so in the plan', async () => {
    const sleeper = sb.script('sleeper', 'exec sleep 600');
    sb.writeSpec(`version: 1\nservices:\n${service('daemon', sleeper)}${service('miner', sleeper, '    depends_on: [daemon]\n')}${service('other', sleeper)}`);
    await ok(['apply', '--auto-approve']);
    const r = await ok(['destroy', '--target', 'daemon', '--auto-approve']);
    expect(r.stdout).toMatch(/# miner\.job will be booted out/);
    expect(r.stdout).toMatch(/Destroy complete! Resources: 4 destroyed\./);
    expect((await sb.print('com.lotusctl.miner')).loaded).toBe(false);
    expect((await sb.print('com.lotusctl.daemon')).loaded).toBe(false);
    expect((await sb.print('com.lotusctl.other')).pid).toBeGreaterThan(0);
  });
});

describe('plists and jobs that are not what lotusctl wrote', () => {
  it('a garbage-filled plist: no raw parser output; drift says it is not a valid plist', async () => {
    const sleeper = sb.script('sleeper', 'exec sleep 600');
    sb.writeSpec(`version: 1\nservices:\n${service('daemon', sleeper)}`);
    await ok(['apply', '--auto-approve']);
    writeFileSync(sb.agentPlist('com.lotusctl.daemon'), '<?xml version="1.0"?><plist><dict><key>Label</key><string>x</dict>&&& garbage');
    const drift = await sb.cli(['drift']);
    expect(drift.code).toBe(2);
    expect(drift.stderr).toBe('');
    expect(drift.stdout).not.toMatch(/xmldom/);
    expect(drift.stdout).toMatch(/com\.lotusctl\.daemon\.plist was changed outside lotusctl and is not a valid plist \(.+\)/);
    expect(drift.stdout).not.toMatch(/differs .* in .*ProgramArguments/);
    const plan = await sb.cli(['plan']);
    expect(plan.stderr).toBe('');
    expect(plan.stdout).toMatch(/# daemon\.plist will be updated in-place \(it is not a valid plist/);
    // Trailing garbage after a well-formed plist is just as invalid (xmldom would accept it with an error on stderr).
    const good = (await sb.cli(['render'])).stdout;
    writeFileSync(sb.agentPlist('com.lotusctl.daemon'), `${good}\u0001zz`);
    const trailing = await sb.cli(['drift']);
    expect(trailing.stderr).toBe('');
    expect(trailing.stdout).toMatch(/is not a valid plist \(Extra content at the end of the document/);
  });

  it('an unmanaged plist moved aside does not make lotusctl boot out the job it loaded', async () => {
    const sleeper = sb.script('sleeper', 'exec sleep 600');
    sb.writeSpec(`version: 1\nservices:\n${service('daemon', sleeper)}`);
    const label = 'com.lotusctl.daemon';
    mkdirSync(join(sb.home, 'Library/LaunchAgents'), { recursive: true });
    writeFileSync(sb.path('theirs.plist'), `<?xml version="1.0" encoding="UTF-8"?>\n<plist version="1.0"><dict><key>Label</key><string>${label}</string><key>ProgramArguments</key><array><string>${sleeper}</string></array><key>RunAtLoad</key><true/></dict></plist>\n`);
    copyFileSync(sb.path('theirs.plist'), sb.agentPlist(label));
    expect((await sb.launchctl(['bootstrap', `gui/${uid}`, sb.agentPlist(label)])).code).toBe(0);
    const pid = (await sb.print(label)).pid;

    const first = await sb.cli(['plan']);
    expect(first.stderr).toMatch(/^error\[plan\.unmanaged-plist\]/m);
    renameSync(sb.agentPlist(label), sb.path('moved-aside.plist'));
    const second = await sb.cli(['apply', '--auto-approve']);
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(new RegExp(`^error\\[plan\\.unmanaged-job\\]: gui/${uid}/com\\.lotusctl\\.daemon is loaded from .*com\\.lotusctl\\.daemon\\.plist, but lotusctl did not create it`, 'm'));
    expect(second.stderr).toMatch(/hint: if it is yours to replace, unload it first \(launchctl bootout/);
    expect((await sb.print(label)).pid).toBe(pid);
  });
});

describe('the monitor works from the last applied state', () => {
  it('an unapplied label change does not make it lose the running daemon', async () => {
    const sleeper = sb.script('sleeper', 'exec sleep 600');
    // auto_restart off: this test watches what the monitor sees, not what it does.
    const text = (label: string) => `version: 1\nservices:\n${service('daemon', sleeper, `    label: ${label}\n`)}monitor:\n  schedule: 1h\n  auto_restart: false\n`;
    sb.writeSpec(text('com.example.node'));
    await ok(['apply', '--auto-approve']);
    sb.writeSpec(text('com.example.renamed'));
    const tick = await sb.cli(['monitor', 'run', '--once']);
    expect(tick.code, tick.stderr).toBe(0);
    const line = tick.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l)).find((l: { event: string }) => l.event === 'tick');
    expect(line.services).toEqual({ daemon: 'healthy' });
    // Once applied, the new label is what it watches.
    await ok(['apply', '--auto-approve']);
    const after = await sb.cli(['monitor', 'run', '--once']);
    expect(after.stdout).toMatch(/"event":"tick".*"services":\{"daemon":"healthy"\}/);
    expect((await sb.print('com.example.node')).loaded).toBe(false);
  });
});
