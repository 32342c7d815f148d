import type { DomainTarget } from '../launchd/domain.js';
import type { LastExit } from '../launchd/exit-status.js';
import type { PlistDict } from './desired.js';

/** The plist file as found on disk. */
export type ActualFile =
  | { readonly exists: false }
  | {
      readonly exists: true;
      /** sha256 of the bytes; compared with the desired bytes' digest. */
      readonly digest: string;
      /** The bytes as text when the file is XML; undefined for binary plists. */
      readonly text?: string;
      /** The parsed dict (XML or binary); undefined when it is not a readable plist. */
      readonly dict?: PlistDict;
      readonly format: 'xml' | 'binary' | 'invalid';
      readonly mode: number;
      readonly uid: number;
    };

/** The job as launchd reports it. `known: false` when launchctl's answer could not be read: unknown, never healthy. */
export type ActualJobState =
  | { readonly known: false; readonly reason: string }
  | {
      readonly known: true;
      readonly loaded: boolean;
      /** true: a disable override; false: an enable override; undefined: no override. */
      readonly disabled: boolean | undefined;
      readonly running: boolean;
      readonly pid?: number;
      readonly runs?: number;
      readonly state?: string;
      readonly lastExit: LastExit;
      /** Resource limits launchd applies, as printed (`maxfiles (soft)` → 16384). */
      readonly resourceLimits?: Readonly<Record<string, number>>;
      readonly program?: string;
      readonly arguments?: readonly string[];
    };

/** One launchd job lotusctl looked at: a desired one, or one its manifest says it manages. */
export interface ActualJob {
  readonly label: string;
  readonly domain: DomainTarget;
  readonly plistPath: string;
  readonly file: ActualFile;
  readonly job: ActualJobState;
}

/** What lotusctl recorded about one job at its last apply (state_dir/state.json). */
export interface ManagedRecord {
  readonly name: string;
  readonly kind: 'service' | 'monitor';
  readonly label: string;
  readonly domain: DomainTarget;
  readonly plistPath: string;
  /** sha256 of the plist bytes lotusctl last wrote. */
  readonly digest: string;
  /** EnvironmentVariables names whose values were secret at that apply: masked when the old plist is shown. */
  readonly sensitiveKeys: readonly string[];
  /** The job state lotusctl left it in. */
  readonly state: 'running' | 'stopped';
  readonly appliedAt: string;
}

export interface Manifest {
  readonly formatVersion: 1;
  readonly jobs: Readonly<Record<string, ManagedRecord>>;
}

/**
 * A step lotusctl began and did not finish (its journal entry, state_dir/journal/<label>.json): written before the
 * step's first effect, cleared after its manifest write. Whatever the step wrote is lotusctl's own, not drift.
 */
export interface InterruptedStep {
  readonly label: string;
  readonly service: string;
  readonly kind: 'service' | 'monitor';
  readonly domain: DomainTarget;
  readonly plistPath: string;
  readonly target: 'running' | 'stopped' | 'absent';
  /** sha256 of the plist the step writes; absent when it removes the job or keeps the file. */
  readonly digest?: string;
  /** What the manifest recorded before the step; absent when the job was new. */
  readonly previous?: { readonly digest: string; readonly state: 'running' | 'stopped' };
  /** sha256 of the plist on disk when the step began (it may be an earlier interrupted step's); absent when none. */
  readonly onDiskDigest?: string;
  readonly sensitiveKeys: readonly string[];
  /** The lotusctl command line and pid that began it, and when. */
  readonly command: string;
  readonly pid: number;
  readonly startedAt: string;
  /** True while that run still holds the state lock (a plan made during an apply); false once it is gone. */
  readonly inProgress: boolean;
}

/** Something an earlier lotusctl run left that apply cleans up (or, for a lock that cannot be proven dead, a person). */
export interface Leftover {
  /** temp-file: removed by apply; stale-lock: its holder is proven gone, apply takes it over; unproven-lock: force-unlock. */
  readonly kind: 'temp-file' | 'stale-lock' | 'unproven-lock';
  readonly path: string;
  /** The pid that left it (0 when unknown). */
  readonly pid: number;
  /** For people, e.g. "temporary file of lotusctl pid 4242, which is no longer running". */
  readonly message: string;
}

/** Everything observe read, keyed by label. */
export interface ActualState {
  readonly jobs: Readonly<Record<string, ActualJob>>;
  readonly manifest: Manifest;
  /** Folders the desired state needs, and whether each exists. */
  readonly directories: Readonly<Record<string, boolean>>;
  /** Steps an earlier apply began and did not finish (its journal); absent or [] when there are none. */
  readonly interrupted?: readonly InterruptedStep[];
  /** What earlier crashed runs left (read by observe for plan and drift; apply cleans them first, so not fingerprinted). */
  readonly leftovers?: readonly Leftover[];
}
