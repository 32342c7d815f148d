import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterEach, beforeAll, expect } from 'vitest';
import { FakeLaunchd } from '../fakes/launchctl/harness.js';
import { repoRoot } from './cli.js';

/**
 * Registers the hooks every suite of the launchctl double needs (the double is built; each FakeLaunchd a test made
 * is stopped afterwards, and no process may outlive it) and returns the factory for FakeLaunchd instances.
 */
export function useFakeLaunchd(): (opts?: Parameters<typeof FakeLaunchd.create>[0]) => FakeLaunchd {
  let fakes: FakeLaunchd[] = [];
  beforeAll(() => {
    const main = resolve(repoRoot, 'dist/test/fakes/launchctl/main.js');
    if (!existsSync(main)) throw new Error(`${main} is missing: run \`npx tsc -p tsconfig.build.json\` first`);
  });
  afterEach(async () => {
    const all = fakes;
    fakes = [];
    for (const f of all) expect(await f.stop(), 'processes that outlived the supervisor shutdown').toEqual([]);
  });
  return (opts = {}) => {
    // These suites pin down launchd's answers to a root caller (as CI runs them, and as the captures were taken):
    // run by another user, the double is told the caller is root. A suite about non-root behaviour passes `euid`.
    const f = FakeLaunchd.create({ euid: 0, ...opts });
    fakes.push(f);
    return f;
  };
}
