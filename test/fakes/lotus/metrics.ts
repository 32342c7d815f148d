// /debug/metrics: Prometheus text with lotus's metric names (namespace `lotus`, const label network="mainnet").
import { readdirSync, readFileSync } from 'node:fs';
import { formatGoFloat } from './go-format.js';
import type { FakeNode } from './node.js';

const HOARD_CAP = 256 * 1024 * 1024;
const HOARD_STEP = 4 * 1024 * 1024;

/** Memory the memory-growth scenario really holds (modest, capped) plus what it reports on top of real RSS. */
export class MemoryHoard {
  private readonly chunks: Buffer[] = [];
  private held = 0;
  private reportedExtra = 0;

  /** Called per scrape while memory-growth is on: grows the reported RSS and really allocates a little. */
  grow(reportBytes: number): void {
    this.reportedExtra += reportBytes;
    if (this.held + HOARD_STEP <= HOARD_CAP) {
      // Filled (not zeroed) so the pages are really resident.
      this.chunks.push(Buffer.alloc(HOARD_STEP, 0xa5));
      this.held += HOARD_STEP;
    }
  }

  residentBytes(): number {
    return process.memoryUsage().rss + this.reportedExtra;
  }
}

/** Per-method request counters for lotus_api_request_duration_ms. */
export class ApiStats {
  private readonly byKey = new Map<string, { count: number; sumMs: number }>();

  record(api: string, method: string, ms: number): void {
    const key = `${api}\u0000${method.replace(/^Filecoin\./, '')}`;
    const cur = this.byKey.get(key) ?? { count: 0, sumMs: 0 };
    cur.count += 1;
    cur.sumMs += ms;
    this.byKey.set(key, cur);
  }

  entries(): Array<{ api: string; endpoint: string; count: number; sumMs: number }> {
    return [...this.byKey.entries()].map(([k, v]) => {
      const [api, endpoint] = k.split('\u0000') as [string, string];
      return { api, endpoint, ...v };
    });
  }
}

function openFds(): number {
  try {
    return readdirSync('/proc/self/fd').length;
  } catch {
    return 64;
  }
}

function maxFds(): number {
  try {
    const m = /Max open files\s+(\d+)/.exec(readFileSync('/proc/self/limits', 'utf8'));
    if (m) return Number(m[1]);
  } catch {
    // not Linux
  }
  return 16384;
}

function versionParts(version: string): { version: string; commit: string } {
  const plus = version.indexOf('+');
  const git = version.indexOf('+git.');
  return { version: plus < 0 ? version : version.slice(0, plus), commit: git < 0 ? '' : version.slice(git) };
}

/** Renders the scrape (and applies memory growth when that scenario is on). */
export function renderMetrics(node: FakeNode, memory: MemoryHoard, stats: ApiStats): string {
  const s = node.settings();
  if (s.scenarios.has('memory-growth')) memory.grow(s.memoryGrowthBytes);
  const head = node.head(s);
  const peers = node.peerCount(s);
  const { version, commit } = versionParts(node.version);
  const net = 'network="mainnet"';
  const lines: string[] = [];
  const gauge = (name: string, help: string, samples: Array<[string, number]>): void => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`);
    for (const [labels, v] of samples) lines.push(`${name}${labels ? `{${labels}}` : ''} ${formatGoFloat(v)}`);
  };
  gauge('go_goroutines', 'Number of goroutines that currently exist.', [['', 350 + peers * 12]]);
  gauge('lotus_chain_node_height', 'Current Height of the node', [[net, head]]);
  gauge('lotus_chain_node_height_expected', 'Expected Height of the node', [[net, node.expected()]]);
  gauge('lotus_chain_node_worker_height', 'Current Height of workers on the node', [[net, head]]);
  gauge('lotus_info', 'Arbitrary counter to tag lotus info to', [
    [`commit="${commit}",${net},node_type="chain",version="${version}"`, 1],
  ]);
  gauge('lotus_peer_count', 'Current number of FIL peers', [[net, peers]]);
  const api = stats.entries();
  if (api.length > 0) {
    lines.push('# HELP lotus_api_request_duration_ms Duration of API requests', '# TYPE lotus_api_request_duration_ms histogram');
    for (const e of api) {
      const l = `api="${e.api}",endpoint="${e.endpoint}",${net}`;
      lines.push(`lotus_api_request_duration_ms_bucket{${l},le="+Inf"} ${e.count}`);
      lines.push(`lotus_api_request_duration_ms_sum{${l}} ${formatGoFloat(e.sumMs)}`);
      lines.push(`lotus_api_request_duration_ms_count{${l}} ${e.count}`);
    }
  }
  gauge('process_max_fds', 'Maximum number of open file descriptors.', [['', maxFds()]]);
  gauge('process_open_fds', 'Number of open file descriptors.', [['', openFds()]]);
  gauge('process_resident_memory_bytes', 'Resident memory size in bytes.', [['', memory.residentBytes()]]);
  gauge('process_start_time_seconds', 'Start time of the process since unix epoch in seconds.', [['', Math.floor(node.startMs / 1000)]]);
  return `${lines.join('\n')}\n`;
}
