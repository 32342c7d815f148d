// `lotusctl optimize`, the decisions: a valid spec and the machine's facts -> changes to lotus.yaml, each with its
// reason and source, plus notes that need no change. Pure. It never proposes what slows a node down (Background,
// a positive Nice, low-priority I/O): a test checks that over generated specs and machines.
import { posix } from 'node:path';
import type { MachineFacts } from '../model/machine.js';
import { volumeOf } from '../model/machine.js';
import { LOTUS_OPEN_FILES } from './lint.js';
import { resolvePath } from './paths.js';
import type { ServiceSpec, Spec } from './schema.js';
import { formatSize, parseDuration, parseSize } from './units.js';
import type { YamlPath } from './yaml-edit.js';

export const CATEGORIES = ['limits', 'priority', 'restart-policy', 'shutdown-time', 'logging', 'memory-ceiling'] as const;
export type OptimizeCategory = (typeof CATEGORIES)[number];

export interface Proposal {
  readonly category: OptimizeCategory;
  /** The service it is about; undefined for the monitor. */
  readonly service?: string;
  readonly path: YamlPath;
  /** The value lotus.yaml has now (defaults applied); undefined when unset. */
  readonly from?: unknown;
  readonly to: unknown;
  readonly reason: string;
  /** Where the number or the rule comes from. */
  readonly source: string;
}

export interface OptimizeNote {
  readonly category: OptimizeCategory | 'machine';
  readonly service?: string;
  readonly message: string;
  readonly source: string;
}

export interface OptimizeResult {
  readonly proposals: readonly Proposal[];
  readonly notes: readonly OptimizeNote[];
}

export interface OptimizeContext {
  readonly home: string;
  readonly specPath: string;
}

/** Hard open-files limit lotusctl proposes: room above Lotus's 16384 (lotus.yaml.example's value). */
export const PROPOSED_HARD_OPEN_FILES = 65536;
/** Shortest graceful stop for a Lotus service (specs/lotus-operations.md §4: 120–300 s). */
export const MIN_EXIT_TIMEOUT_S = 120;
/** ThrottleInterval of Lotus's own unit (RestartSec=10, specs/lotus-operations.md §4). */
export const MIN_THROTTLE_S = 10;
const GIB = 1024 ** 3;
/** Lotus docs: a full node wants 32 GiB and 8 cores; the chain grows ~38 GiB a day without pruning (specs/lotus-operations.md §4). */
const FULL_NODE_MEMORY = 32 * GIB;
const FULL_NODE_CORES = 8;
const LOW_FREE_SPACE = 100 * GIB;

const OPS = 'specs/lotus-operations.md';
const LAUNCHD = 'specs/launchd-behaviour.md';

type LotusKind = 'daemon' | 'lite' | 'miner' | 'worker';

/** Which Lotus program a service runs, or undefined for anything else (optimize leaves those alone). */
export function lotusKind(s: ServiceSpec): LotusKind | undefined {
  const base = posix.basename(s.program);
  if (base === 'lotus-miner') return 'miner';
  if (base === 'lotus-worker') return 'worker';
  if (base === 'lotus') return s.args.includes('--lite') ? 'lite' : 'daemon';
  return undefined;
}

/**
 * The memory ceiling for the monitor on a machine with `memoryBytes`: all but max(4 GiB, 1/8) for macOS and the
 * page cache, in whole GiB (28GiB on a 32 GiB Mac, as lotus.yaml.example has it).
 */
export function proposedMaxMemory(memoryBytes: number): string {
  const keep = Math.max(4 * GIB, memoryBytes / 8);
  const gib = Math.max(1, Math.floor((memoryBytes - keep) / GIB));
  return `${gib}GiB`;
}

/** Open-files limits within the machine's ceiling: soft 16384, hard 65536, neither above kern.maxfilesperproc. */
export function proposedOpenFiles(maxFilesPerProc: number | undefined): { soft: number; hard: number } {
  const cap = maxFilesPerProc ?? Number.MAX_SAFE_INTEGER;
  return { soft: Math.min(LOTUS_OPEN_FILES, cap), hard: Math.min(PROPOSED_HARD_OPEN_FILES, cap) };
}

const TMP_OR_PRIVATE = /^(\/tmp|\/private\/tmp|\/var\/tmp|\/private\/var\/tmp)(\/|$)|^(~|\$HOME|\/Users\/[^/]+)\/(Desktop|Documents|Downloads)(\/|$)/;

function serviceProposals(name: string, s: ServiceSpec, kind: LotusKind, spec: Spec, facts: MachineFacts): Proposal[] {
  const out: Proposal[] = [];
  const at = (...rest: (string | number)[]): YamlPath => ['services', name, ...rest];
  const propose = (category: OptimizeCategory, path: YamlPath, from: unknown, to: unknown, reason: string, source: string) =>
    out.push({ category, service: name, path, ...(from !== undefined ? { from } : {}), to, reason, source });
  const domain = s.domain ?? spec.defaults.domain;

  // limits: the open-files limit Lotus asks for, within what the machine allows one process.
  const files = proposedOpenFiles(facts.maxFilesPerProc);
  const cap = facts.maxFilesPerProc;
  const capNote = cap !== undefined ? `; kern.maxfilesperproc is ${cap} here, and a limit above it fails (lotus#3937)` : '';
  const soft = s.limits?.open_files?.soft;
  const hard = s.limits?.open_files?.hard;
  const newSoft = soft === undefined || soft < files.soft ? files.soft : cap !== undefined && soft > cap ? cap : soft;
  const newHard = hard === undefined || hard < newSoft ? Math.max(files.hard, newSoft) : cap !== undefined && hard > cap ? cap : hard;
  if (newSoft !== soft) {
    propose('limits', at('limits', 'open_files', 'soft'), soft, newSoft,
      soft !== undefined && soft > newSoft ? `a soft limit of ${soft} is above what this Mac allows one process${capNote}`
        : `Lotus raises its open-files limit to ${LOTUS_OPEN_FILES} itself and badger fails with "too many open files" below it; launchd gives jobs 256${capNote}`,
      `${OPS} §1 (start-up), §4 (open files), §6`);
  }
  if (newHard !== hard) {
    propose('limits', at('limits', 'open_files', 'hard'), hard, newHard,
      hard !== undefined && hard > newHard ? `a hard limit of ${hard} is above what this Mac allows one process${capNote}`
        : `the hard limit must be at least the soft one (setrlimit refuses otherwise) and leaves Lotus room above ${LOTUS_OPEN_FILES} (LOTUS_FD_MAX)${capNote}`,
      `${OPS} §4 (open files)`);
  }
  const fdMax = s.env.LOTUS_FD_MAX;
  if (fdMax !== undefined && /^\d+$/.test(fdMax) && Number(fdMax) > newHard) {
    propose('limits', at('env', 'LOTUS_FD_MAX'), fdMax, String(newHard),
      `Lotus raises its limit to LOTUS_FD_MAX, which cannot go above the hard limit ${newHard}: it would log "setting file descriptor limit" and keep a lower one`,
      `${OPS} §1 (environment), §4 (open files)`);
  }

  // priority: never throttle a node that must keep up with the chain.
  if (kind !== 'worker') {
    if (s.process_type === undefined || s.process_type === 'Background' || s.process_type === 'Adaptive') {
      propose('priority', at('process_type'), s.process_type, 'Interactive',
        s.process_type === 'Background' ? 'Background throttles CPU and I/O: a syncing node falls behind the chain'
          : s.process_type === 'Adaptive' ? 'Adaptive runs as Background unless an app asks otherwise: a syncing node falls behind the chain'
            : 'unset means Standard, which launchd throttles lightly; a node that must keep up with the chain runs Interactive',
        `${LAUNCHD} §1 (ProcessType; actions/runner#614)`);
    }
  }
  if (s.nice !== undefined && s.nice > 0) {
    propose('priority', at('nice'), s.nice, 0, `Nice ${s.nice} lowers the node's CPU priority: a syncing node falls behind the chain`, `${LAUNCHD} §1 (Nice); lotusctl lint.positive-nice`);
  }
  if (s.low_priority_io === true) propose('priority', at('low_priority_io'), true, false, 'low-priority I/O throttles the datastore: a syncing node falls behind the chain', `${LAUNCHD} §1 (LowPriorityIO)`);
  if (s.low_priority_background_io === true) propose('priority', at('low_priority_background_io'), true, false, 'low-priority background I/O throttles the datastore: a syncing node falls behind the chain', `${LAUNCHD} §1 (LowPriorityBackgroundIO)`);

  // restart policy.
  if (s.keep_alive === false && (kind === 'daemon' || kind === 'lite') && s.state === 'running') {
    propose('restart-policy', at('keep_alive'), false, { successful_exit: false },
      'launchd never restarts a job with KeepAlive false; Lotus\'s own service restarts the daemon whenever it stops (Restart=always), and { successful_exit: false } restarts it after a crash but not after a clean stop',
      `${OPS} §4 (lotus-daemon.service); ${LAUNCHD} §1 (KeepAlive)`);
  }
  const throttle = s.throttle_interval === undefined ? undefined : (parseDuration(s.throttle_interval) ?? 0) / 1000;
  if (throttle !== undefined && throttle < MIN_THROTTLE_S) {
    propose('restart-policy', at('throttle_interval'), s.throttle_interval, `${MIN_THROTTLE_S}s`,
      `a Lotus that crashes at start would be respawned every ${throttle}s; Lotus's unit waits ${MIN_THROTTLE_S}s (RestartSec) and added start limits "to stop hotloops" (lotus#13050)`,
      `${OPS} §4`);
  }

  // shutdown time.
  const exitS = (parseDuration(s.exit_timeout) ?? 0) / 1000;
  if (exitS === 0) {
    propose('shutdown-time', at('exit_timeout'), s.exit_timeout, '300s',
      '0 means launchd never sends SIGKILL, and a Lotus whose shutdown hangs ignores further SIGTERMs: it would never stop',
      `${OPS} §1 (signals and shutdown); ${LAUNCHD} §1 (ExitTimeOut)`);
  } else if (exitS < MIN_EXIT_TIMEOUT_S) {
    propose('shutdown-time', at('exit_timeout'), s.exit_timeout, `${MIN_EXIT_TIMEOUT_S}s`,
      `launchd sends SIGKILL ${s.exit_timeout} after SIGTERM; Lotus closes its datastores gracefully and may need minutes (a killed badger store replays or corrupts)`,
      `${OPS} §4 (launchd implications: 120–300 s)`);
  }

  // logging.
  const logsDir = domain === 'system' ? '/Library/Logs/lotus' : '~/Library/Logs/lotus';
  if (s.logs === undefined) {
    propose('logging', at('logs'), undefined, { dir: logsDir },
      'without logs launchd sends stdout and stderr to /dev/null, and a failed start leaves nothing to read',
      `${LAUNCHD} §1 (StandardOutPath/StandardErrorPath)`);
  } else {
    for (const key of ['dir', 'stdout', 'stderr'] as const) {
      const v = s.logs[key];
      if (v === undefined || !TMP_OR_PRIVATE.test(v)) continue;
      const to = key === 'dir' ? logsDir : posix.join(logsDir, posix.basename(v));
      propose('logging', at('logs', key), v, to,
        /Desktop|Documents|Downloads/.test(v) ? 'launchd may not open files in Desktop, Documents or Downloads (privacy protection) and the job fails with EX_CONFIG'
          : 'logs under /tmp are world-readable and wiped at boot',
        `${LAUNCHD} §9`);
    }
  }
  return out;
}

/** Proposals and notes for this spec on this machine. Services that do not run a Lotus program get none. */
export function optimize(spec: Spec, facts: MachineFacts, ctx: OptimizeContext): OptimizeResult {
  const proposals: Proposal[] = [];
  const notes: OptimizeNote[] = [];
  const lotus = Object.entries(spec.services).filter(([, s]) => s.state !== 'absent').map(([n, s]) => [n, s, lotusKind(s)] as const);
  for (const [name, s, kind] of lotus) if (kind) proposals.push(...serviceProposals(name, s, kind, spec, facts));

  // memory ceiling: launchd has no cgroups, so the monitor is the only ceiling there is.
  const fullNode = lotus.some(([, , k]) => k === 'daemon');
  const ceiling = proposedMaxMemory(facts.memoryBytes);
  if (spec.monitor && lotus.some(([, , k]) => k !== undefined)) {
    const current = spec.monitor.max_memory === undefined ? undefined : parseSize(spec.monitor.max_memory);
    if (current === undefined || current > facts.memoryBytes) {
      proposals.push({
        category: 'memory-ceiling', path: ['monitor', 'max_memory'], ...(spec.monitor.max_memory !== undefined ? { from: spec.monitor.max_memory } : {}), to: ceiling,
        reason: current === undefined
          ? `launchd has no memory limit for jobs (no cgroups), so the monitor's max_memory is the only ceiling; ${ceiling} leaves this Mac's other ${formatSize(facts.memoryBytes - (parseSize(ceiling) ?? 0))} to macOS and the page cache`
          : `${spec.monitor.max_memory} is more than this Mac's ${formatSize(facts.memoryBytes)}: the monitor would never act; ${ceiling} leaves room for macOS and the page cache`,
        source: `${OPS} §4 (launchd implications), §6 (out of memory); machine memory ${formatSize(facts.memoryBytes)}`,
      });
    }
  } else if (!spec.monitor && fullNode) {
    notes.push({ category: 'memory-ceiling', message: `no monitor: nothing restarts a hung node or caps its memory (launchd has no cgroups); add a monitor: section with max_memory: ${ceiling}`, source: `${OPS} §4, §6` });
  }

  if (fullNode && facts.memoryBytes < FULL_NODE_MEMORY) {
    notes.push({ category: 'machine', message: `this Mac has ${formatSize(facts.memoryBytes)} of memory; Lotus's docs ask for 32 GiB for a full node (a lite node needs 2 GiB)`, source: `${OPS} §4 (hardware)` });
  }
  if (fullNode && facts.cpuCores < FULL_NODE_CORES) {
    notes.push({ category: 'machine', message: `this Mac has ${facts.cpuCores} CPU cores; Lotus's docs ask for 8 for a full node`, source: `${OPS} §4 (hardware)` });
  }
  for (const [name, s, kind] of lotus) {
    if (kind !== 'daemon' || s.repo === undefined) continue;
    const repo = resolvePath(s.repo, ctx.home, posix.dirname(ctx.specPath));
    const vol = volumeOf(facts, repo);
    if (vol && vol.freeBytes < LOW_FREE_SPACE) {
      notes.push({ category: 'machine', service: name, message: `the volume of ${repo} (${vol.mount}) has ${formatSize(vol.freeBytes)} free; the chain grows about 38 GiB a day without pruning and a full disk corrupts the datastore`, source: `${OPS} §4 (hardware), §6 (disk full)` });
    }
  }
  return { proposals, notes };
}
