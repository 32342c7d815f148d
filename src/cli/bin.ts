#!/usr/bin/env node
// The `lotusctl` executable (package.json "bin", built to dist/cli/main.js, CommonJS like the rest of dist/cli):
// turns on the compile cache (compile-cache.ts), then runs the CLI, whose bundle files are CommonJS so that the cache
// can hold them (Node 20 keeps no compiled code for ES modules). Everything else starts in src/cli/main.ts (cli.cjs).
import { realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { installCompileCache } from './compile-cache.js';

const here = fileURLToPath(import.meta.url);
try {
  installCompileCache({ codeDir: realpathSync(dirname(here)) });
} catch {
  // only a cache: the CLI runs without it
}
createRequire(here)('./cli.cjs');
