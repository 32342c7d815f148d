// Finds the repo and the compiled double from wherever this module runs (dist/*.js or, under vitest, the *.ts source).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** The repository root: the nearest ancestor holding package.json. */
export function repoRoot(): string {
  let d = here;
  while (!existsSync(join(d, 'package.json'))) {
    const up = dirname(d);
    if (up === d) throw new Error(`fake launchctl: no package.json above ${here}`);
    d = up;
  }
  return d;
}

/** Absolute path of a compiled module of the double, e.g. `supervisor` -> <repo>/dist/test/fakes/launchctl/supervisor.js. */
export function compiledModule(name: string): string {
  return join(repoRoot(), 'dist', 'test', 'fakes', 'launchctl', `${name}.js`);
}

/** The `launchctl` shim (test/fakes/bin/launchctl). */
export function shimPath(): string {
  return join(repoRoot(), 'test', 'fakes', 'bin', 'launchctl');
}
