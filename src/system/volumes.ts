// Whether a folder is on a network file system, where another machine may share it: a recorded lock holder there
// may be a process this machine cannot see. Linux: statfs's f_type; macOS: the mount table as /sbin/mount prints it
// (this module owns that binary; Node's statfs has no MNT_LOCAL flag, and macOS f_type numbers are not fixed).
// The same table gives a volume's file system type (`/dev/disk4s1 on /Volumes/Stick (exfat, local, …)`).
import { realpathSync, statfsSync } from 'node:fs';
import type { VolumeFilesystem } from '../model/host.js';
import { MACOS_TOOLS, macosTool } from './platform.js';
import { runSync } from './run-sync.js';

// linux/magic.h: NFS, SMB, CIFS, SMB2, Coda, AFS, 9p, Ceph, FUSE (sshfs and friends), OCFS2, GFS2, Lustre.
const LINUX_NETWORK_MAGIC = new Set([
  0x6969, 0x517b, 0xff534d42, 0xfe534d42, 0x73757245, 0x5346414f, 0x01021997, 0x00c36400, 0x65735546, 0x7461636f, 0x01161970, 0x0bd00bd0,
]);

export interface MountEntry { readonly point: string; readonly type: string; readonly local: boolean }

/**
 * `/sbin/mount` (macOS) lines, e.g. `//u@nas/share on /Volumes/share (smbfs, nodev, nosuid, mounted by u)` or
 * `/dev/disk3s5 on /System/Volumes/Data (apfs, local, journaled, nobrowse)`: local file systems carry `local`
 * (MNT_LOCAL). Mount points may hold spaces, so the point is what lies between the first ` on ` and the last ` (`.
 */
export function parseMountTable(text: string): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const on = line.indexOf(' on ');
    const open = line.lastIndexOf(' (');
    if (on < 0 || open <= on || !line.trimEnd().endsWith(')')) continue;
    const flags = line.slice(open + 2, line.trimEnd().length - 1).split(',').map((f) => f.trim());
    const type = flags[0] ?? '';
    if (type === '') continue;
    out.push({ point: line.slice(on + 4, open), type, local: flags.includes('local') });
  }
  return out;
}

/** The entry whose mount point is the longest prefix of `path` (an absolute, resolved path). */
export function mountOf(entries: readonly MountEntry[], path: string): MountEntry | undefined {
  let best: MountEntry | undefined;
  for (const e of entries) {
    const inside = e.point === '/' || path === e.point || path.startsWith(`${e.point}/`);
    if (inside && (best === undefined || e.point.length > best.point.length)) best = e;
  }
  return best;
}

/**
 * True when `dir` is on a network file system, false when it is local, undefined when it cannot be told
 * (callers then act as on a network volume: nothing is taken over that cannot be proven).
 */
export async function isNetworkVolume(dir: string, platform: string = process.platform): Promise<boolean | undefined> {
  let real: string;
  try {
    real = realpathSync(dir);
  } catch {
    return undefined;
  }
  if (platform === 'linux') {
    try {
      return LINUX_NETWORK_MAGIC.has(Number(statfsSync(real).type));
    } catch {
      return undefined;
    }
  }
  if (platform === 'darwin') {
    const r = runSync(macosTool('mount', process.env, platform) ?? MACOS_TOOLS.mount, [], 5000);
    if (r.exitCode !== 0) return undefined;
    const m = mountOf(parseMountTable(r.stdout), real);
    return m === undefined ? undefined : !m.local;
  }
  return undefined;
}

/** The file system of each volume root (e.g. `/Volumes/Chain`), read from one `mount` call. */
export function volumeFilesystems(roots: readonly string[], env: Readonly<Record<string, string | undefined>>): Record<string, VolumeFilesystem> {
  if (roots.length === 0) return {};
  const mount = macosTool('mount', env);
  const all = (v: VolumeFilesystem): Record<string, VolumeFilesystem> => Object.fromEntries(roots.map((r) => [r, v]));
  if (mount === undefined) return all({ unknown: `the mount table is read with macOS's ${MACOS_TOOLS.mount}, not available on ${process.platform}` });
  const r = runSync(mount, [], 10_000, env);
  if (r.exitCode !== 0) return all({ unknown: `${mount} failed: ${String(r.stderr || r.errorCode || '').split('\n')[0]}` });
  const table = parseMountTable(r.stdout);
  return Object.fromEntries(roots.map((root) => {
    const e = table.find((m) => m.point === root);
    return [root, e ? { fs: e.type } : { unknown: 'it is not in the mount table (not mounted right now)' }];
  }));
}
