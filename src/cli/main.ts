// The CLI's entry, run by the executable (src/cli/bin.ts) once V8's compile cache is on.
import { interrupt } from './interrupt.js';

// During apply, the first Ctrl-C (or SIGTERM) lets the running step finish, then stops cleanly and releases the lock;
// otherwise, or the second time, exit at once (the process 'exit' handler still removes a held lock). SIGTERM comes
// from a process manager (launchd, a provisioning script), not a keyboard: its message does not mention Ctrl-C.
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    if (interrupt.quiet && !interrupt.controller.signal.aborted) return void interrupt.controller.abort(sig);
    if (!interrupt.graceful || interrupt.controller.signal.aborted) process.exit(130);
    const then = sig === 'SIGINT' ? ' (press Ctrl-C again to stop now)' : ', then stopping (a second SIGTERM stops at once)';
    process.stderr.write(`\nlotusctl: ${sig} received; finishing the current step${then}\n`);
    interrupt.controller.abort(sig);
  });
}

const argv = process.argv.slice(2);

// `lotusctl --version` answers before commander (or anything else) is loaded: scripts call it often.
const run: Promise<number> = argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')
  ? import('./version.js').then(({ packageVersion }) => {
    process.stdout.write(`${packageVersion()}\n`);
    return 0;
  })
  : import('./program.js').then(({ runCli }) => runCli(argv, interrupt.controller.signal));

// The only process.exit in lotusctl: everything else returns an exit code. It waits until what was written has
// reached stdout and stderr: on macOS, writes to a pipe are asynchronous, and exiting at once can cut off a long
// `plan --json` read by a script.
function exit(code: number): void {
  let pending = 2;
  const done = () => {
    if (--pending === 0) process.exit(code);
  };
  process.stdout.write('', done);
  process.stderr.write('', done);
}

run.then(exit, (e: unknown) => {
  const message = String((e as Error)?.message ?? e);
  // The rare path loads what formats errors only when it is taken.
  void Promise.all([import('../render/terminal-text.js'), import('./errors.js')]).then(([{ escapeControls }, { errorJson }]) => {
    if (argv.includes('--json')) process.stdout.write(`${errorJson('internal', message, 'this is a bug in lotusctl; rerun with --debug and report the output')}\n`);
    process.stderr.write(`error[internal]: ${escapeControls(message)}\n`);
    exit(1);
  });
});
