#!/usr/bin/env node
import { interrupt } from './interrupt.js';
import { runCli } from './program.js';

// During apply, the first Ctrl-C (or SIGTERM) lets the running step finish, then stops cleanly and releases the lock;
// otherwise, or the second time, exit at once (the process 'exit' handler still removes a held lock).
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    if (!interrupt.graceful || interrupt.controller.signal.aborted) process.exit(130);
    process.stderr.write(`\nlotusctl: ${sig} received; finishing the current step (press Ctrl-C again to stop now)\n`);
    interrupt.controller.abort();
  });
}

// The only process.exit in lotusctl: everything else returns an exit code.
runCli(process.argv.slice(2), interrupt.controller.signal).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`error[internal]: ${(e as Error)?.message ?? String(e)}\n`);
    process.exit(1);
  },
);
