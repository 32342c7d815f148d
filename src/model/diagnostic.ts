/** One problem found in a spec, located in its source. Views turn these into `file:line:col  path: message (hint)`. */
export interface Diagnostic {
  readonly severity: 'error' | 'warning';
  /** Stable identifier of the rule, e.g. `spec.unknown-key`, `lint.exit-timeout-short`. */
  readonly code: string;
  /** Path of the field in the spec, e.g. ['services', 'daemon', 'exit_timeout']; empty for the whole file. */
  readonly path: readonly (string | number)[];
  readonly message: string;
  readonly hint?: string;
  /** 1-based position in the file; absent only when the file could not be read at all. */
  readonly line?: number;
  readonly col?: number;
}

export function dottedPath(path: readonly (string | number)[]): string {
  return path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`))
    .join('');
}
