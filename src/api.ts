import { realpathSync } from 'node:fs';
import type { ApplyResult } from './apply/apply.js';
import type { ApplyHooks } from './apply/events.js';
import type { Clock } from './apply/readiness.js';
import { isLotusctlError, LotusctlError } from './model/errors.js';
import type { Plan } from './model/plan.js';
import { observe } from './observe/observe.js';
import { diff } from './plan/diff.js';
import { actForOperator, actingUser } from './system/host.js';
import { Launchctl } from './system/launchctl.js';
import { loadSpec as loadSpecFile, requireValid, type LoadedSpec, type LoadOptions } from './system/load-spec.js';
import { lockStatus, waitWhileLocked } from './system/lock.js';
import { resolveLaunchctlBinary } from './system/platform.js';
import { posix } from 'node:path';
import { resolvePath } from './spec/paths.js';

export type { LoadedSpec, LoadOptions, Plan, ApplyResult, ApplyHooks };
export { requireValid };

/** The launchctl adapter for this machine: LOTUSCTL_LAUNCHCTL if set, /bin/launchctl on macOS. */
export function defaultLaunchctl(env: NodeJS.ProcessEnv = process.env): Launchctl {
  return new Launchctl({ binary: resolveLaunchctlBinary(env, process.platform) });
}

/** Read and validate lotus.yaml and resolve it against this host. Check `.ok` and `.diagnostics`. */
export function loadSpec(file = 'lotus.yaml', opts: LoadOptions = {}): LoadedSpec {
  return loadSpecFile(file, opts);
}

export interface PlanOptions {
  readonly targets?: readonly string[];
  /** Reload these services even when nothing changed (bootout, then bootstrap): Terraform's -replace. */
  readonly replace?: readonly string[];
  readonly launchctl?: Launchctl;
  readonly now?: Date;
  /** How long to wait for another lotusctl run that is changing these jobs (default: LOTUSCTL_LOCK_WAIT_MS or 3 s). */
  readonly lockWaitMs?: number;
}

/** Observe the machine and diff it against the spec: what apply would do. Read-only. */
export async function plan(spec: LoadedSpec | string, opts: PlanOptions = {}): Promise<Plan> {
  return planMode(spec, 'apply', opts);
}

/** The plan that removes everything lotusctl manages for this spec. Read-only. */
export async function planDestroy(spec: LoadedSpec | string, opts: PlanOptions = {}): Promise<Plan> {
  return planMode(spec, 'destroy', opts);
}

/**
 * Agents belong to a user. Run as root without sudo there is none: gui/0 does not exist on a Mac and user/0 would run
 * Lotus as root (issue 9, item 1; specs/domains.md). `validate` says so as a note; plan and apply refuse.
 */
function refuseAgentsAsRoot(agents: readonly { name: string; domain: { kind: string } }[], acting: string): void {
  const names = agents.filter((j) => j.domain.kind !== 'system').map((j) => j.name);
  if (acting !== 'root' || names.length === 0) return;
  throw new LotusctlError('host.agents-as-root', `${names.join(', ')} ${names.length === 1 ? 'is an agent' : 'are agents'} (domain gui or user), but lotusctl runs as root without sudo: an agent belongs to a user, gui/0 does not exist on a Mac, and user/0 would run Lotus as root`, {
    hint: 'run lotusctl as the user who owns the node, or with sudo from that account (sudo sets SUDO_UID); or make it a LaunchDaemon: domain: system with user: <name>. Nothing was changed',
  });
}

async function planMode(spec: LoadedSpec | string, mode: 'apply' | 'destroy', opts: PlanOptions): Promise<Plan> {
  const loaded = requireValid(typeof spec === 'string' ? loadSpec(spec) : spec);
  refuseAgentsAsRoot(loaded.desired.jobs, loaded.host.acting ?? 'user');
  const lc = opts.launchctl ?? defaultLaunchctl();
  // The report folder is written by the monitor with atomic writes: look there for crash leftovers too.
  // Resolved as report/index.ts does, without loading the report code into plan.
  const r = loaded.spec.monitor?.reports;
  const reports = r ? [resolvePath(r.dir, loaded.host.home, posix.dirname(loaded.host.specPath))] : [];
  const once = async (): Promise<Plan> => diff(loaded.desired, await observe(loaded.desired, lc, { extraFolders: reports }), {
    mode, now: (opts.now ?? new Date()).toISOString(), specPath: safeRealpath(loaded.path),
    ...(opts.targets && opts.targets.length > 0 ? { targets: opts.targets } : {}),
    ...(opts.replace && opts.replace.length > 0 ? { replace: opts.replace } : {}),
  });
  try {
    return await once();
  } catch (e) {
    // A job that looks foreign may be one another lotusctl run is creating right now (loaded, not yet recorded):
    // while a live run holds the state lock, wait for it as apply would, then look again; otherwise refuse as before.
    if (!isLotusctlError(e) || !e.code.startsWith('plan.unmanaged')) throw e;
    const held = await lockStatus(loaded.desired.stateDir).catch(() => undefined);
    if (held === undefined || held.liveness.verdict === 'dead') throw e;
    await waitWhileLocked(loaded.desired.stateDir, opts.lockWaitMs !== undefined ? { waitMs: opts.lockWaitMs } : {});
    return once();
  }
}

function safeRealpath(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}

export interface ApplyOptions {
  readonly launchctl?: Launchctl;
  readonly hooks?: ApplyHooks;
  readonly clock?: Clock;
  readonly command?: string;
  readonly lockWaitMs?: number;
  readonly signal?: AbortSignal;
}

/** Carry out a plan (from plan() or a saved plan file); refuses a stale plan. */
export async function apply(p: Plan, opts: ApplyOptions = {}): Promise<ApplyResult> {
  actForOperator();
  // A saved plan names its domains (gui/501/…); applying its agents as a bare root would leave root-owned files behind.
  refuseAgentsAsRoot(p.steps.map((s) => ({ name: s.service, domain: s.domain })), actingUser().acting);
  // The apply engine loads when a plan is carried out, not for plan/drift (start-up cost of the CLI).
  const { applyPlan } = await import('./apply/apply.js');
  return applyPlan(p, { ...opts, launchctl: opts.launchctl ?? defaultLaunchctl() });
}

/** Plan and apply the removal of everything lotusctl manages for this spec. Never touches Lotus repos or logs. */
export async function destroy(spec: LoadedSpec | string, opts: ApplyOptions & PlanOptions = {}): Promise<ApplyResult> {
  const lc = opts.launchctl ?? defaultLaunchctl();
  return apply(await planDestroy(spec, { ...opts, launchctl: lc }), { ...opts, launchctl: lc });
}
