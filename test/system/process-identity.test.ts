import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  currentBoot, judgeLiveness, liveness, parseLstart, parseProcBtime, parseProcStat, pidExists, processStart, selfRecord,
  type LivenessFacts, type ProcessRecord,
} from '../../src/system/process-identity.js';
import { bootSessionUuid, parseBootSessionUuid } from '../../src/system/sysctl.js';

const BOOT = '6C1F3A2E-0000-4000-8000-00000000000A';
const rec = (r: Partial<ProcessRecord> = {}): ProcessRecord => ({ pid: 4242, host: 'mac', start: 'S', boot: BOOT, ...r });
const facts = (f: Partial<LivenessFacts> = {}): LivenessFacts => ({ host: 'mac', boot: BOOT, exists: true, start: 'S', networkVolume: false, ...f });

describe('judgeLiveness: dead needs proof, a live holder is never dead', () => {
  it.each<[string, ProcessRecord, LivenessFacts, string, string]>([
    ['same process', rec(), facts(), 'alive', 'which is still running'],
    ['pid gone', rec(), facts({ exists: false, start: undefined }), 'dead', 'which is no longer running'],
    ['pid reused (another start time)', rec(), facts({ start: 'T' }), 'dead', 'which is no longer running (pid 4242 now belongs to another process)'],
    ['start unreadable now: cannot prove', rec(), facts({ start: undefined }), 'alive', 'which is still running'],
    ['machine restarted since (local volume)', rec(), facts({ boot: 'OTHER' }), 'dead', 'which is no longer running (the machine has restarted since)'],
    ['host renamed, same boot: same machine', rec({ host: 'old.local' }), facts({ exists: false }), 'dead', 'which is no longer running'],
    ['another host', rec({ host: 'mac-2' }), facts({ boot: 'OTHER', exists: false }), 'unknown', 'it was taken on host mac-2, whose processes this machine cannot see'],
    ['another host, boots unknown', rec({ host: 'mac-2', boot: undefined }), facts({ exists: false }), 'unknown', 'it was taken on host mac-2, whose processes this machine cannot see'],
    ['network volume, other boot', rec(), facts({ boot: 'OTHER', networkVolume: true }), 'unknown', 'the state folder is on a network volume, which another machine may share'],
    ['network volume, same boot: pids are ours', rec(), facts({ exists: false, networkVolume: true }), 'dead', 'which is no longer running'],
    ['volume cannot be told, no boot recorded', rec({ boot: undefined }), facts({ exists: false, networkVolume: undefined }), 'unknown', 'lotusctl cannot tell whether the state folder is on a volume another machine shares'],
    ['older record (no start, no boot), pid gone', rec({ start: undefined, boot: undefined }), facts({ exists: false }), 'dead', 'which is no longer running'],
    ['older record, pid exists', rec({ start: undefined, boot: undefined }), facts(), 'alive', 'which is still running'],
    ['no pid', rec({ pid: 0 }), facts(), 'unknown', 'it records no pid'],
  ])('%s', (_name, r, f, verdict, why) => {
    expect(judgeLiveness(r, f)).toEqual({ verdict, why });
  });
});

describe('parsers', () => {
  it('/proc/<pid>/stat: starttime is field 22, after a command name with spaces and parentheses', () => {
    const fields = Array.from({ length: 50 }, (_, i) => String(i + 3));
    fields[19] = '987654';
    expect(parseProcStat(`1234 (node (worker) x) ${fields.join(' ')}`)).toBe('987654');
    expect(parseProcStat('1234 (short) S 1')).toBeUndefined();
    expect(parseProcStat('garbage')).toBeUndefined();
  });

  it('/proc/stat btime', () => {
    expect(parseProcBtime('cpu  1 2 3\nbtime 1764547200\nprocesses 9\n')).toBe(1764547200);
    expect(parseProcBtime('cpu 1\n')).toBeUndefined();
  });

  it('ps lstart in the C locale and UTC (macOS)', () => {
    expect(parseLstart('Mon Nov 30 09:00:00 2026')).toBe(Date.UTC(2026, 10, 30, 9, 0, 0));
    expect(parseLstart('Tue Dec  1 01:02:03 2026')).toBe(Date.UTC(2026, 11, 1, 1, 2, 3));
    expect(parseLstart('lundi 30 novembre 2026')).toBeUndefined();
  });

  it('the boot session through sysctl (macOS), with a stand-in sysctl; none elsewhere or when sysctl fails', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lotusctl-sysctl-'));
    try {
      const fake = join(dir, 'sysctl');
      writeFileSync(fake, '#!/bin/sh\n[ "$1 $2" = "-n kern.bootsessionuuid" ] && echo 6c1f3a2e-0000-4000-8000-00000000000a\n');
      chmodSync(fake, 0o755);
      expect(await bootSessionUuid({ platform: 'darwin', sysctl: fake })).toBe(BOOT);
      expect(await bootSessionUuid({ platform: 'darwin', sysctl: join(dir, 'none') })).toBeUndefined();
      expect(await bootSessionUuid({ platform: 'linux', sysctl: fake })).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('sysctl -n kern.bootsessionuuid (macOS)', () => {
    expect(parseBootSessionUuid('6c1f3a2e-0000-4000-8000-00000000000a\n')).toBe(BOOT);
    expect(parseBootSessionUuid('')).toBeUndefined();
    expect(parseBootSessionUuid('{ sec = 1700000000, usec = 1 }')).toBeUndefined();
  });
});

describe('this machine (Linux: /proc)', () => {
  it('reads this process: a start token and time, the boot id; a child gets its own start', async () => {
    const me = await selfRecord();
    expect(me).toMatchObject({ pid: process.pid, host: hostname() });
    expect(me.start).toMatch(/^\d+$/);
    expect(me.boot).toBe(await currentBoot());
    const start = await processStart(process.pid);
    expect(Math.abs((start?.atMs ?? 0) - (Date.now() - process.uptime() * 1000))).toBeLessThan(5000);
    expect(await liveness(me, process.cwd())).toEqual({ verdict: 'alive', why: 'which is still running' });
  });

  it('a killed child is dead; a record with another start time for a live pid is dead (pid reuse)', async () => {
    const child = spawn('sleep', ['30']);
    await new Promise((r) => child.once('spawn', r));
    const pid = child.pid as number;
    const r: ProcessRecord = { pid, host: hostname(), start: (await processStart(pid))?.token, boot: await currentBoot() };
    expect((await liveness(r, process.cwd())).verdict).toBe('alive');
    expect((await liveness({ ...r, start: 'earlier' }, process.cwd())).verdict).toBe('dead');
    child.kill('SIGKILL');
    await new Promise((res) => child.once('exit', res));
    expect(pidExists(pid)).toBe(false);
    expect(await liveness(r, process.cwd())).toEqual({ verdict: 'dead', why: 'which is no longer running' });
  });
});
