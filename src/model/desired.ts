import type { DomainTarget } from '../launchd/domain.js';

export type PlistDict = { [key: string]: PlistData };
export type PlistData = string | number | boolean | PlistData[] | PlistDict;

/**
 * Which spec owns a job in a shared state dir (state.json). `name` is the spec's explicit identity (`name:` in
 * lotus.yaml); without one, the spec file's real path is. Two specs own the same jobs only when their names are
 * equal or they are the same file (src/plan/ownership.ts).
 */
export interface SpecOwner {
  /** Real path of the spec file the job was last applied from. */
  readonly spec: string;
  readonly name?: string;
}

/**
 * What the monitor needs about a job, recorded in state.json when it is applied, so the monitor works from the
 * last applied state rather than from edits of lotus.yaml that were never applied. JSON only.
 */
export type JobWatch = { readonly [key: string]: unknown };

/** What one launchd job should look like once applied. Built by src/spec/desired.ts from a valid spec and HostFacts. */
export interface DesiredJob {
  /** Service name from the spec, or `monitor` for the monitor job. */
  readonly name: string;
  readonly kind: 'service' | 'monitor';
  readonly label: string;
  readonly domain: DomainTarget;
  /** running: loaded and running; stopped: plist installed, not loaded; absent: neither. */
  readonly state: 'running' | 'stopped' | 'absent';
  readonly plistPath: string;
  /** The launchd keys, exactly as written (sorted when serialized). */
  readonly plist: PlistDict;
  /** The bytes apply writes; a byte comparison with the file on disk is the change test. */
  readonly plistText: string;
  /** 0600 when the plist holds secret values, else 0644. launchd refuses group/world-writable plists. */
  readonly plistMode: number;
  /** EnvironmentVariables names whose values must never be printed. */
  readonly sensitiveKeys: readonly string[];
  /** Folders apply creates before loading the job (log folders). */
  readonly directories: readonly string[];
  readonly dependsOn: readonly string[];
  /** Seconds launchd waits between spawns (ThrottleInterval, default 10). */
  readonly throttleSeconds: number;
  /** Seconds between SIGTERM and SIGKILL on stop (ExitTimeOut). */
  readonly exitTimeoutSeconds: number;
  readonly stdoutPath?: string;
  readonly stderrPath?: string;
  /** Lotus repo (LOTUS_PATH), for the health check; never written to. */
  readonly repo?: string;
  readonly health?: { readonly api: string; readonly startupGraceMs: number; readonly maxChainLag: number; readonly minPeers: number };
  /** Recorded in state.json at apply; the monitor reads it instead of the working copy of lotus.yaml. */
  readonly watch: JobWatch;
}

/** The whole desired state: every job lotusctl should manage, in dependency order. */
export interface DesiredState {
  readonly jobs: readonly DesiredJob[];
  /** lotusctl's own state folder (manifest, lock, backups). */
  readonly stateDir: string;
  /** The spec these jobs belong to; a spec plans changes only to jobs it owns. */
  readonly owner: SpecOwner;
}
