// `lotus daemon`: start-up sequence, repo lock, API server and the signal/shutdown behaviour of specs/lotus-operations.md §1.
import { createServer as createNetServer } from 'node:net';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FakeLotusError } from './errors.js';
import { createLogger, flushAndExit } from './log.js';
import { formatApiMultiaddr, goHostPort, parseApiMultiaddr, type ApiMultiaddr } from './multiaddr.js';
import {
  checkKeystorePermissions,
  ensureDatastore,
  initRepo,
  loadOrCreatePeerId,
  loadOrCreateSecret,
  readConfigListenAddress,
  removeFile,
  repoNeedsInit,
  writeApiFile,
} from './repo.js';
import { tryLockRepo, type RepoLock } from './repo-lock.js';
import { ScenarioSource, startupSettings } from './scenario.js';
import { FakeNode } from './node.js';
import { createApiServer, Readiness, type ApiServer } from './http-server.js';

/** Parsed `lotus daemon` options. */
export interface DaemonOptions {
  repo: string;
  api: string | undefined;
  lite: boolean;
  importSnapshot: string | undefined;
  importChain: string | undefined;
  haltAfterImport: boolean;
  config: string | undefined;
  manageFdlimit: boolean;
}

const DEFAULT_LISTEN = '/ip4/127.0.0.1/tcp/1234/http';
const NODE_OPTIONS_FAILED = 'initializing node: applying node options failed';

type Phase = 'starting' | 'running' | 'stopping';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function lockError(kind: 'locked' | 'nonzero' | 'error', lockPath: string, detail: string, prefix: string): FakeLotusError {
  const p = prefix ? `${prefix}: ` : '';
  if (kind === 'locked') return new FakeLotusError(`${p}repo is already locked (process is already running)`);
  if (kind === 'nonzero') return new FakeLotusError(`${p}could not check lock status: can't Lock file "${lockPath}": has non-zero size`);
  return new FakeLotusError(`${p}could not lock the repo: ${detail}`);
}

async function lockRepo(repo: string, env: NodeJS.ProcessEnv, prefix: string): Promise<RepoLock> {
  const lockPath = join(repo, 'repo.lock');
  const attempt = await tryLockRepo(lockPath, env);
  if (attempt.kind === 'ok') return attempt.lock;
  throw lockError(attempt.kind, lockPath, attempt.kind === 'error' ? attempt.message : '', prefix);
}

async function reservePort(host: string): Promise<number> {
  const srv = createNetServer();
  await new Promise<void>((resolve, reject) => {
    srv.once('error', reject);
    srv.listen({ host, port: 0, exclusive: true }, () => resolve());
  });
  const addr = srv.address();
  await new Promise<void>((r) => srv.close(() => r()));
  if (typeof addr !== 'object' || addr === null) throw new Error('could not pick a free port');
  return addr.port;
}

function listenError(ma: ApiMultiaddr, port: number, err: NodeJS.ErrnoException | { code: string }): FakeLotusError {
  const reason: Record<string, string> = {
    EADDRINUSE: 'address already in use',
    EACCES: 'permission denied',
    EADDRNOTAVAIL: 'cannot assign requested address',
  };
  const net = ma.proto === 'ip6' ? 'tcp6' : 'tcp4';
  const text = reason[err.code ?? ''] ?? (err as Error).message;
  return new FakeLotusError(`failed to start json-rpc endpoint: could not listen: listen ${net} ${goHostPort(ma, port)}: bind: ${text}`);
}

function panicExit(): void {
  process.stderr.write(
    [
      'panic: runtime error: invalid memory address or nil pointer dereference (fake-lotus scenario crash-after)',
      '[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x1b3c4d5]',
      '',
      'goroutine 1873 [running]:',
      'github.com/filecoin-project/lotus/chain.(*Syncer).collectChain(0xc000a1e000, {0x5a8ed2a, 0xc0012f4000})',
      '\t/build/lotus/chain/sync.go:1042 +0x55',
      '',
    ].join('\n'),
  );
  flushAndExit(2);
}

async function importChain(opts: DaemonOptions, env: NodeJS.ProcessEnv): Promise<void> {
  const file = (opts.importChain ?? opts.importSnapshot) as string;
  const log = createLogger('main', 'lotus/daemon.go:613', env);
  const isUrl = /^https?:\/\//.test(file);
  if (!isUrl && !existsSync(file)) throw new FakeLotusError(`open ${file}: no such file or directory`);
  const lock = await lockRepo(opts.repo, env, '');
  log.info(`importing chain from ${file}...`);
  mkdirSync(join(opts.repo, 'datastore', 'chain'), { recursive: true });
  // Marker for tests of the provisioner: which file the last import used.
  writeFileSync(join(opts.repo, 'datastore', 'chain', 'fake-lotus-imported'), `${file}\n`);
  log.info('accepting chain');
  removeFile(join(opts.repo, 'api'));
  removeFile(join(opts.repo, 'repo.lock'));
  await lock.release();
}

/** Runs the daemon: 'halted' after `--halt-after-import`, 'running' once serving (it then exits from its handlers). */
export async function runDaemon(opts: DaemonOptions, env: NodeJS.ProcessEnv): Promise<'halted' | 'running'> {
  let phase: Phase = 'starting';
  let shutdown: (signal?: string) => void = () => undefined;
  const onSignal = (name: string): void => {
    // Before the RPC server is up lotus's CLI wrapper exits(1) at once, no cleanup.
    if (phase === 'starting') process.exit(1);
    else if (phase === 'running') shutdown(name);
    // 'stopping': later signals are swallowed.
  };
  process.on('SIGTERM', () => onSignal('terminated'));
  process.on('SIGINT', () => onSignal('interrupt'));

  const main = createLogger('main', 'lotus/daemon.go:229', env);
  const builder = createLogger('builder', 'node/shutdown.go:44', env);
  let startup: ReturnType<typeof startupSettings>;
  let scenario: ScenarioSource;
  try {
    startup = startupSettings(env);
    scenario = new ScenarioSource(env, opts.repo, (m) => main.warn(m));
  } catch (err) {
    throw new FakeLotusError((err as Error).message);
  }
  const initial = scenario.current();

  if (opts.manageFdlimit && initial.scenarios.has('fd-limit')) {
    main.error('setting file descriptor limit: error setting: ulimit: invalid argument');
  }
  main.info(`lotus repo: ${opts.repo}`);
  if (initial.scenarios.has('exit-immediately')) {
    throw new FakeLotusError('fake-lotus: exiting at start as scripted (scenario exit-immediately)', startup.exitCode);
  }
  if (opts.lite && !env.FULLNODE_API_INFO) {
    throw new FakeLotusError(
      `could not get API info for FullNode: could not get api endpoint: No file (${join(opts.repo, 'api')}): API not running (no endpoint)`,
    );
  }
  const configPath = opts.config ?? join(opts.repo, 'config.toml');
  if (repoNeedsInit(opts.repo)) {
    createLogger('repo', 'repo/fsrepo.go:156', env).info(`Initializing repo at '${opts.repo}'`);
    initRepo(opts.repo, configPath);
  }
  if (!opts.lite) createLogger('paramfetch', 'go-paramfetch@v0.0.4/paramfetch.go:244', env).info('parameter and key-fetching complete');

  if (opts.importChain && opts.importSnapshot) throw new FakeLotusError("cannot specify both 'import-snapshot' and 'import-chain'");
  if (opts.importChain || opts.importSnapshot) {
    await importChain(opts, env);
    if (opts.haltAfterImport) {
      process.stdout.write('Chain import complete, halting as requested...\n');
      return 'halted';
    }
  }

  // Node construction: lock, keys and token, then the `api` file before the listener binds.
  const lock = await lockRepo(opts.repo, env, NODE_OPTIONS_FAILED);
  let ma: ApiMultiaddr;
  let secret: Buffer;
  let peerId: string;
  try {
    checkKeystorePermissions(opts.repo);
    secret = loadOrCreateSecret(opts.repo, createLogger('modules', 'node/modules/core.go:92', env));
    peerId = loadOrCreatePeerId(opts.repo);
    ensureDatastore(opts.repo);
    const text = opts.api !== undefined ? `/ip4/127.0.0.1/tcp/${opts.api}` : env.LOTUS_API_LISTENADDRESS || readConfigListenAddress(configPath) || DEFAULT_LISTEN;
    ma = parseApiMultiaddr(text);
  } catch (err) {
    throw new FakeLotusError(`${NODE_OPTIONS_FAILED}: ${(err as Error).message}`);
  }
  const port = ma.port === 0 ? await reservePort(ma.host) : ma.port;
  const apiAddr = formatApiMultiaddr(ma, port);
  writeApiFile(opts.repo, apiAddr);
  createLogger('watchdog', 'lotus/node/modules/core.go:154', env).info('memory limits initialized', { max_mem_heap: 0, total_system_mem: 17179869184 });

  if (initial.scenarios.has('slow-start')) await sleep(startup.startDelayMs);

  const node = new FakeNode({ repo: opts.repo, apiAddr, peerId, secret, startup, scenario });
  const readiness = new Readiness(node, startup.readyzDelayMs);
  const server: ApiServer = createApiServer(node, readiness, createLogger('auth', 'auth/handler.go:34', env));
  if (initial.scenarios.has('port-in-use')) throw listenError(ma, port, { code: 'EADDRINUSE' });
  try {
    await server.listen(ma.host, port);
  } catch (err) {
    throw listenError(ma, port, err as NodeJS.ErrnoException);
  }

  phase = 'running';
  node.apiUpMs = Date.now();
  readiness.start();
  if (initial.scenarios.has('crash-after')) setTimeout(panicExit, startup.crashAfterMs);
  if (initial.scenarios.has('oom-kill')) setTimeout(() => process.kill(process.pid, 'SIGKILL'), startup.oomAfterMs);

  shutdown = (signal?: string): void => {
    if (phase !== 'running') return;
    phase = 'stopping';
    void (async () => {
      builder.warn('received shutdown', signal ? { signal } : undefined);
      builder.warn('Shutting down...');
      await server.stop();
      builder.info('rpc server shut down successfully ');
      const s = scenario.current();
      if (s.scenarios.has('ignore-sigterm')) {
        // A hung node stop: nothing but SIGKILL ends the process now.
        setInterval(() => undefined, 1 << 30);
        return;
      }
      if (s.scenarios.has('slow-shutdown')) await sleep(s.shutdownDelayMs);
      removeFile(join(opts.repo, 'api'));
      removeFile(join(opts.repo, 'repo.lock'));
      await lock.release();
      builder.info('node shut down successfully ');
      builder.warn('Graceful shutdown successful');
      flushAndExit(0);
    })();
  };
  node.requestShutdown = () => shutdown();
  return 'running';
}
