import type { Action, Change, Drift, Leftover, Plan, ResourceKind } from '../model/plan.js';
import { envSensitivity, isDict, isPlistView, REDACTED, scrubJson, secretValues, type SensitiveStatus } from './plan-secrets.js';

/**
 * Version of the JSON below (specs/plan-json.md), not of the Plan type. Incremented for any change
 * that requires changes to a consuming parser; adding a field is not one.
 */
export const PLAN_JSON_FORMAT_VERSION = '2';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [k: string]: JsonValue };

/** A plist as JSON consumers see it: no `text` body (the keys say the same, structured). */
export interface PlistJson { readonly path: string; readonly mode: string; readonly keys: { [k: string]: JsonValue } }
export interface JobJson { readonly loaded: boolean; readonly enabled: boolean; readonly running: boolean }
export interface DirectoryJson { readonly path: string }
export interface RecordJson { readonly label: string; readonly domain: string; readonly state: 'running' | 'stopped'; readonly owner: string }

export interface ChangeJson {
  readonly address: string;
  readonly service: string;
  readonly resource: ResourceKind;
  readonly action: Action;
  readonly reason: string;
  readonly before: PlistJson | JobJson | DirectoryJson | RecordJson | null;
  readonly after: PlistJson | JobJson | DirectoryJson | RecordJson | null;
  /** Secret environment variable names and how each changes; their values are `"(sensitive)"` in `keys`. */
  readonly sensitive: { readonly [name: string]: SensitiveStatus };
}

export interface DriftJson { readonly service: string; readonly label: string; readonly kind: Drift['kind']; readonly message: string }

export interface LeftoverJson { readonly kind: Leftover['kind']; readonly path: string; readonly pid: number; readonly message: string }

export interface PlanJson {
  readonly format_version: string;
  readonly mode: Plan['mode'];
  readonly created_at: string;
  readonly fingerprint: string;
  /** The latest apply recorded for this spec's jobs; null when nothing of this spec was ever applied here. */
  readonly last_applied_at: string | null;
  readonly drift: readonly DriftJson[];
  readonly leftovers: readonly LeftoverJson[];
  readonly changes: readonly ChangeJson[];
  readonly summary: { readonly add: number; readonly change: number; readonly replace: number; readonly destroy: number; readonly unchanged: number };
}

export interface DriftReportJson {
  readonly format_version: string;
  readonly created_at: string;
  readonly fingerprint: string;
  readonly last_applied_at: string | null;
  readonly drift: readonly DriftJson[];
  readonly leftovers: readonly LeftoverJson[];
}

/** Plist data as JSON: dict keys sorted; dates as ISO strings; bytes as base64. */
function toJson(v: unknown): JsonValue {
  if (typeof v === 'string' || typeof v === 'boolean' || v === null) return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : String(v);
  if (v instanceof Date) return v.toISOString();
  if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
  if (Array.isArray(v)) return v.map(toJson);
  if (isDict(v)) return Object.fromEntries(Object.keys(v).sort().map((k) => [k, toJson(v[k])]));
  return v === undefined ? null : String(v);
}

function viewJson(v: Change['before'], isSensitive: (name: string) => boolean): ChangeJson['before'] {
  if (v === null) return null;
  if (isPlistView(v)) {
    const keys = toJson(v.keys) as { [k: string]: JsonValue };
    const env = keys.EnvironmentVariables;
    if (isDict(env)) {
      keys.EnvironmentVariables = Object.fromEntries(Object.entries(env).map(([k, x]) => [k, isSensitive(k) ? REDACTED : x]));
    }
    return { path: v.path, mode: v.mode, keys };
  }
  if ('loaded' in v) return { loaded: v.loaded, enabled: v.enabled, running: v.running };
  if ('owner' in v) return { label: v.label, domain: v.domain, state: v.state, owner: v.owner };
  return { path: v.path };
}

function changeJson(ch: Change, plan: Plan): ChangeJson {
  const env = envSensitivity(ch, plan.steps);
  const names = new Set(env.declared);
  for (const side of [ch.before, ch.after]) {
    const e = isPlistView(side) ? side.keys.EnvironmentVariables : undefined;
    if (isDict(e)) for (const k of Object.keys(e)) if (env.isSensitive(k)) names.add(k);
  }
  return {
    address: ch.address,
    service: ch.service,
    resource: ch.resource,
    action: ch.action,
    reason: ch.reason,
    before: viewJson(ch.before, env.isSensitive),
    after: viewJson(ch.after, env.isSensitive),
    sensitive: Object.fromEntries([...names].sort().map((n) => [n, env.status(n)])),
  };
}

const driftItem = (d: Drift): DriftJson => ({ service: d.service, label: d.label, kind: d.kind, message: d.message });
const leftoverItem = (l: Leftover): LeftoverJson => ({ kind: l.kind, path: l.path, pid: l.pid, message: l.message });

/**
 * `lotusctl plan --json` (specs/plan-json.md): snake_case keys, every change including no-ops.
 * Never includes the plan's `steps` (they hold secrets in clear) or plist bodies; secret values never appear.
 */
export function planJson(plan: Plan): PlanJson {
  const out: PlanJson = {
    format_version: PLAN_JSON_FORMAT_VERSION,
    mode: plan.mode,
    created_at: plan.createdAt,
    fingerprint: plan.fingerprint,
    last_applied_at: plan.lastAppliedAt ?? null,
    drift: plan.drift.map(driftItem),
    leftovers: (plan.leftovers ?? []).map(leftoverItem),
    changes: plan.changes.map((ch) => changeJson(ch, plan)),
    summary: { add: plan.summary.add, change: plan.summary.change, replace: plan.summary.replace, destroy: plan.summary.destroy, unchanged: plan.summary.unchanged },
  };
  return scrubJson(out, secretValues(plan));
}

/** `lotusctl drift --json`: the drift of a plan, with the same envelope as planJson. */
export function driftJson(plan: Plan): DriftReportJson {
  const out: DriftReportJson = {
    format_version: PLAN_JSON_FORMAT_VERSION,
    created_at: plan.createdAt,
    fingerprint: plan.fingerprint,
    last_applied_at: plan.lastAppliedAt ?? null,
    drift: plan.drift.map(driftItem),
    leftovers: (plan.leftovers ?? []).map(leftoverItem),
  };
  return scrubJson(out, secretValues(plan));
}
