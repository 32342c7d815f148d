import { assertNever, type Drift } from '../model/plan.js';
import type { Colors } from './colors.js';
import { scrubText } from './plan-secrets.js';
import { escapeControls } from './terminal-text.js';

export const DRIFT_HEADING = 'Drift: changes made outside lotusctl since the last apply:';
export const NO_DRIFT = 'No drift: the machine matches the last apply.';

/** Control characters (ESC, newlines) in model strings are shown escaped, never sent to the terminal. */
export const printable = escapeControls;

function symbol(kind: Drift['kind'], c: Colors): string {
  switch (kind) {
    case 'plist-edited':
    case 'plist-mode':
    case 'job-disabled':
    case 'job-not-running':
    case 'limits-differ':
      return c.yellow('~');
    case 'plist-missing':
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

/** `  ~ daemon (com.x): message`, one per drift. */
export function driftLines(drift: readonly Drift[], c: Colors): string[] {
  return drift.map((d) => `  ${symbol(d.kind, c)} ${c.bold(printable(d.service))} (${printable(d.label)}): ${printable(d.message)}`);
}

/** The drift section of `lotusctl plan`: heading then one line per drift; [] when there is none. */
export function driftSection(drift: readonly Drift[], c: Colors): string[] {
  return drift.length === 0 ? [] : [c.bold(DRIFT_HEADING), ...driftLines(drift, c)];
}

/**
 * The output of `lotusctl drift`. Pure: colours come in as `c`. Pass `secretValues(plan)` as `secrets`
 * so a secret that slipped into a drift message is scrubbed, as renderPlanText does.
 */
export function renderDriftText(drift: readonly Drift[], c: Colors, secrets: readonly string[] = []): string {
  return scrubText(`${drift.length === 0 ? NO_DRIFT : driftSection(drift, c).join('\n')}\n`, secrets);
}
