// The file system of a mounted volume, from the mount table as macOS's /sbin/mount prints it (this module owns the
// binary): `/dev/disk4s1 on /Volumes/Stick (exfat, local, nodev, nosuid, noowners)`. Node's statfs has no type name
// on macOS (f_type numbers are not fixed there), so the table is the source.
import type { VolumeFilesystem } from '../model/host.js';
import { macosTool } from './platform.js';
import { runSync } from './run-sync.js';

export interface MountEntry {
  readonly point: string;
  readonly type: string;
}

/** Entries of `mount` output; the mount point may hold spaces, so it is what lies between ` on ` and the last ` (`. */
export function parseMountTable(text: string): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const on = line.indexOf(' on ');
    const open = line.lastIndexOf(' (');
    if (on < 0 || open <= on || !line.trimEnd().endsWith(')')) continue;
    const type = line.slice(open + 2).split(',')[0]?.replace(/\)$/, '').trim() ?? '';
    if (type !== '') out.push({ point: line.slice(on + 4, open), type });
  }
  return out;
}


/** The file system of each volume root (e.g. `/Volumes/Chain`), read from one `mount` call. */
export function volumeFilesystems(roots: readonly string[], env: Readonly<Record<string, string | undefined>>): Record<string, VolumeFilesystem> {
  if (roots.length === 0) return {};
  const mount = macosTool('mount', env);
  const all = (v: VolumeFilesystem): Record<string, VolumeFilesystem> => Object.fromEntries(roots.map((r) => [r, v]));
  if (mount === undefined) return all({ unknown: `the mount table is read with macOS's ${'/sbin/mount'}, not available on ${process.platform}` });
  const r = runSync(mount, []);
  if (r.exitCode !== 0) return all({ unknown: `${mount} failed: ${String(r.stderr || r.errorCode || '').split('\n')[0]}` });
  const table = parseMountTable(r.stdout);
  return Object.fromEntries(roots.map((root) => {
    const e = table.find((m) => m.point === root);
    return [root, e ? { fs: e.type } : { unknown: 'it is not in the mount table (not mounted right now)' }];
  }));
}
