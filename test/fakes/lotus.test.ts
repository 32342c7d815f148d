// Integration tests of the fake `lotus` (test/fakes/lotus): runs the compiled fake through its shim as real processes.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  assertFakeLotusBuilt,
  baseUrlOf,
  fakeLotusEnv,
  FAKE_LOTUS_BIN,
  httpRequest,
  killAllFakeLotus,
  pythonExecutable,
  rpcCall,
  runFakeLotus,
  spawnFakeLotus,
  waitFor,
  waitForApi,
  type FakeLotusProcess,
} from './lotus/harness.js';
import { formatFilShort, formatGoDuration, formatGoFloat } from './lotus/go-format.js';
import { base32Encode } from './lotus/encoding.js';
import { parseApiInfo } from './lotus/multiaddr.js';

const TOKEN_PREFIX = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJBbGxvdyI6WyJyZWFkIiwid3JpdGUiLCJzaWduIiwiYWRtaW4iXX0.';
const LOCKED = 'ERROR: initializing node: applying node options failed: repo is already locked (process is already running)\n\n';
const GENESIS = 1598306400;

let dirs: string[] = [];
const servers: Server[] = [];

function tempRepo(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fake-lotus-'));
  dirs.push(dir);
  return join(dir, 'repo');
}

const mode = (p: string): number => statSync(p).mode & 0o777;

/** Starts a daemon on a fresh (or given) repo and waits until its API answers. */
async function startDaemon(repo = tempRepo(), extra: NodeJS.ProcessEnv = {}, args: string[] = []) {
  const env = fakeLotusEnv(repo, { FAKE_LOTUS_LIVEZ_DELAY_MS: '0', ...extra });
  const proc = spawnFakeLotus(['daemon', ...args], env);
  const base = await waitForApi(repo, proc);
  return { repo, env, proc, base, token: readFileSync(join(repo, 'token'), 'utf8') };
}

/** True if another process holds a POSIX (fcntl) lock on the file. */
function fcntlLocked(path: string): boolean {
  const out = execFileSync(pythonExecutable(), [
    '-c',
    'import fcntl,os,sys\nfd=os.open(sys.argv[1],os.O_RDWR)\ntry:\n fcntl.lockf(fd,fcntl.LOCK_EX|fcntl.LOCK_NB);print("free")\nexcept OSError:\n print("locked")',
    path,
  ]);
  return out.toString().trim() === 'locked';
}

function setControl(repo: string, doc: Record<string, unknown>): void {
  // Atomic enough for the fake: it keeps the last good file if it ever reads a partial one.
  writeFileSync(join(repo, 'fake-lotus.json'), JSON.stringify(doc));
}

async function nodeStatus(base: string): Promise<{ SyncStatus: { Epoch: number; Behind: number }; PeerStatus: { PeersToPublishMsgs: number; PeersToPublishBlocks: number } }> {
  const r = await rpcCall(base, 'Filecoin.NodeStatus', [false]);
  expect(r.status).toBe(200);
  return r.json?.result as never;
}

function isAlive(p: FakeLotusProcess): boolean {
  return !p.exited();
}

beforeAll(() => {
  assertFakeLotusBuilt();
});

afterEach(async () => {
  await killAllFakeLotus();
  for (const s of servers.splice(0)) s.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});

describe('pure helpers', () => {
  it.each([
    [0n, '0s'],
    [16_718_371n, '16.718371ms'],
    [1_500n, '1.5µs'],
    [999n, '999ns'],
    [7_985_000_000_000n, '2h13m5s'],
    [62_500_000_000n, '1m2.5s'],
  ])('formats Go durations %s ns as %s', (ns, text) => {
    expect(formatGoDuration(ns)).toBe(text);
  });

  it.each([
    [4863283, '4.863283e+06'],
    [5170000, '5.17e+06'],
    [999999, '999999'],
    [1, '1'],
    [0.5, '0.5'],
    [54583296, '5.4583296e+07'],
  ])('formats Prometheus floats %s as %s', (v, text) => {
    expect(formatGoFloat(v)).toBe(text);
  });

  it.each([
    [100n, '100 aFIL'],
    [20592036n, '20.592 pFIL'],
    [10n ** 18n, '1 FIL'],
  ])('formats FIL.Short %s as %s', (v, text) => {
    expect(formatFilShort(v)).toBe(text);
  });

  it('names keystore files like lotus (base32, no padding)', () => {
    expect(base32Encode(Buffer.from('libp2p-host'))).toBe('NRUWE4BSOAWWQ33TOQ');
    expect(base32Encode(Buffer.from('auth-jwt-private'))).toBe('MF2XI2BNNJ3XILLQOJUXMYLUMU');
  });

  it('parses FULLNODE_API_INFO forms', () => {
    expect(parseApiInfo('tok:/ip4/127.0.0.1/tcp/1234/http')).toMatchObject({ token: 'tok', host: '127.0.0.1', port: 1234 });
    expect(parseApiInfo('/ip4/10.0.0.1/tcp/99/http,tok:/ip4/127.0.0.1/tcp/1/http')).toMatchObject({ token: undefined, port: 99 });
    expect(parseApiInfo('tok:ws://host.example:4321')).toMatchObject({ token: 'tok', host: 'host.example', port: 4321 });
  });
});

describe('fake lotus: repo, lock and lifecycle', () => {
  it('prints its version without a daemon', async () => {
    const repo = tempRepo();
    const r = await runFakeLotus(['--version'], fakeLotusEnv(repo));
    expect(r).toMatchObject({ code: 0, stdout: 'lotus version 1.36.2+mainnet+git.5a8ed2a\n' });
    const custom = await runFakeLotus(['--version'], fakeLotusEnv(repo, { FAKE_LOTUS_VERSION: '1.37.0+calibnet+git.abc' }));
    expect(custom.stdout).toBe('lotus version 1.37.0+calibnet+git.abc\n');
  });

  it('initialises the repo on first start with lotus file modes and holds a real fcntl lock', async () => {
    const { repo, proc } = await startDaemon();
    expect(mode(repo)).toBe(0o755);
    expect(mode(join(repo, 'keystore'))).toBe(0o700);
    for (const key of ['MF2XI2BNNJ3XILLQOJUXMYLUMU', 'NRUWE4BSOAWWQ33TOQ']) expect(mode(join(repo, 'keystore', key))).toBe(0o600);
    expect(mode(join(repo, 'token'))).toBe(0o600);
    expect(mode(join(repo, 'api'))).toBe(0o644);
    const token = readFileSync(join(repo, 'token'), 'utf8');
    expect(token.startsWith(TOKEN_PREFIX)).toBe(true);
    expect(token).not.toMatch(/\s$/);
    const api = readFileSync(join(repo, 'api'), 'utf8');
    expect(api).toMatch(/^\/ip4\/127\.0\.0\.1\/tcp\/[1-9]\d*\/http$/);
    expect(readFileSync(join(repo, 'config.toml'), 'utf8')).toContain('[Chainstore]\n  EnableSplitstore = true');
    expect(readFileSync(join(repo, 'config.toml'), 'utf8')).toContain('#ListenAddress = "/ip4/127.0.0.1/tcp/1234/http"');
    expect(statSync(join(repo, 'repo.lock')).size).toBe(0);
    expect(fcntlLocked(join(repo, 'repo.lock'))).toBe(true);
    expect(proc.stderr()).toContain(`lotus repo: ${repo}`);
    expect(proc.stderr()).toContain(`Initializing repo at '${repo}'`);
    expect(proc.stderr()).toMatch(/\tWARN\tmodules\t[^\t]+\tGenerating new API secret\n/);
  });

  it('rejects a second daemon on the same repo with the exact lock error', async () => {
    const { repo, env } = await startDaemon();
    const second = await runFakeLotus(['daemon'], env);
    expect(second.code).toBe(1);
    expect(second.stderr.endsWith(LOCKED)).toBe(true);
    expect(second.stderr).not.toContain('Initializing repo');
    expect(existsSync(join(repo, 'api'))).toBe(true);
  });

  it('refuses a non-empty repo.lock', async () => {
    const repo = tempRepo();
    const first = await startDaemon(repo);
    first.proc.child.kill('SIGKILL');
    await first.proc.exit;
    writeFileSync(join(repo, 'repo.lock'), 'junk');
    const r = await runFakeLotus(['daemon'], first.env);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`can't Lock file "${join(repo, 'repo.lock')}": has non-zero size\n\n`);
  });

  it('shuts down gracefully on SIGTERM: log lines in order, api and repo.lock removed, exit 0', async () => {
    const { repo, proc, token } = await startDaemon();
    proc.child.kill('SIGTERM');
    const { code } = await proc.waitForExit();
    expect(code).toBe(0);
    const lines = proc.stderr().split('\n');
    const idx = (re: RegExp): number => lines.findIndex((l) => re.test(l));
    const order = [
      idx(/\tWARN\tbuilder\t[^\t]+\treceived shutdown\t\{"signal": "terminated"\}$/),
      idx(/\tWARN\tbuilder\t[^\t]+\tShutting down\.\.\.$/),
      idx(/\tINFO\tbuilder\t[^\t]+\trpc server shut down successfully $/),
      idx(/\tINFO\tbuilder\t[^\t]+\tnode shut down successfully $/),
      idx(/\tWARN\tbuilder\t[^\t]+\tGraceful shutdown successful$/),
    ];
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(existsSync(join(repo, 'api'))).toBe(false);
    expect(existsSync(join(repo, 'repo.lock'))).toBe(false);
    // Restart: no re-init, no new secret, token untouched.
    const again = await startDaemon(repo);
    expect(again.proc.stderr()).not.toContain('Initializing repo');
    expect(again.proc.stderr()).not.toContain('Generating new API secret');
    expect(again.token).toBe(token);
  });

  it('releases the lock when SIGKILLed: files stay, the next start works', async () => {
    const repo = tempRepo();
    const first = await startDaemon(repo);
    const session = (await rpcCall(first.base, 'Filecoin.Session')).json?.result;
    first.proc.child.kill('SIGKILL');
    expect((await first.proc.exit).signal).toBe('SIGKILL');
    expect(existsSync(join(repo, 'api'))).toBe(true);
    expect(existsSync(join(repo, 'repo.lock'))).toBe(true);
    const second = await startDaemon(repo);
    expect(second.proc.stderr()).not.toContain('already locked');
    expect((await rpcCall(second.base, 'Filecoin.Version')).status).toBe(200);
    expect((await rpcCall(second.base, 'Filecoin.Session')).json?.result).not.toBe(session);
  });

  it('exits 1 at once on SIGTERM before the API is up (no cleanup)', async () => {
    const repo = tempRepo();
    const proc = spawnFakeLotus(['daemon'], fakeLotusEnv(repo, { FAKE_LOTUS_SCENARIO: 'slow-start', FAKE_LOTUS_START_DELAY_MS: '30000' }));
    await waitFor('api file', () => (existsSync(join(repo, 'api')) ? true : undefined));
    // The api file is written before the listener binds: nothing answers yet.
    await expect(rpcCall(baseUrlOf(readFileSync(join(repo, 'api'), 'utf8')), 'Filecoin.Version')).rejects.toThrow(/ECONNREFUSED/);
    proc.child.kill('SIGTERM');
    expect((await proc.waitForExit()).code).toBe(1);
    expect(proc.stderr()).not.toContain('received shutdown');
    expect(existsSync(join(repo, 'api'))).toBe(true);
  });

  it('stops gracefully via Filecoin.Shutdown with the admin token (no signal field)', async () => {
    const { proc, base, token } = await startDaemon();
    const r = await rpcCall(base, 'Filecoin.Shutdown', [], { token });
    expect(r.body).toBe('{"id":1,"jsonrpc":"2.0","result":null}');
    expect((await proc.waitForExit()).code).toBe(0);
    expect(proc.stderr()).toMatch(/\tWARN\tbuilder\t[^\t]+\treceived shutdown\n/);
  });

  it('halts after a snapshot import', async () => {
    const repo = tempRepo();
    const car = join(repo, '..', 'snap.car');
    writeFileSync(car, 'car bytes');
    const r = await runFakeLotus(['daemon', '--import-snapshot', car, '--halt-after-import'], fakeLotusEnv(repo));
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('Chain import complete, halting as requested...\n');
    expect(existsSync(join(repo, 'repo.lock'))).toBe(false);
    expect(readFileSync(join(repo, 'datastore', 'chain', 'fake-lotus-imported'), 'utf8')).toBe(`${car}\n`);
  });

  it('requires FULLNODE_API_INFO for --lite', async () => {
    const repo = tempRepo();
    const r = await runFakeLotus(['daemon', '--lite'], fakeLotusEnv(repo));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`ERROR: could not get API info for FullNode: could not get api endpoint: No file (${join(repo, 'api')}): API not running (no endpoint)\n\n`);
    const lite = await startDaemon(tempRepo(), { FULLNODE_API_INFO: 'tok:/ip4/127.0.0.1/tcp/1234/http' }, ['--lite']);
    expect(lite.proc.stderr()).not.toContain('parameter and key-fetching complete');
  });

  it('honours --repo over LOTUS_PATH and --api over the listen address', async () => {
    const repo = tempRepo();
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const env = fakeLotusEnv(join(repo, '..', 'unused'));
    const proc = spawnFakeLotus(['--repo', repo, 'daemon', '--api', String(port)], env);
    await waitForApi(repo, proc);
    expect(readFileSync(join(repo, 'api'), 'utf8')).toBe(`/ip4/127.0.0.1/tcp/${port}`);
    expect(existsSync(join(repo, '..', 'unused'))).toBe(false);
  });

  it('defaults the repo to ~/.lotus (HOME) and expands ~ in LOTUS_PATH; honours config.toml ListenAddress', async () => {
    const home = join(tempRepo(), '..');
    const env = { ...fakeLotusEnv(join(home, 'x')), LOTUS_PATH: undefined, LOTUS_API_LISTENADDRESS: undefined, HOME: home };
    // Pre-seeded config (kept by init) moves the API off the default 1234 to a free port.
    execFileSync('mkdir', ['-p', join(home, '.lotus')]);
    writeFileSync(join(home, '.lotus', 'config.toml'), '[API]\n  ListenAddress = "/ip4/127.0.0.1/tcp/0/http"\n');
    const proc = spawnFakeLotus(['daemon'], env);
    await waitForApi(join(home, '.lotus'), proc);
    expect(proc.stderr()).toContain(`lotus repo: ${join(home, '.lotus')}`);
    expect(readFileSync(join(home, '.lotus', 'config.toml'), 'utf8')).not.toContain('EnableSplitstore');
    const tilde = spawnFakeLotus(['daemon'], { ...env, LOTUS_PATH: '~/tilde-repo' });
    await waitForApi(join(home, 'tilde-repo'), tilde);
  });

  it('does not bring back a deleted token and rejects relaxed key permissions', async () => {
    const repo = tempRepo();
    const first = await startDaemon(repo);
    first.proc.child.kill('SIGTERM');
    expect((await first.proc.waitForExit()).code).toBe(0);
    rmSync(join(repo, 'token'));
    const second = spawnFakeLotus(['daemon'], first.env);
    await waitForApi(repo, second);
    expect(existsSync(join(repo, 'token'))).toBe(false);
    second.child.kill('SIGTERM');
    expect((await second.waitForExit()).code).toBe(0);
    execFileSync('chmod', ['0644', join(repo, 'keystore', 'NRUWE4BSOAWWQ33TOQ')]);
    const r = await runFakeLotus(['daemon'], first.env);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("permissions of key: 'libp2p-host' are too relaxed, required: 0600, got: 0644\n\n");
  });

  it('reports a port in use with the exact listen error', async () => {
    const blocker = createServer();
    servers.push(blocker);
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as { port: number }).port;
    const repo = tempRepo();
    const r = await runFakeLotus(['daemon'], fakeLotusEnv(repo, { LOTUS_API_LISTENADDRESS: `/ip4/127.0.0.1/tcp/${port}/http` }));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`ERROR: failed to start json-rpc endpoint: could not listen: listen tcp4 127.0.0.1:${port}: bind: address already in use\n\n`);
    const scripted = await runFakeLotus(['daemon'], fakeLotusEnv(tempRepo(), { FAKE_LOTUS_SCENARIO: 'port-in-use' }));
    expect(scripted.code).toBe(1);
    expect(scripted.stderr).toMatch(/ERROR: failed to start json-rpc endpoint: could not listen: listen tcp4 127\.0\.0\.1:\d+: bind: address already in use\n\n$/);
  });

  it('exits immediately with the scripted code', async () => {
    const r = await runFakeLotus(['daemon'], fakeLotusEnv(tempRepo(), { FAKE_LOTUS_SCENARIO: 'exit-immediately', FAKE_LOTUS_EXIT_CODE: '7' }));
    expect(r.code).toBe(7);
    expect(r.stderr).toContain('ERROR: ');
  });

  it('fails loudly on an unknown scenario', async () => {
    const r = await runFakeLotus(['daemon'], fakeLotusEnv(tempRepo(), { FAKE_LOTUS_SCENARIO: 'nope' }));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("unknown scenario 'nope'");
  });
});

describe('fake lotus: HTTP API', () => {
  it('serves the RPC shapes and envelopes of lotus', async () => {
    const { base } = await startDaemon();
    const v1 = await rpcCall(base, 'Filecoin.Version');
    expect(v1.body).toBe('{"id":1,"jsonrpc":"2.0","result":{"Version":"1.36.2+mainnet+git.5a8ed2a","APIVersion":131840,"BlockDelay":30,"Agent":"lotus"}}');
    expect((await rpcCall(base, 'Filecoin.Version', [], { api: 'v0' })).json?.result).toMatchObject({ APIVersion: 66816 });

    const before = Math.floor((Date.now() / 1000 - GENESIS) / 30);
    const head = (await rpcCall(base, 'Filecoin.ChainHead')).json?.result as { Height: number; Cids: unknown[]; Blocks: Array<{ Height: number; Timestamp: number }> };
    const after = Math.floor((Date.now() / 1000 - GENESIS) / 30);
    expect(head.Height).toBeGreaterThanOrEqual(before);
    expect(head.Height).toBeLessThanOrEqual(after);
    expect(head.Blocks.length).toBe(head.Cids.length);
    for (const b of head.Blocks) expect(b).toMatchObject({ Height: head.Height, Timestamp: GENESIS + 30 * head.Height });

    const status = await nodeStatus(base);
    expect(status.SyncStatus.Behind).toBe(0);
    expect(status.PeerStatus.PeersToPublishMsgs).toBeGreaterThan(0);
    const sync = (await rpcCall(base, 'Filecoin.SyncState')).json?.result as { ActiveSyncs: Array<{ Stage: number; Height: number }> };
    expect(sync.ActiveSyncs[0]).toMatchObject({ Stage: 4, Height: head.Height });
    const peers = (await rpcCall(base, 'Filecoin.NetPeers')).json?.result as Array<{ ID: string; Addrs: string[] }>;
    expect(peers.length).toBeGreaterThan(0);
    expect(peers[0]?.ID).toMatch(/^12D3KooW/);
    expect((await rpcCall(base, 'Filecoin.ID')).json?.result).toMatch(/^12D3KooW/);
    const session = (await rpcCall(base, 'Filecoin.Session')).json?.result as string;
    expect(session).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect((await rpcCall(base, 'Filecoin.Session')).json?.result).toBe(session);
    expect(Date.parse((await rpcCall(base, 'Filecoin.StartTime')).json?.result as string)).not.toBeNaN();
    expect((await rpcCall(base, 'Filecoin.NetAutoNatStatus')).json?.result).toMatchObject({ Reachability: 1 });
    expect((await rpcCall(base, 'Filecoin.StateNetworkName')).json?.result).toBe('mainnet');
  });

  it('answers protocol errors with lotus codes and statuses', async () => {
    const { base } = await startDaemon();
    const post = (body: string) => httpRequest(`${base}/rpc/v1`, { method: 'POST', body });
    expect(await post('{"jsonrpc":"2.0","method":"Filecoin.Foo","params":[],"id":1}')).toEqual({
      status: 500,
      body: '{"error":{"code":-32601,"message":"method \'Filecoin.Foo\' not found"},"id":1,"jsonrpc":"2.0"}',
    });
    expect(await post('{"jsonrpc":"2.0","method":"Filecoin.ChainHead","params":[1],"id":1}')).toEqual({
      status: 500,
      body: '{"error":{"code":-32602,"message":"wrong param count (method \'Filecoin.ChainHead\'): 1 != 0"},"id":1,"jsonrpc":"2.0"}',
    });
    const parse = await post('{nope');
    expect(parse).toMatchObject({ status: 500 });
    expect(JSON.parse((parse as { body: string }).body).error.code).toBe(-32700);
    const empty = await post('');
    expect(empty).toMatchObject({ status: 400 });
    expect(JSON.parse((empty as { body: string }).body).error.code).toBe(-32600);
    const notArray = await post('{"jsonrpc":"2.0","method":"Filecoin.ChainHead","params":{},"id":1}');
    expect(JSON.parse((notArray as { body: string }).body).error.code).toBe(-32700);
  });

  it('applies lotus auth rules', async () => {
    const { base, token } = await startDaemon();
    expect((await rpcCall(base, 'Filecoin.ChainHead')).status).toBe(200);
    expect(await rpcCall(base, 'Filecoin.ChainHead', [], { token: 'bad.token.here' })).toMatchObject({ status: 401, body: '' });
    const noBearer = await httpRequest(`${base}/rpc/v1`, {
      method: 'POST',
      headers: { Authorization: token },
      body: '{"jsonrpc":"2.0","method":"Filecoin.Version","params":[],"id":1}',
    });
    expect(noBearer).toEqual({ status: 401, body: '' });
    expect(await rpcCall(base, 'Filecoin.Shutdown')).toMatchObject({
      status: 200,
      body: '{"error":{"code":1,"message":"missing permission to invoke \'Shutdown\' (need \'admin\')"},"id":1,"jsonrpc":"2.0"}',
    });
    const viaQuery = await httpRequest(`${base}/rpc/v1?token=${token}`, { method: 'POST', body: '{"jsonrpc":"2.0","method":"Filecoin.ID","params":[],"id":1}' });
    expect(viaQuery).toMatchObject({ status: 200 });
  });

  it('keeps readyz at 503 until the readiness delay, then 200; livez 200; metrics names', async () => {
    const repo = tempRepo();
    const env = fakeLotusEnv(repo, { FAKE_LOTUS_READYZ_DELAY_MS: '400', FAKE_LOTUS_LIVEZ_DELAY_MS: '0' });
    const proc = spawnFakeLotus(['daemon'], env);
    const base = await waitForApi(repo, proc);
    expect(await httpRequest(`${base}/health/readyz`)).toEqual({ status: 503, body: '' });
    await waitFor('readyz 200', async () => ((await httpRequest(`${base}/health/readyz`)) as { status: number }).status === 200 || undefined, 5000);
    expect(await httpRequest(`${base}/health/livez`)).toEqual({ status: 200, body: '' });
    const metrics = (await httpRequest(`${base}/debug/metrics`)) as { status: number; body: string };
    expect(metrics.status).toBe(200);
    expect(metrics.body).toMatch(/^lotus_info\{commit="[^"]*",network="mainnet",node_type="chain",version="1\.36\.2"\} 1$/m);
    for (const name of ['lotus_chain_node_height', 'lotus_chain_node_height_expected', 'lotus_peer_count', 'process_resident_memory_bytes', 'process_open_fds', 'go_goroutines']) {
      expect(metrics.body).toMatch(new RegExp(`^${name}(\\{[^}]*\\})? [0-9.e+]+$`, 'm'));
    }
    expect(metrics.body).toMatch(/^lotus_chain_node_height\{network="mainnet"\} \d\.\d+e\+06$/m);
  });
});

describe('fake lotus: scenarios', () => {
  it('stalled (switched at runtime): head frozen, Behind grows past the threshold, readyz stays 503', async () => {
    const { base, repo } = await startDaemon(undefined, { FAKE_LOTUS_READYZ_DELAY_MS: '0' });
    expect((await httpRequest(`${base}/health/readyz`)) as object).toMatchObject({ status: 200 });
    setControl(repo, { scenario: 'stalled', stallBehindEpochs: 10 });
    const a = await nodeStatus(base);
    expect(a.SyncStatus.Behind).toBeGreaterThanOrEqual(10);
    const head1 = (await rpcCall(base, 'Filecoin.ChainHead')).json?.result as { Height: number };
    expect(head1.Height).toBe(a.SyncStatus.Epoch);
    expect((await httpRequest(`${base}/health/readyz`)) as object).toMatchObject({ status: 503 });
    const metrics = (await httpRequest(`${base}/debug/metrics`)) as { body: string };
    const num = (name: string): number => Number(new RegExp(`^${name}\\{[^}]*\\} (\\S+)$`, 'm').exec(metrics.body)?.[1]);
    expect(num('lotus_chain_node_height_expected') - num('lotus_chain_node_height')).toBeGreaterThanOrEqual(10);
    setControl(repo, { scenario: 'synced' });
    expect((await nodeStatus(base)).SyncStatus.Behind).toBe(0);
  });

  it('syncing: height rises and Behind falls', async () => {
    const { base } = await startDaemon(undefined, { FAKE_LOTUS_SCENARIO: 'syncing', FAKE_LOTUS_SYNC_BEHIND: '200', FAKE_LOTUS_SYNC_RATE: '20' });
    const first = await nodeStatus(base);
    expect(first.SyncStatus.Behind).toBeGreaterThan(100);
    const later = await waitFor('head to advance', async () => {
      const s = await nodeStatus(base);
      return s.SyncStatus.Epoch > first.SyncStatus.Epoch ? s : undefined;
    });
    expect(later.SyncStatus.Behind).toBeLessThan(first.SyncStatus.Behind);
    const sync = (await rpcCall(base, 'Filecoin.SyncState')).json?.result as { ActiveSyncs: Array<{ Stage: number }> };
    expect(sync.ActiveSyncs[0]?.Stage).toBe(3);
  });

  it('no-peers: empty NetPeers, zero publish peers, CLI shows only the header', async () => {
    const { base, env } = await startDaemon(undefined, { FAKE_LOTUS_SCENARIO: 'no-peers' });
    expect((await rpcCall(base, 'Filecoin.NetPeers')).json?.result).toEqual([]);
    expect((await nodeStatus(base)).PeerStatus).toEqual({ PeersToPublishMsgs: 0, PeersToPublishBlocks: 0 });
    expect(await runFakeLotus(['net', 'peers'], env)).toMatchObject({ code: 0, stdout: '' });
    expect(await runFakeLotus(['sync', 'status'], env)).toMatchObject({ code: 0, stdout: 'sync status:\n' });
  });

  it('hang: the process stays up but requests never answer', async () => {
    const { base, repo, proc } = await startDaemon();
    setControl(repo, { scenario: 'hang' });
    expect(await httpRequest(`${base}/rpc/v1`, { method: 'POST', body: '{"jsonrpc":"2.0","method":"Filecoin.Version","params":[],"id":1}', timeoutMs: 400 })).toBe('timeout');
    expect(await httpRequest(`${base}/health/livez`, { timeoutMs: 300 })).toBe('timeout');
    expect(isAlive(proc)).toBe(true);
    setControl(repo, { scenario: 'synced' });
    expect((await rpcCall(base, 'Filecoin.Version')).status).toBe(200);
  });

  it('crash-after: exits 2 with a panic on stderr, leaving api behind', async () => {
    const { repo, proc } = await startDaemon(undefined, { FAKE_LOTUS_SCENARIO: 'crash-after', FAKE_LOTUS_CRASH_AFTER_MS: '300' });
    const { code } = await proc.waitForExit();
    expect(code).toBe(2);
    expect(proc.stderr()).toMatch(/^panic: /m);
    expect(existsSync(join(repo, 'api'))).toBe(true);
  });

  it('ignore-sigterm: graceful stop starts but never finishes; later SIGTERMs are swallowed; SIGKILL ends it', async () => {
    const { proc, repo } = await startDaemon(undefined, { FAKE_LOTUS_SCENARIO: 'ignore-sigterm' });
    proc.child.kill('SIGTERM');
    await proc.waitForStderr('rpc server shut down successfully ');
    proc.child.kill('SIGTERM');
    proc.child.kill('SIGINT');
    // Bounded observation window for a negative assertion (not used as synchronisation).
    await expect(proc.waitForExit(600)).rejects.toThrow(/did not exit/);
    expect(proc.stderr()).not.toContain('Graceful shutdown successful');
    expect(existsSync(join(repo, 'repo.lock'))).toBe(true);
    proc.child.kill('SIGKILL');
    expect((await proc.exit).signal).toBe('SIGKILL');
  });

  it('slow-shutdown: the graceful stop takes the configured delay, extra SIGTERMs are swallowed', async () => {
    const { proc } = await startDaemon(undefined, { FAKE_LOTUS_SCENARIO: 'slow-shutdown', FAKE_LOTUS_SHUTDOWN_DELAY_MS: '700' });
    const t0 = Date.now();
    proc.child.kill('SIGTERM');
    await proc.waitForStderr('rpc server shut down successfully ');
    proc.child.kill('SIGTERM');
    const { code } = await proc.waitForExit();
    expect(code).toBe(0);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(700);
    expect(proc.stderr().match(/received shutdown/g)).toHaveLength(1);
  });

  it('oom-kill and fd-limit: SIGKILLs itself after the delay, logs the fd-limit error', async () => {
    const { proc } = await startDaemon(undefined, { FAKE_LOTUS_SCENARIO: 'oom-kill,fd-limit', FAKE_LOTUS_OOM_AFTER_MS: '200' });
    expect((await proc.waitForExit()).signal).toBe('SIGKILL');
    expect(proc.stderr()).toMatch(/\tERROR\tmain\t[^\t]+\tsetting file descriptor limit: /);
  });

  it('memory-growth: reported RSS grows on every scrape', async () => {
    const { base } = await startDaemon(undefined, { FAKE_LOTUS_SCENARIO: 'memory-growth' });
    const rss = async (): Promise<number> => {
      const body = ((await httpRequest(`${base}/debug/metrics`)) as { body: string }).body;
      return Number(/^process_resident_memory_bytes (\S+)$/m.exec(body)?.[1]);
    };
    const a = await rss();
    const b = await rss();
    expect(b - a).toBeGreaterThan(100 * 1024 * 1024);
  });
});

describe('fake lotus: CLI', () => {
  it('prints sync status, net peers, status, version and info like lotus', async () => {
    const { env, base } = await startDaemon();
    const sync = await runFakeLotus(['sync', 'status'], env);
    expect(sync.code).toBe(0);
    expect(sync.stdout).toMatch(
      /^sync status:\nworker \d+:\n\tBase:\t\[bafy2bzace[a-z2-7]+( bafy2bzace[a-z2-7]+)*\]\n\tTarget:\t\[bafy2bzace[a-z2-7]+( bafy2bzace[a-z2-7]+)*\] \(\d+\)\n\tHeight diff:\t1\n\tStage: complete\n\tHeight: \d+\n\tElapsed: [0-9.]+(ns|µs|ms|s)\n$/,
    );
    const peers = await runFakeLotus(['net', 'peers'], env);
    const lines = peers.stdout.trimEnd().split('\n');
    for (const l of lines) expect(l).toMatch(/^12D3KooW\w+, \[\/ip4\/[\d.]+\/tcp\/\d+\]$/);
    const ids = lines.map((l) => l.split(',')[0] as string);
    expect(ids).toEqual([...ids].sort().reverse());
    const rpcPeers = (await rpcCall(base, 'Filecoin.NetPeers')).json?.result as unknown[];
    expect(lines).toHaveLength(rpcPeers.length);
    const status = await runFakeLotus(['status'], env);
    expect(status.stdout).toMatch(/^Sync Epoch: \d+\nEpochs Behind: 0\nPeers to Publish Messages: \d+\nPeers to Publish Blocks: \d+\n$/);
    const version = await runFakeLotus(['version'], env);
    expect(version.stdout).toBe('Daemon:  1.36.2+mainnet+git.5a8ed2a+api1.5.0\nLocal: lotus version 1.36.2+mainnet+git.5a8ed2a\n');
    const info = await runFakeLotus(['info'], env);
    expect(info.stdout).toMatch(/^Network: mainnet\nStartTime: \d+s \(started at .+\)\nChain: \[sync ok\] \[basefee \d+ aFIL\] \[epoch \d+\]\nPeers to: \[publish messages \d+\] \[publish blocks \d+\]\nChain health: \d+% \[healthy\]\n/);
  });

  it('issues a read token via auth api-info that can read but not shut down; daemon stop uses admin', async () => {
    const { env, proc, repo } = await startDaemon();
    const r = await runFakeLotus(['auth', 'api-info', '--perm', 'read'], env);
    const api = readFileSync(join(repo, 'api'), 'utf8');
    expect(r.stdout).toMatch(new RegExp(`^FULLNODE_API_INFO=eyJ[\\w-]+\\.[\\w-]+\\.[\\w-]+:${api.replace(/\//g, '\\/')}\\n$`));
    const info = r.stdout.trim().slice('FULLNODE_API_INFO='.length);
    const withInfo = { ...fakeLotusEnv(join(repo, '..', 'elsewhere')), FULLNODE_API_INFO: info };
    expect((await runFakeLotus(['status'], withInfo)).code).toBe(0);
    const denied = await runFakeLotus(['daemon', 'stop'], withInfo);
    expect(denied).toMatchObject({ code: 1, stderr: "ERROR: missing permission to invoke 'Shutdown' (need 'admin')\n\n" });
    const stop = await runFakeLotus(['daemon', 'stop'], env);
    expect(stop).toMatchObject({ code: 0, stdout: '' });
    expect((await proc.waitForExit()).code).toBe(0);
  });

  it('sync wait returns Done! on a synced node; JSON logs with GOLOG_LOG_FMT=json', async () => {
    const { env } = await startDaemon(undefined, { GOLOG_LOG_FMT: 'json' });
    const r = await runFakeLotus(['sync', 'wait'], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Worker: \d+; Base: \d+; Target: \d+ \(diff: 1\)\nState: complete; Current Epoch: \d+; Todo: 0, ETA: \n\nDone!\n$/);
    const daemonLog = await runFakeLotus(['daemon'], env);
    const line = daemonLog.stderr.split('\n')[0] as string;
    expect(JSON.parse(line)).toMatchObject({ level: 'info', logger: 'main', msg: expect.stringMatching(/^lotus repo: /) });
  });

  it('reports lotus errors when the daemon is not running', async () => {
    const repo = tempRepo();
    const env = fakeLotusEnv(repo);
    const missing = await runFakeLotus(['sync', 'status'], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(`ERROR: could not get API info for FullNode: could not get api endpoint: No file (${join(repo, 'api')}): API not running (no endpoint)\n\n`);
    // Stale api file after a crash: connection refused.
    const first = await startDaemon(repo);
    const port = /tcp\/(\d+)/.exec(readFileSync(join(repo, 'api'), 'utf8'))?.[1];
    first.proc.child.kill('SIGKILL');
    await first.proc.exit;
    for (const args of [['status'], ['net', 'peers']]) {
      const refused = await runFakeLotus(args, env);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toBe(`ERROR: dial tcp 127.0.0.1:${port}: connect: connection refused\n\n`);
    }
  });

  it('shim fails clearly when started from a copy without dist/', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fake-lotus-shim-'));
    dirs.push(dir);
    const bin = join(dir, 'test', 'fakes', 'bin');
    execFileSync('mkdir', ['-p', bin]);
    execFileSync('cp', [FAKE_LOTUS_BIN, join(bin, 'lotus')]);
    let err: { status?: number; stderr?: Buffer } = {};
    try {
      execFileSync(join(bin, 'lotus'), ['--version'], { stdio: 'pipe' });
    } catch (e) {
      err = e as typeof err;
    }
    expect(err.status).toBe(127);
    expect(err.stderr?.toString()).toContain("run 'npm run build' first");
  });
});
