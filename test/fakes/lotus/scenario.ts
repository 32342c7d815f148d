// Scripted behaviour: env FAKE_LOTUS_* fixes the start-up knobs; `<repo>/fake-lotus.json` (re-read on every
// request) can switch the runtime scenario while the daemon runs. See README.md for the table.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Every scenario name the fake understands. */
export const SCENARIOS = [
  'synced',
  'syncing',
  'stalled',
  'no-peers',
  'slow-start',
  'memory-growth',
  'hang',
  'crash-after',
  'slow-shutdown',
  'ignore-sigterm',
  'port-in-use',
  'exit-immediately',
  'fd-limit',
  'oom-kill',
] as const;
/** One scenario name. */
export type Scenario = (typeof SCENARIOS)[number];

/** Knobs that may change while the daemon runs (env defaults, overridden by the control file). */
export interface RuntimeSettings {
  scenarios: ReadonlySet<Scenario>;
  peers: number;
  syncBehindEpochs: number;
  syncEpochsPerSecond: number;
  stallBehindEpochs: number;
  shutdownDelayMs: number;
  memoryGrowthBytes: number;
}

/** Knobs read once from env at start. */
export interface StartupSettings {
  version: string;
  startDelayMs: number;
  crashAfterMs: number;
  oomAfterMs: number;
  exitCode: number;
  readyzDelayMs: number;
  livezDelayMs: number;
  livezStallMs: number;
}

/** Name of the control file inside the repo. */
export const CONTROL_FILE = 'fake-lotus.json';
/** Default daemon build version (`lotus --version` prints `lotus version <this>`). */
export const DEFAULT_VERSION = '1.36.2+mainnet+git.5a8ed2a';

function num(env: NodeJS.ProcessEnv, key: string, fallback: number): number {
  const raw = env[key];
  if (raw === undefined || raw === '') return fallback;
  const v = Number(raw);
  if (!Number.isFinite(v) || v < 0) throw new Error(`fake-lotus: ${key} must be a non-negative number, got '${raw}'`);
  return v;
}

/** Parses a scenario list (`a,b` string or array); unknown names throw. */
export function parseScenarios(value: unknown, source: string): Set<Scenario> {
  const names = Array.isArray(value) ? value.map(String) : String(value ?? '').split(',');
  const out = new Set<Scenario>();
  for (const raw of names) {
    const name = raw.trim();
    if (name === '') continue;
    if (!(SCENARIOS as readonly string[]).includes(name)) {
      throw new Error(`fake-lotus: unknown scenario '${name}' in ${source} (known: ${SCENARIOS.join(', ')})`);
    }
    out.add(name as Scenario);
  }
  return out;
}

/** Start-up knobs from env. */
export function startupSettings(env: NodeJS.ProcessEnv): StartupSettings {
  return {
    version: env.FAKE_LOTUS_VERSION || DEFAULT_VERSION,
    startDelayMs: num(env, 'FAKE_LOTUS_START_DELAY_MS', 5000),
    crashAfterMs: num(env, 'FAKE_LOTUS_CRASH_AFTER_MS', 2000),
    oomAfterMs: num(env, 'FAKE_LOTUS_OOM_AFTER_MS', 2000),
    exitCode: num(env, 'FAKE_LOTUS_EXIT_CODE', 1),
    readyzDelayMs: num(env, 'FAKE_LOTUS_READYZ_DELAY_MS', 60_000),
    livezDelayMs: num(env, 'FAKE_LOTUS_LIVEZ_DELAY_MS', 1000),
    livezStallMs: num(env, 'FAKE_LOTUS_LIVEZ_STALL_MS', 300_000),
  };
}

/** Reads env once, then the control file on every `current()` (keeping the last good one if it is mid-write). */
export class ScenarioSource {
  private readonly base: RuntimeSettings;
  private lastText: string | undefined;
  private lastGood: RuntimeSettings;
  private readonly controlPath: string;

  constructor(
    env: NodeJS.ProcessEnv,
    repo: string,
    private readonly onWarning: (msg: string) => void = () => undefined,
  ) {
    this.base = {
      scenarios: parseScenarios(env.FAKE_LOTUS_SCENARIO, 'FAKE_LOTUS_SCENARIO'),
      peers: num(env, 'FAKE_LOTUS_PEERS', 8),
      syncBehindEpochs: num(env, 'FAKE_LOTUS_SYNC_BEHIND', 120),
      syncEpochsPerSecond: num(env, 'FAKE_LOTUS_SYNC_RATE', 4),
      stallBehindEpochs: num(env, 'FAKE_LOTUS_STALL_BEHIND', 0),
      shutdownDelayMs: num(env, 'FAKE_LOTUS_SHUTDOWN_DELAY_MS', 10_000),
      memoryGrowthBytes: num(env, 'FAKE_LOTUS_MEMORY_GROWTH_BYTES', 256 * 1024 * 1024),
    };
    this.lastGood = this.base;
    this.controlPath = join(repo, CONTROL_FILE);
  }

  /** Current runtime settings: env defaults overlaid with the control file, if present and valid. */
  current(): RuntimeSettings {
    let text: string | undefined;
    try {
      text = readFileSync(this.controlPath, 'utf8');
    } catch {
      text = undefined;
    }
    if (text === this.lastText) return this.lastGood;
    this.lastText = text;
    if (text === undefined) return (this.lastGood = this.base);
    try {
      this.lastGood = overlay(this.base, JSON.parse(text) as Record<string, unknown>);
    } catch (err) {
      // A half-written file keeps the previous settings; the next request re-reads it.
      this.lastText = undefined;
      this.onWarning(`ignoring ${this.controlPath}: ${(err as Error).message}`);
    }
    return this.lastGood;
  }
}

function overlay(base: RuntimeSettings, doc: Record<string, unknown>): RuntimeSettings {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new Error('control file must hold a JSON object');
  const n = (key: string, fallback: number): number => {
    const v = doc[key];
    if (v === undefined) return fallback;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new Error(`${key} must be a non-negative number`);
    return v;
  };
  return {
    scenarios: doc.scenario === undefined ? base.scenarios : parseScenarios(doc.scenario, 'control file'),
    peers: n('peers', base.peers),
    syncBehindEpochs: n('syncBehindEpochs', base.syncBehindEpochs),
    syncEpochsPerSecond: n('syncEpochsPerSecond', base.syncEpochsPerSecond),
    stallBehindEpochs: n('stallBehindEpochs', base.stallBehindEpochs),
    shutdownDelayMs: n('shutdownDelayMs', base.shutdownDelayMs),
    memoryGrowthBytes: n('memoryGrowthBytes', base.memoryGrowthBytes),
  };
}
