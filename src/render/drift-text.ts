import { assertNever, type Drift, type Plan } from '../model/plan.js';
import type { Colors } from './colors.js';
import { scrubText } from './plan-secrets.js';
import { escapeControls } from './terminal-text.js';

export const DRIFT_HEADING = 'Drift: changes made outside lotusctl since the last apply:';
export const NO_DRIFT = 'No drift: the machine matches the last apply.';
export const NOTHING_APPLIED = 'No drift to report: nothing from this spec is recorded as applied here (state.json), so there is no last apply to compare with. Run lotusctl plan to see what apply would do.';

/** Control characters (ESC, newlines) in model strings are shown escaped, never sent to the terminal. */
export const printable = escapeControls;

function symbol(kind: Drift['kind'], c: Colors): string {
  switch (kind) {
    case 'plist-edited':
    case 'plist-mode':
    case 'job-disabled':
    case 'job-enabled':
    case 'job-not-running':
    case 'limits-differ':
    case 'loaded-differs':
      return c.yellow('~');
    case 'plist-missing':
    case 'program-missing':
    case 'job-unloaded':
      return c.red('-');
    case 'job-loaded':
      return c.green('+');
    case 'job-unknown':
      return c.yellow('?');
    default:
      return assertNever(kind);
  }
}

/** `  ~ daemon (com.x): booted out (unloaded) outside lotusctl`, one per drift (messages do not repeat the label). */
export function driftLines(drift: readonly Drift[], c: Colors): string[] {
  return drift.map((d) => `  ${symbol(d.kind, c)} ${c.bold(printable(d.service))} (${printable(d.label)}): ${printable(d.message)}`);
}

/** The drift section of `lotusctl plan`: heading then one line per drift; [] when there is none. */
export function driftSection(drift: readonly Drift[], c: Colors): string[] {
  return drift.length === 0 ? [] : [c.bold(DRIFT_HEADING), ...driftLines(drift, c)];
}

/**
 * The output of `lotusctl drift`. Pure: colours come in as `c`. Pass `secretValues(plan)` as `secrets`
 * so a secret that slipped into a drift message is scrubbed, as renderPlanText does. `plan` (optional) tells
 * whether anything was ever applied: "matches the last apply" is said only when there was one.
 */
export function renderDriftText(drift: readonly Drift[], c: Colors, secrets: readonly string[] = [], plan?: Pick<Plan, 'lastAppliedAt'>): string {
  const none = plan && plan.lastAppliedAt === undefined ? NOTHING_APPLIED : NO_DRIFT;
  return scrubText(`${drift.length === 0 ? none : driftSection(drift, c).join('\n')}\n`, secrets);
}
