import { describe, expect, it } from 'vitest';
import { parseList, type ListRow } from '../../src/launchd/parse-list.js';
import { readFixture } from '../helpers/fixtures.js';

describe('parseList', () => {
  it('reads the 10.11 user capture (header, `-` pid, `0` status)', () => {
    const rows = parseList(readFixture('list-user-elcapitan-truncated.txt'));
    expect(rows).toHaveLength(34);
    expect(rows[0]).toEqual({ label: 'com.apple.CoreAuthentication.daemon', status: 0, lastExit: { kind: 'code', code: 0 } });
    expect(rows.at(-1)).toEqual({ label: 'com.apple.java.InstallOnDemand', status: 0, lastExit: { kind: 'code', code: 0 } });
    expect(rows.filter((r) => r.pid !== undefined).map((r) => [r.label, r.pid])).toEqual([
      ['com.apple.Finder', 279],
      ['com.apple.bird', 324],
      ['com.apple.nsurlsessiond', 356],
      ['com.apple.iconservices.iconservicesagent', 304],
      ['com.apple.photolibraryd', 377],
      ['com.apple.CommCenter', 354],
      ['com.apple.mdworker.shared.04000000-0000-0000-0000-000000000000', 399],
      ['com.apple.DataDetectorsDynamicData', 375],
      ['com.apple.cfprefsd.xpc.agent', 273],
    ]);
    expect(rows.every((r) => r.status === 0)).toBe(true);
    expect(rows.some((r) => r.label === 'Label')).toBe(false);
  });

  it.each<[string, ListRow[]]>([
    ['-\t78\tcom.example.cfg', [{ label: 'com.example.cfg', status: 78, lastExit: { kind: 'code', code: 78 } }]],
    ['-\t-\tcom.example.never', [{ label: 'com.example.never', status: 0, lastExit: { kind: 'never' } }]],
    ['-\t0\tcom.example.zero', [{ label: 'com.example.zero', status: 0, lastExit: { kind: 'code', code: 0 } }]],
    ['-\t-15\tcom.example.term', [{ label: 'com.example.term', status: -15, lastExit: { kind: 'signal', signal: 15 } }]],
    ['812\t-9\tcom.example.respawned', [{ label: 'com.example.respawned', pid: 812, status: -9, lastExit: { kind: 'signal', signal: 9 } }]],
    ['812   0   com.example.spaces', [{ label: 'com.example.spaces', pid: 812, status: 0, lastExit: { kind: 'code', code: 0 } }]],
    ['abc\t0\tcom.example.badpid', [{ label: 'com.example.badpid', status: 0, lastExit: { kind: 'code', code: 0 } }]],
    ['-\tx\tcom.example.badstatus', []],
    ['-\t0\t', []],
    ['PID\tStatus\tLabel', []],
    ['garbage', []],
    ['', []],
  ])('row %j', (text, want) => {
    expect(parseList(text)).toEqual(want);
  });

  it('works without the header and with CRLF', () => {
    expect(parseList('1\t0\ta\r\n-\t1\tb\r\n').map((r) => [r.label, r.pid, r.status])).toEqual([
      ['a', 1, 0],
      ['b', undefined, 1],
    ]);
  });
});
