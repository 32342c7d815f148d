import { posix } from 'node:path';

/**
 * Expand `~`, `~/…`, `$HOME` and `${HOME}` and make a path absolute against `baseDir`.
 * launchd expands nothing, so every path lotusctl writes into a plist goes through here.
 */
export function resolvePath(p: string, home: string, baseDir: string): string {
  let out = p;
  if (out === '~' || out.startsWith('~/')) out = home + out.slice(1);
  out = out.replace(/^\$\{HOME\}(?=\/|$)/, home).replace(/^\$HOME(?=\/|$)/, home);
  return posix.normalize(posix.isAbsolute(out) ? out : posix.join(baseDir, out)).replace(/(.)\/$/, '$1');
}
