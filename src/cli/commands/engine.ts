import { lstatSync, realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { apply, defaultLaunchctl, plan as makePlan, planDestroy } from '../../api.js';
import type { ApplyEvent } from '../../apply/events.js';
import { LotusctlError } from '../../model/errors.js';
import { changeCount, type Plan } from '../../model/plan.js';
import { applyHasWork, cleanupLeftovers } from '../../plan/recovery.js';
import { decodePlanFile, encodePlanFile, isPlanFileText } from '../../plan/plan-file.js';
import { driftJson, planJson } from '../../render/plan-json.js';
import { secretValues } from '../../render/plan-secrets.js';
import { renderDriftText, renderPlanText } from '../../render/plan-text.js';
import { writeFileAtomic } from '../../system/atomic-file.js';
import { planBounds } from '../../system/host.js';
import { loadSpec } from '../../system/load-spec.js';
import { FileReadError, readStreamCapped, readTextCapped } from '../../system/read-file.js';
import { forceUnlock } from '../../system/lock.js';
import { ExitCode } from '../errors.js';
import { interrupt } from '../interrupt.js';
import type { Output } from '../output.js';
import { reportDiagnostics } from './validate.js';

export interface EngineFlags {
  file: string;
  json?: boolean;
  target?: string[];
  detailedExitcode?: boolean;
  out?: string;
  autoApprove?: boolean;
  /** plan: read the spec text from stdin; --file still names where it lives (for relative paths). */
  stdin?: boolean;
  /** plan: plan the removal of everything lotusctl manages, as destroy would. */
  destroy?: boolean;
  /** Services to reload even when unchanged (apply/plan --replace). */
  replace?: string[];
}

async function readStdin(): Promise<string> {
  try {
    // Capped like a spec file, and read asynchronously: an endless pipe is refused, Ctrl-C still works.
    return await readStreamCapped(process.stdin, 'spec', 'standard input');
  } catch (e) {
    if (e instanceof FileReadError) throw new LotusctlError('spec.too-large', `the spec on standard input is ${e.detail}`, { hint: 'a lotus.yaml is a few kilobytes: check what is piped into lotusctl plan --stdin', cause: e });
    throw new LotusctlError('spec.unreadable', `cannot read the spec from standard input (${(e as NodeJS.ErrnoException).code ?? 'error'})`, { hint: 'pipe the spec text into lotusctl plan --stdin', cause: e });
  }
}

async function planFromSpec(flags: EngineFlags, o: Output, mode: 'apply' | 'destroy'): Promise<Plan> {
  const loaded = loadSpec(flags.file, flags.stdin ? { text: await readStdin() } : {});
  reportDiagnostics(loaded, o, { json: Boolean(flags.json) });
  if (!loaded.ok) throw new ExitCode(1);
  const opts = { launchctl: defaultLaunchctl(), ...(flags.target?.length ? { targets: flags.target } : {}), ...(flags.replace?.length ? { replace: flags.replace } : {}) };
  return mode === 'destroy' ? planDestroy(loaded, opts) : makePlan(loaded, opts);
}

const realpathOr = (p: string) => {
  try {
    return realpathSync(p);
  } catch {
    return resolve(p);
  }
};

/**
 * `plan --out FILE` may create FILE or replace a lotusctl plan file or an empty file; anything else there (the spec
 * itself, a folder, any other file) is refused before anything is planned or written.
 */
function checkPlanOut(out: string, specFile: string): void {
  let st;
  try {
    st = lstatSync(out);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new LotusctlError('plan.out-unusable', `cannot check ${out} before saving the plan there`, { hint: 'choose another file', cause: e });
  }
  if (realpathOr(out) === realpathOr(specFile)) {
    throw new LotusctlError('plan.out-is-spec', `--out ${out} is the spec file itself; saving the plan there would overwrite it`, { hint: 'save the plan under another name, e.g. --out tfplan' });
  }
  // An empty file holds nothing to lose (`mktemp`, then plan --out into it, is a common script idiom).
  if (st.isFile() && st.size === 0) return;
  let text = '';
  try {
    text = st.isFile() ? readTextCapped(out, 'plan') : '';
  } catch {
    text = '';
  }
  if (!st.isFile() || !isPlanFileText(text)) {
    throw new LotusctlError('plan.out-exists', `--out ${out} exists and is not a lotusctl plan file; lotusctl overwrites only its own plan files`, {
      hint: 'choose another name, or remove that file yourself if it is not needed',
    });
  }
}

/** `lotusctl plan`: show the difference; --out saves it; --detailed-exitcode: 0 none, 2 changes (or leftovers of a crashed run apply cleans up). */
export async function runPlan(flags: EngineFlags, o: Output, mode: 'apply' | 'destroy' = 'apply'): Promise<number> {
  if (flags.out) checkPlanOut(flags.out, flags.file);
  const p = await planFromSpec(flags, o, flags.destroy ? 'destroy' : mode);
  if (flags.json) o.out(JSON.stringify(planJson(p), null, 2));
  else o.out(renderPlanText(p, o.colors).trimEnd());
  if (flags.out) {
    // A saved plan holds the plist bytes, secrets included: owner-only.
    writeFileAtomic(flags.out, encodePlanFile(p), { mode: 0o600 });
    if (!flags.json) o.out(`\nSaved the plan to ${flags.out}. To carry out exactly this plan, run:\n  lotusctl apply ${flags.out}`);
  }
  return flags.detailedExitcode && applyHasWork(p) ? 2 : 0;
}

/** `lotusctl show PLANFILE`: a saved plan as plan prints it (text or --json), without looking at the machine. */
export async function runShow(planFile: string, flags: { json?: boolean }, o: Output): Promise<number> {
  const p = await readPlanFile(planFile);
  if (flags.json) o.out(JSON.stringify(planJson(p), null, 2));
  else o.out(renderPlanText(p, o.colors).trimEnd());
  return 0;
}

async function readPlanFile(planFile: string): Promise<Plan> {
  let text: string;
  try {
    text = readTextCapped(planFile, 'plan');
  } catch (e) {
    const detail = e instanceof FileReadError ? e.detail : 'cannot read';
    throw new LotusctlError('plan.file-unreadable', `cannot use the plan file ${planFile}: ${detail}`, {
      hint: e instanceof FileReadError && e.problem !== 'missing' && e.problem !== 'unreadable' ? (e.hint ?? 'create it with lotusctl plan --out FILE') : 'create it with lotusctl plan --out FILE', cause: e,
    });
  }
  const p = decodePlanFile(text, planFile);
  // Shown or applied, a saved plan must do only what lotusctl could have planned (src/plan/verify-plan.ts). Loaded
  // here, not with the module: it parses the plan's plists, and plan itself never needs the XML parser.
  const { verifyPlan } = await import('../../plan/verify-plan.js');
  verifyPlan(p, planFile, planBounds());
  return p;
}

/**
 * `lotusctl drift`: read-only; 0 when the machine matches the last apply, 2 when not (drift, an unfinished step,
 * or leftovers of a crashed run that apply would clean up).
 */
export async function runDrift(flags: EngineFlags, o: Output): Promise<number> {
  const p = await planFromSpec(flags, o, 'apply');
  if (flags.json) o.out(JSON.stringify(driftJson(p), null, 2));
  else o.out(renderDriftText(p.drift, o.colors, secretValues(p), p).trimEnd());
  return p.drift.length > 0 || cleanupLeftovers(p).length > 0 ? 2 : 0;
}

async function confirm(o: Output, mode: 'apply' | 'destroy'): Promise<boolean> {
  // Only a person at a terminal is asked; plan and scripted runs never load readline.
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    const q = mode === 'destroy' ? 'Do you really want to destroy everything lotusctl manages here?' : 'Do you want to perform these actions?';
    o.out(`\n${o.colors.bold(q)}\n  Only 'yes' will be accepted to approve.\n`);
    return (await rl.question('  Enter a value: ')).trim() === 'yes';
  } finally {
    rl.close();
  }
}

/** `lotusctl apply [PLANFILE]` and `lotusctl destroy`: plan (or load a saved plan), confirm, execute with progress. */
export async function runApply(planFile: string | undefined, flags: EngineFlags, o: Output, mode: 'apply' | 'destroy' = 'apply', signal?: AbortSignal): Promise<number> {
  let p: Plan;
  if (planFile && (flags.target?.length || flags.replace?.length)) {
    throw new LotusctlError('apply.plan-file-flags', '--target and --replace shape a new plan; a saved plan is applied exactly as it was made', {
      hint: `make the plan with them instead: lotusctl plan ${flags.target?.map((t) => `--target ${t} `).join('') ?? ''}${flags.replace?.map((t) => `--replace ${t} `).join('') ?? ''}--out FILE`,
    });
  }
  if (planFile) {
    p = await readPlanFile(planFile);
  } else {
    if (!flags.autoApprove && !o.isTTY) {
      throw new LotusctlError('apply.needs-approval', `no terminal to ask for confirmation, and --auto-approve was not given`, {
        hint: `run lotusctl ${mode} --auto-approve, or apply a saved plan: lotusctl plan --out FILE && lotusctl apply FILE`,
      });
    }
    p = await planFromSpec(flags, o, mode);
  }
  const events: ApplyEvent[] = [];
  if (flags.json) o.out(JSON.stringify({ type: 'plan', ...planJson(p) }));
  else o.out(renderPlanText(p, o.colors).trimEnd());
  if (!applyHasWork(p)) return 0;
  const changes = changeCount(p.summary) > 0;
  // Cleaning up after a crashed run (a stale lock, its temporary files, a finished step's journal entry) asks no question.
  if (!planFile && !flags.autoApprove && changes) {
    if (!(await confirm(o, mode))) {
      o.err(`${mode === 'destroy' ? 'Destroy' : 'Apply'} cancelled; nothing was changed.`);
      return 1;
    }
  }
  interrupt.graceful = true;
  const command = `lotusctl ${[mode, ...process.argv.slice(3)].join(' ')}`.slice(0, 200);
  // Loaded here, not at the top: plan and drift never need the progress UI (listr2).
  const { runWithProgress } = await import('../progress.js');
  const result = await runWithProgress(p, o, Boolean(flags.json), (hooks) => apply(p, { hooks: { onEvent: (e) => { events.push(e); hooks.onEvent(e); } }, command, ...(signal ? { signal } : {}) }));
  // Every step succeeded, so what was done is what the plan counted (the same numbers as "Plan: …").
  if (!flags.json && !changes) {
    o.out(o.colors.green(o.colors.bold('\nDone: finished what an earlier lotusctl run left; no resources changed.')));
  } else if (!flags.json) {
    const s = p.summary;
    o.out(o.colors.green(o.colors.bold(mode === 'destroy'
      ? `\nDestroy complete! Resources: ${s.destroy} destroyed.`
      : `\nApply complete! Resources: ${s.add} added, ${s.change} changed, ${s.replace} replaced, ${s.destroy} destroyed.`)));
  } else {
    o.out(JSON.stringify({ type: 'summary', format_version: planJson(p).format_version, applied: result.applied, changes: changeCount(p.summary), summary: planJson(p).summary }));
  }
  return 0;
}

/** `lotusctl force-unlock ID`: clear a lock whose holder is gone. */
export async function runForceUnlock(id: string, flags: EngineFlags & { stateDir?: string }, o: Output): Promise<number> {
  // --state-dir works even when lotus.yaml is broken or gone.
  let stateDir = flags.stateDir;
  if (!stateDir) {
    const loaded = loadSpec(flags.file);
    reportDiagnostics(loaded, o);
    stateDir = loaded.desired?.stateDir as string;
  }
  const { removed } = await forceUnlock(stateDir, id);
  o.out(`Lock ${removed.id} (pid ${removed.pid} on ${removed.host}, ${removed.command}, since ${removed.since}) removed.`);
  return 0;
}
