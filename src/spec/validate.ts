import type { Diagnostic } from '../model/diagnostic.js';
import { invalidCharacterProblems } from './characters.js';
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
  // Characters no plist can hold: refused here, located, before anything tries to render them.
  const badChars = invalidCharacterProblems(source.value).map(({ at, ...d }): Diagnostic => ({ ...d, ...locate(source, d.path, at ?? 'value') }));
  const parsed = specSchema.safeParse(source.value ?? null);
  if (!parsed.success || badChars.length > 0) {
    const charAt = new Set(badChars.map((d) => `${d.line}:${d.col}`));
    if (parsed.success) return { diagnostics: badChars.sort(byPosition), source };
    // Cross-field problems are still worth reporting alongside schema errors: all problems at once.
    const loose = looseSpec(source.value);
    const extra = loose ? semanticProblems(loose).filter((d) => d.severity === 'error' && d.code !== 'spec.plist-key-type').map(({ at, ...d }) => ({ ...d, ...locate(source, d.path, at ?? 'value') })) : [];
    const schemaErrors = issuesToDiagnostics(parsed.error.issues, source).filter((d) => !charAt.has(`${d.line}:${d.col}`));
    const seen = new Set([...schemaErrors, ...badChars].map((d) => `${d.line}:${d.col}`));
    return { diagnostics: [...badChars, ...schemaErrors, ...extra.filter((d) => !seen.has(`${d.line}:${d.col}`))].sort(byPosition), source };
  }
  const spec = parsed.data;
  const located = [...semanticProblems(spec), ...lintProblems(spec)].map(({ at, ...d }) => ({ ...d, ...locate(source, d.path, at ?? 'value') }));
  const diagnostics = located
    .map((d): Diagnostic => (opts.strict && d.severity === 'warning' ? { ...d, severity: 'error' } : d))
    .sort(byPosition);
  const failed = diagnostics.some((d) => d.severity === 'error');
  return failed ? { diagnostics, source } : { spec, diagnostics, source };
}

/** The parts of an invalid document that cross-field checks need, when they are well-typed; else undefined. */
function looseSpec(value: unknown): Spec | undefined {
  const services = (value as { services?: unknown } | null)?.services;
  if (!services || typeof services !== 'object' || Array.isArray(services)) return undefined;
  const out: Record<string, { label?: string; depends_on: string[]; plist_extra: Record<string, unknown> }> = {};
  for (const [name, sv] of Object.entries(services as Record<string, unknown>)) {
    const s = (sv ?? {}) as { label?: unknown; depends_on?: unknown };
    const deps = Array.isArray(s.depends_on) && s.depends_on.every((d) => typeof d === 'string') ? (s.depends_on as string[]) : [];
    out[name] = { ...(typeof s.label === 'string' ? { label: s.label } : {}), depends_on: deps, plist_extra: {} };
  }
  return { services: out } as unknown as Spec;
}
