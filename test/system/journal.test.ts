import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clearJournalEntry, journalDir, readJournal, writeJournalEntry, type JournalEntry } from '../../src/system/journal.js';
import { thrown } from '../helpers/thrown.js';

let state: string;
beforeEach(() => {
  state = join(mkdtempSync(join(tmpdir(), 'lotusctl-journal-')), 'state');
});
afterEach(() => rmSync(join(state, '..'), { recursive: true, force: true }));

const entry = (label: string, more: Partial<JournalEntry> = {}): JournalEntry => ({
  label, service: 'daemon', kind: 'service', domain: { kind: 'gui', uid: 501 }, plistPath: `/Users/a/Library/LaunchAgents/${label}.plist`, target: 'running',
  owner: { spec: '/Users/a/lotus.yaml', name: 'mainnet' },
  digest: 'd'.repeat(64), previous: { digest: 'p'.repeat(64), state: 'running' }, onDiskDigest: 'o'.repeat(64), sensitiveKeys: ['B', 'A'],
  command: 'lotusctl apply --auto-approve', pid: 4242, startedAt: '2026-11-30T09:00:00.000Z', lockId: 'L1', ...more,
});

describe('the apply journal', () => {
  it('writes one owner-only entry per label, reads them back sorted, replaces and clears them', () => {
    expect(readJournal(state)).toEqual([]);
    writeJournalEntry(state, entry('com.b'));
    writeJournalEntry(state, entry('com.a', { target: 'absent', digest: undefined, previous: undefined, onDiskDigest: undefined }));
    expect(statSync(join(journalDir(state), 'com.b.json')).mode & 0o777).toBe(0o600);
    expect(statSync(journalDir(state)).mode & 0o777).toBe(0o700);
    const { digest: _d, previous: _p, onDiskDigest: _o, ...absent } = entry('com.a', { target: 'absent' });
    const at = (label: string) => join(journalDir(state), `${label}.json`);
    expect(readJournal(state)).toEqual([{ ...absent, sensitiveKeys: ['A', 'B'], path: at('com.a') }, { ...entry('com.b'), sensitiveKeys: ['A', 'B'], path: at('com.b') }]);
    const moving = entry('com.c', { from: { label: 'com.old', domain: { kind: 'system' }, plistPath: '/Library/LaunchDaemons/com.old.plist' } });
    writeJournalEntry(state, moving);
    expect(readJournal(state).find((e) => e.label === 'com.c')).toEqual({ ...moving, sensitiveKeys: ['A', 'B'], path: at('com.c') });
    clearJournalEntry(state, 'com.c');
    writeJournalEntry(state, entry('com.b', { pid: 7 }));
    expect(readJournal(state).map((e) => [e.label, e.pid])).toEqual([['com.a', 4242], ['com.b', 7]]);
    clearJournalEntry(state, 'com.b');
    clearJournalEntry(state, 'com.b');
    expect(readJournal(state).map((e) => e.label)).toEqual(['com.a']);
    expect(readdirSync(journalDir(state))).toEqual(['com.a.json']);
  });

  it('a damaged entry is an error naming it, never silently skipped (it would hide an interrupted step)', () => {
    mkdirSync(journalDir(state), { recursive: true });
    writeFileSync(join(journalDir(state), 'com.x.json'), '{"format_version":1');
    const err = thrown(() => readJournal(state));
    expect(err.code).toBe('journal.corrupt');
    expect(err.message).toContain('com.x.json');
  });

  it('an entry is refused unless it names a valid label, its own file name, and <label>.plist paths (lotusctl may remove them)', () => {
    mkdirSync(journalDir(state), { recursive: true });
    const doc = (over: Record<string, unknown>) => JSON.stringify({
      format_version: 1, label: 'com.x', service: 'daemon', kind: 'service', domain: { kind: 'gui', uid: 501 }, plist_path: '/Users/a/Library/LaunchAgents/com.x.plist',
      target: 'running', owner: { spec: '/Users/a/lotus.yaml' }, sensitive_keys: [], command: 'c', pid: 1, started_at: 't', lock_id: 'L', ...over,
    });
    writeFileSync(join(journalDir(state), 'com.x.json'), doc({}));
    expect(readJournal(state).map((e) => e.label)).toEqual(['com.x']);
    for (const bad of [{ plist_path: '/Users/a/.profile' }, { label: 'com.y' }, { owner: undefined }, { from: { label: 'com.o', domain: { kind: 'system' }, plist_path: '/etc/passwd' } }]) {
      writeFileSync(join(journalDir(state), 'com.x.json'), doc(bad));
      expect(thrown(() => readJournal(state)).code, JSON.stringify(bad)).toBe('journal.corrupt');
    }
  });

  it('refuses a label that would leave the journal folder', () => {
    expect(thrown(() => writeJournalEntry(state, entry('../evil'))).code).toBe('journal.bad-label');
  });
});
