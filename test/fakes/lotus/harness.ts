// Helpers for integration tests that drive the fake `lotus` as a real process (no vitest imports here).
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRepoRoot(start: string): string {
  let dir = start;
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${start}`);
    dir = up;
  }
  return dir;
}

/** Root of this checkout (works from test/fakes/lotus and from dist/test/fakes/lotus). */
export const REPO_ROOT = findRepoRoot(dirname(fileURLToPath(import.meta.url)));
/** The executable shim tests put on PATH or spawn directly. */
export const FAKE_LOTUS_BIN = join(REPO_ROOT, 'test', 'fakes', 'bin', 'lotus');
/** The compiled entry point the shim runs. */
export const FAKE_LOTUS_MAIN = join(REPO_ROOT, 'dist', 'test', 'fakes', 'lotus', 'main.js');

/** Throws a clear error when `npm run build` has not produced the fake yet. */
export function assertFakeLotusBuilt(): void {
  if (!existsSync(FAKE_LOTUS_MAIN)) {
    throw new Error(`fake lotus is not built: ${FAKE_LOTUS_MAIN} is missing; run \`npm run build\` (tsc -p tsconfig.build.json) first`);
  }
}

let python: string | undefined;
/**
 * The real python3 binary (skips slow pyenv-style shims for the repo-lock helper). Run as root, fake lotus jobs run as
 * the unprivileged operator (test/helpers/operator.ts), so a python under /root (pyenv) will not do: then the first
 * system-wide python3 that anyone may run.
 */
export function pythonExecutable(): string {
  if (python !== undefined) return python;
  const own = execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim() || 'python3';
  const candidates = process.getuid?.() === 0 ? [own, '/usr/bin/python3', '/usr/local/bin/python3', '/opt/homebrew/bin/python3'] : [own];
  python = candidates.find((p) => p.startsWith('/') && runnableByAnyone(p)) ?? own;
  return python;
}

/** Every folder above `p` searchable by others, and `p` executable by others (symlinks followed by stat). */
function runnableByAnyone(p: string): boolean {
  try {
    for (let d = dirname(p); ; d = dirname(d)) {
      if ((statSync(d).mode & 0o1) === 0) return false;
      if (dirname(d) === d) break;
    }
    return (statSync(p).mode & 0o1) !== 0;
  } catch {
    return false;
  }
}

/** A minimal, isolated environment for one fake daemon/CLI run on `repo` (API on a free port). */
export function fakeLotusEnv(repo: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: dirname(resolve(repo)),
    LOTUS_PATH: repo,
    LOTUS_API_LISTENADDRESS: '/ip4/127.0.0.1/tcp/0/http',
    FAKE_LOTUS_PYTHON: pythonExecutable(),
    ...extra,
  };
}

/** A spawned fake lotus process with captured output. */
export interface FakeLotusProcess {
  child: ChildProcess;
  pid: number;
  stdout(): string;
  stderr(): string;
  /** Resolves when the process has exited. */
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  exited(): boolean;
  waitForStderr(pattern: RegExp | string, timeoutMs?: number): Promise<void>;
  waitForExit(timeoutMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const live = new Set<FakeLotusProcess>();

/** Spawns `lotus <args>` via the shim; the process is tracked for killAllFakeLotus(). */
export function spawnFakeLotus(args: readonly string[], env: NodeJS.ProcessEnv): FakeLotusProcess {
  assertFakeLotusBuilt();
  const child = spawn(FAKE_LOTUS_BIN, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let done = false;
  child.stdout?.on('data', (c: Buffer) => (out += c.toString('utf8')));
  child.stderr?.on('data', (c: Buffer) => (err += c.toString('utf8')));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) => {
    // 'close' waits for the pipes too, so all output is captured.
    child.once('close', (code, signal) => {
      done = true;
      live.delete(proc);
      res({ code, signal });
    });
  });
  const proc: FakeLotusProcess = {
    child,
    pid: child.pid ?? -1,
    stdout: () => out,
    stderr: () => err,
    exit,
    exited: () => done,
    waitForStderr: async (pattern, timeoutMs = 10_000) => {
      const test = (s: string): boolean => (typeof pattern === 'string' ? s.includes(pattern) : pattern.test(s));
      await waitFor(`stderr to match ${String(pattern)}`, () => (test(err) ? true : done ? fail() : undefined), timeoutMs);
      function fail(): never {
        throw new Error(`process exited before stderr matched ${String(pattern)}; stderr:\n${err}`);
      }
    },
    waitForExit: (timeoutMs = 10_000) =>
      Promise.race([
        exit,
        new Promise<never>((_, rej) => setTimeout(() => rej(new Error(`process did not exit within ${timeoutMs} ms; stderr:\n${err}`)), timeoutMs).unref()),
      ]),
  };
  live.add(proc);
  return proc;
}

/** SIGKILLs every fake lotus still running and waits for them (use in afterEach). */
export async function killAllFakeLotus(): Promise<void> {
  const procs = [...live];
  for (const p of procs) p.child.kill('SIGKILL');
  await Promise.all(procs.map((p) => p.exit));
}

/** Runs a short-lived `lotus <args>` to completion. */
export async function runFakeLotus(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  timeoutMs = 10_000,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const p = spawnFakeLotus(args, env);
  const { code } = await p.waitForExit(timeoutMs);
  return { code, stdout: p.stdout(), stderr: p.stderr() };
}

/** Polls `probe` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 10_000, intervalMs = 25): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      lastError = err;
      if (err instanceof Error && /exited before/.test(err.message)) throw err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${String(lastError)})` : ''}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Result of one HTTP exchange. */
export interface HttpResult {
  status: number;
  body: string;
}

/** One HTTP request; resolves 'timeout' if no answer within `timeoutMs`. */
export function httpRequest(
  url: string,
  opts: { method?: string; body?: string; headers?: Record<string, string>; timeoutMs?: number } = {},
): Promise<HttpResult | 'timeout'> {
  return new Promise((resolvePromise, reject) => {
    const req = request(url, { method: opts.method ?? 'GET', headers: opts.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolvePromise({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    const timer = setTimeout(() => {
      req.destroy();
      resolvePromise('timeout');
    }, opts.timeoutMs ?? 5000);
    req.on('close', () => clearTimeout(timer));
    req.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    req.end(opts.body);
  });
}

/** JSON-RPC call on `/rpc/<api>`; returns the HTTP status, raw body and parsed JSON (if any). */
export async function rpcCall(
  base: string,
  method: string,
  params: unknown[] = [],
  opts: { token?: string; api?: 'v0' | 'v1'; timeoutMs?: number } = {},
): Promise<HttpResult & { json: { result?: unknown; error?: { code: number; message: string } } | undefined }> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (opts.token) headers.Authorization = `Bearer ${opts.token}`;
  const r = await httpRequest(`${base}/rpc/${opts.api ?? 'v1'}`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ jsonrpc: '2.0', method, params, id: 1 }),
    timeoutMs: opts.timeoutMs,
  });
  if (r === 'timeout') throw new Error(`${method}: no answer within ${opts.timeoutMs ?? 5000} ms`);
  let json;
  try {
    json = JSON.parse(r.body) as { result?: unknown; error?: { code: number; message: string } };
  } catch {
    json = undefined;
  }
  return { ...r, json };
}

/** `http://host:port` of a multiaddr like `/ip4/127.0.0.1/tcp/1234/http`. */
export function baseUrlOf(multiaddr: string): string {
  const m = /^\/ip4\/([^/]+)\/tcp\/(\d+)/.exec(multiaddr);
  if (!m) throw new Error(`unexpected api multiaddr ${multiaddr}`);
  return `http://${m[1]}:${m[2]}`;
}

/** Waits until `<repo>/api` exists and the daemon answers Filecoin.Version; returns its base URL. */
export async function waitForApi(repo: string, proc?: FakeLotusProcess, timeoutMs = 10_000): Promise<string> {
  return waitFor(
    'the fake lotus API to answer',
    async () => {
      if (proc?.exited()) throw new Error(`daemon exited before its API came up; process exited before ready; stderr:\n${proc.stderr()}`);
      let text: string;
      try {
        text = readFileSync(join(repo, 'api'), 'utf8');
      } catch {
        return undefined;
      }
      const base = baseUrlOf(text);
      const r = await rpcCall(base, 'Filecoin.Version', [], { timeoutMs: 2000 });
      return r.status === 200 ? base : undefined;
    },
    timeoutMs,
  );
}
