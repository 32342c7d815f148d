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
    const f = FakeLaunchd.create(opts);
    fakes.push(f);
    return f;
  };
}
