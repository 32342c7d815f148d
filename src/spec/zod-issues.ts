import type { z } from 'zod';
import type { Diagnostic } from '../model/diagnostic.js';
import { didYouMean } from './did-you-mean.js';
import { specSchema } from './schema.js';
import { knownKeysAt } from './schema-walk.js';
import { locate, type YamlSource } from './yaml-source.js';

type Issue = z.core.$ZodIssue;
type Path = (string | number)[];

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v = root;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[p];
  }
  return v;
}

function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return `the string "${v.length > 40 ? `${v.slice(0, 40)}…` : v}"`;
  return `${typeof v} ${String(v)}`;
}

const TYPE_WORDS: Record<string, string> = { object: 'a mapping', array: 'a list', string: 'a string', number: 'a number', boolean: 'true or false', int: 'a whole number' };

/** Flatten a union failure to the branch the user evidently meant: the one whose type matched. */
function unionIssues(issue: Extract<Issue, { code: 'invalid_union' }>): { issues: Issue[]; expected?: string } {
  const branches = issue.errors.filter((b) => b.length > 0);
  const matched = branches.filter((b) => !b.some((i) => i.code === 'invalid_type' && i.path.length === 0));
  if (matched.length > 0) {
    const best = matched.reduce((a, b) => (b.length < a.length ? b : a));
    return { issues: best.map((i) => ({ ...i, path: [...issue.path, ...i.path] }) as Issue) };
  }
  const expected = branches
    .flatMap((b) => b.filter((i) => i.path.length === 0).map((i) => (i.code === 'invalid_type' ? (TYPE_WORDS[i.expected] ?? i.expected) : i.code === 'invalid_value' ? i.values.map((x) => JSON.stringify(x)).join(' or ') : undefined)))
    .filter((x): x is string => x !== undefined);
  return { issues: [], expected: [...new Set(expected)].join(' or ') || undefined };
}

/** Turn zod issues into located diagnostics, one per problem, unknown keys with a did-you-mean. */
export function issuesToDiagnostics(issues: readonly Issue[], src: YamlSource): Diagnostic[] {
  const out: Diagnostic[] = [];
  const push = (path: Path, message: string, hint: string | undefined, code: string, at: 'value' | 'key' = 'value') =>
    out.push({ severity: 'error', code, path, message, ...(hint ? { hint } : {}), ...locate(src, path, at) });

  const visit = (issue: Issue): void => {
    const path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p)) as Path;
    const input = valueAt(src.value, path);
    switch (issue.code) {
      case 'unrecognized_keys': {
        const known = knownKeysAt(specSchema, path);
        for (const key of issue.keys) {
          const guess = didYouMean(key, known);
          push([...path, key], `unknown key "${key}"`, guess ? `did you mean "${guess}"?` : known.length ? `allowed here: ${known.join(', ')}` : undefined, 'spec.unknown-key', 'key');
        }
        return;
      }
      case 'invalid_union': {
        const { issues: inner, expected } = unionIssues(issue);
        if (inner.length > 0) inner.forEach(visit);
        else push(path, `expected ${expected ?? 'a different value'}, got ${kindOf(input)}`, undefined, 'spec.invalid-type');
        return;
      }
      case 'invalid_type': {
        if (input === undefined) push(path, 'is required', `add ${String(path[path.length - 1])}: ...`, 'spec.missing');
        else push(path, `expected ${TYPE_WORDS[issue.expected] ?? issue.expected}, got ${kindOf(input)}`, undefined, 'spec.invalid-type');
        return;
      }
      case 'invalid_value': {
        const expected = issue.values.map((v) => JSON.stringify(v));
        if (input === undefined) {
          push(path, 'is required', `add ${String(path[path.length - 1])}: ${expected.length === 1 ? expected[0] : '...'}`, 'spec.missing');
        } else {
          push(path, `expected ${expected.join(', ')}, got ${typeof input === 'number' || typeof input === 'boolean' ? String(input) : kindOf(input)}`, undefined, 'spec.invalid-value');
        }
        return;
      }
      case 'invalid_key': {
        // Record keys: the key itself is wrong; point at it.
        const inner = issue.issues[0];
        push(path, `invalid name "${String(path[path.length - 1])}": ${inner?.message ?? 'not allowed here'}`, undefined, 'spec.invalid-key', 'key');
        return;
      }
      case 'too_big':
        push(path, `must be at most ${String(issue.maximum)}${issue.origin === 'array' ? ' items' : issue.origin === 'string' ? ' characters' : ''}, got ${kindOf(input)}`, undefined, 'spec.too-big');
        return;
      case 'too_small':
        push(path, `must be at least ${String(issue.minimum)}${issue.origin === 'array' ? ' items' : issue.origin === 'string' ? ' characters' : ''}, got ${kindOf(input)}`, undefined, 'spec.too-small');
        return;
      case 'custom': {
        // Our own refinements name their code and hint in params (bounds, label length).
        const params = (issue.params ?? {}) as { code?: unknown; hint?: unknown };
        push(path, issue.message, typeof params.hint === 'string' ? params.hint : undefined, typeof params.code === 'string' ? params.code : 'spec.custom');
        return;
      }
      default:
        push(path, issue.message, undefined, `spec.${issue.code.replace(/_/g, '-')}`);
    }
  };
  issues.forEach(visit);
  return out;
}
