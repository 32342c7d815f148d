import type { DomainTarget } from '../launchd/domain.js';
import type { Leftover } from './actual.js';
import type { DesiredJob, JobWatch, SpecOwner } from './desired.js';

/**
 * The closed set of actions. Switch on it exhaustively (`assertNever`).
 * - create: before is null, after is the new value.
 * - update: in place (write the file; enable or kickstart a loaded job).
 * - replace: a loaded job whose plist changed: bootout, then bootstrap (launchd reads a plist only at bootstrap).
 * - delete: after is null.
 * - no-op: before equals after; kept so views can count unchanged resources.
 */
export type Action = 'create' | 'update' | 'replace' | 'delete' | 'no-op';

/**
 * `record` is lotusctl's own entry for a job in state.json. It appears as a change only when it is all that changes
 * for a job (adopting an identical plist after state.json was lost, an owner or monitor setting to record, a job that
 * is already gone): otherwise every step records its job anyway. Counted like any other resource.
 */
export type ResourceKind = 'directory' | 'plist' | 'job' | 'record';

/** Display values of a job resource: what launchd should have, not how to get there. */
export interface JobView {
  readonly loaded: boolean;
  readonly enabled: boolean;
  readonly running: boolean;
}

/** Display values of a plist resource: the launchd keys, secret values already masked. */
export interface PlistView {
  readonly path: string;
  readonly mode: string;
  readonly keys: Readonly<Record<string, unknown>>;
  /** The body as text (secrets masked), for the unified diff. */
  readonly text: string;
}

/** Display values of a record resource: what state.json says about the job. */
export interface RecordView {
  readonly label: string;
  /** `gui/501`, `system` … */
  readonly domain: string;
  readonly state: 'running' | 'stopped';
  /** The owning spec: its name, else its path. */
  readonly owner: string;
}

export interface Change {
  /** `<service>.<resource>`, e.g. `daemon.plist`, `daemon.job`, `daemon.directory[/Users/a/Library/Logs/lotus]`. */
  readonly address: string;
  readonly service: string;
  readonly resource: ResourceKind;
  readonly action: Action;
  /** Why, in words, for people; display only: apply never branches on it. */
  readonly reason: string;
  readonly before: PlistView | JobView | RecordView | { readonly path: string } | null;
  readonly after: PlistView | JobView | RecordView | { readonly path: string } | null;
  /** EnvironmentVariables keys whose values are secret: shown as (sensitive), with changed/unchanged. */
  readonly sensitive?: Readonly<Record<string, 'changed' | 'unchanged' | 'added' | 'removed'>>;
}

/**
 * Something changed since lotusctl's last apply. Display only. `interrupted-apply`: a lotusctl run began a step
 * and died before recording it (its journal says what it wrote, so that is not blamed on anyone else);
 * `apply-in-progress`: a running apply is changing it now. Every other kind happened outside lotusctl.
 */
export interface Drift {
  readonly service: string;
  readonly label: string;
  readonly kind: 'plist-edited' | 'plist-missing' | 'plist-mode' | 'job-unloaded' | 'job-disabled' | 'job-enabled' | 'job-not-running' | 'job-unknown'
    | 'job-loaded' | 'limits-differ' | 'loaded-differs' | 'program-missing' | 'interrupted-apply' | 'apply-in-progress';
  /** What happened, for people; it does not repeat the service or label (views show them next to it). */
  readonly message: string;
}

/** What apply needs to carry out the plan for one job; the only part of a plan apply acts on. */
export interface JobStep {
  readonly service: string;
  readonly kind: 'service' | 'monitor';
  readonly label: string;
  readonly domain: DomainTarget;
  readonly plistPath: string;
  /**
   * The job moves (its domain or label changed): first boot it out of where state.json recorded it and remove the
   * old plist, then install it here. Absent for a job that stays where it is.
   */
  readonly from?: {
    readonly label: string;
    readonly domain: DomainTarget;
    readonly plistPath: string;
    /** `bootout` when the old job is (or may be) loaded; `enable` clears a disable override lotusctl set there. */
    readonly ops: readonly ('bootout' | 'enable')[];
    readonly removePlist: boolean;
  };
  /** sha256 of the desired plist bytes (recorded in the manifest); absent when the job is being removed. */
  readonly digest?: string;
  /** Write these bytes (secrets in clear: a saved plan file is written 0600) or remove the file. */
  readonly plist: { readonly action: 'write'; readonly text: string; readonly mode: number; readonly digest: string } | { readonly action: 'remove' } | { readonly action: 'keep' };
  /** launchd operations, in order. */
  readonly ops: readonly JobOp[];
  readonly directories: readonly string[];
  /** Desired state after apply; `absent` removes the record from the manifest. */
  readonly target: 'running' | 'stopped' | 'absent';
  readonly dependsOn: readonly string[];
  readonly readiness?: {
    readonly throttleSeconds: number;
    readonly stderrPath?: string;
    readonly repo?: string;
    readonly api?: string;
    readonly startupGraceMs?: number;
  };
  readonly name: string;
  readonly sensitiveKeys: readonly string[];
  /** Recorded with the job in state.json (what the monitor reads); absent when the job is being removed. */
  readonly watch?: JobWatch;
}

/**
 * launchd operations of a step, carried out in this order whatever order the array has:
 * disable, bootout, (plist written or removed), enable, bootstrap, kickstart.
 */
export type JobOp = 'disable' | 'bootout' | 'enable' | 'bootstrap' | 'kickstart';

/**
 * Counts of resources (directory, plist, job, record) by action: each change is counted once, in one bucket.
 * `add + change + replace + destroy` is the number of changes apply makes; 0 means "No changes".
 */
export interface PlanSummary {
  readonly add: number;
  readonly change: number;
  readonly replace: number;
  readonly destroy: number;
  readonly unchanged: number;
}

/** Version of the Plan value and of saved plan files; 2 added owners, moves, record changes and `replace` counts. */
export const PLAN_FORMAT_VERSION = 2;

/** The jobs and folders a plan looked at. */
export interface ObservedScope {
  readonly targets: readonly { readonly label: string; readonly domain: DomainTarget; readonly plistPath: string }[];
  readonly directories: readonly string[];
}

/**
 * A plan: a versioned, serializable value. Apply consumes only `steps` (and refuses the plan when the
 * machine's fingerprint moved); `changes` and `drift` are for people and JSON consumers.
 */
export interface Plan {
  readonly formatVersion: typeof PLAN_FORMAT_VERSION;
  readonly mode: 'apply' | 'destroy';
  readonly changes: readonly Change[];
  readonly drift: readonly Drift[];
  readonly steps: readonly JobStep[];
  readonly summary: PlanSummary;
  /** Digest of everything observed that the plan depends on. */
  readonly fingerprint: string;
  /** What was observed, so apply can observe the same things again and compare fingerprints. */
  readonly observed: ObservedScope;
  readonly stateDir: string;
  readonly specPath?: string;
  /** The spec this plan was made for; apply records it as the owner of every job it touches. */
  readonly owner: SpecOwner;
  /** The latest apply recorded for this spec's jobs; absent when nothing of this spec was ever applied here. */
  readonly lastAppliedAt?: string;
  readonly createdAt: string;
  /**
   * What earlier crashed lotusctl runs left (stale lock, temporary files, journal entries with nothing left to do);
   * apply cleans up all but unproven locks. Not counted as changes: no resource changes.
   */
  readonly leftovers?: readonly Leftover[];
}

/** Changes apply would make: the one number behind "No changes", the exit code and apply's progress. */
export function changeCount(s: PlanSummary): number {
  return s.add + s.change + s.replace + s.destroy;
}

export function assertNever(x: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(x)}`);
}

export type { DesiredJob, Leftover };
