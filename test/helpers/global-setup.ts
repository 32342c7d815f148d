// Once per test run: when the suite runs as root, the integration tests run lotusctl as an unprivileged operator
// (test/helpers/operator.ts), who must be able to reach this checkout. Say what was opened up, if anything.
import { grantOperatorAccess, IS_ROOT, OPERATOR } from './operator.js';
import { repoRoot } from './cli.js';

export default function setup(): void {
  if (!IS_ROOT) return;
  const changed = grantOperatorAccess(repoRoot);
  if (changed.length > 0) {
    process.stderr.write(`test setup: gave the operator uid ${OPERATOR.uid} search/read access to ${changed.length} path(s) of the checkout, e.g. ${changed.slice(0, 3).join(', ')}\n`);
  }
}
