// The monitor's eyes: launchd state, the Lotus API and the process's memory for one service, each bounded by a
// timeout, never retried within a tick. Anything that cannot be read is reported as such, not guessed.
import type { WatchedJob } from './applied.js';
import { explainExit } from '../launchd/exit-status.js';
import type { Launchctl } from '../system/launchctl.js';
import { resolveApiUrl, rpcCall } from '../system/lotus-api.js';
import { processStats } from '../system/process-stats.js';
import type { ApiView, LaunchdView, Observation } from './policy.js';

export interface ProbeOptions {
  /** Per-call bound on the API probes; a hung API is unreachable after this long. */
  readonly apiTimeoutMs: number;
  readonly now: () => number;
  readonly applyLock?: string;
}

/** `launchctl print` -> what launchd says. A failed or unparsable print is `unreadable`, never running. */
export async function probeLaunchd(job: WatchedJob, lc: Launchctl): Promise<LaunchdView> {
  let printed;
  try {
    printed = await lc.print(job.domain, job.label);
  } catch (e) {
    return { kind: 'unreadable', error: (e as Error).message };
  }
  if (printed === undefined) return { kind: 'not-loaded' };
  const p = printed.parsed;
  const runs = p.runs === undefined ? {} : { runs: p.runs };
  if (p.pid !== undefined) return { kind: 'running', pid: p.pid, ...runs };
  // Without a pid only an explicit non-running state is trusted; a cut-off or unknown layout is unreadable.
  if (p.state !== undefined && p.state !== 'running' && p.truncated !== true) return { kind: 'idle', ...runs, lastExit: explainExit(p.lastExit) };
  return { kind: 'unreadable', error: `launchctl print showed no pid and state ${JSON.stringify(p.state ?? null)}` };
}

interface ChainHead {
  Height?: unknown;
  Blocks?: Array<{ Timestamp?: unknown }>;
}

/** ChainHead, NetPeers and Session in parallel; ChainHead decides reachability, the others are extras. */
export async function probeApi(job: WatchedJob, timeoutMs: number): Promise<ApiView> {
  const health = job.health;
  if (!health || health.api === 'none') return { kind: 'off' };
  const url = resolveApiUrl(health.api, job.repo);
  if (url === undefined) {
    if (health.api === 'auto' && job.repo === undefined) return { kind: 'unreachable', error: 'health.api is auto but the service has no repo to read the api file from' };
    return { kind: 'unreachable', error: health.api === 'auto' ? `no API endpoint: ${job.repo}/api is missing` : `cannot read the API address ${JSON.stringify(health.api)}` };
  }
  const [head, peers, session] = await Promise.all([
    rpcCall<ChainHead>(url, 'Filecoin.ChainHead', [], timeoutMs),
    rpcCall<unknown[]>(url, 'Filecoin.NetPeers', [], timeoutMs),
    rpcCall<unknown>(url, 'Filecoin.Session', [], timeoutMs),
  ]);
  if (!head.ok) return { kind: 'unreachable', error: `Filecoin.ChainHead: ${head.error}` };
  const height = head.result?.Height;
  const stamps = (Array.isArray(head.result?.Blocks) ? head.result.Blocks : []).map((b) => b?.Timestamp);
  if (typeof height !== 'number' || stamps.length === 0 || !stamps.every((t): t is number => typeof t === 'number')) {
    return { kind: 'unreachable', error: 'Filecoin.ChainHead answered without a Height and block Timestamps' };
  }
  const peerField = peers.ok && Array.isArray(peers.result)
    ? { peers: peers.result.length }
    : { peersError: peers.ok ? 'Filecoin.NetPeers did not return a list' : `Filecoin.NetPeers: ${peers.error}` };
  const sessionField = session.ok && typeof session.result === 'string' ? { session: session.result } : {};
  return { kind: 'ok', height, headTimestamp: Math.min(...stamps), ...peerField, ...sessionField };
}

/** Everything one tick needs to know about one running service. */
export async function probeService(job: WatchedJob, lc: Launchctl, opts: ProbeOptions): Promise<Observation> {
  const launchd = await probeLaunchd(job, lc);
  const running = launchd.kind === 'running';
  const [api, stats] = await Promise.all([
    running ? probeApi(job, opts.apiTimeoutMs) : Promise.resolve<ApiView>({ kind: 'off' }),
    running ? processStats(launchd.pid, { timeoutMs: opts.apiTimeoutMs }).catch(() => undefined) : Promise.resolve(undefined),
  ]);
  // Taken after the answers: lag against a later `now` can only over-, never under-state how far behind the head is.
  const time = opts.now();
  return {
    service: job.name, time, launchd, api,
    ...(stats ? { rssBytes: stats.rssBytes, processAgeMs: stats.elapsedMs } : {}),
    ...(opts.applyLock !== undefined ? { applyLock: opts.applyLock } : {}),
  };
}
