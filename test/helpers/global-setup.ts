// Once per test run: when the suite runs as root, the integration tests run lotusctl as an unprivileged operator
// (test/helpers/operator.ts), who must be able to reach this checkout. Say what was opened up, if anything.
// And one parent folder for lotusctl's compile cache (src/cli/compile-cache.ts) that every sandbox's lotusctl shares
// (each uid keeps its own private folder in it), rather than the temp folder or a home a test looks into.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { grantOperatorAccess, IS_ROOT, OPERATOR } from './operator.js';
import { repoRoot } from './cli.js';

export default function setup(): () => void {
  const cache = mkdtempSync(join(tmpdir(), 'lotusctl-test-compile-cache-'));
  chmodSync(cache, 0o1777);
  process.env['LOTUSCTL_TEST_COMPILE_CACHE_DIR'] = cache;
  if (IS_ROOT) {
    const changed = grantOperatorAccess(repoRoot);
    if (changed.length > 0) {
      process.stderr.write(`test setup: gave the operator uid ${OPERATOR.uid} search/read access to ${changed.length} path(s) of the checkout, e.g. ${changed.slice(0, 3).join(', ')}\n`);
    }
  }
  return () => rmSync(cache, { recursive: true, force: true });
}
