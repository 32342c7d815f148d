import type { DomainTarget } from '../launchd/domain.js';
import type { Leftover } from './actual.js';
import type { DesiredJob } from './desired.js';

/**
 * The closed set of actions. Switch on it exhaustively (`assertNever`).
 * - create: before is null, after is the new value.
 * - update: in place (write the file; enable or kickstart a loaded job).
 * - replace: a loaded job whose plist changed: bootout, then bootstrap (launchd reads a plist only at bootstrap).
 * - delete: after is null.
 * - no-op: before equals after; kept so views can count unchanged resources.
 */
export type Action = 'create' | 'update' | 'replace' | 'delete' | 'no-op';

export type ResourceKind = 'directory' | 'plist' | 'job';

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

export interface Change {
  /** `<service>.<resource>`, e.g. `daemon.plist`, `daemon.job`, `daemon.directory[/Users/a/Library/Logs/lotus]`. */
  readonly address: string;
  readonly service: string;
  readonly resource: ResourceKind;
  readonly action: Action;
  /** Why, in words, for people; display only: apply never branches on it. */
  readonly reason: string;
  readonly before: PlistView | JobView | { readonly path: string } | null;
  readonly after: PlistView | JobView | { readonly path: string } | null;
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
  readonly kind: 'plist-edited' | 'plist-missing' | 'plist-mode' | 'job-unloaded' | 'job-disabled' | 'job-not-running' | 'job-unknown' | 'job-loaded' | 'limits-differ'
    | 'interrupted-apply' | 'apply-in-progress';
  readonly message: string;
}

/** What apply needs to carry out the plan for one job; the only part of a plan apply acts on. */
export interface JobStep {
  readonly service: string;
  readonly kind: 'service' | 'monitor';
  readonly label: string;
  readonly domain: DomainTarget;
  readonly plistPath: string;
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
}

export type JobOp = 'bootout' | 'enable' | 'bootstrap' | 'kickstart';

export interface PlanSummary {
  readonly add: number;
  readonly change: number;
  readonly destroy: number;
  readonly unchanged: number;
}

export const PLAN_FORMAT_VERSION = 1;

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
  readonly createdAt: string;
  /** What earlier crashed lotusctl runs left (stale lock, temporary files); apply cleans up all but unproven locks. */
  readonly leftovers?: readonly Leftover[];
}

export function assertNever(x: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(x)}`);
}

export type { DesiredJob, Leftover };
