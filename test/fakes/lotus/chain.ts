// The fake chain: heights follow real time (mainnet genesis, 30 s epochs) and the scenario (synced/syncing/stalled).
import { fakeCid, fakePeerId, sha256 } from './encoding.js';
import type { RuntimeSettings } from './scenario.js';

/** Mainnet genesis, 2020-08-24T22:00:00Z, in Unix seconds. */
export const GENESIS_UNIX = 1598306400;
/** Seconds per epoch. */
export const BLOCK_DELAY = 30;

/** Height a synced mainnet node has at `nowMs`: floor((now − genesis)/30). */
export function expectedHeight(nowMs: number): number {
  return Math.floor((nowMs / 1000 - GENESIS_UNIX) / BLOCK_DELAY);
}

/** Block timestamp of an epoch (no null rounds in the fake). */
export function heightTimestamp(height: number): number {
  return GENESIS_UNIX + BLOCK_DELAY * height;
}

/** Go's zero time.Time in JSON. */
export const GO_ZERO_TIME = '0001-01-01T00:00:00Z';

/** Which way the head moves. */
export type ChainMode = 'synced' | 'syncing' | 'stalled';

/** stalled wins over syncing, which wins over synced (the default). */
export function chainMode(s: RuntimeSettings): ChainMode {
  if (s.scenarios.has('stalled')) return 'stalled';
  if (s.scenarios.has('syncing')) return 'syncing';
  return 'synced';
}

/** CID JSON link. */
export interface Link {
  '/': string;
}

/** lotus BlockHeader JSON (field order as Go marshals it). */
export interface BlockJson {
  Miner: string;
  Ticket: { VRFProof: string };
  ElectionProof: { WinCount: number; VRFProof: string };
  BeaconEntries: Array<{ Round: number; Data: string }>;
  WinPoStProof: Array<{ PoStProof: number; ProofBytes: string }>;
  Parents: Link[];
  ParentWeight: string;
  Height: number;
  ParentStateRoot: Link;
  ParentMessageReceipts: Link;
  Messages: Link;
  BLSAggregate: { Type: number; Data: string };
  Timestamp: number;
  BlockSig: { Type: number; Data: string };
  ForkSignaling: number;
  ParentBaseFee: string;
}

/** lotus TipSet JSON. */
export interface TipSetJson {
  Cids: Link[];
  Blocks: BlockJson[];
  Height: number;
}

function blockCount(height: number): number {
  return 1 + ((sha256(`blocks:${height}`)[0] ?? 0) % 5);
}

function tipsetCids(height: number): Link[] {
  return Array.from({ length: blockCount(height) }, (_, i) => ({ '/': fakeCid(`block:${height}:${i}`) }));
}

const b64 = (seed: string, bytes = 32): string => sha256(seed).subarray(0, bytes).toString('base64');

/** Deterministic tipset at `height`, every block stamped 1598306400 + 30 × height. */
export function tipsetAt(height: number): TipSetJson {
  const cids = tipsetCids(height);
  const parents = tipsetCids(height - 1);
  const baseFee = 100 + ((sha256(`fee:${height}`)[1] ?? 0) % 200);
  const blocks = cids.map((_, i): BlockJson => ({
    Miner: `f0${1000000 + (sha256(`miner:${height}:${i}`).readUInt32BE(0) % 3000000)}`,
    Ticket: { VRFProof: b64(`ticket:${height}:${i}`) },
    ElectionProof: { WinCount: 1, VRFProof: b64(`election:${height}:${i}`) },
    BeaconEntries: [{ Round: 5_000_000 + height, Data: b64(`beacon:${height}`) }],
    WinPoStProof: [{ PoStProof: 3, ProofBytes: b64(`post:${height}:${i}`) }],
    Parents: parents,
    ParentWeight: String(100_000_000_000n + BigInt(height) * 25_600n),
    Height: height,
    ParentStateRoot: { '/': fakeCid(`state:${height}`) },
    ParentMessageReceipts: { '/': fakeCid(`receipts:${height}`) },
    Messages: { '/': fakeCid(`msgs:${height}:${i}`) },
    BLSAggregate: { Type: 2, Data: b64(`bls:${height}:${i}`) },
    Timestamp: heightTimestamp(height),
    BlockSig: { Type: 2, Data: b64(`sig:${height}:${i}`) },
    ForkSignaling: 0,
    ParentBaseFee: String(baseFee),
  }));
  return { Cids: cids, Blocks: blocks, Height: height };
}

/** Peer entry as NetPeers returns it. */
export interface PeerJson {
  ID: string;
  Addrs: string[];
}

/** `count` deterministic peers. */
export function peersFor(count: number): PeerJson[] {
  return Array.from({ length: count }, (_, i) => ({
    ID: fakePeerId(`peer:${i}`),
    Addrs: [`/ip4/52.36.${(i * 7) % 250}.${100 + (i % 150)}/tcp/1347`],
  }));
}

/** Head tracker: remembers when the mode changed so syncing rises and stalled stays frozen from that moment. */
export class ChainModel {
  private mode: ChainMode | undefined;
  private segmentStartMs = 0;
  private segmentBase = 0;
  private frozen = 0;
  private lastHeight: number | undefined;
  /** When the head height last changed (ms); drives livez staleness. */
  lastChangeMs: number;

  constructor(startMs: number) {
    this.lastChangeMs = startMs;
  }

  /** Head height at `nowMs` under settings `s`. */
  head(nowMs: number, s: RuntimeSettings): number {
    const mode = chainMode(s);
    if (mode !== this.mode) this.enter(mode, nowMs, s);
    const h = this.compute(nowMs, s);
    if (h !== this.lastHeight) {
      this.lastHeight = h;
      this.lastChangeMs = nowMs;
    }
    return h;
  }

  /** Sync progress for SyncState: where the current sync started and when. */
  syncSegment(): { mode: ChainMode; baseHeight: number; startMs: number } {
    return { mode: this.mode ?? 'synced', baseHeight: this.segmentBase, startMs: this.segmentStartMs };
  }

  private enter(mode: ChainMode, nowMs: number, s: RuntimeSettings): void {
    const previous = this.mode === undefined ? expectedHeight(nowMs) : this.compute(nowMs, s);
    this.mode = mode;
    this.segmentStartMs = nowMs;
    this.segmentBase = mode === 'syncing' ? expectedHeight(nowMs) - s.syncBehindEpochs : previous;
    this.frozen = previous - s.stallBehindEpochs;
  }

  private compute(nowMs: number, s: RuntimeSettings): number {
    const expected = expectedHeight(nowMs);
    switch (this.mode) {
      case 'stalled':
        return this.frozen;
      case 'syncing':
        return Math.min(expected, this.segmentBase + Math.floor((s.syncEpochsPerSecond * (nowMs - this.segmentStartMs)) / 1000));
      default:
        return expected;
    }
  }
}
