import { describe, expect, it } from 'vitest';
import { parseDomainPrint, type DomainService } from '../../src/launchd/parse-domain-print.js';
import { readFixture } from '../helpers/fixtures.js';

describe('parseDomainPrint', () => {
  it('reads the abridged macOS 13/14 system domain capture', () => {
    expect(parseDomainPrint(readFixture('print-domain-system-abridged-macos13or14.txt'))).toEqual({
      name: 'system',
      type: 'system',
      activeCount: 742,
      serviceCount: 380,
      subdomains: ['pid/39576', 'user/0'],
      services: [
        { label: 'com.apple.lskdd', lastStatus: { kind: 'never' } },
        { label: 'com.apple.runningboardd', pid: 184, lastStatus: { kind: 'never' } },
        { label: 'com.apple.relatived', lastStatus: { kind: 'never' } },
      ],
      disabled: { 'com.apple.CSCSupportd': true, 'com.apple.ftpd': true, 'com.apple.mdmclient.daemon.runatboot': true },
      properties: ['uncorked', 'audit check done', 'bootcache hack'],
    });
  });

  it.each<[string, DomainService | undefined]>([
    ['               0      -     com.apple.lskdd', { label: 'com.apple.lskdd', lastStatus: { kind: 'never' } }],
    ['             184      -     com.apple.runningboardd', { label: 'com.apple.runningboardd', pid: 184, lastStatus: { kind: 'never' } }],
    ['               0      1     com.example.fails', { label: 'com.example.fails', lastStatus: { kind: 'code', code: 1 } }],
    ['               0     78     com.example.cfg', { label: 'com.example.cfg', lastStatus: { kind: 'code', code: 78 } }],
    ['               0     -9     com.example.killed', { label: 'com.example.killed', lastStatus: { kind: 'signal', signal: 9 } }],
    ['               0   (pe)     com.example.idle', { label: 'com.example.idle', lastStatus: { kind: 'pressured-exit' } }],
    ['               0   what     com.example.odd', { label: 'com.example.odd', lastStatus: { kind: 'unknown' } }],
    ['             abc      0     com.example.nopid', { label: 'com.example.nopid', lastStatus: { kind: 'code', code: 0 } }],
    ['0\t-\tcom.example.tabs', { label: 'com.example.tabs', lastStatus: { kind: 'never' } }],
    ['       0    -', undefined],
  ])('services row %j', (row, want) => {
    const d = parseDomainPrint(`gui/501 = {\n\tservices = {\n\t${row}\n\t}\n}\n`);
    expect(d.services).toEqual(want === undefined ? [] : [want]);
  });

  it('reads an empty pid-domain properties line and no sections', () => {
    expect(parseDomainPrint('pid/599 = {\n\ttype = pid\n\tproperties = \n}\n')).toEqual({
      name: 'pid/599',
      type: 'pid',
      services: [],
      disabled: {},
      properties: [],
      subdomains: [],
    });
  });

  it('flags a cut-off paste and keeps the rows read before the cut', () => {
    const d = parseDomainPrint('gui/501 = {\n\tservices = {\n\t\t0 - a\n\t\t12 0 b\n');
    expect(d.truncated).toBe(true);
    expect(d.services.map((s) => s.label)).toEqual(['a', 'b']);
  });

  it.each(['', 'garbage', '}', 'Could not find domain for user gui: 501'])('garbage %j', (text) => {
    expect(parseDomainPrint(text)).toEqual({ services: [], disabled: {}, properties: [], subdomains: [] });
  });
});
