// Pure parts of the launchctl double: plist -> job definition defaults (specs/launchd-behaviour.md §1), targets (§2), signal numbering,
// and the exit-information line (§5). The integration tests exercise the same code through the real CLI.
import { describe, expect, it } from 'vitest';
import { definitionFromPlist } from './launchctl/job-definition.js';
import { exitInfoLine, rawWaitStatus } from './launchctl/render.js';
import { macSignalNumber, parseSignalArg } from './launchctl/signals.js';
import { domainErrorName, parseTarget } from './launchctl/targets.js';

describe('definitionFromPlist', () => {
  it('applies launchd defaults: ThrottleInterval 10, ExitTimeOut 5, inferred program, KeepAlive none', () => {
    const r = definitionFromPlist({ Label: 'l', ProgramArguments: ['lotus', 'daemon'] });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.def).toMatchObject({ throttleInterval: 10, exitTimeOut: 5, executable: 'lotus', argv: ['lotus', 'daemon'], keepAlive: { kind: 'none' }, runAtLoad: false });
    expect(r.def.program).toBeUndefined();
  });

  it.each([
    [18, 0o22],
    ['022', 0o22],
    ['18', 0o22],
    ['0x12', 0o22],
    [63, 0o77],
  ])('reads Umask %j as %o', (umask, want) => {
    const r = definitionFromPlist({ Label: 'l', Program: '/bin/true', Umask: umask });
    expect(r.ok && r.def.umask).toBe(want);
  });

  it.each([
    [{ KeepAlive: true }, { kind: 'always' }],
    [{ OnDemand: false }, { kind: 'always' }],
    [{ KeepAlive: false }, { kind: 'none' }],
    [{ KeepAlive: { SuccessfulExit: false, PathState: { '/tmp/x': true, bad: 1 } } }, { kind: 'conditions', successfulExit: false, pathState: { '/tmp/x': true } }],
  ])('reads KeepAlive from %j', (keys, want) => {
    const r = definitionFromPlist({ Label: 'l', Program: '/bin/true', ...keys });
    expect(r.ok && r.def.keepAlive).toEqual(want);
  });

  it.each([
    [[], 109],
    [{ Program: '/bin/true' }, 110],
    [{ Label: 'l' }, 111],
    [{ Label: 'l', ProgramArguments: ['/bin/true', 3] }, 111],
  ])('rejects %j with launchd error %i', (value, code) => {
    expect(definitionFromPlist(value as never)).toMatchObject({ ok: false, code });
  });

  it('ignores non-string EnvironmentVariables values (man)', () => {
    const r = definitionFromPlist({ Label: 'l', Program: '/bin/true', EnvironmentVariables: { A: 'x', B: 3 } });
    expect(r.ok && r.def.environment).toEqual([['A', 'x']]);
  });
});

describe('targets', () => {
  it.each([
    ['system', { domain: { kind: 'system' } }],
    ['system/com.x', { domain: { kind: 'system' }, label: 'com.x' }],
    ['gui/501/', { domain: { kind: 'gui', uid: 501 } }],
    ['user/0/a.b', { domain: { kind: 'user', uid: 0 }, label: 'a.b' }],
    ['--wait', undefined],
    ['gui/x/y', undefined],
    ['com.example.bare', undefined],
    ['pid/1/x', undefined],
  ])('parses %s', (spec, want) => expect(parseTarget(spec)).toEqual(want));

  it('names domains as launchctl does in errors', () => {
    expect([{ kind: 'system' } as const, { kind: 'gui', uid: 501 } as const, { kind: 'user', uid: 501 } as const].map(domainErrorName)).toEqual([
      'system',
      'user gui: 501',
      'uid: 501',
    ]);
  });
});

describe('signals and exit information', () => {
  it('maps Linux signal names to macOS numbers and parses kill arguments', () => {
    expect([macSignalNumber('SIGBUS'), macSignalNumber('SIGUSR1'), macSignalNumber('SIGTERM')]).toEqual([10, 30, 15]);
    expect(['TERM', 'sigkill', '-9', '30', 'SIGNOPE', '99'].map(parseSignalArg)).toEqual([15, 9, 9, 30, undefined, undefined]);
  });

  it.each([
    [{ kind: 'never' }, 'last exit code = (never exited)', 0],
    [{ kind: 'exit', code: 1 }, 'last exit code = 1', 256],
    [{ kind: 'exit', code: 78 }, 'last exit code = 78: EX_CONFIG', 19968],
    [{ kind: 'signal', signal: 15 }, 'last terminating signal = Terminated: 15', 15],
    [{ kind: 'signal', signal: 9 }, 'last terminating signal = Killed: 9', 9],
    [{ kind: 'jetsam' }, 'last exit reason = JETSAM_REASON_MEMORY_IDLE_EXIT', 9],
  ] as const)('%j prints %s and LastExitStatus %i', (e, line, raw) => {
    expect(exitInfoLine(e)).toBe(line);
    expect(rawWaitStatus(e)).toBe(raw);
  });
});
