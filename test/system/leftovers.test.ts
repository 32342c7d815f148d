import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findLeftovers, findTempLeftovers, managedFolders, removeTempLeftover } from '../../src/system/leftovers.js';
import { lockPath } from '../../src/system/lock.js';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'lotusctl-leftovers-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** The pid of a process that has exited (and been reaped). */
async function deadPid(): Promise<number> {
  const child = spawn('true');
  await new Promise((r) => child.once('exit', r));
  return child.pid as number;
}

const touch = (p: string, body = 'x') => {
  writeFileSync(p, body);
  return p;
};

describe('temporary files crashed runs left', () => {
  it('only names atomic-file writes, only when the writer is proven gone; never symlinks or folders', async () => {
    const dead = await deadPid();
    const agents = join(root, 'LaunchAgents');
    mkdirSync(agents);
    const gone = touch(join(agents, `.com.example.daemon.plist.${dead}.0123456789ab.tmp`));
    const mine = touch(join(agents, `.com.example.daemon.plist.${process.pid}.0123456789ab.tmp`));
    // Our pid, but written before this process started: a predecessor with the same pid (pid reuse).
    const before = touch(join(agents, `.com.example.helper.plist.${process.pid}.ba9876543210.tmp`));
    const longAgo = new Date(Date.now() - process.uptime() * 1000 - 60_000);
    utimesSync(before, longAgo, longAgo);
    touch(join(agents, `.com.example.other.plist.tmp`));
    touch(join(agents, `com.example.daemon.plist.${dead}.0123456789ab.tmp`));
    symlinkSync('/etc/hostname', join(agents, `.link.${dead}.0123456789ab.tmp`));
    mkdirSync(join(agents, `.dir.${dead}.0123456789ab.tmp`));

    const found = await findTempLeftovers([agents, join(root, 'missing')]);
    expect(found).toEqual([
      { kind: 'temp-file', path: gone, pid: dead, message: `temporary file of lotusctl pid ${dead}, which is no longer running; apply removes it` },
      { kind: 'temp-file', path: before, pid: process.pid, message: `temporary file of lotusctl pid ${process.pid}, which is no longer running (pid ${process.pid} now belongs to a later process); apply removes it` },
    ].sort((a, b) => a.path.localeCompare(b.path)));
    expect(existsSync(mine)).toBe(true);
    for (const l of found) expect(removeTempLeftover(l)).toBe(true);
    expect(removeTempLeftover(found[0]!)).toBe(false);
    expect(existsSync(gone) || existsSync(before)).toBe(false);
  });

  it('managed folders: the state dir, its journal and each backups/<label>, the plists folders and extras', () => {
    const state = join(root, 'state');
    mkdirSync(join(state, 'backups', 'com.example.daemon'), { recursive: true });
    expect(managedFolders(state, [join(root, 'Agents/a.plist'), join(root, 'Agents/b.plist')], [join(root, 'reports')])).toEqual([
      join(root, 'Agents'), join(root, 'reports'), state, join(state, 'backups'), join(state, 'backups/com.example.daemon'), join(state, 'journal'),
    ].sort());
  });

  it('findLeftovers names a stale lock and the temporary files, in the state dir and its backups', async () => {
    const dead = await deadPid();
    const state = join(root, 'state');
    mkdirSync(join(state, 'backups', 'com.x'), { recursive: true });
    writeFileSync(lockPath(state), JSON.stringify({ id: 'abc', pid: dead, host: (await import('node:os')).hostname(), command: 'apply', user: 'u', since: 'x' }));
    const tmp = touch(join(state, 'backups', 'com.x', `.20261130T090000000Z-01234567.plist.${dead}.0123456789ab.tmp`));
    const found = await findLeftovers(state, []);
    expect(found.map((l) => [l.kind, l.path])).toEqual([['stale-lock', lockPath(state)], ['temp-file', tmp]]);
    expect(found[0]?.message).toBe(`the state lock of lotusctl apply pid ${dead}, which is no longer running; apply takes it over`);
  });
});
