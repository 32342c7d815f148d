import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cronMaxGapMs } from '../../src/spec/cron.js';
import { freeSpace, nearestExisting, volumeOf } from '../../src/system/disk.js';
import { maxFilesPerProc } from '../../src/system/sysctl.js';
import { quarantineFlag } from '../../src/system/xattr.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lotusctl-mac-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('macOS-only facts are unknown elsewhere, never ok', () => {
  it('quarantine and kern.maxfilesperproc', async () => {
    expect(await quarantineFlag('/bin/sh', { platform: 'linux' })).toEqual({ kind: 'unknown', why: 'quarantine flags are macOS extended attributes; not available on linux' });
    expect(await maxFilesPerProc({ platform: 'linux' })).toEqual({ kind: 'unknown', why: 'kern.maxfilesperproc is a macOS sysctl; not available on linux' });
    expect(await quarantineFlag('/bin/sh', { platform: 'darwin', xattr: join(dir, 'none') })).toEqual({ kind: 'unknown', why: 'xattr is not available here' });
    expect(await maxFilesPerProc({ platform: 'darwin', sysctl: join(dir, 'none') })).toEqual({ kind: 'unknown', why: 'sysctl is not available here' });
  });
});

describe('volumes and free space', () => {
  it('a folder under the volumes root on the same device is not a mounted volume', () => {
    mkdirSync(join(dir, 'Chain'));
    expect(volumeOf(join(dir, 'Chain/lotus'), dir)).toEqual({ kind: 'not-mounted', volume: join(dir, 'Chain'), exists: true });
    expect(volumeOf(join(dir, 'Gone/lotus'), dir)).toEqual({ kind: 'not-mounted', volume: join(dir, 'Gone'), exists: false });
    expect(volumeOf('/Users/ann/.lotus', dir)).toEqual({ kind: 'boot' });
    // /proc is another file system than /: what a mounted volume looks like.
    expect(volumeOf('/proc/self', '/')).toEqual({ kind: 'mounted', volume: '/proc' });
  });

  it('free space of a path that does not exist yet is that of its nearest existing parent', () => {
    expect(nearestExisting(join(dir, 'a/b/c'))).toBe(dir);
    const f = freeSpace(join(dir, 'a/b'));
    expect(f?.checked).toBe(dir);
    expect(f!.availableBytes).toBeGreaterThan(0);
    expect(f!.totalBytes).toBeGreaterThanOrEqual(f!.availableBytes);
  });
});

describe('cronMaxGapMs', () => {
  const from = new Date(2026, 7, 5, 12, 0).getTime(); // a Wednesday, local time
  it.each([
    ['*/5 * * * *', 5 * 60_000],
    ['0 0 * * *', 86_400_000],
    ['0 9 * * 1-5', 3 * 86_400_000],
    ['*/10 * * * * *', 60_000],
    ['0 0 1 1 *', 8 * 86_400_000],
  ])('%s', (expr, gap) => {
    expect(cronMaxGapMs(expr, from)).toBe(gap);
  });
});
