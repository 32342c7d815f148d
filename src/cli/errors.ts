import { isLotusctlError } from '../model/errors.js';
import type { Output } from './output.js';

/** Thrown by a command to end with an exit code after it has printed what it needed to. */
export class ExitCode {
  constructor(readonly code: number) {}
}

/** The one place errors become text: `error[code]: message` and `hint: ...`; a stack only with --debug. */
export function reportError(e: unknown, o: Output, debug: boolean, json: boolean): number {
  if (e instanceof ExitCode) return e.code;
  if (isLotusctlError(e)) {
    if (json) {
      o.out(JSON.stringify({ format_version: '1', error: { code: e.code, message: e.message, hint: e.hint ?? null, details: e.details } }));
    } else {
      o.err(`${o.errColors.red('error')}[${e.code}]: ${e.message}`);
      for (const d of e.details) o.err(`  ${d}`);
      if (e.hint) o.err(`${o.errColors.dim('hint:')} ${e.hint}`);
    }
    if (debug && e.stack) o.err(e.stack);
    return 1;
  }
  const err = e as Error;
  o.err(`${o.errColors.red('error')}[internal]: ${err?.message ?? String(e)}`);
  o.err(debug && err?.stack ? err.stack : 'hint: this is a bug in lotusctl; rerun with --debug and report the output');
  return 1;
}
