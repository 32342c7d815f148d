import type { Diagnostic } from '../model/diagnostic.js';
import { lintProblems } from './lint.js';
import { specSchema, type Spec } from './schema.js';
import { semanticProblems } from './semantic.js';
import { locate, readYaml, type YamlSource } from './yaml-source.js';
import { issuesToDiagnostics } from './zod-issues.js';

export interface ValidationResult {
  /** The parsed spec with defaults applied; absent when there are errors. */
  readonly spec?: Spec;
  /** Every problem found, errors and warnings, in file order. */
  readonly diagnostics: readonly Diagnostic[];
  readonly source: YamlSource;
}

function byPosition(a: Diagnostic, b: Diagnostic): number {
  return (a.line ?? 0) - (b.line ?? 0) || (a.col ?? 0) - (b.col ?? 0) || a.code.localeCompare(b.code);
}

/**
 * Validate lotus.yaml text: YAML syntax, schema, cross-field rules and lint, all problems at once.
 * `strict` turns warnings into errors.
 */
export function validateSpecText(text: string, opts: { strict?: boolean } = {}): ValidationResult {
  const source = readYaml(text);
  if (source.diagnostics.length > 0) return { diagnostics: source.diagnostics, source };
  const parsed = specSchema.safeParse(source.value ?? null);
  if (!parsed.success) {
    return { diagnostics: issuesToDiagnostics(parsed.error.issues, source).sort(byPosition), source };
  }
  const spec = parsed.data;
  const located = [...semanticProblems(spec), ...lintProblems(spec)].map(({ at, ...d }) => ({ ...d, ...locate(source, d.path, at ?? 'value') }));
  const diagnostics = located
    .map((d): Diagnostic => (opts.strict && d.severity === 'warning' ? { ...d, severity: 'error' } : d))
    .sort(byPosition);
  const failed = diagnostics.some((d) => d.severity === 'error');
  return failed ? { diagnostics, source } : { spec, diagnostics, source };
}
