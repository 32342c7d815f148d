import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backupFile, listBackups, restoreBackup } from '../../src/system/backups.js';
import { thrown } from '../helpers/thrown.js';

const LABEL = 'io.filecoin.lotus.daemon';
const d8 = (s: string): string => createHash('sha256').update(s).digest('hex').slice(0, 8);
const at = (iso: string): Date => new Date(iso);
const modeOf = (p: string): number => statSync(p).mode & 0o7777;
const text = (p: string): string => readFileSync(p, 'utf8');

let root: string;
let stateDir: string;
let source: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'lotusctl-backups-'));
  stateDir = join(root, 'state');
  source = join(root, `${LABEL}.plist`);
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

/** Backs up `content` as the source's current bytes at time `iso`. */
function backup(content: string, iso: string, keep?: number): string | undefined {
  writeFileSync(source, content);
  return backupFile(stateDir, LABEL, source, { now: at(iso), ...(keep === undefined ? {} : { keep }) });
}

describe('backupFile', () => {
  it('returns undefined and creates nothing when the source does not exist', () => {
    expect(backupFile(stateDir, LABEL, source)).toBeUndefined();
    expect(existsSync(stateDir)).toBe(false);
    expect(listBackups(stateDir, LABEL)).toEqual([]);
  });

  it('names the copy <stamp>-<digest8>.plist under backups/<label>, mode 0600 whatever the umask', () => {
    writeFileSync(source, '<plist>v1</plist>');
    chmodSync(source, 0o644);
    const previous = process.umask(0o000);
    let path: string | undefined;
    try {
      path = backupFile(stateDir, LABEL, source, { now: at('2026-11-30T09:00:00.123Z') });
    } finally {
      process.umask(previous);
    }
    expect(path).toBe(join(stateDir, 'backups', LABEL, `20261130T090000123Z-${d8('<plist>v1</plist>')}.plist`));
    expect(text(path!)).toBe('<plist>v1</plist>');
    expect(modeOf(path!)).toBe(0o600);
    expect(modeOf(dirname(path!))).toBe(0o700);
    expect(readdirSync(dirname(path!))).toEqual([basename(path!)]);
  });

  it.each<[string, number | undefined, number]>([
    ['default keeps 5', undefined, 5],
    ['keep 2', 2, 2],
    ['keep 1', 1, 1],
  ])('%s: the newest generations survive, newest first', (_name, keep, kept) => {
    const made = [1, 2, 3, 4, 5, 6, 7].map((i) => backup(`v${i}`, `2026-11-30T09:00:0${i}.000Z`, keep));
    const list = listBackups(stateDir, LABEL);
    expect(list).toEqual(made.slice(-kept).reverse());
    expect(list.map(text)).toEqual(['v7', 'v6', 'v5', 'v4', 'v3', 'v2', 'v1'].slice(0, kept));
    expect(readdirSync(join(stateDir, 'backups', LABEL))).toHaveLength(kept);
  });

  it('does not add a copy when the newest backup holds the same bytes (a retried apply)', () => {
    const first = backup('same', '2026-11-30T09:00:00.000Z');
    const second = backup('same', '2026-11-30T09:05:00.000Z');
    expect(second).toBe(first);
    expect(listBackups(stateDir, LABEL)).toEqual([first]);
    // Only the newest counts: A, B, A is three generations.
    backup('other', '2026-11-30T09:06:00.000Z');
    backup('same', '2026-11-30T09:07:00.000Z');
    expect(listBackups(stateDir, LABEL).map(text)).toEqual(['same', 'other', 'same']);
  });

  it.each<[string, string]>([
    ['same millisecond', '2026-11-30T09:00:00.500Z'],
    ['clock stepped back', '2026-11-30T08:00:00.000Z'],
  ])('%s: the new backup still sorts newest and survives pruning', (_name, secondAt) => {
    backup('first', '2026-11-30T09:00:00.500Z');
    const second = backup('second', secondAt, 1);
    expect(basename(second!)).toBe(`20261130T090000501Z-${d8('second')}.plist`);
    expect(listBackups(stateDir, LABEL)).toEqual([second]);
    expect(text(second!)).toBe('second');
  });

  it.each(['', '.', '..', '../etc', 'a/b', 'a..b', 'a\\b', 'a\0b'])('refuses the unsafe label %j as a bug', (label) => {
    writeFileSync(source, 'x');
    expect(thrown(() => backupFile(stateDir, label, source)).code).toBe('internal');
    expect(thrown(() => listBackups(stateDir, label)).code).toBe('internal');
    expect(existsSync(stateDir)).toBe(false);
  });

  it.each([0, -1, 2.5])('refuses keep %s as a bug', (keep) => {
    writeFileSync(source, 'x');
    expect(thrown(() => backupFile(stateDir, LABEL, source, { keep })).code).toBe('internal');
  });
});

describe('listBackups', () => {
  it('ignores files not named like a backup, and other labels', () => {
    const mine = backup('v1', '2026-11-30T09:00:00.000Z');
    const dir = join(stateDir, 'backups', LABEL);
    for (const stray of ['notes.txt', '20261130T090000000Z-xyz.plist', '.20261130T090000000Z-deadbeef.plist.123.tmp']) writeFileSync(join(dir, stray), '');
    mkdirSync(join(stateDir, 'backups', 'other.label'));
    writeFileSync(join(stateDir, 'backups', 'other.label', `20991231T235959999Z-${d8('')}.plist`), '');
    expect(listBackups(stateDir, LABEL)).toEqual([mine]);
    expect(listBackups(stateDir, 'never.backed.up')).toEqual([]);
  });
});

describe('restoreBackup', () => {
  it.each([['0644', 0o644], ['0600', 0o600]] as const)('writes the backup bytes over the target with exactly mode %s, leaving no debris', (_name, mode) => {
    const b = backup('<plist>good</plist>', '2026-11-30T09:00:00.000Z')!;
    const target = join(root, 'LaunchAgents', `${LABEL}.plist`);
    mkdirSync(dirname(target));
    writeFileSync(target, '<plist>bad</plist>');
    chmodSync(target, 0o777);
    const previous = process.umask(0o077);
    try {
      restoreBackup(b, target, mode);
    } finally {
      process.umask(previous);
    }
    expect(text(target)).toBe('<plist>good</plist>');
    expect(modeOf(target)).toBe(mode);
    expect(readdirSync(dirname(target))).toEqual([`${LABEL}.plist`]);
    expect(text(b)).toBe('<plist>good</plist>');
  });

  it('fails with backup.missing when the backup is gone', () => {
    const err = thrown(() => restoreBackup(join(root, 'gone.plist'), join(root, 'target'), 0o644));
    expect(err.code).toBe('backup.missing');
    expect(existsSync(join(root, 'target'))).toBe(false);
  });

  it('fails with backup.corrupt when the bytes no longer match the digest in the name, leaving the target alone', () => {
    const b = backup('<plist>good</plist>', '2026-11-30T09:00:00.000Z')!;
    writeFileSync(b, '<plist>tampered</plist>');
    const target = join(root, 'target.plist');
    writeFileSync(target, 'current');
    const err = thrown(() => restoreBackup(b, target, 0o644));
    expect(err.code).toBe('backup.corrupt');
    expect(text(target)).toBe('current');
  });
});
