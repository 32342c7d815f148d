// The double's two clients: the fast one (C, test/fakes/launchctl/fast-client.c) answers while a supervisor runs,
// the Node one (main.js) does everything else and starts the supervisor. Same bytes, same exit codes, same caller
// context: the double's strictness must not depend on which client a call took.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import type { PlistValue } from 'plist';
import { describe, expect, it } from 'vitest';
import { useFakeLaunchd } from '../helpers/fake-launchd.js';
import { repoRoot } from '../helpers/cli.js';
import { IS_ROOT, OPERATOR } from '../helpers/operator.js';
import { FakeLaunchd, waitFor } from './launchctl/harness.js';
import { fakeLaunchctlPath, runFakeLaunchctl, stopFakeLaunchd } from './launchctl/index.js';

const fake = useFakeLaunchd();
const FAST = resolve(repoRoot, 'dist/test/fakes/launchctl/launchctl-fast');
const NODE_CLIENT = { FAKE_LAUNCHD_CLIENT: 'node' };

function executable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Whether `cc` can build a C program here (what scripts/build-fake-launchctl.mjs needs). */
function compilerWorks(): boolean {
  const dir = mkdtempSync(join(tmpdir(), 'cc-probe-'));
  try {
    writeFileSync(join(dir, 'p.c'), '#include <sys/socket.h>\n#include <sys/un.h>\nint main(void) { return 0; }\n');
    return spawnSync(process.env['CC'] || 'cc', ['-o', join(dir, 'p'), join(dir, 'p.c')]).status === 0;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const BUILT = executable(FAST);

/** The supervisor's log lines for calls, in order: which client each came through. */
function clientsInLog(f: FakeLaunchd): Array<'fast' | 'node'> {
  return readFileSync(join(f.stateDir, 'supervisor.log'), 'utf8')
    .split('\n')
    .filter((l) => / -> \d+/.test(l))
    .map((l) => (l.endsWith('(fast client)') ? 'fast' : 'node'));
}

const SLEEPER = (label: string): Record<string, PlistValue> => ({ Label: label, ProgramArguments: ['/bin/sleep', '30'], RunAtLoad: true });

describe('the fast client', () => {
  it('is built whenever a C compiler works here (npm run build)', () => {
    expect(BUILT).toBe(compilerWorks());
  });

  it.skipIf(!BUILT)('answers while a supervisor runs; the first call and FAKE_LAUNCHD_CLIENT=node go through Node', async () => {
    const f = fake();
    expect((await f.run(['print-disabled', 'system'])).code).toBe(0); // starts the supervisor
    expect((await f.run(['print-disabled', 'system'])).code).toBe(0);
    expect((await f.run(['print-disabled', 'system'], NODE_CLIENT)).code).toBe(0);
    expect(clientsInLog(f)).toEqual(['node', 'fast', 'node']);
  });

  it.skipIf(!BUILT)('hands to Node what it cannot do: no FAKE_LAUNCHD_DIR, a relative or long state dir, __fake_shutdown', async () => {
    const none = await runFakeLaunchctl(['print-disabled', 'system'], { FAKE_LAUNCHD_DIR: '' });
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('FAKE_LAUNCHD_DIR is not set');

    const f = fake();
    expect((await f.run(['print-disabled', 'system'])).code).toBe(0);
    const rel = relative(f.root, f.stateDir);
    expect(await f.run(['print', 'gui/501/com.example.none'], { FAKE_LAUNCHD_DIR: rel }, { cwd: f.root })).toMatchObject({ code: 113 });
    expect(await f.run(['print', 'gui/501/com.example.none'], { FAKE_LAUNCHD_DIR: `${f.stateDir}/` })).toMatchObject({ code: 113 });
    expect(clientsInLog(f)).toEqual(['node', 'node', 'node']);

    const pid = Number(readFileSync(join(f.stateDir, 'supervisor.pid'), 'utf8'));
    expect(await f.run(['__fake_shutdown'])).toEqual({ code: 0, stdout: '', stderr: '' });
    await waitFor('the supervisor to exit', () => {
      try {
        process.kill(pid, 0);
        return false;
      } catch {
        return true;
      }
    });

    // A state dir whose socket path does not fit sun_path: the socket is elsewhere, the Node client knows where.
    const long = FakeLaunchd.create({});
    const deep = join(long.root, 'x'.repeat(60), 'y'.repeat(60));
    try {
      const env = { ...long.env, FAKE_LAUNCHD_DIR: deep };
      expect((await runFakeLaunchctl(['print-disabled', 'system'], env)).code).toBe(0);
      expect(await runFakeLaunchctl(['print', 'gui/501/com.example.none'], env)).toMatchObject({ code: 113 });
      expect(readFileSync(join(deep, 'supervisor.log'), 'utf8')).not.toContain('(fast client)');
    } finally {
      expect(await stopFakeLaunchd(deep)).toEqual([]);
      await long.stop();
    }
  });
});

describe('both clients answer alike', () => {
  it('the same stdout, stderr and exit code for successes, errors, emulation switches and relative paths', async () => {
    const f = fake();
    f.writePlist('job.plist', SLEEPER('com.example.job'));
    f.writePlist('bad.plist', { Label: 'com.example.bad' });
    expect((await f.run(['bootstrap', 'gui/501', f.file('job.plist')])).code).toBe(0);
    await waitFor('the job to run', async () => (await f.call(['print', 'gui/501/com.example.job'])).stdout.includes('\tpid = '));
    const calls: Array<{ args: string[]; env?: Record<string, string>; cwd?: string }> = [
      { args: ['print-disabled', 'gui/501'] },
      { args: ['print-disabled', 'gui/501'], env: { FAKE_LAUNCHD_MACOS: '12' } },
      { args: ['print', 'gui/501'] },
      { args: ['print', 'gui/501/com.example.job'] },
      { args: ['print', 'gui/501/com.example.none'] },
      { args: ['print', 'gui/0/com.example.none'] },
      { args: ['list'] },
      { args: ['list', 'com.example.job'] },
      { args: ['kickstart', '-p', 'gui/501/com.example.job'] },
      { args: ['blame', 'gui/501/com.example.job'] },
      { args: ['bootstrap', 'gui/501', 'bad.plist'], cwd: f.root },
      { args: ['bootstrap', 'gui/501', 'job.plist'], cwd: f.root },
      { args: ['bootstrap', 'gui/501', 'job.plist'], cwd: f.root, env: { FAKE_LAUNCHD_BOOTSTRAP_ALREADY_ERRNO: '37' } },
      { args: ['bootstrap', 'system', f.file('job.plist')], env: { FAKE_LAUNCHD_EUID: '501' } },
      { args: ['bootstrap', 'system', f.file('bad.plist')], env: { FAKE_LAUNCHD_EUID: '0', FAKE_LAUNCHD_RICH_ERRORS: '1' } },
      { args: ['bootstrap', 'gui/501', f.file('job.plist')], env: { FAKE_LAUNCHD_NO_GUI: '1' } },
      { args: ['bootout', 'gui/501/com.example.bådé'] },
      { args: ['bootout'] },
      { args: ['load', 'x.plist'] },
      { args: ['no-such-subcommand', 'a b', ''] },
      { args: [] },
    ];
    for (const c of calls) {
      const fast = await f.run(c.args, c.env ?? {}, { cwd: c.cwd });
      const node = await f.run(c.args, { ...NODE_CLIENT, ...c.env }, { cwd: c.cwd });
      expect(fast, `launchctl ${c.args.join(' ')}`).toEqual(node);
    }
    if (BUILT) expect(clientsInLog(f).filter((c) => c === 'fast')).toHaveLength(calls.length);
  });

  it('the caller is who runs it: its real euid (the operator when the suite is root) and whether stdout is a TTY', async () => {
    const f = fake();
    f.writePlist('job.plist', SLEEPER('com.example.job'));
    expect((await f.run(['bootstrap', 'gui/501', f.file('job.plist')])).code).toBe(0);
    await waitFor('the job to run', async () => (await f.call(['print', 'gui/501/com.example.job'])).stdout.includes('\tpid = '));
    const pid = /\tpid = (\d+)/.exec((await f.call(['print', 'gui/501/com.example.job'])).stdout)?.[1];

    // euid: the real one, not an emulated one (FAKE_LAUNCHD_EUID, which these suites set to 0, is left out). As root
    // the call is the operator's, which may not touch the system domain; launchctl says so.
    const { FAKE_LAUNCHD_EUID: _emulated, ...realCaller } = f.env;
    const asCaller = (extra: Record<string, string>) => {
      const r = spawnSync(fakeLaunchctlPath(), ['bootstrap', 'system', f.file('job.plist')], {
        env: { ...process.env, ...realCaller, ...extra }, encoding: 'utf8', ...(IS_ROOT ? { uid: OPERATOR.uid, gid: OPERATOR.gid } : {}),
      });
      return { code: r.status, stdout: r.stdout, stderr: r.stderr };
    };
    const fastEuid = asCaller({});
    expect(fastEuid).toEqual(asCaller(NODE_CLIENT));
    expect(fastEuid.stderr).toContain('Try re-running the command as root for richer errors.');

    // A TTY on stdout: kickstart -p says `service spawned with pid: N` (script(1) gives the shim a terminal).
    const onTty = (extra: Record<string, string>) =>
      spawnSync('script', ['-qec', `${fakeLaunchctlPath()} kickstart -p gui/501/com.example.job`, '/dev/null'], { env: { ...process.env, ...f.env, ...extra }, encoding: 'utf8' }).stdout;
    const fastTty = onTty({});
    expect(fastTty.replace(/\r/g, '')).toBe(`service spawned with pid: ${pid}\n`);
    expect(fastTty).toBe(onTty(NODE_CLIENT));
  });
});
