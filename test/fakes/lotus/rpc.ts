// JSON-RPC 2.0 over HTTP POST, go-jsonrpc style: envelope keys alphabetical, lotus status codes (specs/lotus-operations.md §2).
import { checkParam, METHODS, RpcError, type ApiVersion } from './rpc-methods.js';
import type { Permission } from './jwt.js';
import type { FakeNode } from './node.js';

/** An HTTP answer: status and body. */
export interface RpcReply {
  status: number;
  body: string;
  method?: string;
}

type Id = string | number | null;

// go-jsonrpc marshals the response through a map, hence alphabetical keys.
function ok(id: Id, result: unknown): string {
  return JSON.stringify({ id, jsonrpc: '2.0', result: result === undefined ? null : result });
}

function fail(status: number, id: Id, code: number, message: string): RpcReply {
  return { status, body: JSON.stringify({ error: { code, message }, id, jsonrpc: '2.0' }) };
}

/** Rough Go encoding/json wording for a syntax error. */
function goSyntaxError(body: string, err: unknown): string {
  const msg = (err as Error).message;
  if (/end of JSON input/i.test(msg)) return 'unexpected end of JSON input';
  const pos = /position (\d+)/.exec(msg);
  const at = pos ? Number(pos[1]) : body.search(/\S/);
  const ch = body.charAt(at) || body.trim().charAt(0);
  return `invalid character '${ch}' looking for beginning of value`;
}

/** Handles one request body received on /rpc/<api> by a caller holding `perms`. */
export function handleRpc(node: FakeNode, api: ApiVersion, perms: readonly Permission[], body: string): RpcReply {
  if (body.trim() === '') return fail(400, null, -32600, 'Invalid request');
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch (err) {
    return fail(500, null, -32700, `unmarshaling request: ${goSyntaxError(body, err)}`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    const kind = Array.isArray(doc) ? 'array' : doc === null ? 'null' : typeof doc === 'boolean' ? 'bool' : typeof doc;
    return fail(500, null, -32700, `unmarshaling request: json: cannot unmarshal ${kind} into Go value of type jsonrpc.request`);
  }
  const req = doc as { id?: unknown; method?: unknown; params?: unknown };
  const id: Id = typeof req.id === 'string' || typeof req.id === 'number' ? req.id : null;
  if (req.params !== undefined && req.params !== null && !Array.isArray(req.params)) {
    return fail(500, id, -32700, 'unmarshaling request: json: cannot unmarshal object into Go struct field request.params of type []jsonrpc.param');
  }
  const params = (req.params as unknown[] | null | undefined) ?? [];
  const method = typeof req.method === 'string' ? req.method : '';
  const spec = METHODS[method];
  if (!spec) return fail(500, id, -32601, `method '${method}' not found`);
  if (!perms.includes(spec.perm)) {
    return { ...fail(200, id, 1, `missing permission to invoke '${method.replace(/^Filecoin\./, '')}' (need '${spec.perm}')`), method };
  }
  if (params.length !== spec.params.length) {
    return { ...fail(500, id, -32602, `wrong param count (method '${method}'): ${params.length} != ${spec.params.length}`), method };
  }
  for (const [i, type] of spec.params.entries()) {
    const problem = checkParam(type, params[i]);
    if (problem) {
      const goType = type === 'bool' ? '*bool' : type === 'string' ? '*string' : '*[]auth.Permission';
      return { ...fail(500, id, -32700, `unmarshaling params for '${method}' (param: ${goType}): ${problem}`), method };
    }
  }
  try {
    return { status: 200, body: ok(id, spec.run(node, params, api)), method };
  } catch (err) {
    if (err instanceof RpcError) return { ...fail(err.status, id, err.code, err.message), method };
    return { ...fail(200, id, 1, (err as Error).message), method };
  }
}
