import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

interface PackageJson { name?: string; version?: string; bin?: Record<string, string> }

let found: { root: string; pkg: PackageJson } | undefined | null;

/**
 * lotusctl's own package.json and folder: the nearest package.json named lotusctl above this module, wherever the
 * module runs from (dist/src/system/ through the programmatic API, dist/cli/ in the CLI bundle, src/ under vitest).
 */
function ownPackage(): { root: string; pkg: PackageJson } | undefined {
  if (found !== undefined) return found ?? undefined;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageJson;
      if (pkg.name === 'lotusctl') return (found = { root: dir, pkg });
    } catch {
      // no package.json here: look further up
    }
    const up = dirname(dir);
    if (up === dir) {
      found = null;
      return undefined;
    }
    dir = up;
  }
}

/** lotusctl's version, or "unknown" when its package.json cannot be found. */
export function packageVersion(): string {
  return ownPackage()?.pkg.version ?? 'unknown';
}

/** Absolute path of the `lotusctl` bin script (package.json "bin"), the same from the CLI and from the API. */
export function cliEntryPath(): string {
  const own = ownPackage();
  if (!own) throw new Error('lotusctl: cannot find its own package.json');
  return resolve(own.root, own.pkg.bin?.lotusctl ?? 'dist/cli/main.js');
}
