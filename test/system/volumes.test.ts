import { describe, expect, it } from 'vitest';
import { isNetworkVolume, mountOf, parseMountTable } from '../../src/system/volumes.js';

// /sbin/mount output as macOS prints it (format as in the man page and public captures; not captured on our Mac).
const TABLE = `/dev/disk3s1s1 on / (apfs, sealed, local, read-only, journaled)
devfs on /dev (devfs, local, nobrowse)
/dev/disk3s5 on /System/Volumes/Data (apfs, local, journaled, nobrowse)
map auto_home on /System/Volumes/Data/home (autofs, automounted, nobrowse)
//ops@nas.local/Lotus State on /Volumes/Lotus State (smbfs, nodev, nosuid, mounted by ops)
nas:/export/backups on /Volumes/backups (nfs, nodev, nosuid)
/dev/disk9s1 on /Volumes/USB (exfat, local, nodev, nosuid, noowners)
`;

describe('the mount table (macOS)', () => {
  it('parses points with spaces and tells local from network by the local flag', () => {
    const t = parseMountTable(TABLE);
    expect(t.map((e) => [e.point, e.type, e.local])).toEqual([
      ['/', 'apfs', true], ['/dev', 'devfs', true], ['/System/Volumes/Data', 'apfs', true], ['/System/Volumes/Data/home', 'autofs', false],
      ['/Volumes/Lotus State', 'smbfs', false], ['/Volumes/backups', 'nfs', false], ['/Volumes/USB', 'exfat', true],
    ]);
  });

  it.each<[string, string, boolean]>([
    ['/Users/ops/Library/Application Support/lotusctl', '/', true],
    ['/System/Volumes/Data/home/ops/state', '/System/Volumes/Data/home', false],
    ['/Volumes/Lotus State/lotusctl', '/Volumes/Lotus State', false],
    ['/Volumes/Lotus Statement', '/', true],
    ['/Volumes/USB/state', '/Volumes/USB', true],
  ])('%s is on %s (local: %s)', (path, point, local) => {
    const m = mountOf(parseMountTable(TABLE), path);
    expect([m?.point, m?.local]).toEqual([point, local]);
  });

  it('this machine (Linux statfs): the temp folder is local; a missing folder cannot be told', async () => {
    expect(await isNetworkVolume(process.cwd())).toBe(false);
    expect(await isNetworkVolume('/no/such/folder')).toBeUndefined();
  });
});
