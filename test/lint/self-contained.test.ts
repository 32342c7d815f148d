// A user's clone has only this repository: nothing under src/, test/, bench/ or examples/ may reach outside it
// for the team's shared research folder. Captures live in test/fixtures/launchctl (SOURCES.md says where from).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');
// Built from parts so that this file does not name the folder it forbids.
const FORBIDDEN = ['..', 'shared'].join('/');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    if (name === 'node_modules' || name === '.git') return [];
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

describe('the repository is self-contained', () => {
  it(`no file under src/, test/, bench/ or examples/ names ${FORBIDDEN}`, () => {
    const offenders = ['src', 'test', 'bench', 'examples']
      .flatMap((d) => files(join(root, d)))
      .filter((f) => readFileSync(f, 'latin1').includes(FORBIDDEN))
      .map((f) => relative(root, f));
    expect(offenders).toEqual([]);
  });

  it('has every launchctl capture the tests read, with its SOURCES file', () => {
    const dir = join(root, 'test/fixtures/launchctl');
    const names = readdirSync(dir);
    expect(names).toContain('SOURCES.md');
    expect(names.filter((n) => n.endsWith('.txt')).length).toBeGreaterThanOrEqual(13);
    expect(readdirSync(join(dir, 'stderr')).length).toBeGreaterThanOrEqual(16);
    // Every capture named in SOURCES.md is here.
    const sources = readFileSync(join(dir, 'SOURCES.md'), 'utf8');
    for (const m of sources.matchAll(/^\| ([a-z0-9-]+(?:-[a-z0-9]+)*\.txt) \|/gm)) {
      const name = m[1] as string;
      expect(names.includes(name) || readdirSync(join(dir, 'stderr')).includes(name), name).toBe(true);
    }
  });
});
