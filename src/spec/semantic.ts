import type { Diagnostic } from '../model/diagnostic.js';
import { isPlistValue, PLIST_KEYS, plistValueMatches } from '../launchd/plist-keys.js';
import { MAX_DURATION_SECONDS } from './bounds.js';
import { didYouMean } from './did-you-mean.js';
import type { Spec } from './schema.js';

type Located = Omit<Diagnostic, 'line' | 'col'> & { at?: 'key' | 'value' };

/**
 * Service names lotusctl uses for itself: `monitor` is the monitor job's name in plan addresses (`monitor.job`),
 * in `--target`/`--replace`/`restart` and in state.json, so a service of that name would be confused with it.
 */
export const RESERVED_SERVICE_NAMES: ReadonlySet<string> = new Set(['monitor']);

/** The label a service gets when the spec does not name one. */
export function defaultLabel(service: string): string {
  return `com.lotusctl.${service}`;
}

export function serviceLabel(spec: Spec, name: string): string {
  return spec.services[name]?.label ?? defaultLabel(name);
}

/** Checks that need the whole spec: unique labels, dependencies that exist and form no cycle, plist_extra types. */
export function semanticProblems(spec: Spec): Located[] {
  const out: Located[] = [];
  const names = Object.keys(spec.services);

  for (const name of names) {
    if (RESERVED_SERVICE_NAMES.has(name)) {
      out.push({
        severity: 'error', code: 'spec.reserved-name', path: ['services', name], at: 'key',
        message: `"${name}" is reserved: it names lotusctl's own health monitor (monitor.job, --target ${name}, lotusctl restart ${name})`,
        hint: `call the service something else, e.g. "${name}-1"`,
      });
    }
  }

  // Labels compare without case: they name the plist files, and a Mac's disk is case-insensitive by default,
  // so com.x.Daemon and com.x.daemon would share one file.
  const byLabel = new Map<string, { name: string; label: string }>();
  for (const name of names) {
    const label = serviceLabel(spec, name);
    const other = byLabel.get(label.toLowerCase());
    if (other !== undefined) {
      out.push({
        severity: 'error', code: 'spec.duplicate-label', path: ['services', name, 'label'],
        message: other.label === label
          ? `label "${label}" is already used by service "${other.name}"`
          : `label "${label}" differs from service "${other.name}"'s "${other.label}" only in case; on a case-insensitive disk (the macOS default) both would use the same plist file`,
        hint: 'each service needs its own label: it names the plist file and the launchd job',
      });
    } else byLabel.set(label.toLowerCase(), { name, label });
  }
  // Even a disabled monitor keeps its label: disabling it removes the job under that label.
  const monitorClash = spec.monitor ? byLabel.get(spec.monitor.label.toLowerCase()) : undefined;
  if (spec.monitor && monitorClash) {
    out.push({
      severity: 'error', code: 'spec.duplicate-label', path: ['monitor', 'label'],
      message: `label "${spec.monitor.label}" is already used by service "${monitorClash.name}"${monitorClash.label !== spec.monitor.label ? ` (as "${monitorClash.label}", which differs only in case)` : ''}`,
      hint: 'give the monitor its own label',
    });
  }

  for (const name of names) {
    const deps = spec.services[name]?.depends_on ?? [];
    deps.forEach((dep, i) => {
      if (dep === name) {
        out.push({ severity: 'error', code: 'spec.self-dependency', path: ['services', name, 'depends_on', i], message: `service "${name}" depends on itself`, hint: 'remove it from depends_on' });
      } else if (!spec.services[dep]) {
        const guess = didYouMean(dep, names);
        out.push({
          severity: 'error', code: 'spec.unknown-dependency', path: ['services', name, 'depends_on', i],
          message: `depends on "${dep}", which is not a service in this file`, hint: guess ? `did you mean "${guess}"?` : `services here: ${names.join(', ')}`,
        });
      }
    });
  }
  for (const cycle of findCycles(spec)) {
    const first = cycle[0] as string;
    const idx = spec.services[first]?.depends_on.indexOf(cycle[1] as string) ?? 0;
    out.push({
      severity: 'error', code: 'spec.dependency-cycle', path: ['services', first, 'depends_on', Math.max(0, idx)],
      message: `dependency cycle: ${[...cycle, first].join(' -> ')}`, hint: 'remove one of these depends_on entries',
    });
  }

  for (const name of names) {
    const extra = spec.services[name]?.plist_extra ?? {};
    for (const [key, value] of Object.entries(extra)) {
      const path = ['services', name, 'plist_extra', key];
      const info = PLIST_KEYS[key];
      const numberProblem = info ? badNumber(value, path, info.type.includes('int')) : undefined;
      if (!info) {
        const guess = didYouMean(key, Object.keys(PLIST_KEYS));
        out.push({ severity: 'error', code: 'spec.unknown-plist-key', path, at: 'key', message: `"${key}" is not a launchd.plist key`, hint: guess ? `did you mean "${guess}"?` : 'see launchd.plist(5) for the keys launchd reads' });
      } else if (info.field) {
        out.push({ severity: 'error', code: 'spec.plist-key-has-field', path, at: 'key', message: `${key} is set by the "${info.field}" field`, hint: `use ${info.field} instead of plist_extra.${key}` });
      } else if (!plistValueMatches(info.type, value) || !isPlistValue(value)) {
        out.push({ severity: 'error', code: 'spec.plist-key-type', path, message: `${key} must be ${info.type.replace('|', ' or ').replace('bool', 'true/false').replace('dict', 'a mapping').replace('array', 'a list').replace('int', 'a whole number')}`, hint: 'see launchd.plist(5)' });
      } else if (numberProblem) {
        out.push(numberProblem);
      } else if (info.obsolete) {
        out.push({ severity: 'warning', code: 'lint.obsolete-plist-key', path, at: 'key', message: `${key} has no effect: ${info.obsolete}`, hint: `remove plist_extra.${key}` });
      }
    }
  }
  return out;
}

/**
 * The first number in a plist_extra value that launchd cannot take: not a whole number (launchd has no real-valued
 * keys), past 2^53-1, or, for a top-level integer key such as StartInterval, outside 0..2^31-1 (launchd keeps
 * those as 32-bit integers of seconds).
 */
function badNumber(v: unknown, path: (string | number)[], topLevelInt: boolean): Located | undefined {
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v)) {
      return { severity: 'error', code: 'spec.plist-number', path, message: Number.isInteger(v) ? `${v} is too big for a plist integer here (at most ${Number.MAX_SAFE_INTEGER})` : `${v} is not a whole number; launchd keys take integers`, hint: 'see launchd.plist(5)' };
    }
    if (topLevelInt && (v < 0 || v > MAX_DURATION_SECONDS)) {
      return { severity: 'error', code: 'spec.plist-number', path, message: `must be between 0 and ${MAX_DURATION_SECONDS} (launchd keeps it as a 32-bit integer), got ${v}`, hint: 'see launchd.plist(5)' };
    }
    return undefined;
  }
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const bad = badNumber(v[i], [...path, i], false);
      if (bad) return bad;
    }
  } else if (v !== null && typeof v === 'object') {
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      const bad = badNumber(x, [...path, k], false);
      if (bad) return bad;
    }
  }
  return undefined;
}

/** Each elementary cycle once, as the list of services on it. */
function findCycles(spec: Spec): string[][] {
  const cycles: string[][] = [];
  const seen = new Set<string>();
  const state = new Map<string, 'active' | 'done'>();
  const stack: string[] = [];
  const visit = (n: string) => {
    state.set(n, 'active');
    stack.push(n);
    for (const d of spec.services[n]?.depends_on ?? []) {
      if (d === n || !spec.services[d]) continue;
      if (state.get(d) === 'active') {
        const cycle = stack.slice(stack.indexOf(d));
        const key = [...cycle].sort().join(',');
        if (!seen.has(key)) {
          seen.add(key);
          cycles.push(cycle);
        }
      } else if (!state.has(d)) visit(d);
    }
    stack.pop();
    state.set(n, 'done');
  };
  for (const n of Object.keys(spec.services)) if (!state.has(n)) visit(n);
  return cycles;
}
