import { join } from 'node:path';
import { readTextCapped } from './read-file.js';

/** `/ip4/127.0.0.1/tcp/1234/http` (or `/dns/...`, `/ip6/...`) -> `http://127.0.0.1:1234`; undefined when unreadable. */
export function multiaddrToUrl(ma: string): string | undefined {
  const m = /^\/(ip4|ip6|dns|dns4|dns6)\/([^/]+)\/tcp\/(\d+)(?:\/(http|https|ws|wss))?\/?$/.exec(ma.trim());
  if (!m) return /^https?:\/\//.test(ma) ? ma.replace(/\/+$/, '') : undefined;
  const host = m[1] === 'ip6' ? `[${m[2]}]` : (m[2] as string);
  const scheme = m[4] === 'https' || m[4] === 'wss' ? 'https' : 'http';
  return `${scheme}://${host}:${m[3]}`;
}

/** Where a Lotus node's API is: `auto` reads `<repo>/api` (written by lotus on start, removed on clean stop). */
export function resolveApiUrl(api: string, repo: string | undefined): string | undefined {
  if (api === 'none') return undefined;
  if (api !== 'auto') return multiaddrToUrl(api);
  if (!repo) return undefined;
  try {
    return multiaddrToUrl(readTextCapped(join(repo, 'api'), 'api'));
  } catch {
    return undefined;
  }
}

/** The most of an API answer the health probes read: Filecoin.Version, ChainHead, NetPeers answer in a few KiB. */
export const MAX_RPC_RESPONSE_BYTES = 4 * 1024 * 1024;

/** The body as text, or undefined when it is longer than `max` bytes (then the rest is never downloaded). */
async function cappedText(res: Response, max: number): Promise<string | undefined> {
  const declared = Number(res.headers.get('content-length') ?? '0');
  if (declared > max) {
    await res.body?.cancel().catch(() => undefined);
    return undefined;
  }
  const reader = res.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      await reader.cancel().catch(() => undefined);
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export interface RpcResult<T> { ok: true; result: T }
export interface RpcFailure { ok: false; error: string }

/** One JSON-RPC call on /rpc/v1 without a token (health methods need only `read`), bounded by a timeout. */
export async function rpcCall<T = unknown>(baseUrl: string, method: string, params: unknown[] = [], timeoutMs = 5000): Promise<RpcResult<T> | RpcFailure> {
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), timeoutMs);
  try {
    const res = await fetch(`${baseUrl}/rpc/v1`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
      signal: ctl.signal,
    });
    const text = await cappedText(res, MAX_RPC_RESPONSE_BYTES);
    if (res.status !== 200) return { ok: false, error: `HTTP ${res.status}` };
    if (text === undefined) return { ok: false, error: `the answer is larger than ${MAX_RPC_RESPONSE_BYTES} bytes` };
    const body = JSON.parse(text) as { result?: T; error?: { message?: string } };
    if (body.error) return { ok: false, error: body.error.message ?? 'JSON-RPC error' };
    return { ok: true, result: body.result as T };
  } catch (e) {
    return { ok: false, error: ctl.signal.aborted ? `no answer within ${timeoutMs} ms` : String((e as Error).cause ?? (e as Error).message) };
  } finally {
    clearTimeout(timer);
  }
}
