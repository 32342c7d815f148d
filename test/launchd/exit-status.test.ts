import { describe, expect, it } from 'vitest';
import { decodeWaitStatus, explainExit, isCrash, signalName, sysexitName, type LastExit } from '../../src/launchd/exit-status.js';

describe('decodeWaitStatus', () => {
  it.each<[number, LastExit]>([
    [0, { kind: 'code', code: 0 }],
    [256, { kind: 'code', code: 1 }],
    [19968, { kind: 'code', code: 78 }],
    [9216, { kind: 'code', code: 36 }], // Homebrew's bootout retry status (specs/launchd-behaviour.md §3)
    [0xff00, { kind: 'code', code: 255 }],
    [9, { kind: 'signal', signal: 9 }],
    [15, { kind: 'signal', signal: 15 }],
    [0x80 | 11, { kind: 'signal', signal: 11 }],
    [0x7f, { kind: 'unknown' }], // stopped, not exited
    [-1, { kind: 'unknown' }],
    [0x10000, { kind: 'unknown' }],
    [1.5, { kind: 'unknown' }],
    [Number.NaN, { kind: 'unknown' }],
  ])('%d', (raw, want) => {
    expect(decodeWaitStatus(raw)).toEqual(want);
  });
});

describe('signalName (macOS numbering)', () => {
  it.each<[number, string | undefined]>([
    [1, 'SIGHUP'], [2, 'SIGINT'], [3, 'SIGQUIT'], [4, 'SIGILL'], [5, 'SIGTRAP'], [6, 'SIGABRT'], [7, 'SIGEMT'], [8, 'SIGFPE'],
    [9, 'SIGKILL'], [10, 'SIGBUS'], [11, 'SIGSEGV'], [12, 'SIGSYS'], [13, 'SIGPIPE'], [14, 'SIGALRM'], [15, 'SIGTERM'],
    [17, 'SIGSTOP'], [20, 'SIGCHLD'], [30, 'SIGUSR1'], [31, 'SIGUSR2'], [0, undefined], [32, undefined], [-9, undefined],
  ])('%d -> %s', (n, want) => {
    expect(signalName(n)).toBe(want);
  });

  it('sysexitName', () => {
    expect(sysexitName(64)).toBe('EX_USAGE');
    expect(sysexitName(78)).toBe('EX_CONFIG');
    expect(sysexitName(63)).toBeUndefined();
    expect(sysexitName(79)).toBeUndefined();
  });
});

describe('isCrash', () => {
  it.each<[LastExit, boolean]>([
    [{ kind: 'signal', signal: 11 }, true],
    [{ kind: 'signal', signal: 10 }, true],
    [{ kind: 'signal', signal: 4 }, true],
    [{ kind: 'signal', signal: 6 }, true],
    [{ kind: 'signal', signal: 8 }, true],
    [{ kind: 'signal', signal: 15 }, false],
    [{ kind: 'signal', signal: 9 }, false],
    [{ kind: 'signal', signal: 1 }, false],
    [{ kind: 'code', code: 139 }, false],
    [{ kind: 'code', code: 1 }, false],
    [{ kind: 'reclaimed', reason: 'JETSAM_REASON_MEMORY_IDLE_EXIT' }, false],
    [{ kind: 'never' }, false],
    [{ kind: 'unknown' }, false],
  ])('%j -> %s', (exit, want) => {
    expect(isCrash(exit)).toBe(want);
  });
});

describe('explainExit', () => {
  it.each<[LastExit, RegExp[]]>([
    [{ kind: 'code', code: 0 }, [/exited normally/]],
    [{ kind: 'code', code: 78, name: 'EX_CONFIG' }, [/78 \(EX_CONFIG\)/, /could not set the job up or exec/, /absolute/, /Desktop/, /§9/]],
    [{ kind: 'code', code: 78 }, [/78 \(EX_CONFIG\)/]],
    [{ kind: 'code', code: 64 }, [/EX_USAGE/, /usage/]],
    [{ kind: 'code', code: 73 }, [/EX_CANTCREAT/]],
    [{ kind: 'code', code: 77 }, [/EX_NOPERM/, /permission denied/]],
    [{ kind: 'code', code: 126 }, [/found but is not executable/]],
    [{ kind: 'code', code: 127 }, [/not found/]],
    [{ kind: 'code', code: 137 }, [/signal 9 \(SIGKILL\)/]],
    [{ kind: 'code', code: 143 }, [/signal 15 \(SIGTERM\)/]],
    [{ kind: 'code', code: 1 }, [/status 1\b/, /stderr/]],
    [{ kind: 'signal', signal: 11, name: 'Segmentation fault' }, [/crashed/, /SIGSEGV/, /Segmentation fault/]],
    [{ kind: 'signal', signal: 10 }, [/crashed/, /SIGBUS/]],
    [{ kind: 'signal', signal: 15, name: 'Terminated' }, [/stopped/, /SIGTERM/, /bootout/, /kickstart -k/]],
    [{ kind: 'signal', signal: 9 }, [/stopped/, /SIGKILL/, /memory/]],
    [{ kind: 'signal', signal: 1, name: 'Hangup' }, [/killed by signal 1 \(SIGHUP, Hangup\)/]],
    [{ kind: 'signal', signal: 40 }, [/signal 40/]],
    [{ kind: 'reclaimed', reason: 'JETSAM_REASON_MEMORY_IDLE_EXIT' }, [/reclaimed/, /normal/]],
    [{ kind: 'reclaimed', reason: 'JETSAM_REASON_MEMORY_HIGHWATER' }, [/jetsam/, /HIGHWATER/]],
    [{ kind: 'never' }, [/not exited/]],
    [{ kind: 'unknown' }, [/could not be read/]],
  ])('%j', (exit, patterns) => {
    const text = explainExit(exit);
    for (const p of patterns) expect(text).toMatch(p);
  });

  it('does not call a SIGTERM a crash or a segfault a normal stop', () => {
    expect(explainExit({ kind: 'signal', signal: 15 })).not.toMatch(/crash/);
    expect(explainExit({ kind: 'signal', signal: 11 })).not.toMatch(/bootout/);
  });
});
