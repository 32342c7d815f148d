// The launchctl double really runs jobs: spawn, env, stdio, limits, KeepAlive/throttle, stop with SIGTERM/SIGKILL,
// kickstart, signals and EX_CONFIG (specs/launchd-behaviour.md §1, §3, §8, §9). Sync is by polling with timeouts only.
import { useFakeLaunchd } from '../helpers/fake-launchd.js';
import { afterEach, describe, expect, it } from 'vitest';
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseServicePrint, type ServicePrint } from '../../src/launchd/parsers.js';
import { FakeLaunchd, waitFor } from './launchctl/harness.js';
import { fakeLaunchctlPath, isAlive, livePidsInGroups } from './launchctl/index.js';
import { FAKE_LOTUS_BIN, pythonExecutable, waitForApi } from './lotus/harness.js';


const fake = useFakeLaunchd();

/** `print <target>` parsed, with the raw text; undefined when launchctl says the service is not there (113). */
async function printed(f: FakeLaunchd, target: string): Promise<(ServicePrint & { text: string }) | undefined> {
  const r = await f.call(['print', target]);
  if (r.code === 113) return undefined;
  expect(r.code, r.stderr).toBe(0);
  return { ...parseServicePrint(r.stdout), text: r.stdout };
}

async function until(f: FakeLaunchd, target: string, what: string, ok: (p: ServicePrint) => boolean, timeoutMs = 15_000): Promise<ServicePrint & { text: string }> {
  return waitFor(what, async () => {
    const p = await printed(f, target);
    return p !== undefined && ok(p) ? p : undefined;
  }, timeoutMs);
}

const read = (p: string): string => (existsSync(p) ? readFileSync(p, 'utf8') : '');
const pgrpOf = (pid: number): number => Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ')[2]);

describe('spawning', () => {
  it('RunAtLoad spawns ProgramArguments in its own process group with launchd env, not the caller env', async () => {
    const f = fake();
    const plist = f.writePlist('env.plist', {
      Label: 'com.example.env',
      ProgramArguments: ['/bin/sh', '-c', 'env > "$OUT"; pwd >> "$OUT"; echo $$ > "$PIDF"; exec sleep 30'],
      EnvironmentVariables: { OUT: f.file('env.txt'), PIDF: f.file('pid'), LOTUS_PATH: '/var/lib/lotus' },
      WorkingDirectory: f.root,
      RunAtLoad: true,
    });
    const r = await f.run(['bootstrap', 'gui/501', plist], { SECRET_FROM_CALLER: 'leak', HOME: '/home/caller' });
    expect(r).toEqual({ code: 0, stdout: '', stderr: '' });
    const pid = await waitFor('the pid file', () => Number(read(f.file('pid')).trim()) || undefined);
    const lines = read(f.file('env.txt')).trim().split('\n');
    expect(lines.at(-1)).toBe(f.root); // WorkingDirectory
    const env = Object.fromEntries(lines.slice(0, -1).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    expect(env['PATH']).toBe('/usr/bin:/bin:/usr/sbin:/sbin');
    expect(env['XPC_SERVICE_NAME']).toBe('com.example.env');
    expect(env['LOTUS_PATH']).toBe('/var/lib/lotus');
    // Nothing of the caller's (or the test runner's) environment leaks into the job.
    for (const k of ['SECRET_FROM_CALLER', 'HOME', 'NODE_OPTIONS', 'VITEST']) expect(env[k], k).toBeUndefined();
    // Except the way back to this same launchd: a job that runs launchctl must reach the double that runs it.
    expect(env['FAKE_LAUNCHD_DIR']).toBe(f.stateDir);
    expect(env['LOTUSCTL_LAUNCHCTL']).toBe(fakeLaunchctlPath());
    expect(Object.keys(env).filter((k) => !['PATH', 'XPC_SERVICE_NAME', 'LOTUS_PATH', 'OUT', 'PIDF', 'PWD', 'FAKE_LAUNCHD_DIR', 'LOTUSCTL_LAUNCHCTL'].includes(k))).toEqual([]);

    const p = await until(f, 'gui/501/com.example.env', 'pid in print', (s) => s.pid !== undefined);
    expect(p.pid).toBe(pid);
    expect(pgrpOf(pid)).toBe(pid);
    expect(p).toMatchObject({ state: 'running', runs: 1, immediateReason: 'speculative', jobState: 'running', workingDirectory: f.root, lastExit: { kind: 'never' } });
    expect((await f.run(['blame', 'gui/501/com.example.env'])).stdout).toBe('speculative\n');
  });

  it('appends to StandardOut/ErrorPath (created with the Umask) and applies Soft/HardResourceLimits', async () => {
    const f = fake();
    const plist = f.writePlist('lim.plist', {
      Label: 'com.example.limits',
      ProgramArguments: ['/bin/sh', '-c', 'ulimit -Sn; ulimit -Hn; echo oops >&2'],
      StandardOutPath: f.file('out.log'),
      StandardErrorPath: f.file('err.log'),
      SoftResourceLimits: { NumberOfFiles: 1234 },
      HardResourceLimits: { NumberOfFiles: 2345 },
      Umask: 63, // 077, given as the decimal integer a plist holds (§1)
      RunAtLoad: true,
    });
    expect((await f.run(['bootstrap', 'system', plist])).code).toBe(0);
    await until(f, 'system/com.example.limits', 'first exit', (s) => s.lastExit.kind === 'code');
    expect((await f.run(['kickstart', 'system/com.example.limits'])).code).toBe(0);
    const p = await until(f, 'system/com.example.limits', 'second exit', (s) => s.runs === 2 && s.pid === undefined);
    expect(read(f.file('out.log'))).toBe('1234\n2345\n1234\n2345\n');
    expect(read(f.file('err.log'))).toBe('oops\noops\n');
    expect(statSync(f.file('out.log')).mode & 0o777).toBe(0o600);
    expect(p.umask).toBe('77');
    expect(p.resourceLimits).toEqual({ 'maxfiles (soft)': 1234, 'maxfiles (hard)': 2345 });
    expect(p.lastExit).toEqual({ kind: 'code', code: 0 });
  });

  it('ends the run with `78: EX_CONFIG` when launchd cannot exec or set up the program', async () => {
    const f = fake();
    writeFileSync(f.file('not-executable'), '#!/bin/sh\nexit 0\n');
    chmodSync(f.file('not-executable'), 0o644);
    const cases = {
      'com.example.missing': { ProgramArguments: ['/nonexistent/bin/lotus', 'daemon'] },
      'com.example.bare': { ProgramArguments: ['lotus', 'daemon'] }, // not on /usr/bin:/bin:/usr/sbin:/sbin
      'com.example.noexec': { Program: f.file('not-executable') },
      'com.example.nowd': { ProgramArguments: ['/bin/sleep', '1'], WorkingDirectory: f.file('missing-dir') },
      'com.example.nolog': { ProgramArguments: ['/bin/sleep', '1'], StandardOutPath: f.file('missing-dir/out.log') },
    };
    const plists = Object.entries(cases).map(([Label, keys]) => f.writePlist(`${Label}.plist`, { Label, ...keys, RunAtLoad: true }));
    const onPath = f.writePlist('ok.plist', { Label: 'com.example.onpath', ProgramArguments: ['sleep', '30'], RunAtLoad: true });
    expect(await f.run(['bootstrap', 'gui/501', ...plists, onPath])).toEqual({ code: 0, stdout: '', stderr: '' });
    for (const label of Object.keys(cases)) {
      const p = await printed(f, `gui/501/${label}`);
      expect(p, label).toMatchObject({ runs: 1, state: 'not running', jobState: 'spawn failed', lastExit: { kind: 'code', code: 78, name: 'EX_CONFIG' } });
      expect(p?.text).toContain('\tlast exit code = 78: EX_CONFIG\n');
    }
    // A bare name that is on launchd's PATH resolves there.
    const ok = await until(f, 'gui/501/com.example.onpath', 'running', (s) => s.pid !== undefined);
    expect(['/usr/bin/sleep', '/bin/sleep']).toContain(ok.program);
  });
});

describe('KeepAlive and ThrottleInterval', () => {
  it('restarts a KeepAlive job no sooner than ThrottleInterval, counts runs, keeps the last exit while running', async () => {
    const f = fake();
    const runs = f.file('runs');
    const plist = f.writePlist('ka.plist', {
      Label: 'com.example.keepalive',
      // Records its start time first thing; the first run then exits 3, later runs stay up.
      ProgramArguments: ['/bin/sh', '-c', 'date +%s%3N >> "$1"; [ "$(wc -l < "$1")" -eq 1 ] && exit 3; exec sleep 30', 'sh', runs],
      KeepAlive: true,
      ThrottleInterval: 1,
    });
    expect((await f.run(['bootstrap', 'gui/501', plist])).code).toBe(0);
    const p = await until(f, 'gui/501/com.example.keepalive', 'the second run', (s) => s.runs === 2 && s.pid !== undefined);
    expect(p).toMatchObject({ state: 'running', minimumRuntime: 1, lastExit: { kind: 'code', code: 3 }, immediateReason: 'inefficient' });
    expect(p.text).toContain('\truns = 2\n');
    expect(p.properties).toContain('keepalive');
    // launchd reports the pid as soon as it spawns; the second run stamps its line a moment later.
    const stamps = await waitFor('the second run to stamp its start', () => {
      const lines = read(runs).trim().split('\n');
      return lines.length >= 2 ? lines.map(Number) : undefined;
    });
    const [first, second] = stamps;
    // Spawns are >= 1 s apart; the first run's own start-up delay (it stamps after exec) is the only slack.
    expect(second! - first!).toBeGreaterThanOrEqual(900);
  });

  it('KeepAlive {SuccessfulExit: false} restarts after a failure but not after exit 0; {Crashed: true} after a crash signal', async () => {
    const f = fake();
    const job = (label: string, script: string, keepAlive: Record<string, boolean>, runAtLoad = false): string =>
      f.writePlist(`${label}.plist`, { Label: label, ProgramArguments: ['/bin/sh', '-c', script], KeepAlive: keepAlive, ThrottleInterval: 1, RunAtLoad: runAtLoad });
    // SuccessfulExit implies RunAtLoad (§1); Crashed does not, so those two get RunAtLoad only where a start is wanted.
    const zero = job('com.example.zero', 'exit 0', { SuccessfulExit: false });
    const one = job('com.example.one', 'exit 1', { SuccessfulExit: false });
    const crash = job('com.example.crash', 'kill -BUS $$', { Crashed: true }, true);
    const calm = job('com.example.calm', 'exit 2', { Crashed: true });
    expect((await f.run(['bootstrap', 'gui/501', zero, one, crash, calm])).code).toBe(0);
    // Same ThrottleInterval, same start: once `one` has restarted, `zero` had the same chance to.
    await until(f, 'gui/501/com.example.one', 'the failing job to restart', (s) => (s.runs ?? 0) >= 2);
    expect(await printed(f, 'gui/501/com.example.zero')).toMatchObject({ runs: 1, state: 'not running', lastExit: { kind: 'code', code: 0 } });
    expect(await printed(f, 'gui/501/com.example.calm')).toMatchObject({ runs: 0, lastExit: { kind: 'never' } });
    const crashed = await until(f, 'gui/501/com.example.crash', 'the crash restart', (s) => (s.runs ?? 0) >= 2);
    // macOS numbering and strsignal text, although the double runs on Linux (SIGBUS is 7 there).
    expect(crashed.lastExit).toEqual({ kind: 'signal', signal: 10, name: 'Bus error' });
    expect(crashed.semaphores).toEqual({ 'after crash': 1 });
  });

  it('KeepAlive {PathState} starts the job once the path exists', async () => {
    const f = fake();
    const flag = f.file('go');
    const plist = f.writePlist('ps.plist', {
      Label: 'com.example.pathstate',
      ProgramArguments: ['/bin/sh', '-c', 'rm -f "$1"', 'sh', flag],
      KeepAlive: { PathState: { [flag]: true } },
      ThrottleInterval: 1,
    });
    expect((await f.run(['bootstrap', 'user/501', plist])).code).toBe(0);
    expect(await printed(f, 'user/501/com.example.pathstate')).toMatchObject({ runs: 0, state: 'not running' });
    writeFileSync(flag, '');
    const p = await until(f, 'user/501/com.example.pathstate', 'the path to start it', (s) => s.runs === 1 && s.lastExit.kind === 'code');
    expect(p.lastExit).toEqual({ kind: 'code', code: 0 });
    expect(existsSync(flag)).toBe(false); // it really ran
  });
});

describe('stopping', () => {
  it('bootout sends SIGTERM, then SIGKILL after ExitTimeOut, to a job that ignores SIGTERM, and its group dies', async () => {
    const f = fake();
    const plist = f.writePlist('stubborn.plist', {
      Label: 'com.example.stubborn',
      ProgramArguments: ['/bin/sh', '-c', 'trap "echo TERM >> \\"$1\\"" TERM; echo ready > "$2"; while :; do sleep 0.05; done', 'sh', f.file('marks'), f.file('ready')],
      RunAtLoad: true,
      ExitTimeOut: 1,
    });
    expect((await f.run(['bootstrap', 'system', plist])).code).toBe(0);
    await waitFor('ready', () => existsSync(f.file('ready')));
    const p = await until(f, 'system/com.example.stubborn', 'pid', (s) => s.pid !== undefined);
    const pid = p.pid!;
    expect(p.exitTimeout).toBe(1);
    const t0 = Date.now();
    expect(await f.run(['bootout', 'system/com.example.stubborn'])).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(950);
    expect(read(f.file('marks'))).toContain('TERM');
    expect(isAlive(pid)).toBe(false);
    expect(livePidsInGroups(new Set([pid]))).toEqual([]);
    // Without a simulated lag the label is gone when bootout returns.
    expect((await f.run(['print', 'system/com.example.stubborn'])).code).toBe(113);
  });

  it('kickstart leaves a running job alone; kickstart -k -p kills it and prints the new pid', async () => {
    const f = fake();
    const plist = f.writePlist('k.plist', { Label: 'com.example.kick', ProgramArguments: ['/bin/sleep', '30'], RunAtLoad: true });
    expect((await f.run(['bootstrap', 'gui/501', plist])).code).toBe(0);
    const first = (await until(f, 'gui/501/com.example.kick', 'pid', (s) => s.pid !== undefined)).pid!;
    expect(await f.run(['kickstart', 'gui/501/com.example.kick'])).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(await f.run(['kickstart', '-p', 'gui/501/com.example.kick'])).toEqual({ code: 0, stdout: `${first}\n`, stderr: '' });
    expect(await printed(f, 'gui/501/com.example.kick')).toMatchObject({ pid: first, runs: 1 });

    const r = await f.run(['kickstart', '-k', '-p', 'gui/501/com.example.kick']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\d+\n$/);
    const second = Number(r.stdout);
    expect(second).not.toBe(first);
    expect(isAlive(first)).toBe(false);
    const p = await printed(f, 'gui/501/com.example.kick');
    expect(p).toMatchObject({ pid: second, runs: 2, immediateReason: 'non-ipc demand', lastExit: { kind: 'signal', signal: 15, name: 'Terminated' } });
    expect(p?.text).toContain('\tlast terminating signal = Terminated: 15\n');
    expect((await f.run(['kickstart', '-kp', 'gui/501/com.example.kick'])).stdout).toMatch(/^\d+\n$/); // combined flags
  });

  it('kill delivers macOS-numbered signals to the running instance', async () => {
    const f = fake();
    const plist = f.writePlist('sig.plist', {
      Label: 'com.example.sig',
      ProgramArguments: ['/bin/sh', '-c', 'trap "echo USR1 >> \\"$1\\"" USR1; echo ready > "$2"; while :; do sleep 0.05; done', 'sh', f.file('marks'), f.file('ready')],
      RunAtLoad: true,
    });
    expect((await f.run(['bootstrap', 'gui/501', plist])).code).toBe(0);
    await waitFor('ready', () => existsSync(f.file('ready')));
    expect(await f.run(['kill', '30', 'gui/501/com.example.sig'])).toEqual({ code: 0, stdout: '', stderr: '' }); // 30 = SIGUSR1 on macOS
    await waitFor('the USR1 trap', () => read(f.file('marks')).includes('USR1'));
    expect((await f.run(['kill', 'HUP', 'gui/501/com.example.sig'])).code).toBe(0);
    const p = await until(f, 'gui/501/com.example.sig', 'the HUP exit', (s) => s.pid === undefined);
    expect(p.lastExit).toEqual({ kind: 'signal', signal: 1, name: 'Hangup' });
  });

  it('by default kills what is left of the job process group when it exits; AbandonProcessGroup keeps it', async () => {
    const f = fake();
    const job = (label: string, abandon: boolean): string =>
      f.writePlist(`${label}.plist`, {
        Label: label,
        ProgramArguments: ['/bin/sh', '-c', 'sleep 30 & echo $! > "$1"; exit 0', 'sh', f.file(label)],
        RunAtLoad: true,
        AbandonProcessGroup: abandon,
      });
    expect((await f.run(['bootstrap', 'gui/501', job('com.example.tidy', false), job('com.example.abandon', true)])).code).toBe(0);
    const tidyChild = await waitFor('tidy child', () => Number(read(f.file('com.example.tidy')).trim()) || undefined);
    const keptChild = await waitFor('abandoned child', () => Number(read(f.file('com.example.abandon')).trim()) || undefined);
    await until(f, 'gui/501/com.example.abandon', 'the abandoning job to exit', (s) => s.lastExit.kind === 'code');
    await waitFor('the tidy job group to be killed', () => !isAlive(tidyChild));
    expect(isAlive(keptChild)).toBe(true); // the afterEach shutdown must still sweep it
  });
});

describe('the fake lotus daemon as a job', () => {
  it('runs, restarts with kickstart -k and stops on bootout', async () => {
    const f = fake();
    const repo = f.file('lotus-repo');
    const plist = f.writePlist('lotus.plist', {
      Label: 'com.example.lotus',
      ProgramArguments: [FAKE_LOTUS_BIN, 'daemon'],
      EnvironmentVariables: {
        LOTUS_PATH: repo,
        HOME: f.root,
        LOTUS_API_LISTENADDRESS: '/ip4/127.0.0.1/tcp/0/http',
        FAKE_LOTUS_PYTHON: pythonExecutable(),
      },
      StandardErrorPath: f.file('lotus.err'),
      RunAtLoad: true,
      KeepAlive: { SuccessfulExit: false },
      ThrottleInterval: 1,
      ProcessType: 'Interactive',
      SoftResourceLimits: { NumberOfFiles: 8192 },
      HardResourceLimits: { NumberOfFiles: 8192 },
    });
    expect((await f.run(['bootstrap', 'gui/501', plist])).code).toBe(0);
    await waitForApi(repo, undefined, 20_000).catch((e: Error) => {
      throw new Error(`${e.message}\nlotus stderr:\n${read(f.file('lotus.err'))}`);
    });
    const p = await until(f, 'gui/501/com.example.lotus', 'pid', (s) => s.pid !== undefined);
    expect(p.spawnType).toEqual({ name: 'interactive', code: 4 });
    const r = await f.run(['kickstart', '-k', '-p', 'gui/501/com.example.lotus']);
    expect(r.code).toBe(0);
    expect(Number(r.stdout)).not.toBe(p.pid);
    await waitForApi(repo, undefined, 20_000);
    expect(await f.run(['bootout', 'gui/501/com.example.lotus'])).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(isAlive(Number(r.stdout))).toBe(false);
  });
});
