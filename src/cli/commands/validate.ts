import { requireValid, type LoadedSpec } from '../../system/load-spec.js';
import { diagnosticsJson, formatDiagnostic, formatNote, notesJson, summarizeDiagnostics } from '../../render/diagnostics.js';
import { ExitCode } from '../errors.js';
import type { Output } from '../output.js';

/** Print a loaded spec's diagnostics; throws ExitCode(1) when it has errors. Shared by every command that reads a spec. */
export function reportDiagnostics(loaded: LoadedSpec, o: Output, opts: { json?: boolean; quietWhenOk?: boolean } = {}): void {
  // --json scripts get one error object on stdout (code spec.invalid, each diagnostic as file:line:col in details).
  if (opts.json) {
    requireValid(loaded);
    return;
  }
  for (const d of loaded.diagnostics) o.err(formatDiagnostic(loaded.file, d, o.errColors));
  if (!loaded.ok) {
    o.err(`${loaded.file}: ${summarizeDiagnostics(loaded.diagnostics)}; nothing was changed`);
    throw new ExitCode(1);
  }
}

export function runValidate(loaded: LoadedSpec, o: Output, opts: { json?: boolean }): number {
  if (opts.json) {
    o.out(JSON.stringify({ format_version: '1', file: loaded.file, valid: loaded.ok, diagnostics: diagnosticsJson(loaded.file, loaded.diagnostics), notes: notesJson(loaded.file, loaded.notes ?? []) }, null, 2));
    return loaded.ok ? 0 : 1;
  }
  reportDiagnostics(loaded, o);
  const services = Object.keys(loaded.spec?.services ?? {}).length;
  const warnings = loaded.diagnostics.length;
  o.out(`${loaded.file}: valid (${services} service${services === 1 ? '' : 's'}${warnings ? `, ${warnings} warning${warnings === 1 ? '' : 's'}` : ''})`);
  // What the spec means on this Mac (domains, the monitor, host facts): after the verdict, so scripts reading the
  // first line keep working.
  for (const n of loaded.notes ?? []) o.out(formatNote(loaded.file, n, o.colors));
  return 0;
}
