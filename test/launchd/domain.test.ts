import { describe, expect, it } from 'vitest';
import {
  assertValidLabel,
  domainTarget,
  isValidLabel,
  LABEL_PATTERN,
  parseDomainTarget,
  parseServiceTarget,
  plistDirFor,
  serviceTarget,
  type DomainTarget,
} from '../../src/launchd/domain.js';
import { isLotusctlError } from '../../src/model/errors.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return isLotusctlError(e) ? e.code : 'not-a-lotusctl-error';
  }
  return undefined;
}

describe('domainTarget / serviceTarget', () => {
  it.each<[DomainTarget, string]>([
    [{ kind: 'gui', uid: 501 }, 'gui/501'],
    [{ kind: 'user', uid: 501 }, 'user/501'],
    [{ kind: 'user', uid: 0 }, 'user/0'],
    [{ kind: 'system' }, 'system'],
  ])('%j -> %s', (d, want) => {
    expect(domainTarget(d)).toBe(want);
    expect(serviceTarget(d, 'com.example.lotus')).toBe(`${want}/com.example.lotus`);
  });

  it.each<[string, DomainTarget]>([
    ['gui without uid', { kind: 'gui' }],
    ['user without uid', { kind: 'user' }],
    ['negative uid', { kind: 'gui', uid: -1 }],
    ['fractional uid', { kind: 'user', uid: 1.5 }],
    ['NaN uid', { kind: 'gui', uid: Number.NaN }],
    ['system with uid', { kind: 'system', uid: 0 }],
  ])('rejects %s', (_name, d) => {
    expect(codeOf(() => domainTarget(d))).toBe('launchd.invalid-domain');
  });

  it('rejects an invalid label before building a service target', () => {
    expect(codeOf(() => serviceTarget({ kind: 'gui', uid: 501 }, '../evil'))).toBe('launchd.invalid-label');
    expect(codeOf(() => assertValidLabel('a b'))).toBe('launchd.invalid-label');
    expect(codeOf(() => assertValidLabel('com.example.ok'))).toBeUndefined();
  });
});

describe('parseDomainTarget', () => {
  it.each<[string, DomainTarget | undefined]>([
    ['system', { kind: 'system' }],
    ['gui/501', { kind: 'gui', uid: 501 }],
    ['user/0', { kind: 'user', uid: 0 }],
    ['user/4294967294', { kind: 'user', uid: 4294967294 }],
    ['gui/', undefined],
    ['gui', undefined],
    ['gui/abc', undefined],
    ['gui/-1', undefined],
    ['gui/0501', undefined],
    ['gui/501/com.example.x', undefined],
    ['system/', undefined],
    ['system/com.example.x', undefined],
    ['pid/599', undefined],
    ['login/100017', undefined],
    [' system', undefined],
    ['System', undefined],
    ['', undefined],
  ])('%j -> %j', (s, want) => {
    expect(parseDomainTarget(s)).toEqual(want);
  });

  it('round-trips every target it builds', () => {
    for (const d of [{ kind: 'gui', uid: 501 }, { kind: 'user', uid: 0 }, { kind: 'system' }] as DomainTarget[]) {
      expect(parseDomainTarget(domainTarget(d))).toEqual(d);
    }
  });
});

describe('parseServiceTarget', () => {
  it.each<[string, ReturnType<typeof parseServiceTarget>]>([
    ['gui/501/com.example.lotus', { domain: { kind: 'gui', uid: 501 }, label: 'com.example.lotus' }],
    ['system/org.nixos.nix-daemon', { domain: { kind: 'system' }, label: 'org.nixos.nix-daemon' }],
    ['user/501/a', { domain: { kind: 'user', uid: 501 }, label: 'a' }],
    ['gui/501', undefined],
    ['gui/501/', undefined],
    ['gui/501/a/b', undefined],
    ['com.example.lotus', undefined],
  ])('%j -> %j', (s, want) => {
    expect(parseServiceTarget(s)).toEqual(want);
  });
});

describe('isValidLabel', () => {
  it.each([
    'com.example.lotus',
    'io.filecoin.lotus-daemon',
    'io.filecoin.lotus_miner',
    'a',
    '0',
    'Lotus2',
    'com.example.',
    'x'.repeat(249),
  ])('accepts %j', (label) => {
    expect(isValidLabel(label)).toBe(true);
    expect(LABEL_PATTERN.test(label)).toBe(true);
  });

  it.each([
    ['empty', ''],
    ['dot prefix', '.hidden'],
    ['dash prefix', '-rf'],
    ['underscore prefix', '_x'],
    ['double dot', 'com..example'],
    ['parent dir', '..'],
    ['slash', 'com/example'],
    ['traversal', '../../etc/passwd'],
    ['space', 'com.example lotus'],
    ['tab', 'com.example\tlotus'],
    ['newline', 'com.example\nlotus'],
    ['trailing newline', 'com.example.lotus\n'],
    ['NUL', 'com.example\0lotus'],
    ['control char', 'com.example\x7flotus'],
    ['quote', 'com."example"'],
    ['non-ASCII', 'com.exämple'],
    ['colon', 'com:example'],
    // `<label>.plist` must fit a 255-byte file name.
    ['250 chars', 'x'.repeat(250)],
  ])('rejects %s', (_name, label) => {
    expect(isValidLabel(label)).toBe(false);
  });
});

describe('plistDirFor', () => {
  it.each<[Parameters<typeof plistDirFor>, string]>([
    [['gui', '/Users/alice'], '/Users/alice/Library/LaunchAgents'],
    [['user', '/Users/alice/'], '/Users/alice/Library/LaunchAgents'],
    [['system', '/Users/alice'], '/Library/LaunchDaemons'],
    [['system', '/Users/alice', '/tmp/sandbox/LaunchDaemons'], '/tmp/sandbox/LaunchDaemons'],
    [['gui', '/tmp/sandbox/home', '/tmp/sandbox/LaunchDaemons'], '/tmp/sandbox/home/Library/LaunchAgents'],
  ])('%j -> %s', (args, want) => {
    expect(plistDirFor(...args)).toBe(want);
  });
});
