// The double's supervisor: one per state dir even under racing starts, persistent enable/disable overrides,
// bootout timing (lag, one-shot 36), and that it never outlives its test (shutdown, deleted dir, idle, dead owner).
import { useFakeLaunchd } from '../helpers/fake-launchd.js';
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PlistValue } from 'plist';
import { parsePrintDisabled } from '../../src/launchd/parsers.js';
import { FakeLaunchd, waitFor } from './launchctl/harness.js';
import { isAlive } from './launchctl/index.js';


const fake = useFakeLaunchd();

interface Status {
  pid: number;
  jobs: Array<{ label: string; pid: number | null }>;
}
async function status(f: FakeLaunchd): Promise<Status> {
  const r = await f.call(['__fake_status']);
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as Status;
}

/** Live supervisor processes serving `stateDir`, found through /proc. */
function supervisorsOf(stateDir: string): number[] {
  return readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .filter((e) => {
      try {
        const argv = readFileSync(`/proc/${e}/cmdline`, 'utf8').split('\0');
        return argv.some((a) => a.endsWith('supervisor.js')) && argv.includes(stateDir) && isAlive(Number(e));
      } catch {
        return false;
      }
    })
    .map(Number);
}

const SLEEPER = (label: string): Record<string, PlistValue> => ({ Label: label, ProgramArguments: ['/bin/sleep', '30'], RunAtLoad: true });

describe('overrides', () => {
  it('enable/disable are silent, persist across supervisor restarts, and disabling does not unload a loaded job', async () => {
    const f = fake();
    const loaded = f.writePlist('a.plist', SLEEPER('com.example.loaded'));
    const other = f.writePlist('b.plist', SLEEPER('com.example.other'));
    expect((await f.run(['bootstrap', 'gui/501', loaded])).code).toBe(0);
    expect(await f.run(['disable', 'gui/501/com.example.loaded'])).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(await f.run(['disable', 'gui/501/com.example.other'])).toEqual({ code: 0, stdout: '', stderr: '' });
    expect((await f.run(['print', 'gui/501/com.example.loaded'])).code).toBe(0); // still loaded
    expect((await f.run(['bootstrap', 'gui/501', other])).code).toBe(5);

    const before = await status(f);
    const jobPid = await waitFor('job pid', async () => (await status(f)).jobs.find((j) => j.pid !== null)?.pid ?? undefined);
    expect(await f.run(['__fake_shutdown'])).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(isAlive(before.pid)).toBe(false);
    expect(isAlive(jobPid)).toBe(false);

    // A new supervisor (like launchd after a reboot): loaded jobs are gone, the overrides are not.
    const after = await f.run(['print-disabled', 'gui/501']);
    expect(parsePrintDisabled(after.stdout)).toEqual({ 'com.example.loaded': true, 'com.example.other': true });
    expect((await status(f)).pid).not.toBe(before.pid);
    expect((await f.run(['print', 'gui/501/com.example.loaded'])).code).toBe(113);
    expect((await f.run(['bootstrap', 'gui/501', other])).code).toBe(5);
    expect(await f.run(['enable', 'gui/501/com.example.other'])).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(await f.run(['bootstrap', 'gui/501', other])).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(parsePrintDisabled((await f.run(['print-disabled', 'gui/501'])).stdout)).toEqual({ 'com.example.loaded': true, 'com.example.other': false });
    // Overrides are per domain.
    expect(parsePrintDisabled((await f.run(['print-disabled', 'user/501'])).stdout)).toEqual({});
  });
});

describe('supervisor lifecycle', () => {
  it('concurrent first calls start exactly one supervisor', async () => {
    const f = fake();
    const results = await Promise.all(Array.from({ length: 6 }, () => f.run(['print-disabled', 'system'])));
    for (const r of results) expect(r).toMatchObject({ code: 0, stderr: '' });
    // Every caller may have started a supervisor; all but the pidfile owner must exit on their own.
    const owner = (await status(f)).pid;
    await waitFor('the losing supervisors to exit', () => {
      const live = supervisorsOf(f.stateDir);
      return live.length === 1 && live[0] === owner;
    });
    expect(readFileSync(resolve(f.stateDir, 'supervisor.pid'), 'utf8').trim()).toBe(String(owner));
  });

  it('a supervisor that was SIGKILLed leaves a stale pidfile that the next call recovers from', async () => {
    const f = fake();
    expect((await f.run(['disable', 'gui/501/com.example.kept'])).code).toBe(0);
    const { pid } = await status(f);
    process.kill(pid, 'SIGKILL');
    await waitFor('the supervisor to die', () => !isAlive(pid));
    expect(readFileSync(resolve(f.stateDir, 'supervisor.pid'), 'utf8').trim()).toBe(String(pid)); // stale
    const r = await f.run(['print-disabled', 'gui/501']);
    expect(r.code).toBe(0);
    expect(parsePrintDisabled(r.stdout)).toEqual({ 'com.example.kept': true });
    const next = (await status(f)).pid;
    expect(next).not.toBe(pid);
    // Racing first calls may each start a supervisor; a loser exits on its own, which takes a moment on a loaded box.
    await waitFor('only the new supervisor', () => {
      const live = supervisorsOf(f.stateDir);
      return live.length === 1 && live[0] === next;
    });
  });

  it('exits by itself, with its jobs, when its state dir is deleted', async () => {
    const f = fake();
    expect((await f.run(['bootstrap', 'gui/501', f.writePlist('s.plist', SLEEPER('com.example.s'))])).code).toBe(0);
    const st = await waitFor('job pid', async () => {
      const s = await status(f);
      return s.jobs[0]?.pid != null ? s : undefined;
    });
    rmSync(f.stateDir, { recursive: true, force: true });
    await waitFor('supervisor and job to exit', () => !isAlive(st.pid) && !isAlive(st.jobs[0]!.pid!), 10_000);
  });

  it('exits by itself when idle with nothing loaded', async () => {
    const f = fake({ idleMs: 300 });
    const { pid } = await status(f);
    await waitFor('the idle supervisor to exit', () => !isAlive(pid), 10_000);
    expect(existsSync(resolve(f.stateDir, 'supervisor.pid'))).toBe(false);
  });

  it('exits by itself, with its jobs, when the owning process dies', async () => {
    const owner = spawn('/bin/sleep', ['60'], { stdio: 'ignore' });
    try {
      const f = fake({ ownerPid: owner.pid! });
      expect((await f.run(['bootstrap', 'gui/501', f.writePlist('s.plist', SLEEPER('com.example.s'))])).code).toBe(0);
      const st = await waitFor('job pid', async () => {
        const s = await status(f);
        return s.jobs[0]?.pid != null ? s : undefined;
      });
      owner.kill('SIGKILL');
      await waitFor('supervisor and job to exit', () => !isAlive(st.pid) && !isAlive(st.jobs[0]!.pid!), 10_000);
    } finally {
      owner.kill('SIGKILL');
    }
  });
});

describe('bootout timing', () => {
  it('with a bootout lag, bootout returns before the job is gone; the label stays until the process exits and the lag passed', async () => {
    const f = fake({ bootoutLagMs: 1000 });
    // Ignores SIGTERM, and ExitTimeOut 60: nothing ends it during the checks below except our own SIGKILL.
    const plist = f.writePlist('s.plist', {
      Label: 'com.example.lag',
      ProgramArguments: ['/bin/sh', '-c', 'trap "" TERM; echo ready > "$1"; while :; do sleep 0.05; done', 'sh', f.file('ready')],
      RunAtLoad: true,
      ExitTimeOut: 60,
    });
    expect((await f.run(['bootstrap', 'gui/501', plist])).code).toBe(0);
    await waitFor('ready', () => existsSync(f.file('ready')));
    const issued = Date.now(); // the lag runs from the supervisor's answer, which comes after this
    expect(await f.run(['bootout', 'gui/501/com.example.lag'])).toEqual({ code: 0, stdout: '', stderr: '' });
    // Still there after bootout returned: the race other tools hit (specs/launchd-behaviour.md §3, "lessons").
    expect((await f.run(['print', 'gui/501/com.example.lag'])).stdout).toContain('\tstate = running\n');
    expect(await f.run(['bootstrap', 'gui/501', plist])).toMatchObject({ code: 5, stderr: 'Bootstrap failed: 5: Input/output error\n' });
    expect(await f.run(['bootout', 'gui/501/com.example.lag'])).toMatchObject({ code: 36, stderr: 'Boot-out failed: 36: Operation now in progress\n' });
    expect((await f.run(['kill', 'KILL', 'gui/501/com.example.lag'])).code).toBe(0);
    // The documented remedy: poll print until 113, then bootstrap.
    await waitFor('the label to go', async () => (await f.call(['print', 'gui/501/com.example.lag'])).code === 113);
    expect(Date.now() - issued).toBeGreaterThanOrEqual(1000);
    expect(await f.run(['bootstrap', 'gui/501', plist])).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('a one-shot 36 from bootout converges with Homebrew-style retries', async () => {
    const f = fake({ bootoutEinprogressOnce: true });
    expect((await f.run(['bootstrap', 'system', f.writePlist('s.plist', SLEEPER('com.example.busy'))])).code).toBe(0);
    expect((await f.run(['bootout', 'system/com.example.busy'])).code).toBe(36);
    // Repeat while 36 or still loaded (Homebrew services, specs/launchd-behaviour.md §3).
    const final = await waitFor('bootout to finish', async () => {
      const r = await f.run(['bootout', 'system/com.example.busy']);
      return r.code === 0 || r.code === 3 ? r : undefined;
    });
    expect([0, 3]).toContain(final.code);
    expect((await f.run(['print', 'system/com.example.busy'])).code).toBe(113);
    // One-shot per state dir: the next bootout answers normally.
    expect((await f.run(['bootstrap', 'system', f.file('s.plist')])).code).toBe(0);
    expect((await f.run(['bootout', 'system/com.example.busy'])).code).toBe(0);
  });

  it('bootout <domain> <path> unloads by the plist label; relative paths and binary plists work', async () => {
    const f = fake();
    f.writePlist('bin.plist', SLEEPER('com.example.binary'), { binary: true });
    expect(readFileSync(f.file('bin.plist')).subarray(0, 6).toString()).toBe('bplist');
    expect(await f.run(['bootstrap', 'gui/501', 'bin.plist'], {}, { cwd: f.root })).toEqual({ code: 0, stdout: '', stderr: '' });
    expect((await f.run(['print', 'gui/501/com.example.binary'])).stdout).toContain(`\tpath = ${f.file('bin.plist')}\n`);
    expect(await f.run(['bootout', 'gui/501', 'bin.plist'], {}, { cwd: f.root })).toEqual({ code: 0, stdout: '', stderr: '' });
    expect((await f.run(['print', 'gui/501/com.example.binary'])).code).toBe(113);
  });
});
