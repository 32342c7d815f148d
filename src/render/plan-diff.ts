import { diffArrays, structuredPatch } from 'diff';
import { formatDuration, formatSize } from '../spec/units.js';
import { isDict, REDACTED, SENSITIVE_VALUE, type EnvSensitivity, type SensitiveStatus } from './plan-secrets.js';

// Field-level differences between two plist views, kept apart from the renderers (Terraform's differ/renderer split).

export type FieldStatus = 'added' | 'removed' | 'changed' | 'unchanged';

/** One element of an array that is present on both sides: kept (' '), added ('+') or removed ('-'). */
export interface ElementDiff {
  readonly op: ' ' | '+' | '-';
  readonly value: unknown;
}

/**
 * One key of a plist dict, compared. A sensitive field never carries `before`/`after`: its value must not
 * reach any view. `children` is set when the value is a dict on every side where it exists;
 * `elements` when it is an array on both sides.
 */
export interface FieldDiff {
  readonly name: string;
  readonly path: readonly string[];
  readonly status: FieldStatus;
  readonly before?: unknown;
  readonly after?: unknown;
  readonly children?: readonly FieldDiff[];
  readonly elements?: readonly ElementDiff[];
  readonly sensitive?: SensitiveStatus;
}

type Dict = Readonly<Record<string, unknown>>;
const ENV = 'EnvironmentVariables';

export function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isDict(a) && isDict(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
  }
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  return false;
}

const fromStatus = (s: SensitiveStatus): FieldStatus => (s === 'unchanged' ? 'unchanged' : s);

/** An EnvironmentVariables value whose secrets are replaced (for a dict that changed type, shown inline). */
function maskEnv(v: unknown, env: EnvSensitivity): unknown {
  if (!isDict(v)) return v;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, env.isSensitive(k) ? REDACTED : x]));
}

function diffValue(name: string, path: readonly string[], b: { has: boolean; v: unknown }, a: { has: boolean; v: unknown }, env: EnvSensitivity): FieldDiff {
  const isEnv = path.length === 1 && name === ENV;
  const bothDictish = (!b.has || isDict(b.v)) && (!a.has || isDict(a.v));
  if (bothDictish) {
    const children = diffDict(b.has ? (b.v as Dict) : undefined, a.has ? (a.v as Dict) : undefined, path, env);
    const status: FieldStatus = !b.has ? 'added' : !a.has ? 'removed' : children.some((ch) => ch.status !== 'unchanged') ? 'changed' : 'unchanged';
    return { name, path, status, children };
  }
  const status: FieldStatus = !b.has ? 'added' : !a.has ? 'removed' : deepEqual(b.v, a.v) ? 'unchanged' : 'changed';
  const bv = isEnv ? maskEnv(b.v, env) : b.v;
  const av = isEnv ? maskEnv(a.v, env) : a.v;
  const out: FieldDiff = { name, path, status, ...(b.has ? { before: bv } : {}), ...(a.has ? { after: av } : {}) };
  if (status === 'changed' && Array.isArray(bv) && Array.isArray(av)) {
    const elements = diffArrays(bv as unknown[], av as unknown[], { comparator: deepEqual }).flatMap((part) =>
      (part.value as unknown[]).map((value): ElementDiff => ({ op: part.added ? '+' : part.removed ? '-' : ' ', value })));
    return { ...out, elements };
  }
  return out;
}

function diffDict(before: Dict | undefined, after: Dict | undefined, parent: readonly string[], env: EnvSensitivity): FieldDiff[] {
  const inEnv = parent.length === 1 && parent[0] === ENV;
  const names = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {}), ...(inEnv ? env.declared : [])]);
  return [...names].sort().map((name) => {
    const path = [...parent, name];
    if (inEnv && env.isSensitive(name)) {
      const s = env.status(name);
      return { name, path, status: fromStatus(s), sensitive: s };
    }
    const side = (d: Dict | undefined) => ({ has: d !== undefined && Object.hasOwn(d, name), v: d?.[name] });
    return diffValue(name, path, side(before), side(after), env);
  });
}

/**
 * Compare two plist key dicts recursively, keys sorted. Pass `undefined` for the side that does not exist
 * (create: before; delete: after). Sensitive environment variables carry only their status, never a value.
 */
export function diffFields(before: Dict | undefined, after: Dict | undefined, env: EnvSensitivity): FieldDiff[] {
  const sensitiveDeclared = env.declared.length > 0 && before?.[ENV] === undefined && after?.[ENV] === undefined;
  // A secret named by the plan but missing from both views still gets a line, under an empty dict.
  const fill = (d: Dict | undefined) => (d && sensitiveDeclared ? { ...d, [ENV]: {} } : d);
  return diffDict(fill(before), fill(after), [], env);
}

const SECONDS = new Set(['ExitTimeOut', 'ThrottleInterval', 'StartInterval', 'TimeOut']);
const LIMITS = new Set(['SoftResourceLimits', 'HardResourceLimits']);
const LIMIT_BYTES = new Set(['Core', 'Data', 'FileSize', 'MemoryLock', 'ResidentSetSize', 'Stack']);

/** The unit note shown after a number, from launchd.plist(5) (specs/launchd-behaviour.md §1), or ''. */
export function unitNote(path: readonly string[], n: number): string {
  if (!Number.isSafeInteger(n) || n < 0) return '';
  const [top, sub] = path;
  if (path.length === 1 && top === 'ExitTimeOut' && n === 0) return ' (no limit)';
  if (path.length === 1 && top === 'Umask') return ` (0${n.toString(8).padStart(3, '0')})`;
  if ((path.length === 1 && SECONDS.has(top ?? '')) || (path.length === 2 && LIMITS.has(top ?? '') && sub === 'CPU')) {
    return ` (${formatDuration(n * 1000)})`;
  }
  if (path.length === 2 && LIMITS.has(top ?? '') && LIMIT_BYTES.has(sub ?? '')) return ` (${formatSize(n)})`;
  // NumberOfFiles / NumberOfProcesses are plain counts: no unit to add.
  return '';
}

const SIMPLE_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/** A dict key as shown: bare when it is a plain identifier, else quoted. */
export const fieldName = (k: string) => (SIMPLE_NAME.test(k) ? k : JSON.stringify(k));

/** One value on one line: strings quoted, numbers with their unit, dicts as `{ K = v }`. */
export function formatValue(path: readonly string[], v: unknown): string {
  if (typeof v === 'string') return v === REDACTED ? SENSITIVE_VALUE : JSON.stringify(v);
  if (typeof v === 'number') return `${v}${unitNote(path, v)}`;
  if (typeof v === 'boolean') return String(v);
  if (v === null || v === undefined) return 'null';
  if (v instanceof Date) return JSON.stringify(v.toISOString());
  if (ArrayBuffer.isView(v)) return `<${v.byteLength} bytes>`;
  if (Array.isArray(v)) return `[${v.map((x) => formatValue(path, x)).join(', ')}]`;
  if (isDict(v)) {
    const entries = Object.keys(v).sort().map((k) => `${fieldName(k)} = ${formatValue([...path, k], v[k])}`);
    return entries.length === 0 ? '{}' : `{ ${entries.join(', ')} }`;
  }
  return JSON.stringify(String(v));
}

/** One line of a unified diff: a file header, a hunk header, or a context/added/removed line. */
export interface BodyLine {
  readonly kind: 'header' | 'hunk' | ' ' | '+' | '-' | '\\';
  readonly text: string;
}

/**
 * The unified diff of two plist bodies (already masked), 3 lines of context; [] when they are equal.
 * Tabs become two spaces: the diff is read indented under the resource, not applied.
 */
export function diffPlistBody(beforePath: string, before: string, afterPath: string, after: string): BodyLine[] {
  if (before === after) return [];
  const patch = structuredPatch(beforePath, afterPath, before, after, undefined, undefined, { context: 3 });
  const untab = (s: string) => s.replace(/\t/g, '  ');
  const out: BodyLine[] = [
    { kind: 'header', text: `--- ${beforePath} (now)` },
    { kind: 'header', text: `+++ ${afterPath} (after apply)` },
  ];
  for (const h of patch.hunks) {
    out.push({ kind: 'hunk', text: `@@ -${h.oldStart},${h.oldLines} +${h.newStart},${h.newLines} @@` });
    for (const l of h.lines) {
      const kind = l[0] === '+' || l[0] === '-' || l[0] === '\\' ? l[0] : ' ';
      out.push({ kind, text: untab(l) });
    }
  }
  return out;
}
