// Filecoin.* methods the fake serves, with lotus's permissions, parameter counts and result shapes (specs/lotus-operations.md §2).
import { GO_ZERO_TIME, tipsetAt, type TipSetJson } from './chain.js';
import { PERMISSIONS, signToken, verifyToken, type Permission } from './jwt.js';
import type { FakeNode } from './node.js';

/** Which API path the request came in on. */
export type ApiVersion = 'v0' | 'v1';

/** Go type names used in unmarshal errors. */
type ParamType = 'bool' | 'string' | '[]auth.Permission';

/** Contract of one method: required permission, parameter types (count = length), implementation. */
export interface MethodSpec {
  perm: Permission;
  params: readonly ParamType[];
  run(node: FakeNode, params: unknown[], api: ApiVersion): unknown;
}

/** A method-level failure: JSON-RPC error `code` with HTTP status `status`. */
export class RpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly status = 200,
  ) {
    super(message);
  }
}

const API_V1 = (2 << 16) | (3 << 8) | 0; // 131840 = 2.3.0
const API_V0 = (1 << 16) | (5 << 8) | 0; // 66816 = 1.5.0

/** Semver text of an APIVersion number (`1.5.0`). */
export function apiSemver(v: number): string {
  return `${(v >> 16) & 0xff}.${(v >> 8) & 0xff}.${v & 0xff}`;
}

function syncState(node: FakeNode): unknown {
  const s = node.settings();
  const now = node.now();
  const head = node.head(s);
  const vmApplied = 1000 + Math.floor((now - node.startMs) * 0.037);
  if (node.peerCount(s) === 0) return { ActiveSyncs: [], VMApplied: vmApplied };
  const seg = node.chain.syncSegment();
  const expected = node.expected();
  let base: TipSetJson;
  let target: TipSetJson;
  let stage: number;
  let start: string;
  let end: string;
  if (seg.mode === 'syncing' && head < expected) {
    base = tipsetAt(seg.baseHeight);
    target = tipsetAt(expected);
    stage = 3; // message sync
    start = new Date(seg.startMs).toISOString();
    end = GO_ZERO_TIME;
  } else {
    base = tipsetAt(head - 1);
    target = tipsetAt(head);
    stage = 4; // complete
    const at = Math.max(node.startMs, seg.startMs);
    start = new Date(at).toISOString();
    end = new Date(at + 17).toISOString();
  }
  return {
    ActiveSyncs: [{ WorkerID: node.workerId, Base: base, Target: target, Stage: stage, Height: head, Start: start, End: end, Message: '' }],
    VMApplied: vmApplied,
  };
}

function nodeStatus(node: FakeNode, includeChain: boolean): unknown {
  const s = node.settings();
  const head = node.head(s);
  const peers = node.peerCount(s);
  return {
    SyncStatus: { Epoch: head, Behind: node.behind(head) },
    PeerStatus: { PeersToPublishMsgs: peers, PeersToPublishBlocks: peers },
    ChainStatus: includeChain
      ? { BlocksPerTipsetLast100: 4.87, BlocksPerTipsetLastFinality: 4.91 }
      : { BlocksPerTipsetLast100: 0, BlocksPerTipsetLastFinality: 0 },
  };
}

function agentOf(node: FakeNode): string {
  return `lotus-${node.version}`;
}

function knownPeer(node: FakeNode, id: unknown): string {
  const p = node.peers().find((x) => x.ID === id);
  if (!p) throw new RpcError(1, 'failed to find peer in peerstore');
  return p.ID;
}

/** Method table, keyed by full name. */
export const METHODS: Record<string, MethodSpec> = {
  'Filecoin.Version': {
    perm: 'read',
    params: [],
    run: (node, _p, api) => ({ Version: node.version, APIVersion: api === 'v0' ? API_V0 : API_V1, BlockDelay: 30, Agent: 'lotus' }),
  },
  'Filecoin.ChainHead': { perm: 'read', params: [], run: (node) => tipsetAt(node.head()) },
  'Filecoin.SyncState': { perm: 'read', params: [], run: (node) => syncState(node) },
  'Filecoin.NodeStatus': { perm: 'read', params: ['bool'], run: (node, p) => nodeStatus(node, p[0] === true) },
  'Filecoin.NetPeers': { perm: 'read', params: [], run: (node) => node.peers() },
  'Filecoin.ID': { perm: 'read', params: [], run: (node) => node.opts.peerId },
  'Filecoin.Session': { perm: 'read', params: [], run: (node) => node.session },
  'Filecoin.StartTime': { perm: 'read', params: [], run: (node) => new Date(node.startMs).toISOString() },
  'Filecoin.NetAutoNatStatus': {
    perm: 'read',
    params: [],
    run: (node) => {
      const r = node.reachability();
      return { Reachability: r, PublicAddrs: r === 1 ? ['/ip4/203.0.113.7/tcp/1347', '/ip4/203.0.113.7/udp/1347/quic-v1'] : null };
    },
  },
  'Filecoin.NetBandwidthStats': {
    perm: 'read',
    params: [],
    run: (node) => {
      const secs = Math.max(1, (node.now() - node.startMs) / 1000);
      const peers = node.peerCount();
      return { TotalIn: Math.floor(secs * peers * 5000), TotalOut: Math.floor(secs * peers * 3000), RateIn: peers * 5000.5, RateOut: peers * 3000.25 };
    },
  },
  'Filecoin.NetAgentVersion': { perm: 'read', params: ['string'], run: (node, p) => (knownPeer(node, p[0]), agentOf(node)) },
  'Filecoin.NetPeerInfo': {
    perm: 'read',
    params: ['string'],
    run: (node, p) => {
      const peer = node.peers().find((x) => x.ID === knownPeer(node, p[0]));
      return { ID: peer?.ID, Agent: agentOf(node), Addrs: peer?.Addrs ?? [], Protocols: ['/fil/hello/1.0.0', '/ipfs/ping/1.0.0'], ConnMgrMeta: null };
    },
  },
  'Filecoin.StateNetworkName': { perm: 'read', params: [], run: () => 'mainnet' },
  'Filecoin.Shutdown': {
    perm: 'admin',
    params: [],
    run: (node) => {
      // Answer first; the graceful path starts right after (and waits for this request).
      setImmediate(() => node.requestShutdown());
      return null;
    },
  },
  'Filecoin.AuthNew': {
    perm: 'admin',
    params: ['[]auth.Permission'],
    run: (node, p) => {
      const perms = (p[0] as string[] | null) ?? [];
      const bad = perms.find((x) => !(PERMISSIONS as readonly string[]).includes(x));
      if (bad !== undefined) throw new RpcError(1, `unknown permission: ${bad}`);
      return Buffer.from(signToken(node.opts.secret, perms as Permission[])).toString('base64');
    },
  },
  'Filecoin.AuthVerify': {
    perm: 'read',
    params: ['string'],
    run: (node, p) => {
      const perms = verifyToken(node.opts.secret, String(p[0]));
      if (!perms) throw new RpcError(1, 'JWT Verification failed: failed to verify signature');
      return perms;
    },
  },
  'Filecoin.ChainNotify': { perm: 'read', params: [], run: () => notSupported('Filecoin.ChainNotify') },
  'Filecoin.SyncIncomingBlocks': { perm: 'read', params: [], run: () => notSupported('Filecoin.SyncIncomingBlocks') },
};

function notSupported(method: string): never {
  throw new RpcError(-32601, `method '${method}' not supported in this mode (no out channel support)`, 500);
}

/** Go json type name of a decoded JSON value, for `cannot unmarshal X into Go value of type Y`. */
export function goJsonKind(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  if (typeof v === 'boolean') return 'bool';
  return typeof v;
}

/** Checks one parameter against its Go type; returns the Go unmarshal error text or undefined. */
export function checkParam(type: ParamType, v: unknown): string | undefined {
  if (v === null) return undefined; // Go leaves the zero value
  const fail = (kind: string): string => `json: cannot unmarshal ${kind} into Go value of type ${type.replace(/^\[\]auth\./, 'auth.')}`;
  if (type === 'bool') return typeof v === 'boolean' ? undefined : fail(goJsonKind(v));
  if (type === 'string') return typeof v === 'string' ? undefined : fail(goJsonKind(v));
  if (!Array.isArray(v)) return `json: cannot unmarshal ${goJsonKind(v)} into Go value of type []auth.Permission`;
  const bad = v.find((x) => typeof x !== 'string');
  return bad === undefined ? undefined : fail(goJsonKind(bad));
}
