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

/**
 * What a valid spec implies on this host, worth knowing but not a problem (which domain a service runs in and what
 * that means, where the monitor runs, a host fact lotusctl could not read). `validate` prints them as `note:` lines.
 */
export interface Note {
  /** Stable identifier, e.g. `note.domain-gui`. */
  readonly code: string;
  readonly path: readonly (string | number)[];
  readonly message: string;
  readonly line?: number;
  readonly col?: number;
}

export function dottedPath(path: readonly (string | number)[]): string {
  return path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`))
    .join('');
}
