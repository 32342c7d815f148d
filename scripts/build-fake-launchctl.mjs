// Builds the launchctl double's fast client (test/fakes/launchctl/fast-client.c) with the C compiler, when there is
// one: without it every launchctl call of the double starts Node, the main cost of the integration tests and of
// `npm run bench`'s plans. No compiler is not an error: the shim (test/fakes/bin/launchctl) then uses the Node client.
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';

const src = 'test/fakes/launchctl/fast-client.c';
const out = 'dist/test/fakes/launchctl/launchctl-fast';
rmSync(out, { force: true });
mkdirSync('dist/test/fakes/launchctl', { recursive: true });
const cc = process.env.CC || 'cc';
const r = spawnSync(cc, ['-O2', '-Wall', '-Wextra', '-o', out, src], { encoding: 'utf8' });
if (r.error !== undefined || r.status !== 0) {
  const why = r.error !== undefined ? `no C compiler (${cc}: ${r.error.code ?? r.error.message})` : `${cc} failed:\n${r.stderr.trim()}`;
  process.stderr.write(`build: the launchctl double's fast client was not built, tests use its Node client (slower): ${why}\n`);
}
