/**
 * Every user-facing failure is a LotusctlError: a stable `code` (machine-readable, never reworded),
 * a one-line `message` saying what went wrong, and a `hint` saying what to do about it.
 * The CLI prints `error[code]: message` and `hint: ...`, never a stack (unless --debug).
 */
export class LotusctlError extends Error {
  readonly code: string;
  readonly hint: string | undefined;
  readonly details: readonly string[];

  constructor(code: string, message: string, opts: { hint?: string; cause?: unknown; details?: readonly string[] } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'LotusctlError';
    this.code = code;
    this.hint = opts.hint;
    this.details = opts.details ?? [];
  }
}

// A symbol brand works across module copies, where instanceof does not (execa's lesson).
const brand = Symbol.for('lotusctl.error');
Object.defineProperty(LotusctlError.prototype, brand, { value: true });

export function isLotusctlError(e: unknown): e is LotusctlError {
  return typeof e === 'object' && e !== null && (e as Record<symbol, unknown>)[brand] === true;
}

/** A bug in lotusctl itself, not in the user's input or machine. */
export class InternalError extends LotusctlError {
  constructor(message: string, cause?: unknown) {
    super('internal', message, { hint: 'This is a bug in lotusctl; please report it with the output of --debug.', cause });
  }
}
