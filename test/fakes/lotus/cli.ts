// Client subcommands (specs/lotus-operations.md §3): version, sync status|wait, net peers, status, info, daemon stop, auth api-info|create-token.
import { FakeLotusError } from './errors.js';
import { bool, parseFlags, str, type FlagSpec } from './args.js';
import { callApi, resolveTarget } from './rpc-client.js';
import { apiSemver } from './rpc-methods.js';
import { formatFilShort, formatGoDuration, formatGoSeconds, formatGoTime } from './go-format.js';
import { createLogger } from './log.js';
import { PERMISSIONS } from './jwt.js';
import type { ApiTarget } from './multiaddr.js';

/** Context every client command gets. */
export interface CliContext {
  repo: string;
  env: NodeJS.ProcessEnv;
  version: string;
  out: (text: string) => void;
}

interface TipSet {
  Cids: Array<{ '/': string }>;
  Blocks: Array<{ Timestamp: number; ParentBaseFee: string; Ticket?: { VRFProof: string } }>;
  Height: number;
}

interface SyncStateJson {
  ActiveSyncs: Array<{
    WorkerID: number;
    Base: TipSet | null;
    Target: TipSet | null;
    Stage: number;
    Height: number;
    Start: string;
    End: string;
    Message: string;
  }>;
  VMApplied: number;
}

interface NodeStatusJson {
  SyncStatus: { Epoch: number; Behind: number };
  PeerStatus: { PeersToPublishMsgs: number; PeersToPublishBlocks: number };
  ChainStatus: { BlocksPerTipsetLast100: number; BlocksPerTipsetLastFinality: number };
}

const STAGES = ['idle', 'header sync', 'persisting headers', 'message sync', 'complete', 'error', 'fetching messages'];

/** lotus api.SyncStateStage.String(). */
export function stageName(stage: number): string {
  return STAGES[stage] ?? `<unknown: ${stage}>`;
}

const cidList = (ts: TipSet | null): string => `[${(ts?.Cids ?? []).map((c) => c['/']).join(' ')}]`;
const minTimestamp = (ts: TipSet): number => Math.min(...ts.Blocks.map((b) => b.Timestamp));
const isZeroTime = (t: string): boolean => t.startsWith('0001-01-01');

function target(ctx: CliContext): ApiTarget {
  return resolveTarget(ctx.repo, ctx.env, createLogger('cli', 'cli/util/api.go:195', ctx.env));
}

function flagsOf(args: readonly string[], specs: readonly FlagSpec[]): ReturnType<typeof parseFlags> {
  return parseFlags(args, [...specs, { name: 'help', aliases: ['h'], kind: 'bool' }]);
}

/** Renders `lotus sync status` for a SyncState result. */
export function renderSyncStatus(state: SyncStateJson, nowMs: number): string {
  let out = 'sync status:\n';
  for (const ss of state.ActiveSyncs) {
    out += `worker ${ss.WorkerID}:\n`;
    let heightDiff = ss.Base ? ss.Base.Height : 0;
    heightDiff = ss.Target ? ss.Target.Height - heightDiff : 0;
    out += `\tBase:\t${cidList(ss.Base)}\n`;
    out += `\tTarget:\t${cidList(ss.Target)} (${ss.Target?.Height ?? 0})\n`;
    out += `\tHeight diff:\t${heightDiff}\n`;
    out += `\tStage: ${stageName(ss.Stage)}\n`;
    out += `\tHeight: ${ss.Height}\n`;
    const start = Date.parse(ss.Start);
    if (isZeroTime(ss.End)) {
      if (!isZeroTime(ss.Start)) out += `\tElapsed: ${formatGoDuration(BigInt(Math.max(0, nowMs - start)) * 1_000_000n)}\n`;
    } else out += `\tElapsed: ${formatGoDuration(BigInt(Date.parse(ss.End) - start) * 1_000_000n)}\n`;
    if (ss.Stage === 5) out += `\tError: ${ss.Message}\n`;
  }
  return out;
}

async function version(ctx: CliContext): Promise<void> {
  const v = (await callApi(target(ctx), 'Filecoin.Version', [])) as { Version: string; APIVersion: number };
  ctx.out(`Daemon:  ${v.Version}+api${apiSemver(v.APIVersion)}\nLocal: lotus version ${ctx.version}\n`);
}

async function syncStatus(ctx: CliContext): Promise<void> {
  const state = (await callApi(target(ctx), 'Filecoin.SyncState', [])) as SyncStateJson;
  ctx.out(renderSyncStatus(state, Date.now()));
}

async function syncWait(ctx: CliContext, args: readonly string[]): Promise<void> {
  const watch = bool(flagsOf(args, [{ name: 'watch', kind: 'bool' }]), 'watch');
  const t = target(ctx);
  const first = (await callApi(t, 'Filecoin.SyncState', [])) as SyncStateJson;
  const firstApplied = first.VMApplied;
  let lastLines = 0;
  for (let i = 0; ; i++) {
    const state = (await callApi(t, 'Filecoin.SyncState', [])) as SyncStateJson;
    if (state.ActiveSyncs.length === 0) {
      await new Promise((r) => setTimeout(r, 1000));
      continue;
    }
    const head = (await callApi(t, 'Filecoin.ChainHead', [])) as TipSet;
    let working = state.ActiveSyncs.findIndex((s) => s.Stage !== 4 && s.Stage !== 0);
    if (working < 0) working = state.ActiveSyncs.length - 1;
    const ss = state.ActiveSyncs[working] as SyncStateJson['ActiveSyncs'][number];
    const base = ss.Base?.Height ?? 0;
    const theight = ss.Target?.Height ?? 0;
    const diff = ss.Target ? theight - base : 0;
    let text = '\r\u001b[2K\u001b[A'.repeat(lastLines);
    text += `Worker: ${ss.WorkerID}; Base: ${base}; Target: ${theight} (diff: ${diff})\n`;
    text += `State: ${stageName(ss.Stage)}; Current Epoch: ${ss.Height}; Todo: ${theight - ss.Height}, ETA: \n`;
    lastLines = 2;
    if (i > 0) {
      text += `Validated ${state.VMApplied - firstApplied} messages (${Math.round((state.VMApplied - firstApplied) / Math.max(1, i / 4))} per second)\n`;
      lastLines += 1;
    }
    ctx.out(text);
    if (!watch && Date.now() / 1000 - minTimestamp(head) < 30) {
      ctx.out('\nDone!\n');
      return;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function netPeers(ctx: CliContext, args: readonly string[]): Promise<void> {
  const p = flagsOf(args, [
    { name: 'agent', aliases: ['a'], kind: 'bool' },
    { name: 'extended', aliases: ['x'], kind: 'bool' },
  ]);
  const t = target(ctx);
  const peers = (await callApi(t, 'Filecoin.NetPeers', [])) as Array<{ ID: string; Addrs: string[] }>;
  // lotus sorts by peer ID, descending.
  peers.sort((a, b) => (a.ID < b.ID ? 1 : a.ID > b.ID ? -1 : 0));
  let out = '';
  for (const peer of peers) {
    if (bool(p, 'extended')) {
      out += `${JSON.stringify(await callApi(t, 'Filecoin.NetPeerInfo', [peer.ID]))}\n`;
      continue;
    }
    out += `${peer.ID}, [${peer.Addrs.join(' ')}]`;
    if (bool(p, 'agent')) out += `, ${String(await callApi(t, 'Filecoin.NetAgentVersion', [peer.ID]))}`;
    out += '\n';
  }
  ctx.out(out);
}

async function status(ctx: CliContext, args: readonly string[]): Promise<void> {
  const chain = bool(flagsOf(args, [{ name: 'chain', kind: 'bool' }]), 'chain');
  const s = (await callApi(target(ctx), 'Filecoin.NodeStatus', [chain], 'v1')) as NodeStatusJson;
  let out = `Sync Epoch: ${s.SyncStatus.Epoch}\nEpochs Behind: ${s.SyncStatus.Behind}\n`;
  out += `Peers to Publish Messages: ${s.PeerStatus.PeersToPublishMsgs}\nPeers to Publish Blocks: ${s.PeerStatus.PeersToPublishBlocks}\n`;
  if (chain && s.SyncStatus.Epoch > 900) {
    const ok = (v: number): string => (v >= 4.75 ? '[OK]' : '[UNHEALTHY]');
    out += `Blocks per TipSet in last 100 epochs: ${s.ChainStatus.BlocksPerTipsetLast100.toFixed(6)} ${ok(s.ChainStatus.BlocksPerTipsetLast100)}\n`;
    out += `Blocks per TipSet in last finality: ${s.ChainStatus.BlocksPerTipsetLastFinality.toFixed(6)} ${ok(s.ChainStatus.BlocksPerTipsetLastFinality)}\n`;
  }
  ctx.out(out);
}

async function info(ctx: CliContext): Promise<void> {
  const t = target(ctx);
  const network = (await callApi(t, 'Filecoin.StateNetworkName', [], 'v1')) as string;
  const start = Date.parse((await callApi(t, 'Filecoin.StartTime', [], 'v1')) as string);
  const now = Date.now();
  let out = `Network: ${network}\nStartTime: ${formatGoSeconds(now - start)} (started at ${formatGoTime(start)})\n`;
  const head = (await callApi(t, 'Filecoin.ChainHead', [], 'v1')) as TipSet;
  const lagMs = now - minTimestamp(head) * 1000;
  const sync = lagMs < 45_000 ? '[sync ok]' : lagMs < 150_000 ? `[sync slow (${formatGoSeconds(lagMs)} behind)]` : `[sync behind! (${formatGoSeconds(lagMs)} behind)]`;
  const fee = BigInt(head.Blocks[0]?.ParentBaseFee ?? '0');
  out += `Chain: ${sync} [basefee ${formatFilShort(fee)}]`;
  const s = (await callApi(t, 'Filecoin.NodeStatus', [true], 'v1')) as NodeStatusJson;
  out += ` [epoch ${s.SyncStatus.Epoch}]\n`;
  out += `Peers to: [publish messages ${s.PeerStatus.PeersToPublishMsgs}] [publish blocks ${s.PeerStatus.PeersToPublishBlocks}]\n`;
  const health = (100 * (900 * s.ChainStatus.BlocksPerTipsetLastFinality)) / (900 * 5);
  out += `Chain health: ${Math.round(health)}% [${health < 85 ? 'unhealthy' : 'healthy'}]\n\n`;
  ctx.out(out);
}

async function daemonStop(ctx: CliContext): Promise<void> {
  await callApi(target(ctx), 'Filecoin.Shutdown', []);
}

async function auth(ctx: CliContext, sub: string | undefined, args: readonly string[]): Promise<void> {
  if (sub !== 'api-info' && sub !== 'create-token') throw new FakeLotusError(`No help topic for '${sub ?? ''}'`, 3, true);
  const p = flagsOf(args, [{ name: 'perm', kind: 'string' }]);
  const perm = str(p, 'perm');
  if (perm === undefined) throw new FakeLotusError('--perm flag not set, use with one of: read, write, sign, admin');
  const idx = (PERMISSIONS as readonly string[]).indexOf(perm) + 1;
  if (idx === 0) throw new FakeLotusError(`--perm flag has to be one of: [${PERMISSIONS.join(' ')}]`);
  const t = target(ctx);
  // 'sign' gives [read write sign], like lotus slicing AllPermissions.
  const token = Buffer.from((await callApi(t, 'Filecoin.AuthNew', [PERMISSIONS.slice(0, idx)])) as string, 'base64').toString('utf8');
  ctx.out(sub === 'api-info' ? `FULLNODE_API_INFO=${token}:${t.addr}\n` : `${token}\n`);
}

/** Runs a client command (`args` = everything after the command name); throws FakeLotusError on failure. */
export async function runClientCommand(ctx: CliContext, command: string, args: readonly string[]): Promise<void> {
  const [sub, ...rest] = args;
  if (sub === undefined && (command === 'sync' || command === 'net' || command === 'auth')) {
    // urfave/cli shows the command's help and exits 0 when a subcommand is missing.
    ctx.out(`NAME:\n   lotus ${command}\n\nUSAGE:\n   lotus ${command} command [command options] [arguments...]\n`);
    return;
  }
  switch (command) {
    case 'version':
      return version(ctx);
    case 'status':
      return status(ctx, args);
    case 'info':
      return info(ctx);
    case 'sync':
      if (sub === 'status') return syncStatus(ctx);
      if (sub === 'wait') return syncWait(ctx, rest);
      break;
    case 'net':
      if (sub === 'peers') return netPeers(ctx, rest);
      break;
    case 'auth':
      return auth(ctx, sub, rest);
    case 'daemon-stop':
      return daemonStop(ctx);
    default:
      break;
  }
  throw new FakeLotusError(`No help topic for '${sub ?? command}'`, 3, true);
}
