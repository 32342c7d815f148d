#!/usr/bin/env node
import { runCli } from './program.js';

// The only process.exit in lotusctl: everything else returns an exit code.
runCli(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`error[internal]: ${(e as Error)?.message ?? String(e)}\n`);
    process.exit(1);
  },
);
