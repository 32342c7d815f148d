import { describe, expect, it } from 'vitest';
import { parseListLabel, parseOpenStepLoose } from '../../src/launchd/parse-list-label.js';
import type { LastExit } from '../../src/launchd/exit-status.js';
import { readFixture } from '../helpers/fixtures.js';

const FIXTURE = 'list-label-running-supervisord-yosemite.txt';

describe('parseListLabel', () => {
  it('reads the 10.10 supervisord capture', () => {
    const r = parseListLabel(readFixture(FIXTURE));
    expect(r).toEqual({
      label: 'com.agendaless.supervisord',
      pid: 70377,
      lastExit: { kind: 'code', code: 0 },
      program: '/usr/local/bin/supervisord',
      arguments: ['/usr/local/bin/supervisord', '-n', '-c', '/usr/local/etc/supervisord.conf'],
      raw: {
        LimitLoadToSessionType: 'System',
        Label: 'com.agendaless.supervisord',
        TimeOut: 30,
        OnDemand: true,
        LastExitStatus: 0,
        PID: 70377,
        Program: '/usr/local/bin/supervisord',
        ProgramArguments: ['/usr/local/bin/supervisord', '-n', '-c', '/usr/local/etc/supervisord.conf'],
      },
    });
  });

  // LastExitStatus is a raw wait(2) status (specs/launchd-behaviour.md §7).
  it.each<[number, LastExit]>([
    [0, { kind: 'code', code: 0 }],
    [19968, { kind: 'code', code: 78 }],
    [256, { kind: 'code', code: 1 }],
    [15, { kind: 'signal', signal: 15 }],
    [9, { kind: 'signal', signal: 9 }],
    [139, { kind: 'signal', signal: 11 }], // SIGSEGV with the core-dump bit
  ])('LastExitStatus = %i', (raw, want) => {
    const text = readFixture(FIXTURE).replace('"LastExitStatus" = 0;', `"LastExitStatus" = ${raw};`);
    expect(parseListLabel(text).lastExit).toEqual(want);
  });

  it('has no pid when "PID" is missing (job not running)', () => {
    const text = readFixture(FIXTURE).replace(/^.*"PID".*\n/m, '');
    const r = parseListLabel(text);
    expect(r.pid).toBeUndefined();
    expect(r.label).toBe('com.agendaless.supervisord');
    expect(r.truncated).toBeUndefined();
  });

  it('has unknown lastExit when "LastExitStatus" is missing or not a number', () => {
    const text = readFixture(FIXTURE);
    expect(parseListLabel(text.replace(/^.*"LastExitStatus".*\n/m, '')).lastExit).toEqual({ kind: 'unknown' });
    expect(parseListLabel(text.replace('"LastExitStatus" = 0;', '"LastExitStatus" = "0";')).lastExit).toEqual({ kind: 'unknown' });
  });

  it('reads tab indentation, mach-port values and nested dicts', () => {
    const text = [
      '{',
      '\t"LimitLoadToSessionType" = "Aqua";',
      '\t"MachServices" = {',
      '\t\t"com.example.lotus.xpc" = mach-port-object;',
      '\t};',
      '\t"Label" = "com.example.lotus";',
      '\t"OnDemand" = false;',
      '\t"LastExitStatus" = 19968;',
      '\t"Program" = "/opt/lotus/bin/lotus";',
      '\t"ProgramArguments" = (',
      '\t\t"lotus";',
      '\t\t"daemon";',
      '\t\t"--api=1234; x";',
      '\t);',
      '};',
    ].join('\n');
    const r = parseListLabel(text);
    expect(r).toMatchObject({
      label: 'com.example.lotus',
      lastExit: { kind: 'code', code: 78 },
      program: '/opt/lotus/bin/lotus',
      arguments: ['lotus', 'daemon', '--api=1234; x'],
      raw: { MachServices: { 'com.example.lotus.xpc': 'mach-port-object' }, OnDemand: false },
    });
    expect(r.pid).toBeUndefined();
  });

  it('keeps entries read before a cut and drops the half-read one', () => {
    const text = readFixture(FIXTURE);
    const cut = text.slice(0, text.indexOf('"-c"'));
    const r = parseListLabel(cut);
    expect(r.truncated).toBe(true);
    expect(r).toMatchObject({ label: 'com.agendaless.supervisord', pid: 70377, lastExit: { kind: 'code', code: 0 }, program: '/usr/local/bin/supervisord' });
    expect(r.arguments).toBeUndefined();
    expect(r.raw).not.toHaveProperty('ProgramArguments');
  });

  it.each(['', 'garbage', '(', '{ "Label" = ', 'Could not find service "x" in domain for port', '((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((('])(
    'garbage %j',
    (text) => {
      const r = parseListLabel(text);
      expect(r.label).toBe('');
      expect(r.lastExit).toEqual({ kind: 'unknown' });
      expect(r.pid).toBeUndefined();
    },
  );

  it('parseOpenStepLoose reports completeness', () => {
    expect(parseOpenStepLoose('{ "a" = 1; "b" = ( x, "y" ); }')).toEqual({ value: { a: 1, b: ['x', 'y'] }, complete: true });
    expect(parseOpenStepLoose('{ "a" = 1; } trailing')).toEqual({ value: { a: 1 }, complete: false });
    expect(parseOpenStepLoose('{ "a" = "x\\"y"; "n" = -3; "d" = <0fab>; }').value).toEqual({ a: 'x"y', n: -3, d: '<0fab>' });
  });
});
