import { isLotusctlError } from '../model/errors.js';
import { escapeControls } from '../render/terminal-text.js';
import type { Output } from './output.js';

/** The --json document for a failure: always on stdout, so a script reading it gets JSON whatever went wrong. */
export function errorJson(code: string, message: string, hint: string | undefined, details: readonly string[] = [], extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ format_version: '1', error: { code, message, hint: hint ?? null, details }, ...extra });
}

/** Thrown by a command to end with an exit code after it has printed what it needed to. */
export class ExitCode {
  constructor(readonly code: number) {}
}

/** The one place errors become text: `error[code]: message` and `hint: ...`; a stack only with --debug. */
export function reportError(e: unknown, o: Output, debug: boolean, json: boolean): number {
  if (e instanceof ExitCode) return e.code;
  if (isLotusctlError(e)) {
    if (json) {
      o.out(errorJson(e.code, e.message, e.hint, e.details));
    } else {
      o.err(`${o.errColors.red('error')}[${escapeControls(e.code)}]: ${escapeControls(e.message)}`);
      for (const d of e.details) o.err(`  ${escapeControls(d)}`);
      if (e.hint) o.err(`${o.errColors.dim('hint:')} ${escapeControls(e.hint)}`);
    }
    if (debug && e.stack) o.err(e.stack);
    return 1;
  }
  const err = e as Error;
  const message = String(err?.message ?? e);
  const hint = 'this is a bug in lotusctl; rerun with --debug and report the output';
  if (json) o.out(errorJson('internal', message, hint));
  o.err(`${o.errColors.red('error')}[internal]: ${escapeControls(message)}`);
  o.err(debug && err?.stack ? err.stack : `hint: ${hint}`);
  return 1;
}
