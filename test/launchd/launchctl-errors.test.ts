import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  classifyLaunchctlFailure,
  explainLaunchctlError,
  isLaunchctlError,
  parseReportedCode,
  type LaunchctlErrorKind,
} from '../../src/launchd/launchctl-errors.js';
import { isLaunchdErrorCode, LAUNCHD_ERROR_TEXT, launchctlCodeText } from '../../src/launchd/launchd-error-table.js';
import { isLotusctlError } from '../../src/model/errors.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const stderrDir = path.resolve(repoRoot, 'test/fixtures/launchctl/stderr');
const readStderr = (name: string): string => readFileSync(path.join(stderrDir, name), 'utf8');

interface Row {
  subcommand: string;
  args: string[];
  exitCode: number | undefined;
  kind: LaunchctlErrorKind;
  reportedCode?: number;
}

// One row per captured stderr file; exit codes from SOURCES.md. Where SOURCES.md says "not shown":
// legacy load/unload exit 0 on these errors (man: non-zero only for usage errors), and the missing gui
// domain exits 112 (specs/launchd-behaviour.md §4, reported).
const FIXTURES: Record<string, Row> = {
  'bootout-3-esrch-not-loaded.txt': { subcommand: 'bootout', args: ['user/501/org.example.agent'], exitCode: 3, kind: 'not-loaded', reportedCode: 3 },
  'bootout-36-einprogress.txt': { subcommand: 'bootout', args: ['system/com.facebook.osquery'], exitCode: 36, kind: 'in-progress', reportedCode: 36 },
  'bootout-5-eio-path-form.txt': {
    subcommand: 'bootout',
    args: ['system', '/Library/LaunchDaemons/org.nixos.darwin-store.plist'],
    exitCode: 5,
    kind: 'not-loaded',
    reportedCode: 5,
  },
  'bootout-usage-64-unrecognized-target.txt': { subcommand: 'bootout', args: ['--wait', 'gui/501/com.t3.code'], exitCode: 64, kind: 'usage' },
  'bootstrap-125-domain-unsupported.txt': {
    subcommand: 'bootstrap',
    args: ['gui/501', '/Users/ci/Library/LaunchAgents/org.nix-community.sops-nix.plist'],
    exitCode: 125,
    kind: 'no-gui-domain',
    reportedCode: 125,
  },
  'bootstrap-5-eio-gui-nonroot.txt': {
    subcommand: 'bootstrap',
    args: ['gui/501', '/Users/me/Library/LaunchAgents/homebrew.mxcl.postgresql.plist'],
    exitCode: 5,
    kind: 'io-error',
    reportedCode: 5,
  },
  'bootstrap-5-eio-system-root.txt': {
    subcommand: 'bootstrap',
    args: ['system', '/Library/LaunchDaemons/org.nixos.nix-daemon.plist'],
    exitCode: 5,
    kind: 'io-error',
    reportedCode: 5,
  },
  'domain-missing-gui.txt': { subcommand: 'print', args: ['gui/501'], exitCode: 112, kind: 'no-gui-domain' },
  'kickstart-113-not-found-gui.txt': { subcommand: 'kickstart', args: ['gui/501/ai.hermes.gateway'], exitCode: 113, kind: 'not-loaded' },
  'kickstart-113-not-found-system.txt': { subcommand: 'kickstart', args: ['-k', 'system/org.nixos.darwin-store'], exitCode: 113, kind: 'not-loaded' },
  'kickstart-125-domain-unsupported.txt': {
    subcommand: 'kickstart',
    args: ['gui/502/ai.hermes.gateway'],
    exitCode: 125,
    kind: 'no-gui-domain',
    reportedCode: 125,
  },
  'list-label-113-not-found-port.txt': { subcommand: 'list', args: ['com.iamkroot.trakt-scrobbler'], exitCode: 113, kind: 'not-loaded' },
  'load-legacy-134-session.txt': {
    subcommand: 'load',
    args: ['/Library/LaunchAgents/com.github.outset.login.plist'],
    exitCode: 0,
    kind: 'launchd-error',
    reportedCode: 134,
  },
  'load-legacy-5-eio.txt': { subcommand: 'load', args: ['/Users/me/Library/LaunchAgents/com.isponsorblocktv.plist'], exitCode: 0, kind: 'io-error', reportedCode: 5 },
  'load-legacy-ssh-no-aqua-domain.txt': { subcommand: 'load', args: ['/Users/runner/Library/LaunchAgents/actions.runner.plist'], exitCode: 0, kind: 'no-gui-domain' },
  'unload-legacy-5-eio.txt': { subcommand: 'unload', args: ['/Users/me/Library/LaunchAgents/com.m4rkw.cornerfix.plist'], exitCode: 0, kind: 'io-error', reportedCode: 5 },
};

describe('classifyLaunchctlFailure on every captured stderr sample', () => {
  it('has a row for every file in fixtures/launchctl/stderr', () => {
    expect(Object.keys(FIXTURES).sort()).toEqual(readdirSync(stderrDir).sort());
  });

  it.each(Object.entries(FIXTURES))('%s -> %j', (file, row) => {
    const stderr = readStderr(file);
    const err = classifyLaunchctlFailure({ subcommand: row.subcommand, args: row.args, exitCode: row.exitCode, stderr, stdout: '' });
    expect(err.kind).toBe(row.kind);
    expect(err.code).toBe(`launchctl.${row.kind}`);
    expect(err.exitCode).toBe(row.exitCode);
    expect(err.reportedCode).toBe(row.reportedCode);
    expect(err.stderrFirstLine).toBe(stderr.split('\n')[0]);
    expect(err.subcommand).toBe(row.subcommand);
    expect(err.message).toContain(`launchctl ${row.subcommand} ${row.args.join(' ')}`);
    expect(err.hint).toMatch(/\S/);
    expect(err.message).not.toContain('\n');
    expect(isLotusctlError(err)).toBe(true);
    expect(isLaunchctlError(err)).toBe(true);
  });

  it('names the service and domain from the not-found text', () => {
    const gui = classifyLaunchctlFailure({
      subcommand: 'kickstart', args: ['gui/501/ai.hermes.gateway'], exitCode: 113, stderr: readStderr('kickstart-113-not-found-gui.txt'), stdout: '',
    });
    expect(gui.message).toContain('service "ai.hermes.gateway" is not loaded in gui/501');
    expect(gui.target).toBe('gui/501/ai.hermes.gateway');
    const port = classifyLaunchctlFailure({
      subcommand: 'list', args: ['com.iamkroot.trakt-scrobbler'], exitCode: 113, stderr: readStderr('list-label-113-not-found-port.txt'), stdout: '',
    });
    expect(port.message).toContain('service "com.iamkroot.trakt-scrobbler"');
    expect(port.target).toBe('com.iamkroot.trakt-scrobbler');
  });

  it('explains EIO with every usual cause and keeps the "re-run as root" line', () => {
    const nonRoot = classifyLaunchctlFailure({
      subcommand: 'bootstrap', args: ['gui/501', '/p/x.plist'], exitCode: 5, stderr: readStderr('bootstrap-5-eio-gui-nonroot.txt'), stdout: '',
    });
    for (const cause of ['already loaded', 'disabled', 'bootout', 'invalid', 'ownership/permissions', 'session type']) {
      expect(nonRoot.hint).toContain(cause);
    }
    expect(nonRoot.hint).toContain('Try re-running the command as root for richer errors.');
    expect(nonRoot.details).toEqual(['Try re-running the command as root for richer errors.']);
    const root = classifyLaunchctlFailure({
      subcommand: 'bootstrap', args: ['system', '/p/x.plist'], exitCode: 5, stderr: readStderr('bootstrap-5-eio-system-root.txt'), stdout: '',
    });
    expect(root.hint).not.toContain('re-running');
    expect(root.details).toEqual([]);
  });

  it('tells the user to use the user domain or log in when gui/<uid> is missing', () => {
    const err = classifyLaunchctlFailure({
      subcommand: 'kickstart', args: ['gui/502/ai.hermes.gateway'], exitCode: 125, stderr: readStderr('kickstart-125-domain-unsupported.txt'), stdout: '',
    });
    expect(err.message).toContain('gui/502');
    expect(err.hint).toContain('domain: user');
    expect(err.hint).toContain('log in at the console');
  });
});

interface Synthetic extends Row {
  name: string;
  stderr: string;
}

const SYNTHETIC: Synthetic[] = [
  { name: 'ESRCH from bootout, no text', subcommand: 'bootout', args: ['gui/501/a.b'], exitCode: 3, stderr: '', kind: 'not-loaded' },
  {
    name: 'not found in uid domain',
    subcommand: 'print',
    args: ['user/501/a.b'],
    exitCode: 113,
    stderr: 'Could not find service "a.b" in domain for uid: 501\n',
    kind: 'not-loaded',
  },
  { name: 'kill with no process', subcommand: 'kill', args: ['SIGTERM', 'gui/501/a.b'], exitCode: 3, stderr: 'No process to signal.\n', kind: 'not-running' },
  { name: 'kill ESRCH without text', subcommand: 'kill', args: ['15', 'gui/501/a.b'], exitCode: 3, stderr: '', kind: 'not-running' },
  {
    name: 'kill not privileged',
    subcommand: 'kill',
    args: ['SIGKILL', 'system/a.b'],
    exitCode: 1,
    stderr: 'Not privileged to signal service.\n',
    kind: 'not-privileged',
  },
  {
    name: 'EPERM from bootstrap into system',
    subcommand: 'bootstrap',
    args: ['system', '/Library/LaunchDaemons/a.b.plist'],
    exitCode: 1,
    stderr: 'Bootstrap failed: 1: Operation not permitted\n',
    kind: 'not-privileged',
    reportedCode: 1,
  },
  {
    name: 'EALREADY from bootstrap',
    subcommand: 'bootstrap',
    args: ['gui/501', '/p/a.b.plist'],
    exitCode: 37,
    stderr: 'Bootstrap failed: 37: Operation already in progress\n',
    kind: 'in-progress',
    reportedCode: 37,
  },
  {
    name: 'printed code differs from exit code',
    subcommand: 'bootstrap',
    args: ['gui/501', '/p/a.b.plist'],
    exitCode: 5,
    stderr: 'Bootstrap failed: 37: Operation already in progress\n',
    kind: 'in-progress',
    reportedCode: 37,
  },
  {
    name: 'EEXIST from bootstrap',
    subcommand: 'bootstrap',
    args: ['gui/501', '/p/a.b.plist'],
    exitCode: 17,
    stderr: 'Bootstrap failed: 17: File exists\n',
    kind: 'exists',
    reportedCode: 17,
  },
  {
    name: 'legacy load: already loaded outranks 37',
    subcommand: 'load',
    args: ['/p/a.b.plist'],
    exitCode: 0,
    stderr: '/p/a.b.plist: service already loaded\nLoad failed: 37: Operation already in progress\n',
    kind: 'exists',
    reportedCode: 37,
  },
  {
    name: 'disabled as root',
    subcommand: 'bootstrap',
    args: ['system', '/Library/LaunchDaemons/a.b.plist'],
    exitCode: 119,
    stderr: 'Bootstrap failed: 119: Service is disabled\n',
    kind: 'disabled',
    reportedCode: 119,
  },
  {
    name: 'legacy load: service is disabled',
    subcommand: 'load',
    args: ['/p/a.b.plist'],
    exitCode: 0,
    stderr: '/p/a.b.plist: Service is disabled\n',
    kind: 'disabled',
  },
  {
    name: 'bad permissions as root',
    subcommand: 'bootstrap',
    args: ['gui/501', '/p/a.b.plist'],
    exitCode: 122,
    stderr: 'Bootstrap failed: 122: Path had bad ownership/permissions\n',
    kind: 'bad-permissions',
    reportedCode: 122,
  },
  {
    name: 'legacy load: bad permissions line',
    subcommand: 'load',
    args: ['/p/a.b.plist'],
    exitCode: 0,
    stderr: '/p/a.b.plist: Path had bad ownership/permissions\n',
    kind: 'bad-permissions',
  },
  {
    name: 'invalid plist as root',
    subcommand: 'bootstrap',
    args: ['system', '/Library/LaunchDaemons/a.b.plist'],
    exitCode: 109,
    stderr: 'Bootstrap failed: 109: Invalid property list\n',
    kind: 'launchd-error',
    reportedCode: 109,
  },
  { name: 'launchd code with no text', subcommand: 'enable', args: ['gui/501/a.b'], exitCode: 150, stderr: '', kind: 'launchd-error' },
  {
    name: '125 against the system domain is not a gui problem',
    subcommand: 'bootstrap',
    args: ['system', '/Library/LaunchDaemons/a.b.plist'],
    exitCode: 125,
    stderr: 'Bootstrap failed: 125: Domain does not support specified action\n',
    kind: 'launchd-error',
    reportedCode: 125,
  },
  { name: 'bare 112 for a gui target', subcommand: 'print', args: ['gui/501/a.b'], exitCode: 112, stderr: '', kind: 'no-gui-domain' },
  {
    name: 'usage text without "Unrecognized"',
    subcommand: 'print',
    args: ['a.b'],
    exitCode: 64,
    stderr: 'Usage: launchctl print <service-target>\n',
    kind: 'usage',
  },
  { name: 'odd exit code', subcommand: 'print', args: ['system'], exitCode: 2, stderr: 'something new\n', kind: 'unknown' },
  { name: 'killed by a signal, no output', subcommand: 'print', args: ['system'], exitCode: undefined, stderr: '', kind: 'unknown' },
  { name: 'exit 0 and nothing said', subcommand: 'load', args: ['/p/a.b.plist'], exitCode: 0, stderr: '', kind: 'unknown' },
];

describe('classifyLaunchctlFailure on synthetic failures', () => {
  it('covers every kind at least once across fixtures and synthetic rows', () => {
    const kinds = new Set([...Object.values(FIXTURES), ...SYNTHETIC].map((r) => r.kind));
    const all: LaunchctlErrorKind[] = [
      'not-loaded', 'not-running', 'io-error', 'in-progress', 'no-gui-domain', 'usage', 'disabled',
      'bad-permissions', 'exists', 'launchd-error', 'not-privileged', 'unknown',
    ];
    expect([...kinds].sort()).toEqual([...all].sort());
  });

  it.each(SYNTHETIC.map((r) => [r.name, r] as const))('%s', (_name, row) => {
    const err = classifyLaunchctlFailure({ subcommand: row.subcommand, args: row.args, exitCode: row.exitCode, stderr: row.stderr, stdout: '' });
    expect(err.kind).toBe(row.kind);
    expect(err.code).toBe(`launchctl.${row.kind}`);
    expect(err.exitCode).toBe(row.exitCode);
    expect(err.reportedCode).toBe(row.reportedCode);
    expect(err.stderrFirstLine).toBe(row.stderr.split('\n')[0]);
    expect(err.message).toContain(`launchctl ${row.subcommand} ${row.args.join(' ')}`);
    expect(err.hint).toMatch(/\S/);
  });

  it('puts the launchd table text into the message', () => {
    const err = classifyLaunchctlFailure({ subcommand: 'enable', args: ['gui/501/a.b'], exitCode: 150, stderr: '', stdout: '' });
    expect(err.message).toContain('150: Operation not permitted while System Integrity Protection is engaged');
  });

  it('names the uid domain for "in domain for uid: N"', () => {
    const err = classifyLaunchctlFailure({
      subcommand: 'print', args: ['user/501/a.b'], exitCode: 113, stderr: 'Could not find service "a.b" in domain for uid: 501\n', stdout: '',
    });
    expect(err.message).toContain('service "a.b" is not loaded in user/501');
  });

  it('falls back to stdout for the first line when stderr is empty', () => {
    const err = classifyLaunchctlFailure({ subcommand: 'print', args: ['system'], exitCode: 2, stderr: '', stdout: 'odd\nmore' });
    expect(err.stderrFirstLine).toBe('odd');
  });

  it('is pure: the same input gives the same kind, message and hint', () => {
    const f = { subcommand: 'bootstrap', args: ['gui/501', '/p/a.b.plist'], exitCode: 5, stderr: readStderr('bootstrap-5-eio-gui-nonroot.txt'), stdout: '' };
    const a = classifyLaunchctlFailure(f);
    const b = classifyLaunchctlFailure(f);
    expect([a.kind, a.message, a.hint, a.details]).toEqual([b.kind, b.message, b.hint, b.details]);
  });
});

describe('parseReportedCode', () => {
  it.each<[string, number | undefined]>([
    ['Bootstrap failed: 5: Input/output error', 5],
    ['Boot-out failed: 36: Operation now in progress', 36],
    ['Load failed: 134: Service cannot load in requested session', 134],
    ['Unload failed: 5: Input/output error', 5],
    ['Could not kickstart service "ai.hermes.gateway": 125: Domain does not support specified action', 125],
    ['Could not find service "a.b" in domain for user gui: 501', undefined],
    ['Could not find domain for user gui: 501', undefined],
    ['Unrecognized target specifier.', undefined],
    ['', undefined],
  ])('%j -> %j', (line, want) => {
    expect(parseReportedCode([line])).toBe(want);
  });
});

describe('launchd error table', () => {
  it('has text for every launchd code 107-159 and nothing outside it', () => {
    for (let c = 107; c <= 159; c++) {
      expect(isLaunchdErrorCode(c)).toBe(true);
      expect(LAUNCHD_ERROR_TEXT[c]).toMatch(/\S/);
    }
    expect(Object.keys(LAUNCHD_ERROR_TEXT)).toHaveLength(53);
    expect(isLaunchdErrorCode(106)).toBe(false);
    expect(isLaunchdErrorCode(160)).toBe(false);
  });

  it.each<[number, string]>([
    [5, '5: Input/output error'],
    [36, '36: Operation now in progress'],
    [113, '113: Could not find specified service'],
    [125, '125: Domain does not support specified action'],
    [999, '999: unknown error'],
  ])('explainLaunchctlError(%d) = %j', (code, want) => {
    expect(explainLaunchctlError(code)).toBe(want);
  });

  it('agrees with the texts seen in the captured stderr', () => {
    expect(launchctlCodeText(134)).toBe('Service cannot load in requested session');
    expect(launchctlCodeText(3)).toBe('No such process');
  });
});
