import { domainTarget, type DomainTarget } from '../launchd/domain.js';
import type { LastExit } from '../launchd/exit-status.js';
import type { JobWatch, PlistDict, SpecOwner } from './desired.js';

/** The digest of a plist path that holds a FIFO, a device or a socket: never a sha256, so it matches no plist. */
export const NOT_A_FILE_DIGEST = 'not-a-regular-file';

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
      /** Why an `invalid` file could not be read, in words (never its content). */
      readonly problem?: string;
      readonly mode: number;
      readonly uid: number;
      /**
       * Absolute program paths of the plist that no longer exist: ProgramArguments[0] (or Program), and the script
       * after a `node` (the monitor's shape). launchd fails such a job with EX_CONFIG (specs/launchd-behaviour.md §9).
       */
      readonly missingPrograms?: readonly string[];
    };

/**
 * The definition launchd loaded, as `launchctl print` shows it (specs/launchd-behaviour.md §5). A field is absent
 * when print did not show it or it could not be read: unknown, never "different".
 */
export interface LoadedDefinition {
  /** The plist the job was loaded from (`path = …`). */
  readonly path?: string;
  readonly program?: string;
  readonly arguments?: readonly string[];
  /** `environment = { … }`: EnvironmentVariables plus what launchd adds (XPC_SERVICE_NAME …). May hold secrets. */
  readonly environment?: Readonly<Record<string, string>>;
  readonly workingDirectory?: string;
  readonly stdoutPath?: string;
  readonly stderrPath?: string;
  readonly exitTimeout?: number;
  /** = ThrottleInterval. */
  readonly minimumRuntime?: number;
  /** Octal digits as printed. */
  readonly umask?: string;
  readonly nice?: number;
  readonly username?: string;
  readonly group?: string;
  /** Resource limits launchd applies, as printed (`maxfiles (soft)` → 16384). */
  readonly resourceLimits?: Readonly<Record<string, number>>;
}

/** The job as launchd reports it. `known: false` when launchctl's answer could not be read: unknown, never healthy. */
export type ActualJobState =
  | { readonly known: false; readonly reason: string }
  | {
      readonly known: true;
      readonly loaded: boolean;
      /** true: a disable override; false: an enable override; undefined: no override, or overrides unreadable. */
      readonly disabled: boolean | undefined;
      /** False when print-disabled could not be read: `disabled` then says nothing. Default true. */
      readonly overridesKnown?: boolean;
      readonly running: boolean;
      readonly pid?: number;
      readonly runs?: number;
      readonly state?: string;
      readonly lastExit: LastExit;
      /** What launchd loaded; present only for a loaded job whose print could be read. */
      readonly definition?: LoadedDefinition;
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
  /**
   * The resource limits launchd applied when lotusctl last loaded the job (`print`'s `resource limits`). The kernel
   * clamps NumberOfFiles to kern.maxfilesperproc, and every reload repeats the clamp: a loaded job showing these same
   * values is as lotusctl left it, not drift (issue 9, item 8).
   */
  readonly limitsInEffect?: Readonly<Record<string, number>>;
  readonly appliedAt: string;
  /** The spec that owns the job; absent for a record written by a lotusctl before owners (state.json format 1). */
  readonly owner?: SpecOwner;
  /** What the monitor needs about the job, as applied. */
  readonly watch?: JobWatch;
}

export const MANIFEST_FORMAT_VERSION = 2;

export interface Manifest {
  readonly formatVersion: typeof MANIFEST_FORMAT_VERSION;
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
  /** The spec whose apply began the step: only that spec finishes it (another spec's plan leaves it alone). */
  readonly owner: SpecOwner;
  /** A moving job's old place (JobStep.from): the step may have left it half-done too. */
  readonly from?: { readonly label: string; readonly domain: DomainTarget; readonly plistPath: string };
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
  /** The entry's file (for clean-up once nothing is left to do for it). */
  readonly path: string;
  /** True while that run still holds the state lock (a plan made during an apply); false once it is gone. */
  readonly inProgress: boolean;
}

/** Something an earlier lotusctl run left that apply cleans up (or, for a lock that cannot be proven dead, a person). */
export interface Leftover {
  /**
   * temp-file: removed by apply; stale-lock: its holder is proven gone, apply takes it over; journal-entry: the
   * journal entry of a step that was carried out (or has nothing left to do), removed by apply; unproven-lock: a
   * person decides (force-unlock).
   */
  readonly kind: 'temp-file' | 'stale-lock' | 'journal-entry' | 'unproven-lock';
  readonly path: string;
  /** The pid that left it (0 when unknown). */
  readonly pid: number;
  /** For people, e.g. "temporary file of lotusctl pid 4242, which is no longer running". */
  readonly message: string;
}

/** Everything observe read. Jobs are keyed by `jobKey` (domain and label: the same label may be looked at in two domains). */
export interface ActualState {
  readonly jobs: Readonly<Record<string, ActualJob>>;
  readonly manifest: Manifest;
  /** Folders the desired state needs, and whether each exists. */
  readonly directories: Readonly<Record<string, boolean>>;
  /** For each spec path the manifest (or the journal) names as an owner: whether that file still exists (a moved or deleted spec). */
  readonly specs?: Readonly<Record<string, boolean>>;
  /** Steps an earlier apply began and did not finish (its journal); absent or [] when there are none. */
  readonly interrupted?: readonly InterruptedStep[];
  /** What earlier crashed runs left (read by observe for plan and drift; apply cleans them first, so not fingerprinted). */
  readonly leftovers?: readonly Leftover[];
}

/** The key of a job in ActualState.jobs: its service target, e.g. `gui/501/com.lotusctl.daemon`. */
export function jobKey(t: { readonly domain: DomainTarget; readonly label: string }): string {
  return `${domainTarget(t.domain)}/${t.label}`;
}
