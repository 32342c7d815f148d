// Per-process daemon state shared by the RPC methods, health endpoints and metrics.
import { randomUUID } from 'node:crypto';
import { BLOCK_DELAY, ChainModel, expectedHeight, heightTimestamp, peersFor, type PeerJson } from './chain.js';
import type { RuntimeSettings, ScenarioSource, StartupSettings } from './scenario.js';

/** Options fixed when the node is constructed. */
export interface NodeOptions {
  repo: string;
  apiAddr: string;
  peerId: string;
  secret: Buffer;
  startup: StartupSettings;
  scenario: ScenarioSource;
}

/** What one running fake daemon knows; time is always real time (Date.now()). */
export class FakeNode {
  /** New per process start (restart detector). */
  readonly session = randomUUID();
  readonly workerId = 30000 + Math.floor(Math.random() * 20000);
  readonly startMs = Date.now();
  readonly chain = new ChainModel(this.startMs);
  /** Set by the daemon when the RPC server is up. */
  apiUpMs = 0;
  /** Set by the daemon: starts the graceful path without a signal (Filecoin.Shutdown). */
  requestShutdown: () => void = () => undefined;

  constructor(readonly opts: NodeOptions) {}

  get version(): string {
    return this.opts.startup.version;
  }

  now(): number {
    return Date.now();
  }

  settings(): RuntimeSettings {
    return this.opts.scenario.current();
  }

  /** Peer count under the current scenario. */
  peerCount(s = this.settings()): number {
    return s.scenarios.has('no-peers') ? 0 : Math.floor(s.peers);
  }

  peers(s = this.settings()): PeerJson[] {
    return peersFor(this.peerCount(s));
  }

  /** Head height now. */
  head(s = this.settings()): number {
    return this.chain.head(this.now(), s);
  }

  expected(): number {
    return expectedHeight(this.now());
  }

  /** NodeStatus Behind: floor((now − head min timestamp)/30). */
  behind(head: number): number {
    return Math.max(0, Math.floor((this.now() / 1000 - heightTimestamp(head)) / BLOCK_DELAY));
  }

  /** AutoNAT: public with peers, unknown without. */
  reachability(s = this.settings()): number {
    return this.peerCount(s) > 0 ? 1 : 0;
  }

  /** readyz condition (specs/lotus-operations.md §2): reachability known and Behind < 5. */
  readyNow(): boolean {
    const s = this.settings();
    return this.reachability(s) !== 0 && this.behind(this.head(s)) < 5;
  }
}
