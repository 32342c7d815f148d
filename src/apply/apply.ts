import { MANIFEST_FORMAT_VERSION, type ManagedRecord, type Manifest } from '../model/actual.js';
import { LotusctlError } from '../model/errors.js';
import { changeCount, type Plan } from '../model/plan.js';
import { observeScope } from '../observe/observe.js';
import { fingerprint } from '../plan/fingerprint.js';
import type { Launchctl } from '../system/launchctl.js';
import { acquireLock } from '../system/lock.js';
import { readManifest, writeManifest } from '../system/manifest.js';
import { noHooks, type ApplyHooks } from './events.js';
import { executeStep, StepFailed } from './execute-step.js';
import { beginStep, cleanUpAfterCrashes, clearFinishedEntries, endStep, priorEntries } from './recovery.js';
import { realClock, type Clock } from './readiness.js';

export interface ApplyOptions {
  readonly launchctl: Launchctl;
  readonly hooks?: ApplyHooks;
  readonly clock?: Clock;
  /** The command line, recorded in the lock so a second run can name the holder. */
  readonly command?: string;
  readonly lockWaitMs?: number;
  /** The effective uid (default: this process's); LaunchDaemons need root. */
  readonly euid?: number;
  /** Aborted (first Ctrl-C): finish the current step, then stop before the next one. */
  readonly signal?: AbortSignal;
}

export interface ApplyResult {
  readonly applied: number;
  readonly services: readonly { readonly service: string; readonly pid?: number; readonly done: readonly string[] }[];
}

/**
 * Execute exactly the plan: under the state lock, after checking the machine still matches what the plan saw.
 * A lock left by a dead lotusctl is taken over, and temporary files of crashed runs are removed first, then (once the
 * plan is proven current) the journal entries it found with nothing left to do; each is said as a `note` event. Steps run in plan order (dependencies first); a failure rolls that service back and stops, so
 * nothing that depends on it starts. Each step is journaled before its first effect; the manifest records each
 * service as soon as its step succeeds, and then the journal entry is cleared.
 */
export async function applyPlan(plan: Plan, opts: ApplyOptions): Promise<ApplyResult> {
  const hooks = opts.hooks ?? noHooks;
  const clock = opts.clock ?? realClock;
  const euid = opts.euid ?? process.geteuid?.() ?? 0;
  const daemons = plan.steps.filter((s) => s.domain.kind === 'system' || s.from?.domain.kind === 'system').map((s) => s.service);
  if (daemons.length > 0 && euid !== 0) {
    throw new LotusctlError('apply.needs-root', `${daemons.join(', ')} ${daemons.length === 1 ? 'is a LaunchDaemon' : 'are LaunchDaemons'} (domain: system), which only root can load`, {
      hint: 'run it with sudo, or use domain: gui or user for a per-user agent; nothing was changed',
    });
  }
  const command = opts.command ?? `lotusctl ${plan.mode}`;
  const lock = await acquireLock(plan.stateDir, command, opts.lockWaitMs !== undefined ? { waitMs: opts.lockWaitMs } : {});
  try {
    const note = (message: string) => hooks.onEvent({ type: 'note', message });
    if (lock.tookOver) note(lock.tookOver.message);
    await cleanUpAfterCrashes(plan, note);
    const now = await observeScope(plan.stateDir, plan.observed, opts.launchctl);
    if (fingerprint(now) !== plan.fingerprint) {
      throw new LotusctlError('plan.stale', 'the plan is stale: the machine changed since it was made', {
        hint: 'run lotusctl plan again (and save it with --out), then apply the new plan',
      });
    }
    // Entries of steps that were carried out (or need nothing more) go once the plan proved to be current.
    clearFinishedEntries(plan, note);
    if (plan.steps.length > 0) hooks.onEvent({ type: 'start', steps: plan.steps.length, changes: changeCount(plan.summary) });
    const services: ApplyResult['services'][number][] = [];
    let manifest: Manifest = readManifest(plan.stateDir);
    const prior = priorEntries(plan.stateDir);
    for (const step of plan.steps) {
      if (opts.signal?.aborted) {
        const remaining = plan.steps.slice(plan.steps.indexOf(step)).map((s) => s.service);
        throw new LotusctlError('apply.interrupted', `interrupted: stopped before ${remaining.join(', ')}`, {
          hint: 'the finished steps are recorded; run lotusctl plan to see what remains',
        });
      }
      hooks.onEvent({ type: 'step-start', service: step.service, label: step.label, title: title(step) });
      let began = false;
      try {
        beginStep(plan.stateDir, step, plan, manifest, { lockId: lock.info.id, command, startedAt: new Date(clock.now()).toISOString() });
        began = true;
        const r = await executeStep(step, {
          lc: opts.launchctl, clock, stateDir: plan.stateDir,
          progress: (message) => hooks.onEvent({ type: 'step-progress', service: step.service, message }),
        });
        services.push({ service: step.service, ...(r.pid !== undefined ? { pid: r.pid } : {}), done: r.done });
        manifest = record(manifest, step, plan, clock, r.limitsInEffect);
        writeManifest(plan.stateDir, manifest);
        endStep(plan.stateDir, step, { ok: true });
        hooks.onEvent({ type: 'step-done', service: step.service, message: doneMessage(step, r.pid, r.done) });
      } catch (e) {
        // Rolled back in full: the machine is as the step found it, so the journal goes back to what it said before.
        if (began && e instanceof StepFailed && e.failedUndo.length === 0) endStep(plan.stateDir, step, { ok: false, prior });
        hooks.onEvent({ type: 'step-failed', service: step.service, message: (e as Error).message });
        if (e instanceof StepFailed) {
          for (const u of e.undone) hooks.onEvent({ type: 'rollback', service: step.service, message: u, ok: true });
          for (const u of e.failedUndo) hooks.onEvent({ type: 'rollback', service: step.service, message: u, ok: false });
        }
        const remaining = plan.steps.slice(plan.steps.indexOf(step) + 1).map((s) => s.service);
        if (e instanceof LotusctlError && remaining.length > 0) {
          throw new LotusctlError(e.code, e.message, { cause: e, ...(e.hint ? { hint: e.hint } : {}), details: [...e.details, `not attempted: ${remaining.join(', ')}`] });
        }
        throw e;
      }
    }
    if (plan.steps.length > 0) hooks.onEvent({ type: 'done', applied: plan.steps.length });
    return { applied: plan.steps.length, services };
  } finally {
    await lock.release();
  }
}

type Step = Plan['steps'][number];

/** Only the record changes: no launchd operation, no plist (its log folders may still be created). */
const recordOnly = (step: Step) => step.ops.length === 0 && step.plist.action === 'keep' && !step.from;

function title(step: Step): string {
  const who = `${step.service} (${step.label})`;
  if (step.target === 'absent') return `remove ${who}`;
  if (step.from) return `move ${who}`;
  if (step.ops.includes('bootout') && step.ops.includes('bootstrap')) return `replace ${who}`;
  if (step.ops.includes('bootstrap')) return `start ${who}`;
  if (step.target === 'stopped') return `stop ${who}`;
  if (recordOnly(step)) return `record ${who} in state.json`;
  return `update ${who}`;
}

function doneMessage(step: Step, pid: number | undefined, done: readonly string[]): string {
  if (step.target === 'absent') return done.length === 0 ? 'dropped from state.json' : 'removed';
  if (pid !== undefined) return `running as pid ${pid}`;
  if (step.target === 'stopped') return 'stopped and disabled';
  return recordOnly(step) && done.length === 0 ? 'recorded in state.json' : 'updated';
}

function record(m: Manifest, step: Step, plan: Plan, clock: Clock, limitsInEffect?: Readonly<Record<string, number>>): Manifest {
  const jobs = { ...m.jobs };
  // A moved job leaves its old record behind (its label may differ).
  if (step.from) delete jobs[step.from.label];
  if (step.target === 'absent') {
    delete jobs[step.label];
  } else {
    const prev = jobs[step.label];
    // A reload measured them afresh; otherwise the job launchd runs is still the one measured last time.
    const limits = limitsInEffect ?? (step.ops.includes('bootstrap') ? undefined : prev?.limitsInEffect);
    const digest = step.digest ?? prev?.digest;
    const rec: ManagedRecord = {
      name: step.service, kind: step.kind, label: step.label, domain: step.domain, plistPath: step.plistPath,
      digest: digest ?? '', state: step.target, sensitiveKeys: [...step.sensitiveKeys], appliedAt: new Date(clock.now()).toISOString(),
      owner: plan.owner, ...(step.watch ? { watch: step.watch } : {}),
      ...(limits ? { limitsInEffect: limits } : {}),
    };
    jobs[step.label] = rec;
  }
  return { formatVersion: MANIFEST_FORMAT_VERSION, jobs };
}

