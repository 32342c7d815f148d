import { describe, expect, it } from 'vitest';
import { parsePrintDisabled } from '../../src/launchd/parse-print-disabled.js';
import { readFixture } from '../helpers/fixtures.js';

describe('parsePrintDisabled', () => {
  it('reads the macOS 12 true/false spelling (true = disabled)', () => {
    expect(parsePrintDisabled(readFixture('print-disabled-system-legacy-truefalse-macos12.txt'))).toEqual({
      'com.apple.screensharing': false,
      'com.apple.CSCSupportd': true,
      'com.apple.ftpd': true,
      'com.apple.mdmclient.daemon.runatboot': true,
      'com.apple.dhcp6d': true,
      'com.apple.bootpd': true,
      'com.microsoft.autoupdate.helper': false,
      'com.apple.ftp-proxy': true,
    });
  });

  it('reads the macOS 13+ enabled/disabled spelling, with the leading blank line and indented block', () => {
    const text = readFixture('print-disabled-system-modern-enabled-disabled.txt');
    const got = parsePrintDisabled(text);
    const lines = text.split('\n').filter((l) => l.includes(' => '));
    expect(Object.keys(got)).toHaveLength(lines.length);
    expect(Object.keys(got)).toHaveLength(42);
    expect(Object.entries(got).filter(([, d]) => d).map(([l]) => l)).toEqual([
      'com.f-secure.fscreputationd',
      'com.apple.CSCSupportd',
      'com.apple.ftpd',
      'com.apple.mdmclient.daemon.runatboot',
      'com.f-secure.fscxfenced',
      'com.f-secure.fscesproviderd',
      'com.f-secure.sensord',
      'com.apple.smbd',
      'com.apple.bootpd',
      'com.f-secure.fsavd',
      'com.f-secure.rdrd',
    ]);
    expect(got['com.apple.AppleFileServer']).toBe(false);
    expect(got['_om.f-secure.XFENCEDaemon']).toBe(false);
    expect(got['Adobe_Genuine_Software_Integrity_Service']).toBe(false);
  });

  it('reads the disabled section inside a domain print', () => {
    expect(parsePrintDisabled(readFixture('print-domain-system-abridged-macos13or14.txt'))).toEqual({
      'com.apple.CSCSupportd': true,
      'com.apple.ftpd': true,
      'com.apple.mdmclient.daemon.runatboot': true,
    });
  });

  it('ignores `login item associations` and lines it cannot read', () => {
    const text = [
      'disabled services = {',
      '\t"com.example.a" => disabled',
      '\t"com.example.b" => enabled',
      '\t"com.example.c" => maybe',
      '\t"constructor" => sometimes',
      '\t"__proto__" => true',
      '\tnot a line',
      '\t"com.example.d" => DISABLED',
      '}',
      '',
      'login item associations = {',
      '\t"com.example.e" => "com.example.app"',
      '\t"com.example.f" => disabled',
      '}',
    ].join('\n');
    const got = parsePrintDisabled(text);
    expect(got).toEqual(Object.fromEntries([
      ['com.example.a', true],
      ['com.example.b', false],
      ['__proto__', true],
      ['com.example.d', true],
    ]));
    expect(Object.getPrototypeOf(got)).toBe(Object.prototype);
  });

  it('drops a label listed twice with different states', () => {
    expect(parsePrintDisabled('disabled services = {\n\t"a" => true\n\t"a" => enabled\n\t"b" => false\n\t"b" => enabled\n}')).toEqual({ b: false });
  });

  it.each(['', 'garbage', '{', 'disabled services = {'])('garbage %j gives no overrides', (text) => {
    expect(parsePrintDisabled(text)).toEqual({});
  });
});
