import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');
const depcruise = join(root, 'node_modules/.bin/depcruise');

describe('the pure-core dependency rule (npm run lint)', () => {
  it('flags the core importing fs or src/system', async () => {
    const err = await promisify(execFile)(depcruise, ['src', '--config', join(root, '.dependency-cruiser.cjs'), '--no-progress'], {
      cwd: join(root, 'test/fixtures/depcruise'),
      // Under CI=true depcruise colours its output; the assertions read plain text.
      env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' },
    }).then(() => undefined, (e: { code: number; stdout: string }) => e);
    expect(err?.code).toBeGreaterThan(0);
    expect(err?.stdout).toMatch(/core-is-pure: src\/spec\/reads-files\.ts → fs/);
    expect(err?.stdout).toMatch(/core-is-pure: src\/plan\/uses-system\.ts → src\/system\/io\.ts/);
  });
});
