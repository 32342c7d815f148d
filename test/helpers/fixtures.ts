import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// Repo root is two levels up from test/helpers; the captures live in the repo (test/fixtures/launchctl/SOURCES.md).
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Read-only real launchctl captures (see SOURCES.md there). */
export const fixturesDir = path.resolve(repoRoot, 'test/fixtures/launchctl');

/** Text of one fixture, e.g. `readFixture('list-user-elcapitan-truncated.txt')` or `readFixture('stderr/…')`. */
export function readFixture(name: string): string {
  return readFileSync(path.join(fixturesDir, name), 'utf8');
}

/** Names of the top-level `*.txt` stdout samples. */
export function listFixtures(): string[] {
  return readdirSync(fixturesDir)
    .filter((f) => f.endsWith('.txt'))
    .sort();
}
