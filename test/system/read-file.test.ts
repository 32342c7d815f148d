import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { READ_LIMITS, readFileCapped, readFileCappedIfExists, readTail } from '../../src/system/read-file.js';
import { rotateLog } from '../../src/system/log-rotation.js';
import { thrown } from '../helpers/thrown.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lotusctl-read-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('readFileCapped', () => {
  it('reads a regular file; a missing one is fs.not-found (undefined from the IfExists form)', () => {
    writeFileSync(join(dir, 'f'), 'bytes');
    expect(readFileCapped(join(dir, 'f'), 'secret').toString()).toBe('bytes');
    expect(thrown(() => readFileCapped(join(dir, 'nope'), 'secret')).code).toBe('fs.not-found');
    expect(readFileCappedIfExists(join(dir, 'nope'), 'secret')).toBeUndefined();
    expect(readFileCappedIfExists(join(dir, 'f', 'child'), 'secret')).toBeUndefined();
  });

  it('refuses a file past its cap unread, with the size and the limit', () => {
    const big = join(dir, 'big');
    writeFileSync(big, '');
    truncateSync(big, READ_LIMITS.secret + 1);
    const e = thrown(() => readFileCapped(big, 'secret'));
    expect(e.code).toBe('fs.too-large');
    expect(e.message).toBe(`${big}: too large (65537 bytes, limit 65536 for a secret file)`);
    truncateSync(big, READ_LIMITS.secret);
    expect(readFileCapped(big, 'secret').length).toBe(READ_LIMITS.secret);
  });

  it('refuses a FIFO, a device, a symlink to a device and a directory without blocking', () => {
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    symlinkSync('/dev/zero', join(dir, 'zero'));
    mkdirSync(join(dir, 'd'));
    expect(thrown(() => readFileCapped(fifo, 'plist')).message).toBe(`${fifo}: not a regular file (a FIFO)`);
    expect(thrown(() => readFileCapped('/dev/null', 'plist')).message).toBe('/dev/null: not a regular file (a character device)');
    expect(thrown(() => readFileCapped(join(dir, 'zero'), 'plist')).message).toBe(`${join(dir, 'zero')}: not a regular file (a symlink to a character device)`);
    const d = thrown(() => readFileCapped(join(dir, 'd'), 'plist'));
    expect([d.code, d.message]).toEqual(['fs.not-a-file', `${join(dir, 'd')}: not a regular file (a directory)`]);
  });

  it.runIf(existsSync('/proc/self/status'))('refuses a /proc file that reports 0 bytes', () => {
    expect(thrown(() => readFileCapped('/proc/self/status', 'secret')).message).toMatch(/reports 0 bytes but has content/);
  });
});

describe('readTail', () => {
  it('reads only the last bytes of a log, undefined when missing, refuses a FIFO', () => {
    writeFileSync(join(dir, 'log'), `${'x'.repeat(100)}\nlast line\n`);
    expect(readTail(join(dir, 'log'), 10)?.toString()).toBe('last line\n');
    expect(readTail(join(dir, 'nope'), 10)).toBeUndefined();
    execFileSync('mkfifo', [join(dir, 'fifo')]);
    expect(thrown(() => readTail(join(dir, 'fifo'), 10)).code).toBe('fs.not-a-file');
  });
});

describe('rotateLog', () => {
  it('copies, truncates in place, shifts older copies, drops those past keep', () => {
    const log = join(dir, 'a.log');
    for (let i = 1; i <= 4; i++) {
      writeFileSync(log, `gen ${i}\n${'x'.repeat(50)}`);
      expect(rotateLog(log, 10, 2)).toMatchObject({ rotated: true, size: 56 });
      expect(readFileSync(log, 'utf8')).toBe('');
    }
    expect(readdirSync(dir).sort()).toEqual(['a.log', 'a.log.1', 'a.log.2']);
    expect(readFileSync(`${log}.1`, 'utf8')).toMatch(/^gen 4/);
    expect(readFileSync(`${log}.2`, 'utf8')).toMatch(/^gen 3/);
    writeFileSync(log, 'small');
    expect(rotateLog(log, 10, 2)).toEqual({ rotated: false, reason: 'small', size: 5 });
    writeFileSync(log, 'x'.repeat(20));
    expect(rotateLog(log, 10, 0)).toEqual({ rotated: true, size: 20 });
    expect(readdirSync(dir)).toEqual(['a.log']);
  });

  it('never follows a symlink at the log path or at <log>.1', () => {
    const target = join(dir, 'target');
    writeFileSync(target, 'y'.repeat(100));
    symlinkSync(target, join(dir, 'link.log'));
    expect(rotateLog(join(dir, 'link.log'), 10, 2)).toEqual({ rotated: false, reason: 'not-regular' });
    expect(readFileSync(target, 'utf8')).toHaveLength(100);
    const log = join(dir, 'b.log');
    writeFileSync(log, 'z'.repeat(100));
    symlinkSync(target, `${log}.1`);
    rotateLog(log, 10, 1);
    expect(readFileSync(target, 'utf8')).toBe('y'.repeat(100));
    expect(readFileSync(`${log}.1`, 'utf8')).toBe('z'.repeat(100));
  });
});
