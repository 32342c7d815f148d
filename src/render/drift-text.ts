import { assertNever, type Drift, type Leftover, type Plan } from '../model/plan.js';
import type { Colors } from './colors.js';
import { scrubText } from './plan-secrets.js';
import { escapeControls } from './terminal-text.js';

export const DRIFT_HEADING = 'Drift: changes made outside lotusctl since the last apply:';
export const UNFINISHED_HEADING = 'Unfinished: a lotusctl run began these and has not recorded them:';
export const LEFTOVERS_HEADING = 'Left by earlier lotusctl runs:';
export const NO_DRIFT = 'No drift: the machine matches the last apply.';
export const NO_DRIFT_BUT_LEFTOVERS = 'No drift in the jobs; apply would clean up what is listed above.';
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
    case 'interrupted-apply':
      return c.yellow('!');
    case 'apply-in-progress':
      return c.cyan('*');
    default:
      return assertNever(kind);
  }
}

/** `  ~ daemon (com.x): booted out (unloaded) outside lotusctl`, one per drift (messages do not repeat the label). */
export function driftLines(drift: readonly Drift[], c: Colors): string[] {
  return drift.map((d) => `  ${symbol(d.kind, c)} ${c.bold(printable(d.service))} (${printable(d.label)}): ${printable(d.message)}`);
}

const isUnfinished = (d: Drift) => d.kind === 'interrupted-apply' || d.kind === 'apply-in-progress';

/**
 * The drift section of `lotusctl plan`: lotusctl's own unfinished work first (never blamed on anyone else), then
 * changes made outside lotusctl, each under its heading with one line per item; [] when there is none.
 */
export function driftSection(drift: readonly Drift[], c: Colors): string[] {
  const own = drift.filter(isUnfinished);
  const outside = drift.filter((d) => !isUnfinished(d));
  return [
    ...(own.length > 0 ? [c.bold(UNFINISHED_HEADING), ...driftLines(own, c)] : []),
    ...(outside.length > 0 ? [c.bold(DRIFT_HEADING), ...driftLines(outside, c)] : []),
  ];
}

function leftoverSymbol(kind: Leftover['kind'], c: Colors): string {
  switch (kind) {
    case 'temp-file':
    case 'stale-lock':
    case 'journal-entry':
      return c.yellow('-');
    case 'unproven-lock':
      return c.red('?');
    default:
      return assertNever(kind);
  }
}

/** What earlier crashed runs left (stale lock, temporary files): heading and one line each; [] when nothing. */
export function leftoverSection(leftovers: readonly Leftover[] | undefined, c: Colors): string[] {
  if (!leftovers || leftovers.length === 0) return [];
  return [c.bold(LEFTOVERS_HEADING), ...leftovers.map((l) => `  ${leftoverSymbol(l.kind, c)} ${printable(l.path)}: ${printable(l.message)}`)];
}

/**
 * The output of `lotusctl drift`. Pure: colours come in as `c`. Pass `secretValues(plan)` as `secrets`
 * so a secret that slipped into a drift message is scrubbed, as renderPlanText does. `plan` (optional) tells
 * whether anything was ever applied ("matches the last apply" is said only when there was one) and what earlier
 * crashed runs left (listed first).
 */
export function renderDriftText(drift: readonly Drift[], c: Colors, secrets: readonly string[] = [], plan?: Pick<Plan, 'lastAppliedAt' | 'leftovers'>): string {
  const leftovers = plan?.leftovers ?? [];
  const found = leftoverSection(leftovers, c);
  const cleanup = leftovers.some((l) => l.kind !== 'unproven-lock');
  const none = plan && plan.lastAppliedAt === undefined ? NOTHING_APPLIED : NO_DRIFT;
  const body = drift.length > 0 ? driftSection(drift, c) : [cleanup ? NO_DRIFT_BUT_LEFTOVERS : none];
  return scrubText(`${[...found, ...(found.length > 0 ? [''] : []), ...body].join('\n')}\n`, secrets);
}
