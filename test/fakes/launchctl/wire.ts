// Reading one request off the supervisor socket, in either client's format, and answering in the same one:
//  - the Node client (client.ts): one JSON line each way, its caller context already read (contextFromEnv);
//  - the fast client (fast-client.c): `LCTL1 <n>\n` and n bytes of NUL-terminated fields, the caller's raw euid, TTY
//    flag, cwd and FAKE_LAUNCHD_* variables, from which the context is read here with the same contextFromEnv.
//    Answer: `<code> <stdout bytes> <stderr bytes>\n`, then both outputs.
import { contextFromEnv, type Request, type Response } from './protocol.js';

export type Wire = 'json' | 'fast';

const FAST_MAGIC = 'LCTL1 ';
/** Bigger than any request the fast client may send (argv and env are bounded by ARG_MAX anyway). */
const MAX_FAST_BYTES = 16 * 1024 * 1024;

export type Parsed = { wire: Wire; req: Request } | { wire: Wire; error: string } | undefined;

/** Parses what arrived so far; undefined while the request is incomplete. */
export function parseRequest(buf: Buffer): Parsed {
  if (buf.length === 0) return undefined;
  if (buf[0] === 0x7b /* { */) {
    const nl = buf.indexOf(0x0a);
    if (nl < 0) return undefined;
    return { wire: 'json', req: JSON.parse(buf.subarray(0, nl).toString('utf8')) as Request };
  }
  const head = buf.subarray(0, Math.min(buf.length, FAST_MAGIC.length)).toString('latin1');
  if (!FAST_MAGIC.startsWith(head)) return { wire: 'json', error: 'unknown request format' };
  const nl = buf.indexOf(0x0a);
  if (nl < 0) return buf.length > 32 ? { wire: 'fast', error: 'unreadable request header' } : undefined;
  const size = Number(buf.subarray(FAST_MAGIC.length, nl).toString('latin1'));
  if (!Number.isSafeInteger(size) || size < 0 || size > MAX_FAST_BYTES) return { wire: 'fast', error: 'unreadable request header' };
  if (buf.length < nl + 1 + size) return undefined;
  return decodeFast(buf.subarray(nl + 1, nl + 1 + size));
}

function decodeFast(body: Buffer): Parsed {
  const fields: string[] = [];
  let at = 0;
  while (at < body.length) {
    const end = body.indexOf(0, at);
    if (end < 0) return { wire: 'fast', error: 'unterminated request field' };
    fields.push(body.subarray(at, end).toString('utf8'));
    at = end + 1;
  }
  const [euid, tty, cwd, count, ...rest] = fields;
  const n = Number(count);
  const realEuid = Number(euid);
  if (cwd === undefined || !Number.isSafeInteger(n) || n < 0 || n > rest.length || !Number.isSafeInteger(realEuid) || realEuid < 0) {
    return { wire: 'fast', error: 'malformed request' };
  }
  const env: Record<string, string> = {};
  for (const entry of rest.slice(0, n)) {
    const eq = entry.indexOf('=');
    if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return { wire: 'fast', req: { argv: rest.slice(n), cwd, ctx: contextFromEnv(env, tty === '1', realEuid) } };
}

export function encodeResponse(wire: Wire, res: Response): Buffer {
  if (wire === 'json') return Buffer.from(`${JSON.stringify(res)}\n`);
  const out = Buffer.from(res.stdout);
  const err = Buffer.from(res.stderr);
  return Buffer.concat([Buffer.from(`${res.code} ${out.length} ${err.length}\n`), out, err]);
}
