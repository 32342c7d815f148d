import type { ApplyEvent, ApplyHooks } from '../apply/events.js';
import type { Plan } from '../model/plan.js';
import { PLAN_JSON_FORMAT_VERSION } from '../render/plan-json.js';
import { escapeControls } from '../render/terminal-text.js';
import type { Output } from './output.js';

interface Deferred { promise: Promise<void>; resolve(): void; reject(e: Error): void; output(m: string): void; setOutput?: (m: string) => void; skipped?: boolean }

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<void>((res, rej) => { resolve = res; reject = rej; });
  promise.catch(() => undefined);
  const d: Deferred = { promise, resolve, reject, output: (m) => d.setOutput?.(m) };
  return d;
}

/**
 * Run the engine and show its progress: listr2 on a TTY, one plain line per event otherwise,
 * one JSON object per event with --json. The engine only emits events; it never knows how they are shown.
 */
export async function runWithProgress<T>(plan: Plan, o: Output, json: boolean, work: (hooks: ApplyHooks) => Promise<T>): Promise<T> {
  if (json) {
    // Every line carries the version of the format it belongs to (specs/plan-json.md), as the plan and summary lines do.
    return work({ onEvent: (e) => o.out(JSON.stringify({ type: e.type, format_version: PLAN_JSON_FORMAT_VERSION, ...snake(e), time: new Date().toISOString() })) });
  }
  if (!o.isTTY) {
    return work({ onEvent: (e) => { const line = plainLine(e); if (line) o.out(line); } });
  }
  // listr2 only on a terminal: JSON and plain-line runs (scripts, CI) never load it.
  const { Listr } = await import('listr2');
  const steps = new Map(plan.steps.map((s) => [s.service, deferred()] as const));
  // listr2 writes to the terminal itself, past Output's filter: what it shows is escaped here. The list starts with
  // the first step; notes before it (a lock taken over, leftovers removed) are plain lines.
  const makeList = () => new Listr(plan.steps.map((s) => ({
    title: escapeControls(s.service),
    task: async (_ctx: unknown, task: { output: string; title: string; skip(m: string): void }) => {
      const d = steps.get(s.service) as Deferred;
      d.setOutput = (m) => { task.output = escapeControls(m); };
      await d.promise;
      if (d.skipped) task.skip(`${escapeControls(s.service)}: not attempted`);
    },
  })), { concurrent: false, exitOnError: false, rendererOptions: { collapseSubtasks: false } });
  let shown: Promise<unknown> | undefined;
  const later: string[] = [];
  const failures: string[] = [];
  try {
    const result = await work({
      onEvent: (e) => {
        switch (e.type) {
          case 'note': if (shown) later.push(e.message); else o.out(e.message); break;
          case 'start': shown ??= makeList().run().catch(() => undefined); break;
          case 'step-start': steps.get(e.service)?.output(e.title); break;
          case 'step-progress': steps.get(e.service)?.output(e.message); break;
          case 'step-done': {
            const d = steps.get(e.service);
            if (d) { d.skipped = false; d.resolve(); }
            break;
          }
          case 'step-failed': failures.push(e.service); steps.get(e.service)?.reject(new Error(escapeControls(e.message))); break;
          default: break;
        }
      },
    });
    return result;
  } finally {
    // Steps never reached (after a failure) are closed so the renderer ends.
    for (const [service, d] of steps) {
      if (failures.includes(service)) continue;
      d.skipped = true;
      d.resolve();
    }
    await shown;
    for (const m of later) o.out(m);
  }
}

function snake(e: ApplyEvent): Record<string, unknown> {
  return Object.fromEntries(Object.entries(e).map(([k, v]) => [k.replace(/[A-Z]/g, (m) => `_${m.toLowerCase()}`), v]));
}

function plainLine(e: ApplyEvent): string | undefined {
  switch (e.type) {
    case 'start': return `Applying ${e.changes} change${e.changes === 1 ? '' : 's'} to ${e.steps} service${e.steps === 1 ? '' : 's'}...`;
    case 'step-start': return `${e.service}: ${e.title}`;
    case 'step-progress': return `${e.service}: ${e.message}`;
    case 'step-done': return `${e.service}: done (${e.message})`;
    case 'step-failed': return `${e.service}: FAILED: ${e.message}`;
    case 'rollback': return `${e.service}: ${e.ok ? 'rolled back' : 'could NOT roll back'}: ${e.message}`;
    case 'done': return undefined;
    case 'note': return e.message;
    default: {
      const never: never = e;
      return String(never);
    }
  }
}
