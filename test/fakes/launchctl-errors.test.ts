// Every error path of the launchctl double: exact stderr text and exit code, against test/fixtures/launchctl/stderr
// where a capture exists (specs/launchd-behaviour.md §3, §4, SOURCES.md gives the exit codes) and the reference text otherwise.
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FakeLaunchdOptions } from './launchctl/index.js';
import { fakeLaunchctlPath } from './launchctl/index.js';
import type { FakeLaunchd } from './launchctl/harness.js';
import { useFakeLaunchd } from '../helpers/fake-launchd.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const STDERR = resolve(repoRoot, 'test/fixtures/launchctl/stderr');
const captured = (name: string): string => readFileSync(resolve(STDERR, name), 'utf8');

const fake = useFakeLaunchd();

const IDLE = { Label: 'com.example.idle', ProgramArguments: ['/usr/bin/true'] };

interface Case {
  name: string;
  opts?: FakeLaunchdOptions;
  /** Runs first; every setup call must succeed. Returns nothing. */
  setup?: (f: FakeLaunchd) => Promise<void>;
  args: (f: FakeLaunchd) => string[];
  env?: Record<string, string>;
  /** Exact stderr: a fixture file name (`stderr/…`) or literal text. */
  stderr: { fixture: string } | { text: string };
  code: number;
}

/** Setup step, sent in-process (it is not what the case tests). */
async function ok(f: FakeLaunchd, args: string[], env: Record<string, string> = {}): Promise<void> {
  const r = await f.call(args, env);
  expect(r, `setup: launchctl ${args.join(' ')}`).toMatchObject({ code: 0, stderr: '' });
}

const bootstrapIdle = (domain: string) => async (f: FakeLaunchd) => ok(f, ['bootstrap', domain, f.writePlist('idle.plist', IDLE)]);

const CASES: Case[] = [
  // --- bootstrap ---
  {
    name: 'bootstrap of an already loaded label, as root',
    setup: bootstrapIdle('system'),
    args: (f) => ['bootstrap', 'system', f.file('idle.plist')],
    stderr: { fixture: 'bootstrap-5-eio-system-root.txt' },
    code: 5,
  },
  {
    name: 'bootstrap of an already loaded label, as a user (adds the root hint)',
    opts: { euid: 501 },
    setup: bootstrapIdle('gui/501'),
    args: (f) => ['bootstrap', 'gui/501', f.file('idle.plist')],
    stderr: { fixture: 'bootstrap-5-eio-gui-nonroot.txt' },
    code: 5,
  },
  {
    name: 'bootstrap of an already loaded label, errno selected as 37',
    opts: { bootstrapAlreadyErrno: 37 },
    setup: bootstrapIdle('gui/501'),
    args: (f) => ['bootstrap', 'gui/501', f.file('idle.plist')],
    stderr: { text: 'Bootstrap failed: 37: Operation already in progress\n' },
    code: 37,
  },
  {
    name: 'bootstrap of a label disabled with `launchctl disable` (EIO even as root)',
    setup: (f) => ok(f, ['disable', 'system/com.example.idle']),
    args: (f) => ['bootstrap', 'system', f.writePlist('idle.plist', IDLE)],
    stderr: { fixture: 'bootstrap-5-eio-system-root.txt' },
    code: 5,
  },
  {
    name: 'bootstrap of a plist whose Disabled key is true and has no override',
    args: (f) => ['bootstrap', 'system', f.writePlist('d.plist', { ...IDLE, Disabled: true })],
    stderr: { fixture: 'bootstrap-5-eio-system-root.txt' },
    code: 5,
  },
  {
    name: 'bootstrap of an unparseable plist',
    args: (f) => {
      writeFileSync(f.file('bad.plist'), '<?xml version="1.0"?><plist><dict><key>Label</key>');
      return ['bootstrap', 'system', f.file('bad.plist')];
    },
    stderr: { fixture: 'bootstrap-5-eio-system-root.txt' },
    code: 5,
  },
  {
    name: 'bootstrap of an unparseable plist, as root with rich errors',
    opts: { richErrors: true },
    args: (f) => {
      writeFileSync(f.file('bad.plist'), 'not a plist at all');
      return ['bootstrap', 'system', f.file('bad.plist')];
    },
    stderr: { text: 'Bootstrap failed: 109: Invalid property list\n' },
    code: 109,
  },
  {
    name: 'bootstrap of a plist without Label',
    args: (f) => ['bootstrap', 'system', f.writePlist('n.plist', { ProgramArguments: ['/usr/bin/true'] })],
    stderr: { fixture: 'bootstrap-5-eio-system-root.txt' },
    code: 5,
  },
  {
    name: 'bootstrap of a plist without Label, as root with rich errors',
    opts: { richErrors: true },
    args: (f) => ['bootstrap', 'system', f.writePlist('n.plist', { ProgramArguments: ['/usr/bin/true'] })],
    stderr: { text: 'Bootstrap failed: 110: Invalid or missing service identifier\n' },
    code: 110,
  },
  {
    name: 'bootstrap of a plist without Program or ProgramArguments, as a user',
    opts: { euid: 501 },
    args: (f) => ['bootstrap', 'gui/501', f.writePlist('n.plist', { Label: 'com.example.noprogram' })],
    stderr: { fixture: 'bootstrap-5-eio-gui-nonroot.txt' },
    code: 5,
  },
  {
    name: 'bootstrap of a plist without Program or ProgramArguments, as root with rich errors',
    opts: { richErrors: true },
    args: (f) => ['bootstrap', 'system', f.writePlist('n.plist', { Label: 'com.example.noprogram' })],
    stderr: { text: 'Bootstrap failed: 111: Invalid or missing Program/ProgramArguments\n' },
    code: 111,
  },
  {
    name: 'bootstrap of a group-writable plist',
    args: (f) => ['bootstrap', 'system', f.writePlist('w.plist', IDLE, { mode: 0o664 })],
    stderr: { fixture: 'bootstrap-5-eio-system-root.txt' },
    code: 5,
  },
  {
    name: 'bootstrap of a world-writable plist, as root with rich errors',
    opts: { richErrors: true },
    args: (f) => ['bootstrap', 'system', f.writePlist('w.plist', IDLE, { mode: 0o666 })],
    stderr: { text: 'Bootstrap failed: 122: Path had bad ownership/permissions\n' },
    code: 122,
  },
  {
    name: 'bootstrap of an Aqua-only agent into the system domain',
    args: (f) => ['bootstrap', 'system', f.writePlist('a.plist', { ...IDLE, LimitLoadToSessionType: 'Aqua' })],
    stderr: { fixture: 'bootstrap-5-eio-system-root.txt' },
    code: 5,
  },
  {
    name: 'bootstrap into gui/<uid> with no GUI session',
    opts: { noGui: true },
    args: (f) => ['bootstrap', 'gui/501', f.writePlist('idle.plist', IDLE)],
    stderr: { fixture: 'bootstrap-125-domain-unsupported.txt' },
    code: 125,
  },
  {
    name: 'bootstrap into the system domain as a user',
    opts: { euid: 501 },
    args: (f) => ['bootstrap', 'system', f.writePlist('idle.plist', IDLE)],
    stderr: { fixture: 'bootstrap-5-eio-gui-nonroot.txt' },
    code: 5,
  },
  {
    name: 'bootstrap with a service target instead of a domain',
    args: (f) => ['bootstrap', 'gui/501/com.example.idle', f.writePlist('idle.plist', IDLE)],
    stderr: {
      text:
        'Unrecognized target specifier.\nUsage: launchctl bootstrap <domain-target> [service-path, service-path2, ...]\n' +
        '<service-target> takes a form of <domain-target>/<service-id>.\nPlease refer to `man launchctl` for explanation of the <domain-target> specifiers.\n',
    },
    code: 64,
  },
  // --- bootout ---
  {
    name: 'bootout of a label that is not loaded',
    args: () => ['bootout', 'user/501/com.example.nothere'],
    stderr: { fixture: 'bootout-3-esrch-not-loaded.txt' },
    code: 3,
  },
  {
    name: 'bootout <domain> <path> of a plist that is not loaded',
    args: (f) => ['bootout', 'system', f.writePlist('idle.plist', IDLE)],
    stderr: { fixture: 'bootout-5-eio-path-form.txt' },
    code: 5,
  },
  {
    name: 'bootout --wait (no such flag)',
    args: () => ['bootout', '--wait', 'gui/501/com.example.idle'],
    stderr: { fixture: 'bootout-usage-64-unrecognized-target.txt' },
    code: 64,
  },
  {
    name: 'bootout answering 36 once while the teardown goes on',
    opts: { bootoutEinprogressOnce: true },
    setup: bootstrapIdle('system'),
    args: () => ['bootout', 'system/com.example.idle'],
    stderr: { fixture: 'bootout-36-einprogress.txt' },
    code: 36,
  },
  {
    name: 'bootout of a system job as a user',
    opts: { euid: 501 },
    setup: async (f) => ok(f, ['bootstrap', 'system', f.writePlist('idle.plist', IDLE)], { FAKE_LAUNCHD_EUID: '0' }),
    args: () => ['bootout', 'system/com.example.idle'],
    stderr: { text: 'Boot-out failed: 1: Operation not permitted\n' },
    code: 1,
  },
  // --- kickstart ---
  {
    name: 'kickstart -k of a system label that is not loaded',
    args: () => ['kickstart', '-k', 'system/org.nixos.darwin-store'],
    stderr: { fixture: 'kickstart-113-not-found-system.txt' },
    code: 113,
  },
  {
    name: 'kickstart of a gui label whose plist exists but was not bootstrapped',
    opts: { euid: 501 },
    args: (f) => {
      f.writePlist('ai.hermes.gateway.plist', { Label: 'ai.hermes.gateway', ProgramArguments: ['/usr/bin/true'] });
      return ['kickstart', 'gui/501/ai.hermes.gateway'];
    },
    stderr: { fixture: 'kickstart-113-not-found-gui.txt' },
    code: 113,
  },
  {
    name: 'kickstart in a gui domain that does not exist',
    opts: { noGui: true },
    args: () => ['kickstart', 'gui/502/ai.hermes.gateway'],
    stderr: { fixture: 'kickstart-125-domain-unsupported.txt' },
    code: 125,
  },
  {
    name: 'kickstart with an unknown flag',
    args: () => ['kickstart', '-x', 'gui/501/com.example.idle'],
    stderr: {
      text:
        'Unrecognized target specifier.\nUsage: launchctl kickstart [-kp] <service-target>\n' +
        '<service-target> takes a form of <domain-target>/<service-id>.\nPlease refer to `man launchctl` for explanation of the <domain-target> specifiers.\n',
    },
    code: 64,
  },
  // --- list / print / kill / blame / enable ---
  {
    name: 'list <label> of a label that is not loaded',
    args: () => ['list', 'com.iamkroot.trakt-scrobbler'],
    stderr: { fixture: 'list-label-113-not-found-port.txt' },
    code: 113,
  },
  {
    name: 'print of a gui domain that does not exist',
    opts: { noGui: true },
    args: () => ['print', 'gui/501'],
    stderr: { fixture: 'domain-missing-gui.txt' },
    code: 112,
  },
  {
    name: 'print of a user-domain label that is not loaded',
    args: () => ['print', 'user/501/com.example.nothere'],
    stderr: { text: 'Could not find service "com.example.nothere" in domain for uid: 501\n' },
    code: 113,
  },
  {
    name: 'print of a bare label',
    args: () => ['print', 'com.example.idle'],
    stderr: {
      text:
        'Unrecognized target specifier.\nUsage: launchctl print <domain-target> | <service-target>\n' +
        '<service-target> takes a form of <domain-target>/<service-id>.\nPlease refer to `man launchctl` for explanation of the <domain-target> specifiers.\n',
    },
    code: 64,
  },
  {
    name: 'kill of a loaded job that is not running',
    setup: bootstrapIdle('gui/501'),
    args: () => ['kill', 'TERM', 'gui/501/com.example.idle'],
    stderr: { text: 'No process to signal.\n' },
    code: 3,
  },
  {
    name: 'kill with a signal that does not exist',
    args: () => ['kill', 'SIGNOPE', 'gui/501/com.example.idle'],
    stderr: {
      text:
        'Invalid signal.\nUsage: launchctl kill <signal-number|signal-name> <service-target>\n' +
        '<service-target> takes a form of <domain-target>/<service-id>.\nPlease refer to `man launchctl` for explanation of the <domain-target> specifiers.\n',
    },
    code: 64,
  },
  {
    name: 'blame of a loaded job that is not running',
    setup: bootstrapIdle('gui/501'),
    args: () => ['blame', 'gui/501/com.example.idle'],
    stderr: { text: 'No process to signal.\n' },
    code: 3,
  },
  {
    name: 'disable in the system domain as a user',
    opts: { euid: 501 },
    args: () => ['disable', 'system/com.example.idle'],
    stderr: { text: 'Could not disable service: 1: Operation not permitted\n' },
    code: 1,
  },
  {
    name: 'enable in a gui domain that does not exist',
    opts: { noGui: true },
    args: () => ['enable', 'gui/501/com.example.idle'],
    stderr: { fixture: 'domain-missing-gui.txt' },
    code: 112,
  },
  {
    name: 'an unknown subcommand',
    args: () => ['frobnicate', 'gui/501'],
    stderr: {
      text:
        'Unrecognized subcommand: frobnicate\nUsage: launchctl <subcommand> ... | help [subcommand]\n' +
        '<service-target> takes a form of <domain-target>/<service-id>.\nPlease refer to `man launchctl` for explanation of the <domain-target> specifiers.\n',
    },
    code: 64,
  },
];

describe('error paths: exact stderr and exit code', () => {
  it.each(CASES)('$name', async (c) => {
    const f = fake(c.opts);
    if (c.setup !== undefined) await c.setup(f);
    const r = await f.run(c.args(f), c.env);
    const expected = 'fixture' in c.stderr ? captured(c.stderr.fixture) : c.stderr.text;
    expect(r.stderr).toBe(expected);
    expect(r.code).toBe(c.code);
    expect(r.stdout).toBe('');
  });

  it('the usage block is the 4-line text of the bootout fixture for every bad target', async () => {
    const f = fake();
    const fixtureTail = captured('bootout-usage-64-unrecognized-target.txt').split('\n').slice(2).join('\n');
    for (const args of [['bootout', 'gui/x/y'], ['enable', 'gui/501'], ['print-disabled', 'system/com.example.a'], ['blame', 'pid/1/x']]) {
      const r = await f.run(args);
      expect(r.code, args.join(' ')).toBe(64);
      const lines = r.stderr.split('\n');
      expect(lines[0]).toBe('Unrecognized target specifier.');
      expect(lines[1]).toBe(`Usage: launchctl ${args[0]} ${lines[1]?.split(`${args[0]} `)[1] ?? ''}`);
      expect(lines.slice(2).join('\n')).toBe(fixtureTail);
    }
  });

  it('refuses to run without FAKE_LAUNCHD_DIR and says how to fix it', async () => {
    const env = { ...process.env };
    delete env['FAKE_LAUNCHD_DIR'];
    const r = await new Promise<{ code: number | null; stderr: string }>((res, rej) => {
      const child = spawn(fakeLaunchctlPath(), ['list'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      child.on('error', rej);
      child.on('close', (code) => res({ code, stderr }));
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^launchctl \(fake\): FAKE_LAUNCHD_DIR is not set\.\n/);
  });
});
