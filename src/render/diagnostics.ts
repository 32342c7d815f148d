import { dottedPath, type Diagnostic, type Note } from '../model/diagnostic.js';
import type { Colors } from './colors.js';
import { escapeControls } from './terminal-text.js';

/** `lotus.yaml:LINE:COL  path.to.field: what is wrong (hint)`; warnings say so after the path. */
export function formatDiagnostic(file: string, d: Diagnostic, c: Colors): string {
  // Messages quote spec text (keys, values): escaped, so a spec can never send ESC sequences to the terminal.
  const where = escapeControls(d.line !== undefined ? `${file}:${d.line}:${d.col ?? 1}` : file);
  const path = d.path.length > 0 ? `${escapeControls(dottedPath(d.path))}: ` : '';
  const sev = d.severity === 'warning' ? c.yellow('warning: ') : '';
  const hint = d.hint ? c.dim(` (${escapeControls(d.hint)})`) : '';
  return `${c.bold(where)}  ${path}${sev}${escapeControls(d.message)}${hint}`;
}

/** `lotus.yaml:LINE:COL  path: note: what it implies`. */
export function formatNote(file: string, n: Note, c: Colors): string {
  const where = n.line !== undefined ? `${file}:${n.line}:${n.col ?? 1}` : file;
  const path = n.path.length > 0 ? `${dottedPath(n.path)}: ` : '';
  return `${c.bold(where)}  ${path}${c.dim('note: ')}${n.message}`;
}

export function notesJson(file: string, ns: readonly Note[]): unknown {
  return ns.map((n) => ({ file, line: n.line ?? null, col: n.col ?? null, code: n.code, path: dottedPath(n.path), message: n.message }));
}

export function summarizeDiagnostics(ds: readonly Diagnostic[]): string {
  const errors = ds.filter((d) => d.severity === 'error').length;
  const warnings = ds.length - errors;
  const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
  return `${plural(errors, 'error')}, ${plural(warnings, 'warning')}`;
}

/** The machine-readable form (snake_case keys). */
export function diagnosticsJson(file: string, ds: readonly Diagnostic[]): unknown {
  return ds.map((d) => ({
    file, line: d.line ?? null, col: d.col ?? null, severity: d.severity, code: d.code,
    path: dottedPath(d.path), message: d.message, hint: d.hint ?? null,
  }));
}
