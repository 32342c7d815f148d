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

/** Everything observe read, keyed by label. */
export interface ActualState {
  readonly jobs: Readonly<Record<string, ActualJob>>;
  readonly manifest: Manifest;
  /** Folders the desired state needs, and whether each exists. */
  readonly directories: Readonly<Record<string, boolean>>;
}
