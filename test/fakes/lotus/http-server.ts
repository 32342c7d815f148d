// The daemon's one HTTP server: /rpc/v0|v1 (JWT auth), /health/livez|readyz and /debug/metrics (no auth).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { verifyToken, type Permission } from './jwt.js';
import { handleRpc } from './rpc.js';
import { renderMetrics, ApiStats, MemoryHoard } from './metrics.js';
import type { FakeNode } from './node.js';
import type { Logger } from './log.js';

/** readyz is re-evaluated every `delayMs` (lotus: 60 s) and starts as not ready; 0 means evaluate per request. */
export class Readiness {
  private ready = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly node: FakeNode,
    private readonly delayMs: number,
  ) {}

  start(): void {
    if (this.delayMs > 0) {
      this.timer = setInterval(() => {
        this.ready = this.node.readyNow();
      }, this.delayMs);
      this.timer.unref();
    }
  }

  isReady(): boolean {
    return this.delayMs === 0 ? this.node.readyNow() : this.ready;
  }
}

/** Handle on the running server. */
export interface ApiServer {
  /** Binds; rejects with the listen error (e.g. EADDRINUSE). */
  listen(host: string, port: number): Promise<number>;
  /** Stops accepting and resolves once every in-flight request (hung ones included) has finished. */
  stop(): Promise<void>;
}

type Auth = readonly Permission[] | 'unauthorized';

function authenticate(node: FakeNode, req: IncomingMessage, url: URL, log: Logger): Auth {
  let header = req.headers.authorization ?? '';
  if (header === '') {
    const q = url.searchParams.get('token') ?? '';
    if (q !== '') header = `Bearer ${q}`;
  }
  if (header === '') return ['read']; // lotus DefaultPerms
  if (!header.startsWith('Bearer ')) {
    log.warn('missing Bearer prefix in auth header');
    return 'unauthorized';
  }
  const perms = verifyToken(node.opts.secret, header.slice('Bearer '.length));
  if (!perms) {
    log.warn(`JWT Verification failed (originating from ${req.socket.remoteAddress}:${req.socket.remotePort}): failed to verify signature`);
    return 'unauthorized';
  }
  return perms;
}

function send(res: ServerResponse, status: number, body: string, type?: string): void {
  const headers: Record<string, string | number> = { 'Content-Length': Buffer.byteLength(body) };
  if (type) headers['Content-Type'] = type;
  res.writeHead(status, headers);
  res.end(body);
}

/** Creates the server for `node`. */
export function createApiServer(node: FakeNode, readiness: Readiness, log: Logger): ApiServer {
  const memory = new MemoryHoard();
  const stats = new ApiStats();
  let inflight = 0;
  const pending: Array<() => void> = [];
  const hanging = (): boolean => node.settings().scenarios.has('hang');
  const releasePending = (): void => {
    if (pending.length === 0 || hanging()) return;
    for (const run of pending.splice(0)) run();
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    if (path === '/rpc/v0' || path === '/rpc/v1') {
      const auth = authenticate(node, req, url, log);
      if (auth === 'unauthorized') return send(res, 401, '');
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const started = performance.now();
        const api = path === '/rpc/v0' ? 'v0' : 'v1';
        const reply = handleRpc(node, api, auth, Buffer.concat(chunks).toString('utf8'));
        if (reply.method) stats.record(api, reply.method, performance.now() - started);
        send(res, reply.status, reply.body, 'application/json');
      });
      return;
    }
    if (path === '/health/livez') {
      const s = node.settings();
      const now = node.now();
      node.head(s);
      const starting = now - node.apiUpMs < node.opts.startup.livezDelayMs;
      const stale = now - node.chain.lastChangeMs > node.opts.startup.livezStallMs;
      return send(res, starting || stale ? 503 : 200, '');
    }
    if (path === '/health/readyz') return send(res, readiness.isReady() ? 200 : 503, '');
    if (path === '/debug/metrics') return send(res, 200, renderMetrics(node, memory, stats), 'text/plain; version=0.0.4; charset=utf-8');
    return send(res, 404, '404 page not found\n', 'text/plain; charset=utf-8');
  };

  const server: Server = createServer((req, res) => {
    inflight += 1;
    let finished = false;
    const done = (): void => {
      if (!finished) {
        finished = true;
        inflight -= 1;
      }
    };
    const run = (): void => {
      if (req.socket.destroyed) return done();
      res.once('finish', done);
      res.once('close', done);
      handle(req, res);
    };
    // A hung request stays in flight (like a wedged handler) until the scenario is switched off again.
    if (hanging()) pending.push(run);
    else {
      releasePending();
      run();
    }
  });
  server.keepAliveTimeout = 5000;

  return {
    listen: (host, port) =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen({ host, port, exclusive: true }, () => {
          server.off('error', reject);
          const addr = server.address();
          resolve(typeof addr === 'object' && addr ? addr.port : port);
        });
      }),
    stop: async () => {
      server.close();
      server.closeIdleConnections();
      while (inflight > 0) {
        releasePending();
        await new Promise((r) => setTimeout(r, 20));
      }
      server.closeAllConnections();
    },
  };
}
