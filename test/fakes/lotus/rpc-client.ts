// What the fake CLI uses to reach a daemon: endpoint from FULLNODE_API_INFO or the repo's api/token, JSON-RPC over HTTP.
import { request } from 'node:http';
import { FakeLotusError } from './errors.js';
import { parseApiInfo, parseApiMultiaddr, type ApiTarget } from './multiaddr.js';
import { readApiFile, readTokenFile } from './repo.js';
import type { Logger } from './log.js';

/** Resolves the daemon to talk to (specs/lotus-operations.md §3); throws lotus's error texts. */
export function resolveTarget(repo: string, env: NodeJS.ProcessEnv, log: Logger): ApiTarget {
  const info = env.FULLNODE_API_INFO;
  if (info) {
    try {
      return parseApiInfo(info);
    } catch (err) {
      throw new FakeLotusError(`could not get API info for FullNode: ${(err as Error).message}`);
    }
  }
  let addr: string;
  try {
    addr = readApiFile(repo);
  } catch (err) {
    throw new FakeLotusError((err as Error).message);
  }
  const token = readTokenFile(repo);
  if (token === undefined) log.warn(`Couldn't load CLI token, capabilities may be limited: open ${repo}/token: no such file or directory`);
  const ma = parseApiMultiaddr(addr);
  return { host: ma.host, port: ma.port, token, addr };
}

function hostPort(t: ApiTarget): string {
  return t.host.includes(':') ? `[${t.host}]:${t.port}` : `${t.host}:${t.port}`;
}

/** Calls one method; resolves with the result or throws FakeLotusError with the message the CLI prints. */
export function callApi(target: ApiTarget, method: string, params: unknown[], api: 'v0' | 'v1' = 'v0'): Promise<unknown> {
  const body = JSON.stringify({ jsonrpc: '2.0', method, params, id: 1 });
  const headers: Record<string, string | number> = { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) };
  if (target.token) headers.Authorization = `Bearer ${target.token}`;
  return new Promise((resolve, reject) => {
    const req = request({ host: target.host, port: target.port, path: `/rpc/${api}`, method: 'POST', headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode === 401) return reject(new FakeLotusError('request failed, http status 401 Unauthorized'));
        try {
          const doc = JSON.parse(text) as { result?: unknown; error?: { message?: string } };
          if (doc.error) return reject(new FakeLotusError(doc.error.message ?? 'unknown error'));
          resolve(doc.result);
        } catch {
          reject(new FakeLotusError(`request failed, http status ${res.statusCode} ${res.statusMessage ?? ''}`.trim()));
        }
      });
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      const reason: Record<string, string> = {
        ECONNREFUSED: 'connect: connection refused',
        ECONNRESET: 'read: connection reset by peer',
        EHOSTUNREACH: 'connect: no route to host',
        ETIMEDOUT: 'i/o timeout',
      };
      reject(new FakeLotusError(`dial tcp ${hostPort(target)}: ${reason[err.code ?? ''] ?? err.message}`));
    });
    req.end(body);
  });
}
