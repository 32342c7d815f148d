// Free space and reachability of the volume a path lives on. statfs(2) through Node (no `df`), and a mount check by
// device numbers (no `diskutil`): a folder under /Volumes that is on the same device as /Volumes itself is not a mounted
// volume, and anything written there lands on the boot disk.
import { statSync, statfsSync } from 'node:fs';
import { dirname, posix } from 'node:path';
import { errnoCode } from './atomic-file.js';

export interface FreeSpace {
  /** The path statfs was asked about: `path` or its nearest existing ancestor. */
  readonly checked: string;
  /** Bytes available to an unprivileged user (f_bavail). */
  readonly availableBytes: number;
  readonly totalBytes: number;
}

/** The nearest existing ancestor of `path` (itself when it exists). */
export function nearestExisting(path: string): string {
  let p = path;
  for (;;) {
    try {
      statSync(p);
      return p;
    } catch (e) {
      const code = errnoCode(e);
      if (code !== 'ENOENT' && code !== 'ENOTDIR') return p;
      const up = dirname(p);
      if (up === p) return p;
      p = up;
    }
  }
}

/** statfs of the volume holding `path`; undefined when it cannot be read. */
export function freeSpace(path: string): FreeSpace | undefined {
  const checked = nearestExisting(path);
  try {
    const s = statfsSync(checked);
    return { checked, availableBytes: s.bavail * s.bsize, totalBytes: s.blocks * s.bsize };
  } catch {
    return undefined;
  }
}

export type VolumeFact =
  | { readonly kind: 'boot' }
  | { readonly kind: 'mounted'; readonly volume: string }
  | { readonly kind: 'not-mounted'; readonly volume: string; readonly exists: boolean }
  | { readonly kind: 'unknown'; readonly volume: string; readonly why: string };

/** For a path under `<volumesRoot>/<name>/`, whether that volume is mounted; `boot` for every other path. */
export function volumeOf(path: string, volumesRoot = '/Volumes'): VolumeFact {
  const rel = posix.relative(volumesRoot, path);
  if (rel === '' || rel.startsWith('..') || posix.isAbsolute(rel)) return { kind: 'boot' };
  const volume = posix.join(volumesRoot, rel.split('/')[0] as string);
  try {
    const root = statSync(volumesRoot);
    let st;
    try {
      st = statSync(volume);
    } catch (e) {
      if (errnoCode(e) === 'ENOENT') return { kind: 'not-mounted', volume, exists: false };
      throw e;
    }
    return st.dev !== root.dev ? { kind: 'mounted', volume } : { kind: 'not-mounted', volume, exists: true };
  } catch (e) {
    return { kind: 'unknown', volume, why: errnoCode(e) ?? String(e) };
  }
}
