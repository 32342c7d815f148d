import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { domainTarget } from '../launchd/domain.js';
import { LotusctlError } from '../model/errors.js';
import type { JobStep } from '../model/plan.js';
import { writeFileAtomic } from '../system/atomic-file.js';
import { backupFile, restoreBackup } from '../system/backups.js';
import type { Launchctl } from '../system/launchctl.js';
import type { Clock } from './readiness.js';
import { waitReady } from './readiness.js';

export interface StepContext {
  readonly lc: Launchctl;
  readonly clock: Clock;
  readonly stateDir: string;
  readonly progress: (message: string) => void;
}

/** What a step did, so a failure can be undone in reverse. */
interface Undo {
  readonly what: string;
  run(): Promise<void>;
}

/**
 * Carry out one job's step: a moved job first leaves its old place (bootout, old plist removed); then disable,
 * bootout, the file, enable/bootstrap/kickstart, and the honest-start wait. On failure, undo what was done in
 * reverse (restore the previous plist and reload it where it was loaded) and rethrow with both lists.
 */
export async function executeStep(step: JobStep, ctx: StepContext): Promise<{ pid?: number; done: string[] }> {
  const { lc, progress } = ctx;
  const done: string[] = [];
  const undo: Undo[] = [];
  const initial = await lc.print(step.domain, step.label).catch(() => undefined);
  const wasLoaded = initial !== undefined;

  const record = (what: string, u?: Undo) => {
    done.push(what);
    progress(what);
    if (u) undo.push(u);
  };
  const removeWithBackup = (label: string, path: string) => {
    const prevMode = fileMode(path);
    const backup = backupFile(ctx.stateDir, label, path);
    rmSync(path, { force: true });
    record(`removed ${path}${backup ? ` (backup ${backup})` : ''}`, backup ? { what: `restored ${path}`, run: async () => restoreBackup(backup, path, prevMode) } : undefined);
  };

  try {
    for (const dir of step.directories) {
      if (existsSync(dir)) continue;
      mkdirSync(dir, { recursive: true, mode: 0o755 });
      record(`created ${dir}`);
    }
    const from = step.from;
    if (from) {
      const where = `${domainTarget(from.domain)}/${from.label}`;
      if (from.ops.includes('bootout')) {
        const loadedBefore = (await lc.print(from.domain, from.label).catch(() => undefined)) !== undefined;
        await lc.bootout(from.domain, from.label);
        record(`booted out ${where}`, loadedBefore ? { what: `bootstrapped ${where} again`, run: async () => lc.bootstrap(from.domain, from.plistPath, { label: from.label }) } : undefined);
      }
      if (from.removePlist) removeWithBackup(from.label, from.plistPath);
      if (from.ops.includes('enable')) {
        await lc.enable(from.domain, from.label);
        record(`enabled ${where} (cleared lotusctl's disable override)`);
      }
    }
    if (step.plist.action === 'write') mkdirSync(dirname(step.plistPath), { recursive: true, mode: 0o755 });
    if (step.ops.includes('disable')) {
      await lc.disable(step.domain, step.label);
      record(`disabled ${step.label} (it stays stopped across reboots and logins)`, { what: `enabled ${step.label} again`, run: async () => lc.enable(step.domain, step.label) });
    }
    if (step.ops.includes('bootout')) {
      await lc.bootout(step.domain, step.label);
      record(`booted out ${step.label}`);
    }
    if (step.plist.action === 'write') {
      const prevMode = fileMode(step.plistPath);
      const backup = backupFile(ctx.stateDir, step.label, step.plistPath);
      await writeFileAtomic(step.plistPath, step.plist.text, { mode: step.plist.mode });
      record(`wrote ${step.plistPath}`, {
        what: backup ? `restored the previous ${step.plistPath}` : `removed ${step.plistPath}`,
        run: async () => (backup ? restoreBackup(backup, step.plistPath, prevMode) : rmSync(step.plistPath, { force: true })),
      });
    } else if (step.plist.action === 'remove') {
      removeWithBackup(step.label, step.plistPath);
    }
    if (step.ops.includes('enable')) {
      await lc.enable(step.domain, step.label);
      record(`enabled ${step.label}`);
    }
    if (step.ops.includes('bootstrap')) {
      await lc.bootstrap(step.domain, step.plistPath, { label: step.label });
      record(`bootstrapped ${step.label}`, { what: `booted out ${step.label}`, run: async () => void (await lc.bootout(step.domain, step.label)) });
    }
    if (step.ops.includes('kickstart')) {
      await lc.kickstart(step.domain, step.label);
      record(`kickstarted ${step.label}`);
    }
    let pid: number | undefined;
    if (step.target === 'running' && step.ops.length > 0) {
      // A bootout resets launchd's run count; a job kept loaded keeps counting.
      const runsBefore = step.ops.includes('bootstrap') ? 0 : (initial?.parsed.runs ?? 0);
      pid = await waitReady(step, lc, ctx.clock, progress, { runsBefore });
      done.push(`${step.label} is running as pid ${pid}`);
    }
    return { ...(pid !== undefined ? { pid } : {}), done };
  } catch (e) {
    const undone: string[] = [];
    const failedUndo: string[] = [];
    for (const u of [...undo].reverse()) {
      try {
        await u.run();
        undone.push(u.what);
      } catch (ue) {
        failedUndo.push(`${u.what}: ${(ue as Error).message}`);
      }
    }
    // The job was loaded before the step: load the restored plist again so the service is back as it was.
    if (wasLoaded && step.ops.includes('bootout')) {
      try {
        await lc.bootout(step.domain, step.label).catch(() => undefined);
        await lc.bootstrap(step.domain, step.plistPath, { label: step.label });
        undone.push(`bootstrapped the previous ${step.label} again`);
      } catch (ue) {
        failedUndo.push(`reloading the previous ${step.label}: ${(ue as Error).message}`);
      }
    }
    throw new StepFailed(step, e, done, undone, failedUndo);
  }
}

/** A step failed; carries what was done and what was undone, for an honest report. */
export class StepFailed extends LotusctlError {
  constructor(step: JobStep, cause: unknown, readonly done: string[], readonly undone: string[], readonly failedUndo: string[]) {
    const inner = cause as { code?: string; message?: string; hint?: string; details?: readonly string[] };
    super(inner.code ?? 'apply.step-failed', `${step.service}: ${inner.message ?? String(cause)}`, {
      cause,
      ...(inner.hint ? { hint: inner.hint } : {}),
      details: [
        ...(inner.details ?? []),
        ...(done.length ? ['done:', ...done.map((d) => `  ${d}`)] : []),
        ...(undone.length ? ['rolled back:', ...undone.map((d) => `  ${d}`)] : []),
        ...(failedUndo.length ? ['could NOT roll back:', ...failedUndo.map((d) => `  ${d}`)] : []),
      ],
    });
  }
}

function fileMode(path: string): number {
  try {
    return statSync(path).mode & 0o777;
  } catch {
    return 0o600;
  }
}
