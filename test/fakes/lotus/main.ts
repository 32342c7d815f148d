// Entry point of the fake `lotus` executable (run via test/fakes/bin/lotus). See README.md.
import { bool, DAEMON_FLAGS, GLOBAL_FLAGS, parseFlags, str, UsageError } from './args.js';
import { runClientCommand } from './cli.js';
import { runDaemon } from './daemon.js';
import { FakeLotusError } from './errors.js';
import { flushAndExit } from './log.js';
import { resolveRepoPath } from './repo.js';
import { DEFAULT_VERSION } from './scenario.js';

const USAGE = `NAME:
   lotus - Filecoin decentralized storage network client (fake for tests)

USAGE:
   lotus [global options] command [command options] [arguments...]

COMMANDS:
   daemon   Start a lotus daemon process (subcommand: stop)
   version  Print version
   auth     Manage RPC permissions (api-info, create-token)
   net      Manage P2P Network (peers)
   sync     Inspect or interact with the chain syncer (status, wait)
   status   Check node status
   info     Print node info

GLOBAL OPTIONS:
   --repo value   (default: "~/.lotus") [$LOTUS_PATH]
   --version, -v  print the version
   --help, -h     show help
`;

/** Exit code, or undefined while a started daemon keeps the process alive. */
async function run(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number | undefined> {
  const version = env.FAKE_LOTUS_VERSION || DEFAULT_VERSION;
  const global = parseFlags(argv, GLOBAL_FLAGS);
  if (bool(global, 'version')) {
    process.stdout.write(`lotus version ${version}\n`);
    return 0;
  }
  const [command, ...args] = global.rest;
  if (command === undefined || bool(global, 'help') || command === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  let repo: string;
  try {
    repo = resolveRepoPath(str(global, 'repo'), env);
  } catch (err) {
    throw new FakeLotusError((err as Error).message);
  }
  const out = (text: string): void => {
    process.stdout.write(text);
  };
  if (command === 'daemon') {
    if (args[0] === 'stop') {
      await runClientCommand({ repo, env, version, out }, 'daemon-stop', args.slice(1));
      return 0;
    }
    const p = parseFlags(args, DAEMON_FLAGS);
    if (bool(p, 'help')) {
      process.stdout.write('USAGE:\n   lotus daemon [command options] [arguments...]\n');
      return 0;
    }
    const outcome = await runDaemon(
      {
        repo,
        api: str(p, 'api'),
        lite: bool(p, 'lite'),
        importSnapshot: str(p, 'import-snapshot'),
        importChain: str(p, 'import-chain'),
        haltAfterImport: bool(p, 'halt-after-import'),
        config: str(p, 'config'),
        manageFdlimit: bool(p, 'manage-fdlimit', true),
      },
      env,
    );
    // A running daemon exits from its own signal/shutdown handlers.
    return outcome === 'halted' ? 0 : undefined;
  }
  await runClientCommand({ repo, env, version, out }, command, args);
  return 0;
}

function report(err: unknown): number {
  if (err instanceof UsageError) {
    process.stdout.write(`Incorrect Usage: ${err.message}\n\n`);
    process.stderr.write(`ERROR: ${err.message}\n\n`);
    return 1;
  }
  if (err instanceof FakeLotusError) {
    process.stderr.write(err.plain ? `${err.message}\n` : `ERROR: ${err.message}\n\n`);
    return err.exitCode;
  }
  process.stderr.write(`ERROR: fake-lotus internal error: ${(err as Error).stack ?? String(err)}\n\n`);
  return 1;
}

run(process.argv.slice(2), process.env).then(
  (code) => {
    if (code !== undefined) flushAndExit(code);
  },
  (err: unknown) => flushAndExit(report(err)),
);
