import type { Change, JobStep, Plan, PlistView } from '../model/plan.js';

/** What the views print instead of a secret value. */
export const SENSITIVE_VALUE = '(sensitive value)';
/** What replaces a secret inside plist text, JSON keys and any stray occurrence. */
export const REDACTED = '(sensitive)';

export type SensitiveStatus = 'changed' | 'unchanged' | 'added' | 'removed';

const ENV = 'EnvironmentVariables';
// Shorter values would also match ordinary words of the output; structural masking still hides them.
const MIN_SCRUB_LENGTH = 6;

type Dict = Readonly<Record<string, unknown>>;

export const isDict = (v: unknown): v is Dict => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date) && !ArrayBuffer.isView(v);

export const isPlistView = (v: Change['before']): v is PlistView => isDict(v) && 'keys' in v && isDict(v.keys);

const envOf = (v: Change['before']): Dict | undefined => {
  if (!isPlistView(v)) return undefined;
  const env = v.keys[ENV];
  return isDict(env) ? env : undefined;
};

/**
 * Which EnvironmentVariables of one change are secret, and how each changed.
 * Declared names come from `Change.sensitive` and from the steps of the same service. Two fallbacks keep
 * values hidden when the plan did not name them: a 0600 plist (lotusctl's mode for plists holding secrets)
 * with no declared names hides every value, and a variable dropped from a 0600 plist is hidden too.
 */
export interface EnvSensitivity {
  isSensitive(name: string): boolean;
  /** The status to show; only meaningful for sensitive names. */
  status(name: string): SensitiveStatus;
  /** Names to list even when absent from both views (declared in `Change.sensitive`). */
  readonly declared: readonly string[];
}

export function envSensitivity(change: Change, steps: readonly JobStep[]): EnvSensitivity {
  const marks = change.sensitive ?? {};
  const names = new Set<string>([
    ...Object.keys(marks),
    ...steps.filter((s) => s.service === change.service).flatMap((s) => s.sensitiveKeys),
  ]);
  const before = envOf(change.before);
  const after = envOf(change.after);
  const secretMode = (v: Change['before']) => isPlistView(v) && v.mode === '0600';
  const all = names.size === 0 && (secretMode(change.before) || secretMode(change.after));
  const droppedFromSecretFile = (n: string) =>
    secretMode(change.before) && isPlistView(change.after) && before !== undefined && Object.hasOwn(before, n) && !(after !== undefined && Object.hasOwn(after, n));
  const has = (d: Dict | undefined, n: string) => d !== undefined && Object.hasOwn(d, n);
  return {
    declared: Object.keys(marks).sort(),
    isSensitive: (n) => all || names.has(n) || droppedFromSecretFile(n),
    status: (n) => {
      const mark = marks[n];
      if (mark) return mark;
      if (!has(before, n)) return has(after, n) ? 'added' : 'unchanged';
      if (!has(after, n)) return 'removed';
      return JSON.stringify(before?.[n]) === JSON.stringify(after?.[n]) ? 'unchanged' : 'changed';
    },
  };
}

const xmlEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const xmlUnescape = (s: string) =>
  s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
const reEscape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const ENV_DICT = /(<key>EnvironmentVariables<\/key>\s*<dict>)([\s\S]*?)(<\/dict>)/g;
const ENV_ENTRY = /(<key>)([^<]*)(<\/key>\s*<string>)([\s\S]*?)(<\/string>)/g;

/** Plist XML with the values of sensitive environment variables replaced by `(sensitive)`. */
export function maskPlistText(text: string, isSensitive: (name: string) => boolean): string {
  // EnvironmentVariables holds only strings (launchd.plist(5)), so its dict ends at the first </dict>.
  return text.replace(ENV_DICT, (_m, open: string, body: string, close: string) =>
    open + body.replace(ENV_ENTRY, (e, k1: string, name: string, k2: string, _v: string, k3: string) =>
      (isSensitive(xmlUnescape(name)) ? `${k1}${name}${k2}${REDACTED}${k3}` : e)) + close);
}

/**
 * Every secret value the plan carries in clear (the plist bytes of its steps), longest first,
 * so views can scrub any copy that slipped past structural masking.
 */
export function secretValues(plan: Pick<Plan, 'steps'>): string[] {
  const found = new Set<string>();
  for (const step of plan.steps) {
    if (step.plist.action !== 'write') continue;
    for (const name of step.sensitiveKeys) {
      const re = new RegExp(`<key>${reEscape(xmlEscape(name))}</key>\\s*<string>([\\s\\S]*?)</string>`, 'g');
      for (const m of step.plist.text.matchAll(re)) found.add(xmlUnescape(m[1] ?? ''));
    }
  }
  return [...found].filter((v) => v.length >= MIN_SCRUB_LENGTH && v !== REDACTED).sort((a, b) => b.length - a.length || (a < b ? -1 : 1));
}

/** `text` with every occurrence of a secret (raw, XML-escaped or JSON-escaped) replaced by `(sensitive)`. */
export function scrubText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) {
    for (const form of new Set([s, xmlEscape(s), JSON.stringify(s).slice(1, -1)])) out = out.split(form).join(REDACTED);
  }
  return out;
}

/** A JSON value with every string (and object key) scrubbed. */
export function scrubJson<T>(value: T, secrets: readonly string[]): T {
  if (secrets.length === 0) return value;
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return scrubText(v, secrets);
    if (Array.isArray(v)) return v.map(walk);
    if (isDict(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [scrubText(k, secrets), walk(x)]));
    return v;
  };
  return walk(value) as T;
}
