// The `launchctl` test double's CLI: forwards argv to the state dir's supervisor and replays its stdout, stderr and
// exit code. Run through test/fakes/bin/launchctl.
import { callSupervisor } from './client.js';
import { shutdownSupervisor } from './control.js';
import { contextFromEnv } from './protocol.js';

async function main(): Promise<number> {
  const dir = process.env['FAKE_LAUNCHD_DIR'];
  if (dir === undefined || dir === '') {
    process.stderr.write(
      'launchctl (fake): FAKE_LAUNCHD_DIR is not set.\n' +
        'This launchctl is the lotusctl test double; point FAKE_LAUNCHD_DIR at a per-test state directory ' +
        '(see test/fakes/launchctl/README.md).\n',
    );
    return 1;
  }
  const argv = process.argv.slice(2);
  if (argv[0] === '__fake_shutdown') {
    await shutdownSupervisor(dir);
    return 0;
  }
  const res = await callSupervisor(dir, { argv, cwd: process.cwd(), ctx: contextFromEnv(process.env, process.stdout.isTTY === true) }, process.env);
  process.stdout.write(res.stdout);
  process.stderr.write(res.stderr);
  return res.code;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`launchctl (fake): ${(e as Error).message}\n`);
    process.exitCode = 70;
  },
);
