// The launchctl double's stdout vs the real captures in test/fixtures/launchctl: our own parsers must read the
// double and the Mac identically for the fields both show. Every test runs the real double (shim -> CLI -> supervisor).
import { useFakeLaunchd } from '../helpers/fake-launchd.js';
import { describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  parseDomainPrint,
  parseList,
  parseListLabel,
  parsePrintDisabled,
  parseServicePrint,
  type ServicePrint,
} from '../../src/launchd/parsers.js';
import { FakeLaunchd, waitFor } from './launchctl/harness.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const FIXTURES = resolve(repoRoot, 'test/fixtures/launchctl');
const fixture = (name: string): string => readFileSync(resolve(FIXTURES, name), 'utf8');

const fake = useFakeLaunchd();

/** How a parsed field looks, not its value: absent / array / number / string / object. */
function kinds(p: ServicePrint, keys: ReadonlyArray<keyof ServicePrint>): Record<string, string> {
  return Object.fromEntries(keys.map((k) => [k, p[k] === undefined ? 'absent' : Array.isArray(p[k]) ? 'array' : typeof p[k]]));
}

// Fields every modern sample prints and the double emulates.
const COMMON: ReadonlyArray<keyof ServicePrint> = [
  'target', 'label', 'state', 'runs', 'activeCount', 'program', 'environment', 'defaultEnvironment', 'path', 'type',
  'domain', 'minimumRuntime', 'baseMinimumRuntime', 'exitTimeout', 'spawnType', 'pid', 'immediateReason',
];

/** Polls (in-process, cheap) until `ok` holds, then prints once more through the shim: the text under test. */
async function settled(f: FakeLaunchd, target: string, what: string, ok: (p: ServicePrint) => boolean): Promise<{ text: string; parsed: ServicePrint }> {
  await waitFor(what, async () => {
    const r = await f.call(['print', target]);
    return r.code === 0 && ok(parseServicePrint(r.stdout));
  });
  return printOf(f, target);
}

/** Polls `args` in-process until `ok(stdout)`, then runs them through the shim and returns that stdout. */
async function settledRun(f: FakeLaunchd, args: string[], what: string, ok: (stdout: string) => boolean): Promise<string> {
  await waitFor(what, async () => ok((await f.call(args)).stdout));
  const r = await f.run(args);
  expect(r.code).toBe(0);
  return r.stdout;
}

async function printOf(f: FakeLaunchd, target: string): Promise<{ text: string; parsed: ServicePrint }> {
  const r = await f.run(['print', target]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return { text: r.stdout, parsed: parseServicePrint(r.stdout) };
}

describe('print <service-target> vs the macOS samples', () => {
  it('a loaded, never-run job reads like print-service-system-never-run-rpmuxd-macos26', async () => {
    const f = fake();
    const plist = f.writePlist('never.plist', { Label: 'com.example.never', ProgramArguments: ['/usr/bin/true'] });
    expect(await f.run(['bootstrap', 'system', plist])).toMatchObject({ code: 0, stdout: '', stderr: '' });
    const ours = await printOf(f, 'system/com.example.never');
    const real = fixture('print-service-system-never-run-rpmuxd-macos26.txt');
    const theirs = parseServicePrint(real);

    expect(kinds(ours.parsed, [...COMMON, 'arguments', 'jobState'])).toEqual(kinds(theirs, [...COMMON, 'arguments', 'jobState']));
    for (const k of ['state', 'runs', 'activeCount', 'domain', 'type', 'minimumRuntime', 'exitTimeout', 'defaultEnvironment', 'lastExit'] as const) {
      expect(ours.parsed[k], k).toEqual(theirs[k]);
    }
    expect(ours.parsed.lastExit).toEqual({ kind: 'never' });
    expect(ours.parsed.environment).toEqual({ XPC_SERVICE_NAME: 'com.example.never' });
    expect(ours.parsed.properties).toContain('inferred program');
    expect(theirs.properties).toContain('inferred program');
    // Byte-identical lines and blocks, tab-indented like the capture.
    for (const piece of [
      '\tstate = not running\n',
      '\tdefault environment = {\n\t\tPATH => /usr/bin:/bin:/usr/sbin:/sbin\n\t}\n',
      '\tdomain = system\n',
      '\tminimum runtime = 10\n\tbase minimum runtime = 10\n\texit timeout = 5\n\truns = 0\n\tlast exit code = (never exited)\n',
    ]) {
      expect(real).toContain(piece);
      expect(ours.text).toContain(piece);
    }
    expect(ours.text.startsWith('system/com.example.never = {\n\tactive count = 0\n\tpath = ')).toBe(true);
    expect(ours.text.endsWith('\n\tproperties = inferred program\n}\n')).toBe(true);
    expect(ours.text.match(/last (exit code|terminating signal|exit reason) =/g)).toHaveLength(1);
  });

  it('a running first run reads like print-service-system-running-never-exited-runningboardd-macos26', async () => {
    const f = fake();
    const plist = f.writePlist('run.plist', { Label: 'com.example.run', ProgramArguments: ['/bin/sleep', '30'], RunAtLoad: true, ThrottleInterval: 1 });
    expect((await f.run(['bootstrap', 'system', plist])).code).toBe(0);
    const ours = await settled(f, 'system/com.example.run', 'the job to run', (p) => p.pid !== undefined);
    const theirs = parseServicePrint(fixture('print-service-system-running-never-exited-runningboardd-macos26.txt'));
    expect(kinds(ours.parsed, [...COMMON, 'jobState'])).toEqual(kinds(theirs, [...COMMON, 'jobState']));
    for (const k of ['state', 'runs', 'jobState', 'lastExit', 'minimumRuntime', 'baseMinimumRuntime', 'exitTimeout'] as const) {
      expect(ours.parsed[k], k).toEqual(theirs[k]);
    }
    // "at least 1 when running" (specs/launchd-behaviour.md §5); runningboardd's 3 also counts its endpoints.
    expect(ours.parsed.activeCount).toBe(1);
    expect(theirs.activeCount).toBeGreaterThanOrEqual(1);
    expect(ours.parsed.immediateReason).toBe('speculative');
    // Counters follow `pid`/`immediate reason` and precede the exit line, as in the capture.
    expect(ours.text).toMatch(/\tpid = \d+\n\timmediate reason = speculative\n\tforks = 0\n\texecs = 1\n(?:\t.*\n)*\tlast exit code = \(never exited\)\n/);
  });

  it('a SIGKILLed job reads like print-service-system-signal-killed9-kerberos-digest-macos26', async () => {
    const f = fake();
    const plist = f.writePlist('k.plist', { Label: 'com.example.killed', ProgramArguments: ['/bin/sleep', '30'], RunAtLoad: true });
    expect((await f.run(['bootstrap', 'system', plist])).code).toBe(0);
    await settled(f, 'system/com.example.killed', 'pid', (p) => p.pid !== undefined);
    expect(await f.run(['kill', 'SIGKILL', 'system/com.example.killed'])).toMatchObject({ code: 0, stdout: '', stderr: '' });
    const ours = await settled(f, 'system/com.example.killed', 'the job to be reaped', (p) => p.pid === undefined);
    const real = fixture('print-service-system-signal-killed9-kerberos-digest-macos26.txt');
    const theirs = parseServicePrint(real);
    expect(kinds(ours.parsed, COMMON)).toEqual(kinds(theirs, COMMON));
    for (const k of ['state', 'runs', 'activeCount', 'lastExit', 'domain', 'type'] as const) expect(ours.parsed[k], k).toEqual(theirs[k]);
    expect(ours.parsed.lastExit).toEqual({ kind: 'signal', signal: 9, name: 'Killed' });
    expect(real).toContain('\truns = 1\n\tlast terminating signal = Killed: 9\n');
    expect(ours.text).toContain('\truns = 1\n\tlast terminating signal = Killed: 9\n');
    expect(ours.text).not.toContain('last exit code');
  });

  it('a KeepAlive {Crashed} job that exited 1 reads like print-service-system-exit1-semaphore-wifiFirmwareLoader-macos26', async () => {
    const f = fake();
    const plist = f.writePlist('e.plist', {
      Label: 'com.example.exit1',
      ProgramArguments: ['/bin/sh', '-c', 'exit 1'],
      RunAtLoad: true,
      KeepAlive: { Crashed: true },
      Umask: 18,
    });
    expect((await f.run(['bootstrap', 'system', plist])).code).toBe(0);
    const ours = await settled(f, 'system/com.example.exit1', 'the exit', (p) => p.lastExit.kind !== 'never');
    const theirs = parseServicePrint(fixture('print-service-system-exit1-semaphore-wifiFirmwareLoader-macos26.txt'));
    expect(kinds(ours.parsed, [...COMMON, 'umask', 'semaphores'])).toEqual(kinds(theirs, [...COMMON, 'umask', 'semaphores']));
    for (const k of ['state', 'runs', 'lastExit', 'umask', 'semaphores', 'domain'] as const) expect(ours.parsed[k], k).toEqual(theirs[k]);
    expect(ours.parsed.properties.slice(0, 2)).toEqual(theirs.properties.slice(0, 2)); // runatload | inferred program
    expect(ours.text).toContain('\tsemaphores = {\n\t\tafter crash => 1\n\t}\n');
  });

  it('a gui/501 RunAtLoad agent that exited 0 reads like print-service-gui-runatload-exit0-parentalcontrols-check-macos26', async () => {
    const f = fake();
    const plist = f.writePlist('g.plist', { Label: 'com.example.check', Program: '/usr/bin/true', RunAtLoad: true });
    expect((await f.run(['bootstrap', 'gui/501', plist])).code).toBe(0);
    const ours = await settled(f, 'gui/501/com.example.check', 'the exit', (p) => p.lastExit.kind !== 'never');
    const real = fixture('print-service-gui-runatload-exit0-parentalcontrols-check-macos26.txt');
    const theirs = parseServicePrint(real);
    expect(kinds(ours.parsed, [...COMMON, 'asid', 'arguments'])).toEqual(kinds(theirs, [...COMMON, 'asid', 'arguments']));
    for (const k of ['state', 'runs', 'lastExit', 'domain', 'asid', 'type', 'activeCount'] as const) expect(ours.parsed[k], k).toEqual(theirs[k]);
    expect(ours.parsed.properties[0]).toBe(theirs.properties[0]); // runatload
    for (const piece of ['\ttype = LaunchAgent\n', '\tdomain = gui/501 [100017]\n\tasid = 100017\n', '\truns = 1\n\tlast exit code = 0\n']) {
      expect(real).toContain(piece);
      expect(ours.text).toContain(piece);
    }
  });
});

describe('print-disabled vs both spellings', () => {
  it('macOS 12 prints the legacy true/false block byte for byte', async () => {
    const real = fixture('print-disabled-system-legacy-truefalse-macos12.txt');
    const f = fake({ macos: 12 });
    // Recreate the captured overrides through the CLI, in the captured order.
    for (const [label, disabled] of Object.entries(parsePrintDisabled(real))) {
      expect(await f.run([disabled ? 'disable' : 'enable', `system/${label}`])).toEqual({ code: 0, stdout: '', stderr: '' });
    }
    const ours = await f.run(['print-disabled', 'system']);
    expect(ours.code).toBe(0);
    expect(ours.stdout).toBe(real);
  });

  it('macOS 13+ prints the enabled/disabled block, blank first line and tab indent, byte for byte', async () => {
    const real = fixture('print-disabled-system-modern-enabled-disabled.txt');
    const f = fake({ macos: 14 });
    // 43 overrides: seeded through the persisted overrides file (the disabled db) instead of 43 CLI calls.
    mkdirSync(f.stateDir, { recursive: true });
    writeFileSync(resolve(f.stateDir, 'overrides.json'), JSON.stringify({ overrides: { system: parsePrintDisabled(real) } }));
    const ours = await f.run(['print-disabled', 'system']);
    expect(ours.code).toBe(0);
    expect(ours.stdout).toBe(real);
    expect(parsePrintDisabled(ours.stdout)).toEqual(parsePrintDisabled(real));
  });

  it('the emulated version switches the spelling of the same overrides', async () => {
    const f = fake();
    expect((await f.run(['disable', 'gui/501/com.example.a'])).code).toBe(0);
    expect((await f.run(['enable', 'gui/501/com.example.b'])).code).toBe(0);
    const modern = await f.run(['print-disabled', 'gui/501']);
    const legacy = await f.run(['print-disabled', 'gui/501'], { FAKE_LAUNCHD_MACOS: '12' });
    expect(modern.stdout).toBe('\n\tdisabled services = {\n\t\t"com.example.a" => disabled\n\t\t"com.example.b" => enabled\n\t}\n');
    expect(legacy.stdout).toBe('disabled services = {\n\t"com.example.a" => true\n\t"com.example.b" => false\n}\n');
    const expected = { 'com.example.a': true, 'com.example.b': false };
    expect(parsePrintDisabled(modern.stdout)).toEqual(expected);
    expect(parsePrintDisabled(legacy.stdout)).toEqual(expected);
  });
});

describe('legacy list and list <label>', () => {
  it('list rows have the shape of list-user-elcapitan-truncated', async () => {
    const f = fake({ euid: 501 }); // list shows the caller's context: gui/501 for uid 501
    const run = f.writePlist('r.plist', { Label: 'com.example.running', ProgramArguments: ['/bin/sleep', '30'], RunAtLoad: true });
    const idle = f.writePlist('i.plist', { Label: 'com.example.idle', ProgramArguments: ['/usr/bin/true'] });
    const bad = f.writePlist('b.plist', { Label: 'com.example.broken', ProgramArguments: ['/nonexistent/lotus'], RunAtLoad: true });
    expect((await f.run(['bootstrap', 'gui/501', run, idle, bad])).code).toBe(0);
    const ours = await settledRun(f, ['list'], 'the running row', (out) => /^\d+\t0\tcom\.example\.running$/m.test(out));
    const real = fixture('list-user-elcapitan-truncated.txt');
    const row = /^(?:\d+|-)\t-?\d+\t[^\t\n]+$/;
    for (const text of [real, ours]) {
      const [header, ...rows] = text.trimEnd().split('\n');
      expect(header).toBe('PID\tStatus\tLabel');
      for (const r of rows) expect(r).toMatch(row);
    }
    const theirs = parseList(real);
    const mine = new Map(parseList(ours).map((r) => [r.label, r]));
    // Running and never-run rows read exactly as the capture's equivalents (Finder running, quicklook idle).
    const finder = theirs.find((r) => r.label === 'com.apple.Finder');
    const quicklook = theirs.find((r) => r.label === 'com.apple.quicklook');
    expect({ ...mine.get('com.example.running'), label: '', pid: 1 }).toEqual({ ...finder, label: '', pid: 1 });
    expect({ ...mine.get('com.example.idle'), label: '' }).toEqual({ ...quicklook, label: '' });
    expect(ours).toContain('-\t0\tcom.example.idle\n');
    expect(ours).toContain('-\t78\tcom.example.broken\n'); // specs/launchd-behaviour.md §7: a failing job
    expect(mine.get('com.example.broken')?.lastExit).toEqual({ kind: 'code', code: 78 });
  });

  it('list <label> of a running job has the keys and order of list-label-running-supervisord-yosemite', async () => {
    const f = fake(); // root: the system domain, like `sudo launchctl list <label>`
    const plist = f.writePlist('s.plist', {
      Label: 'com.example.supervisord',
      Program: '/bin/sleep',
      ProgramArguments: ['/bin/sleep', '30'],
      RunAtLoad: true,
    });
    expect((await f.run(['bootstrap', 'system', plist])).code).toBe(0);
    const ours = await settledRun(f, ['list', 'com.example.supervisord'], 'PID', (out) => out.includes('"PID"'));
    const theirs = parseListLabel(fixture('list-label-running-supervisord-yosemite.txt'));
    const mine = parseListLabel(ours);
    expect(mine.truncated).toBeUndefined();
    // "TimeOut" is a no-longer-implemented key (specs/launchd-behaviour.md §1) the double does not print.
    expect(Object.keys(mine.raw)).toEqual(Object.keys(theirs.raw).filter((k) => k !== 'TimeOut'));
    for (const k of ['LimitLoadToSessionType', 'OnDemand', 'LastExitStatus'] as const) expect(mine.raw[k], k).toEqual(theirs.raw[k]);
    expect(mine.lastExit).toEqual(theirs.lastExit);
    expect(typeof mine.pid).toBe(typeof theirs.pid);
    expect(mine.program).toBe('/bin/sleep');
    expect(mine.arguments).toEqual(['/bin/sleep', '30']);
    expect(ours).toMatch(/^\{\n\t"LimitLoadToSessionType" = "System";\n\t"Label" = "com\.example\.supervisord";\n/);
    expect(ours.endsWith('\t\t"30";\n\t);\n};\n')).toBe(true);
  });

  it('LastExitStatus is the raw wait(2) status: 19968 for EX_CONFIG, 15 for SIGTERM', async () => {
    const f = fake();
    const bad = f.writePlist('b.plist', { Label: 'com.example.bad', ProgramArguments: ['lotus', 'daemon'], RunAtLoad: true });
    const term = f.writePlist('t.plist', { Label: 'com.example.term', ProgramArguments: ['/bin/sleep', '30'], RunAtLoad: true });
    expect((await f.run(['bootstrap', 'system', bad, term])).code).toBe(0);
    await waitFor('the sleeper', async () => (await f.call(['list', 'com.example.term'])).stdout.includes('"PID"'));
    expect((await f.run(['kill', 'TERM', 'system/com.example.term'])).code).toBe(0);
    const termOut = await settledRun(f, ['list', 'com.example.term'], 'the SIGTERM exit', (out) => !out.includes('"PID"'));
    expect(termOut).toContain('\t"LastExitStatus" = 15;\n');
    expect(parseListLabel(termOut).lastExit).toEqual({ kind: 'signal', signal: 15 });
    const badOut = (await f.run(['list', 'com.example.bad'])).stdout;
    expect(badOut).toContain('\t"LastExitStatus" = 19968;\n');
    expect(parseListLabel(badOut).lastExit).toEqual({ kind: 'code', code: 78 });
  });
});

describe('print <domain-target> vs print-domain-system-abridged-macos13or14', () => {
  it('services and disabled-services rows match the capture once tabs are expanded', async () => {
    const real = fixture('print-domain-system-abridged-macos13or14.txt');
    const f = fake();
    const idle = f.writePlist('l.plist', { Label: 'com.apple.lskdd', ProgramArguments: ['/usr/bin/true'] });
    const run = f.writePlist('r.plist', { Label: 'com.example.runner', ProgramArguments: ['/bin/sleep', '30'], RunAtLoad: true });
    expect((await f.run(['bootstrap', 'system', idle, run])).code).toBe(0);
    for (const l of ['com.apple.CSCSupportd', 'com.apple.ftpd', 'com.apple.mdmclient.daemon.runatboot']) expect((await f.run(['disable', `system/${l}`])).code).toBe(0);
    const ours = await settledRun(f, ['print', 'system'], 'the runner', (out) => parseDomainPrint(out).services.some((s) => s.pid !== undefined));
    // The capture's tabs were turned into 4 spaces each: do the same to ours and find the identical rows.
    const expanded = ours.replace(/\t/g, '    ');
    expect(real).toContain('               0      -     com.apple.lskdd\n');
    expect(expanded).toContain('               0      -     com.apple.lskdd\n');
    expect(real).toContain('    disabled services = {\n        "com.apple.CSCSupportd" => disabled\n        "com.apple.ftpd" => disabled\n        "com.apple.mdmclient.daemon.runatboot" => disabled\n    }\n');
    expect(expanded).toContain('    disabled services = {\n        "com.apple.CSCSupportd" => disabled\n        "com.apple.ftpd" => disabled\n        "com.apple.mdmclient.daemon.runatboot" => disabled\n    }\n');

    const mine = parseDomainPrint(ours);
    const theirs = parseDomainPrint(real);
    expect(mine.name).toBe(theirs.name);
    expect(mine.type).toBe(theirs.type);
    expect(mine.disabled).toEqual(theirs.disabled);
    const runner = mine.services.find((s) => s.label === 'com.example.runner');
    const runningboardd = theirs.services.find((s) => s.label === 'com.apple.runningboardd');
    expect({ ...runner, label: '', pid: 1 }).toEqual({ ...runningboardd, label: '', pid: 1 });
    expect(mine.services.find((s) => s.label === 'com.apple.lskdd')).toEqual(theirs.services.find((s) => s.label === 'com.apple.lskdd'));
    expect(mine.serviceCount).toBe(2);
    expect(mine.activeCount).toBe(1);
  });

  it('a pressured exit shows `(pe)` in the table and only `last exit reason` in the service print', async () => {
    const f = fake();
    const plist = f.writePlist('j.plist', { Label: 'com.example.idle-exit', ProgramArguments: ['/bin/sleep', '30'], RunAtLoad: true, EnablePressuredExit: true });
    expect((await f.run(['bootstrap', 'gui/501', plist])).code).toBe(0);
    await settled(f, 'gui/501/com.example.idle-exit', 'pid', (p) => p.pid !== undefined);
    expect((await f.run(['__fake_jetsam', 'gui/501/com.example.idle-exit'])).code).toBe(0);
    const svc = await settled(f, 'gui/501/com.example.idle-exit', 'the reclaim', (p) => p.pid === undefined);
    expect(svc.parsed.lastExit).toEqual({ kind: 'reclaimed', reason: 'JETSAM_REASON_MEMORY_IDLE_EXIT' });
    expect(svc.text).not.toMatch(/last exit code|last terminating signal/);
    const dom = parseDomainPrint((await f.run(['print', 'gui/501'])).stdout);
    expect(dom.services).toEqual([{ label: 'com.example.idle-exit', lastStatus: { kind: 'pressured-exit' } }]);
  });
});
