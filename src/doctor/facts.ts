// What `lotusctl doctor` reads from the machine (src/observe/doctor-facts.ts gathers it), as plain data for the pure
// checks. Anything that could not be read says so (`unknown` with why); nothing is defaulted to healthy.
import type { LastExit } from '../launchd/exit-status.js';
import type { ApiFact } from '../status/status.js';

/** stat(2) of a path. `error` is set for a failure other than "does not exist" (EACCES, ENOTDIR…). */
export type PathFact =
  | { readonly exists: false; readonly error?: string }
  | { readonly exists: true; readonly kind: 'file' | 'dir' | 'other'; readonly mode: number; readonly uid: number; readonly size: number; readonly ino: number };

export type QuarantineFact = { readonly kind: 'set'; readonly value: string } | { readonly kind: 'clear' } | { readonly kind: 'unknown'; readonly why: string };
export type VersionFact = { readonly kind: 'ok'; readonly output: string } | { readonly kind: 'failed'; readonly error: string };
export type SysctlFact = { readonly kind: 'known'; readonly value: number } | { readonly kind: 'unknown'; readonly why: string };
export type VolumeFact =
  | { readonly kind: 'boot' }
  | { readonly kind: 'mounted'; readonly volume: string }
  | { readonly kind: 'not-mounted'; readonly volume: string; readonly exists: boolean }
  | { readonly kind: 'unknown'; readonly volume: string; readonly why: string };

export type LockHolderFact =
  | { readonly kind: 'held'; readonly pid: number; readonly via: string; readonly lockType?: string }
  | { readonly kind: 'free'; readonly via: string; readonly scope?: string }
  | { readonly kind: 'open'; readonly pids: readonly number[]; readonly via: string }
  | { readonly kind: 'unknown'; readonly why: string };

/** A process and its parents (nearest first), as ps showed them. */
export interface ProcessFact { readonly pid: number; readonly ppid: number; readonly command: string }

export type RepoLockFact =
  | { readonly kind: 'absent' }
  | { readonly kind: 'unreadable'; readonly error: string }
  | { readonly kind: 'present'; readonly size: number; readonly ino: number; readonly holder: LockHolderFact; readonly holderAncestry?: readonly ProcessFact[] };

export interface RepoFact {
  readonly path: string;
  readonly stat: PathFact;
  readonly volume: VolumeFact;
  /** statfs of the repo's volume (or of its nearest existing parent). */
  readonly free?: { readonly checked: string; readonly availableBytes: number; readonly totalBytes: number };
  readonly lock: RepoLockFact;
}

export interface LogFact {
  readonly stream: 'stdout' | 'stderr';
  readonly path: string;
  readonly dir: string;
  readonly dirStat: PathFact;
  readonly fileStat: PathFact;
}

/** launchd's view of the job in its own domain. */
export type JobLaunchdFact =
  | {
      readonly kind: 'loaded';
      readonly pid?: number;
      readonly state?: string;
      readonly runs?: number;
      readonly lastExit: LastExit;
      /** `maxfiles (soft)` etc., as print showed them; absent when print showed no resource limits. */
      readonly resourceLimits?: Readonly<Record<string, number>>;
    }
  | { readonly kind: 'not-loaded' }
  | { readonly kind: 'unknown'; readonly reason: string; readonly code?: string };

/** Another plist in a launchd folder that runs the same program on the same repo. */
export interface DuplicateFact { readonly path: string; readonly label?: string; readonly disabled: boolean }

export interface JobFacts {
  readonly name: string;
  readonly kind: 'service' | 'monitor';
  readonly label: string;
  /** `gui/501`, `user/501`, `system`. */
  readonly domain: string;
  readonly domainKind: 'gui' | 'user' | 'system';
  readonly desired: 'running' | 'stopped' | 'absent';
  readonly plistPath: string;
  readonly plistStat: PathFact;
  /** Why the plist could not be read (not a regular file, too large, unreadable): absent when it could be, or does not exist. */
  readonly plistProblem?: string;
  /** How the plist parsed: absent when it does not exist or could not be read. */
  readonly plistFormat?: 'xml' | 'binary' | 'invalid';
  /** True when the bytes on disk are exactly what apply writes. */
  readonly plistMatchesSpec?: boolean;
  /** The mode apply gives the plist (0644, or 0600 with secrets). */
  readonly plistMode: number;
  /** Who should own the job's files: the domain's uid (gui/user), root for a LaunchDaemon's plist. */
  readonly plistOwnerUid: number;
  /** The uid the job runs as; undefined when it cannot be told (UserName of an unknown user). */
  readonly jobUid?: number;
  readonly jobUser?: string;
  readonly program: {
    readonly path: string;
    readonly stat: PathFact;
    readonly realpath?: string;
    readonly quarantine?: QuarantineFact;
    /** `--version` of a Lotus program; absent for other programs (never run). */
    readonly version?: VersionFact;
  };
  readonly workingDirectory?: { readonly path: string; readonly stat: PathFact };
  readonly logs: readonly LogFact[];
  readonly repo?: RepoFact;
  readonly launchd: JobLaunchdFact;
  /** Other domains where this label is loaded (when it is not loaded where lotus.yaml puts it). */
  readonly loadedElsewhere: readonly string[];
  /** print-disabled's override: true disabled, false enabled, undefined none, 'unknown' unreadable. */
  readonly disabled: boolean | undefined | 'unknown';
  /** Last lines of the stderr log (when the job has one and it could be read). */
  readonly stderrTail?: readonly string[] | { readonly error: string };
  readonly api?: ApiFact;
  /** NumberOfFiles in the plist lotus.yaml renders, and LOTUS_FD_MAX from its environment. */
  readonly openFiles: { readonly soft?: number; readonly hard?: number; readonly lotusFdMax?: number };
  /** Runs `lotus daemon --lite` (no chain store: far less disk). */
  readonly lite: boolean;
  readonly duplicates: readonly DuplicateFact[];
}

export type DomainFact = { readonly kind: 'present' } | { readonly kind: 'missing'; readonly message: string } | { readonly kind: 'unknown'; readonly why: string };

export interface DoctorFacts {
  /** Unix ms. */
  readonly now: number;
  readonly platform: string;
  /** The uid doctor runs as. */
  readonly uid: number;
  readonly home: string;
  readonly specFile: string;
  readonly jobs: readonly JobFacts[];
  /** Per domain target (`gui/501`): does it exist? */
  readonly domains: Readonly<Record<string, DomainFact>>;
  readonly maxFilesPerProc: SysctlFact;
  /** The spec's monitor section, when it has one. */
  readonly monitor?: {
    readonly enabled: boolean;
    readonly schedule: string;
    readonly intervalMs: number;
    readonly lastSampleAt?: number;
    readonly stateProblem?: string;
    readonly samplesUnreadable: readonly string[];
  };
}
