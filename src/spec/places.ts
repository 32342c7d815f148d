// Where a path lies, as far as launchd jobs are concerned: in a folder macOS privacy protection (TCC) keeps them out
// of, or on a volume under /Volumes. Pure: every path is absolute and already resolved (~ and relative paths).
import { posix } from 'node:path';

/**
 * Home folders TCC protects: launchd jobs get "Operation not permitted" there with no prompt, while Terminal, having
 * been granted access, does not (specs/launchd-behaviour.md §9; issue 9). iCloud Drive is ~/Library/Mobile Documents;
 * ~/Library/CloudStorage holds File Provider folders (Dropbox, OneDrive, Google Drive), protected the same way (reported,
 * unverified).
 */
export const PRIVACY_FOLDERS = ['Desktop', 'Documents', 'Downloads', 'Library/Mobile Documents', 'Library/CloudStorage'] as const;

function inside(path: string, dir: string): boolean {
  const rel = posix.relative(dir, path);
  return rel === '' || (!rel.startsWith('..') && !posix.isAbsolute(rel));
}

/** `~/Documents` (and so on) when `path` is in a protected folder of `home`; undefined otherwise. */
export function privacyFolderOf(path: string, home: string): string | undefined {
  const f = PRIVACY_FOLDERS.find((d) => inside(path, posix.join(home, d)));
  return f === undefined ? undefined : f === 'Library/Mobile Documents' ? '~/Library/Mobile Documents (iCloud Drive)' : `~/${f}`;
}

/** `/Volumes/<name>` when `path` is on a volume under `volumesDir`; undefined for the boot volume. */
export function volumeRootOf(path: string, volumesDir: string): string | undefined {
  const rel = posix.relative(volumesDir, path);
  if (rel === '' || rel.startsWith('..') || posix.isAbsolute(rel)) return undefined;
  return posix.join(volumesDir, rel.split('/')[0] as string);
}

/**
 * argv that starts `argv` once `volume` is mounted: sh -c '"$0" "$1" && shift && exec "$@"' <wait4path> <volume>
 * <argv…> (no user string goes into the script). lotusctl renders it for a repo on a volume; import recognises it.
 */
export const WAIT4PATH_SCRIPT = '"$0" "$1" && shift && exec "$@"';
export function waitForVolume(wait4path: string, volume: string, argv: readonly string[]): string[] {
  return ['/bin/sh', '-c', WAIT4PATH_SCRIPT, wait4path, volume, ...argv];
}
/** The parts of a waitForVolume argv, or undefined for any other argv. */
export function unwrapWaitForVolume(argv: readonly string[]): { wait4path: string; volume: string; argv: string[] } | undefined {
  if (argv.length <= 5 || argv[0] !== '/bin/sh' || argv[1] !== '-c' || argv[2] !== WAIT4PATH_SCRIPT) return undefined;
  return { wait4path: argv[3] as string, volume: argv[4] as string, argv: argv.slice(5) };
}

/** File systems that keep Unix owners and modes (the keystore's 0600 check, launchd's plist checks need them). */
export const UNIX_FILESYSTEMS: ReadonlySet<string> = new Set(['apfs', 'hfs']);
