// The adapter against a scripted stand-in (test/system/fixtures/scripted-launchctl.mjs) that replays the
// real stderr captures and exit codes: outcomes are asserted, and argv where the argv shape is the point.
import { accessSync, constants, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DomainTarget } from '../../src/launchd/domain.js';
import { isLaunchctlError, type LaunchctlErrorKind } from '../../src/launchd/launchctl-errors.js';
import { isLotusctlError } from '../../src/model/errors.js';
import { Launchctl, labelFromPlistPath, type LaunchctlRetryPolicy } from '../../src/system/launchctl.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../..');
const FIXTURE = path.join(here, 'fixtures', 'scripted-launchctl.mjs');
const samples = path.resolve(repoRoot, 'test/fixtures/launchctl');
const stderrFile = (name: string): string => path.join(samples, 'stderr', name);
const sample = (name: string): string => readFileSync(path.join(samples, name), 'utf8');

const GUI: DomainTarget = { kind: 'gui', uid: 501 };
const SYSTEM: DomainTarget = { kind: 'system' };
const LABEL = 'com.example.lotus';
const PLIST = `/Users/me/Library/LaunchAgents/${LABEL}.plist`;

interface Step {
  exitCode?: number;
  stdout?: string;
  stderr?: string;
  stderrFile?: string;
  hangMs?: number;
}
type Script = Record<string, Step[]>;

const OK: Step = { exitCode: 0 };
const NOT_FOUND_GUI: Step = { exitCode: 113, stderr: `Could not find service "${LABEL}" in domain for user gui: 501\n` };
const EIO_NONROOT: Step = { exitCode: 5, stderrFile: stderrFile('bootstrap-5-eio-gui-nonroot.txt') };

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

beforeAll(() => {
  // Git keeps the executable bit; a checkout that lost it would make every test here fail for the wrong reason.
  accessSync(FIXTURE, constants.X_OK);
});

function setup(script: Script, opts: { retry?: Partial<LaunchctlRetryPolicy>; timeoutMs?: number } = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), 'lotusctl-launchctl-'));
  dirs.push(dir);
  const scriptPath = path.join(dir, 'script.json');
  const log = path.join(dir, 'argv.log');
  writeFileSync(scriptPath, JSON.stringify(script));
  const sleeps: number[] = [];
  const lc = new Launchctl({
    binary: FIXTURE,
    env: { SCRIPTED_LAUNCHCTL_SCRIPT: scriptPath, SCRIPTED_LAUNCHCTL_LOG: log },
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    timeoutMs: opts.timeoutMs ?? 20_000,
    retry: { backoffMs: (n) => 100 * n, pollIntervalMs: 50, ...opts.retry },
  });
  const calls = (): string[][] =>
    existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as string[]) : [];
  return { lc, calls, sleeps, dir, log };
}

async function thrown(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}

async function kindOf(p: Promise<unknown>): Promise<LaunchctlErrorKind> {
  const e = await thrown(p);
  if (!isLaunchctlError(e)) throw new Error(`not a LaunchctlError: ${String(e)}`);
  return e.kind;
}

describe('bootstrap', () => {
  it('runs `bootstrap <domain> <plist>` once when it succeeds', async () => {
    const { lc, calls, sleeps } = setup({ bootstrap: [OK] });
    await lc.bootstrap(GUI, PLIST);
    expect(calls()).toEqual([['bootstrap', 'gui/501', PLIST]]);
    expect(sleeps).toEqual([]);
  });

  it('retries EIO right after a bootout: fails 5 twice (confirmed not loaded), then succeeds', async () => {
    const { lc, calls, sleeps } = setup({ bootstrap: [EIO_NONROOT, EIO_NONROOT, OK], print: [NOT_FOUND_GUI] });
    await lc.bootstrap(GUI, PLIST);
    expect(calls()).toEqual([
      ['bootstrap', 'gui/501', PLIST],
      ['print', `gui/501/${LABEL}`],
      ['bootstrap', 'gui/501', PLIST],
      ['print', `gui/501/${LABEL}`],
      ['bootstrap', 'gui/501', PLIST],
    ]);
    expect(sleeps).toEqual([100, 200]);
  });

  it('retries EALREADY (37) and then succeeds', async () => {
    const { lc } = setup({
      bootstrap: [{ exitCode: 37, stderr: 'Bootstrap failed: 37: Operation already in progress\n' }, OK],
      print: [NOT_FOUND_GUI],
    });
    await expect(lc.bootstrap(GUI, PLIST)).resolves.toBeUndefined();
  });

  it('gives up after the bounded tries with the EIO explanation when print shows it not loaded', async () => {
    const { lc, calls } = setup({ bootstrap: [EIO_NONROOT], print: [NOT_FOUND_GUI], 'print-disabled': [{ exitCode: 0, stdout: '' }] }, { retry: { bootstrapAttempts: 3 } });
    const e = await thrown(lc.bootstrap(GUI, PLIST));
    expect(isLaunchctlError(e) && e.kind).toBe('io-error');
    expect(isLaunchctlError(e) && e.details.join('\n')).toContain('gave up after 3 tries; print shows "com.example.lotus" not loaded, so neither');
    expect(isLaunchctlError(e) && e.hint).toContain('Try re-running the command as root for richer errors.');
    expect(calls().filter((c) => c[0] === 'bootstrap')).toHaveLength(3);
  });

  it('reports `disabled` when EIO persists and print-disabled lists the label as disabled', async () => {
    const disabled = `disabled services = {\n\t"${LABEL}" => disabled\n}\n`;
    const { lc, calls } = setup({ bootstrap: [EIO_NONROOT], print: [NOT_FOUND_GUI], 'print-disabled': [{ exitCode: 0, stdout: disabled }] }, { retry: { bootstrapAttempts: 2 } });
    expect(await kindOf(lc.bootstrap(GUI, PLIST))).toBe('disabled');
    expect(calls().at(-1)).toEqual(['print-disabled', 'gui/501']);
  });

  it('reports `exists` when EIO persists and print keeps showing the job loaded', async () => {
    const { lc } = setup(
      { bootstrap: [EIO_NONROOT], print: [{ exitCode: 0, stdout: sample('print-service-gui-runatload-exit0-parentalcontrols-check-macos26.txt') }] },
      { retry: { bootstrapAttempts: 3 } },
    );
    const e = await thrown(lc.bootstrap(GUI, PLIST));
    expect(isLaunchctlError(e) && [e.kind, e.code]).toEqual(['exists', 'launchctl.exists']);
    expect(isLaunchctlError(e) && e.hint).toContain(`launchctl bootout gui/501/${LABEL}`);
  });

  it('does not retry a missing gui domain (125)', async () => {
    const { lc, calls, sleeps } = setup({ bootstrap: [{ exitCode: 125, stderrFile: stderrFile('bootstrap-125-domain-unsupported.txt') }] });
    expect(await kindOf(lc.bootstrap(GUI, PLIST))).toBe('no-gui-domain');
    expect(calls()).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it('retries without confirming when the plist name is not a label, and uses an explicit label when given', async () => {
    const odd = '/tmp/not a label.plist';
    const first = setup({ bootstrap: [EIO_NONROOT, OK] });
    await first.lc.bootstrap(SYSTEM, odd);
    expect(first.calls()).toEqual([
      ['bootstrap', 'system', odd],
      ['bootstrap', 'system', odd],
    ]);
    const second = setup({ bootstrap: [EIO_NONROOT, OK], print: [NOT_FOUND_GUI] });
    await second.lc.bootstrap(SYSTEM, odd, { label: 'org.example.d' });
    expect(second.calls()[1]).toEqual(['print', 'system/org.example.d']);
  });
});

describe('bootout', () => {
  it('runs `bootout <service-target>`, then polls print until 113', async () => {
    const { lc, calls, sleeps } = setup({ bootout: [OK], print: [{ exitCode: 0, stdout: 'x = {\n}\n' }, { exitCode: 0, stdout: 'x = {\n}\n' }, NOT_FOUND_GUI] });
    await expect(lc.bootout(GUI, LABEL)).resolves.toBe('booted-out');
    expect(calls()).toEqual([
      ['bootout', `gui/501/${LABEL}`],
      ['print', `gui/501/${LABEL}`],
      ['print', `gui/501/${LABEL}`],
      ['print', `gui/501/${LABEL}`],
    ]);
    expect(sleeps).toEqual([50, 50]);
  });

  it('repeats bootout while it says 36, then waits for the job to go', async () => {
    const busy: Step = { exitCode: 36, stderrFile: stderrFile('bootout-36-einprogress.txt') };
    const { lc, calls } = setup({ bootout: [busy, busy, OK], print: [NOT_FOUND_GUI] });
    await expect(lc.bootout(GUI, LABEL)).resolves.toBe('booted-out');
    expect(calls().map((c) => c[0])).toEqual(['bootout', 'bootout', 'bootout', 'print']);
  });

  it('gives up with in-progress when 36 never clears', async () => {
    const { lc, calls } = setup({ bootout: [{ exitCode: 36, stderrFile: stderrFile('bootout-36-einprogress.txt') }] }, { retry: { bootoutAttempts: 4 } });
    const e = await thrown(lc.bootout(GUI, LABEL));
    expect(isLaunchctlError(e) && e.kind).toBe('in-progress');
    expect(isLaunchctlError(e) && e.details).toContain('still in progress after 4 tries');
    expect(calls()).toHaveLength(4);
  });

  it.each<[string, Step]>([
    ['ESRCH 3 (captured)', { exitCode: 3, stderrFile: stderrFile('bootout-3-esrch-not-loaded.txt') }],
    ['113', NOT_FOUND_GUI],
  ])('treats %s as already gone', async (_name, step) => {
    const { lc, calls } = setup({ bootout: [step] });
    await expect(lc.bootout(GUI, LABEL)).resolves.toBe('already-gone');
    expect(calls()).toHaveLength(1);
  });

  it('fails with launchctl.bootout-timeout when the job never leaves', async () => {
    const { lc, sleeps, calls } = setup({ bootout: [OK], print: [{ exitCode: 0, stdout: 'x = {\n}\n' }] });
    const e = await thrown(lc.bootout(GUI, LABEL, { waitGoneMs: 300 }));
    expect(isLotusctlError(e) && e.code).toBe('launchctl.bootout-timeout');
    // The bound holds in slept time too (wall time may end it sooner on a loaded machine).
    expect(sleeps.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(300);
    expect(calls().filter((c) => c[0] === 'print').length).toBeGreaterThanOrEqual(1);
  });

  it('skips the wait when waitGoneMs is 0', async () => {
    const { lc, calls } = setup({ bootout: [OK] });
    await expect(lc.bootout(GUI, LABEL, { waitGoneMs: 0 })).resolves.toBe('booted-out');
    expect(calls()).toEqual([['bootout', `gui/501/${LABEL}`]]);
  });

  it('surfaces a usage error unchanged', async () => {
    const { lc } = setup({ bootout: [{ exitCode: 64, stderrFile: stderrFile('bootout-usage-64-unrecognized-target.txt') }] });
    expect(await kindOf(lc.bootout(GUI, LABEL))).toBe('usage');
  });
});

describe('enable / disable / kill / error', () => {
  it('builds `enable|disable <service-target>`', async () => {
    const { lc, calls } = setup({ '*': [OK] });
    await lc.enable({ kind: 'user', uid: 502 }, LABEL);
    await lc.disable(SYSTEM, LABEL);
    expect(calls()).toEqual([
      ['enable', `user/502/${LABEL}`],
      ['disable', `system/${LABEL}`],
    ]);
  });

  it('builds `kill <signal> <service-target>` and reports a job with no process as not-running', async () => {
    const { lc, calls } = setup({ kill: [OK, { exitCode: 3, stderr: 'No process to signal.\n' }] });
    await lc.kill('SIGTERM', GUI, LABEL);
    expect(await kindOf(lc.kill(9, GUI, LABEL))).toBe('not-running');
    expect(calls()).toEqual([
      ['kill', 'SIGTERM', `gui/501/${LABEL}`],
      ['kill', '9', `gui/501/${LABEL}`],
    ]);
  });

  it('refuses a bad signal or label without running launchctl', async () => {
    const { lc, calls } = setup({ '*': [OK] });
    expect(isLotusctlError(await thrown(lc.kill('TERM; rm -rf /', GUI, LABEL)))).toBe(true);
    expect(isLotusctlError(await thrown(lc.enable(GUI, '../x')))).toBe(true);
    expect(isLotusctlError(await thrown(lc.listLabel('a b')))).toBe(true);
    expect(calls()).toEqual([]);
  });

  it('returns the text of `error <code>`', async () => {
    const { lc, calls } = setup({ error: [{ exitCode: 0, stdout: '5: Input/output error\n' }] });
    await expect(lc.error(5)).resolves.toBe('5: Input/output error');
    expect(calls()).toEqual([['error', '5']]);
  });
});

describe('kickstart', () => {
  it.each<[string, { kill?: boolean; printPid?: boolean }, string[], string, number | undefined]>([
    ['plain', {}, [`gui/501/${LABEL}`], '', undefined],
    ['-k', { kill: true }, ['-k', `gui/501/${LABEL}`], '', undefined],
    ['-k -p bare pid', { kill: true, printPid: true }, ['-k', '-p', `gui/501/${LABEL}`], '12345\n', 12345],
    ['-p tty form', { printPid: true }, ['-p', `gui/501/${LABEL}`], 'service spawned with pid: 777\n', 777],
    ['-p without a pid', { printPid: true }, ['-p', `gui/501/${LABEL}`], '', undefined],
  ])('%s', async (_name, opts, args, stdout, pid) => {
    const { lc, calls } = setup({ kickstart: [{ exitCode: 0, stdout }] });
    await expect(lc.kickstart(GUI, LABEL, opts)).resolves.toBe(pid);
    expect(calls()).toEqual([['kickstart', ...args]]);
  });

  it.each<[string, string, number, LaunchctlErrorKind]>([
    ['not loaded', 'kickstart-113-not-found-gui.txt', 113, 'not-loaded'],
    ['no gui domain', 'kickstart-125-domain-unsupported.txt', 125, 'no-gui-domain'],
  ])('throws %s', async (_name, file, exitCode, kind) => {
    const { lc } = setup({ kickstart: [{ exitCode, stderrFile: stderrFile(file) }] });
    expect(await kindOf(lc.kickstart(GUI, LABEL, { kill: true }))).toBe(kind);
  });
});

describe('print / printDomain / printDisabled / list', () => {
  it('returns the text and the parsed service, or undefined when not loaded', async () => {
    const text = sample('print-service-system-running-never-exited-runningboardd-macos26.txt');
    const { lc, calls } = setup({ print: [{ exitCode: 0, stdout: text }, NOT_FOUND_GUI] });
    const got = await lc.print(SYSTEM, 'com.apple.runningboardd');
    expect(got?.text).toBe(text.replace(/\n$/, ''));
    expect(got?.parsed.state).toBe('running');
    expect(got?.parsed.pid).toBeGreaterThan(0);
    await expect(lc.print(SYSTEM, 'com.apple.runningboardd')).resolves.toBeUndefined();
    expect(calls()).toEqual([
      ['print', 'system/com.apple.runningboardd'],
      ['print', 'system/com.apple.runningboardd'],
    ]);
  });

  it('throws for a missing gui domain instead of reporting "not loaded"', async () => {
    const { lc } = setup({ print: [{ exitCode: 112, stderrFile: stderrFile('domain-missing-gui.txt') }] });
    expect(await kindOf(lc.print(GUI, LABEL))).toBe('no-gui-domain');
  });

  it('prints a domain and its disabled overrides', async () => {
    const { lc, calls } = setup({
      print: [{ exitCode: 0, stdout: sample('print-domain-system-abridged-macos13or14.txt') }],
      'print-disabled': [{ exitCode: 0, stdout: sample('print-disabled-system-modern-enabled-disabled.txt') }],
    });
    const domain = await lc.printDomain(SYSTEM);
    expect(domain.text).toContain('system = {');
    expect(domain.parsed).toBeDefined();
    const disabled = await lc.printDisabled(SYSTEM);
    expect(Object.keys(disabled).length).toBeGreaterThan(0);
    expect(Object.values(disabled)).toContain(true);
    expect(calls()).toEqual([
      ['print', 'system'],
      ['print-disabled', 'system'],
    ]);
  });

  it('lists the table and one label, undefined when the label is unknown', async () => {
    const { lc, calls } = setup({
      list: [
        { exitCode: 0, stdout: sample('list-user-elcapitan-truncated.txt') },
        { exitCode: 0, stdout: sample('list-label-running-supervisord-yosemite.txt') },
        { exitCode: 113, stderrFile: stderrFile('list-label-113-not-found-port.txt') },
      ],
    });
    const table = await lc.list();
    expect(table.parsed.length).toBeGreaterThan(0);
    const one = await lc.listLabel('com.agendaless.supervisord');
    expect(one?.parsed.label).toBe('com.agendaless.supervisord');
    await expect(lc.listLabel('com.iamkroot.trakt-scrobbler')).resolves.toBeUndefined();
    expect(calls()).toEqual([['list'], ['list', 'com.agendaless.supervisord'], ['list', 'com.iamkroot.trakt-scrobbler']]);
  });
});

describe('process boundary', () => {
  it('times out a hung launchctl and leaves no process behind', async () => {
    const { lc, log } = setup({ print: [{ exitCode: 0, hangMs: 60_000 }] }, { timeoutMs: 3000 });
    const e = await thrown(lc.printDomain(SYSTEM));
    expect(isLotusctlError(e) && e.code).toBe('launchctl.timeout');
    const pid = Number(readFileSync(`${log}.pid`, 'utf8'));
    expect(pid).toBeGreaterThan(0);
    expect(() => process.kill(pid, 0)).toThrow();
  });

  it('reports a binary that does not exist as spawn-failed', async () => {
    const lc = new Launchctl({ binary: path.join(tmpdir(), 'no-such-launchctl-binary'), sleep: async () => {} });
    const e = await thrown(lc.list());
    expect(isLotusctlError(e) && e.code).toBe('launchctl.spawn-failed');
  });

  it('passes arguments as argv, never through a shell', async () => {
    const { lc, calls } = setup({ bootstrap: [OK] });
    const nasty = '/tmp/$(touch pwned) `x` ;|&.plist';
    await lc.bootstrap(GUI, nasty);
    expect(calls()).toEqual([['bootstrap', 'gui/501', nasty]]);
  });
});

describe('labelFromPlistPath', () => {
  it.each<[string, string | undefined]>([
    [PLIST, LABEL],
    ['/Library/LaunchDaemons/org.nixos.nix-daemon.plist', 'org.nixos.nix-daemon'],
    ['/tmp/x.xml', undefined],
    ['/tmp/.hidden.plist', undefined],
    ['/tmp/.plist', undefined],
  ])('%s -> %s', (p, want) => {
    expect(labelFromPlistPath(p)).toBe(want);
  });
});
