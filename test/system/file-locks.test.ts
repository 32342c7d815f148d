import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { devMajorMinor, fcntlLockHolder, parseLsofLocks, parseProcLocks } from '../../src/system/file-locks.js';
import { holdFcntlLock } from '../helpers/fcntl-lock.js';

let dir: string;
let holder: ChildProcess | undefined;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lotusctl-locks-'));
});
afterEach(() => {
  holder?.kill('SIGKILL');
  holder = undefined;
  rmSync(dir, { recursive: true, force: true });
});

describe('who holds an fcntl lock', () => {
  it('parses /proc/locks (waiters are not holders) and lsof -F pfl', () => {
    expect(parseProcLocks('1: POSIX  ADVISORY  WRITE 3658 fe:00:2146324 0 EOF\n1: -> POSIX  ADVISORY  WRITE 3700 fe:00:2146324 0 EOF\n2: FLOCK  ADVISORY  WRITE 12 00:1f:5 0 EOF\n'))
      .toEqual([{ type: 'POSIX', pid: 3658, major: 0xfe, minor: 0, ino: 2146324n }, { type: 'FLOCK', pid: 12, major: 0, minor: 0x1f, ino: 5n }]);
    expect(parseLsofLocks('p3658\nf3\nlW\n')).toEqual({ held: 3658, open: [3658] });
    expect(parseLsofLocks('p10\nf4\nl \np11\nf5\n')).toEqual({ open: [10, 11] });
    expect(devMajorMinor(65024n)).toEqual({ major: 254, minor: 0 });
  });

  it('finds the pid of a live holder, and "free" once it is gone (Linux: /proc/locks; lsof as on macOS)', async () => {
    const p = join(dir, 'repo.lock');
    writeFileSync(p, '');
    expect(await fcntlLockHolder(p)).toEqual({ kind: 'free', via: 'proc-locks' });
    holder = await holdFcntlLock(p);
    expect(await fcntlLockHolder(p)).toMatchObject({ kind: 'held', pid: holder.pid, via: 'proc-locks' });
    // The macOS path: lsof's lock column.
    expect(await fcntlLockHolder(p, { platform: 'darwin', uid: 0 })).toEqual({ kind: 'held', pid: holder.pid, via: 'lsof' });
    holder.kill('SIGKILL');
    await new Promise((r) => holder!.once('exit', r));
    expect(await fcntlLockHolder(p)).toEqual({ kind: 'free', via: 'proc-locks' });
    expect(await fcntlLockHolder(p, { platform: 'darwin', uid: 501 })).toEqual({ kind: 'free', via: 'lsof', scope: "lsof run as uid 501 sees only that user's processes" });
  });

  it('without /proc/locks or lsof the answer is unknown, never free', async () => {
    const p = join(dir, 'repo.lock');
    writeFileSync(p, '');
    expect(await fcntlLockHolder(p, { platform: 'darwin', lsof: join(dir, 'no-lsof') })).toEqual({ kind: 'unknown', why: 'lsof is not available here' });
  });
});
