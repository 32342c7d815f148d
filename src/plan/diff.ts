import type { ActualJob, ActualState, ManagedRecord } from '../model/actual.js';
import type { DesiredJob, DesiredState, PlistDict } from '../model/desired.js';
import { LotusctlError } from '../model/errors.js';
import type { Change, Drift, JobOp, JobStep, JobView, Plan, PlanSummary, PlistView } from '../model/plan.js';
import { PLAN_FORMAT_VERSION } from '../model/plan.js';
import { explainExit } from '../launchd/exit-status.js';
import { renderPlistView } from '../launchd/plist-render.js';
import { maskedPlist } from '../render/masked-plist.js';
import { canonicalJson, sha256 } from './digest.js';
import { fingerprint } from './fingerprint.js';
import { explainInterrupted, isOwnFile, recordOf } from './recovery.js';
import type { InterruptedStep } from '../model/actual.js';

export interface DiffOptions {
  readonly mode?: 'apply' | 'destroy';
  /** Plan only these services and what they depend on. */
  readonly targets?: readonly string[];
  /** ISO time stamped on the plan (the core reads no clock). */
  readonly now: string;
  readonly specPath?: string;
}

const octal = (mode: number) => `0${(mode & 0o777).toString(8)}`;

function plistView(path: string, dict: PlistDict | undefined, mode: number, sensitive: readonly string[]): PlistView {
  const keys = dict ? maskedPlist(dict, sensitive) : {};
  // An unreadable plist's raw bytes are never shown: they may hold secrets that cannot be located to mask.
  return { path, mode: octal(mode), keys, text: dict ? renderPlistView(keys as PlistDict) : '' };
}

function sensitiveMarks(desired: DesiredJob, actualDict: PlistDict | undefined): Change['sensitive'] {
  if (desired.sensitiveKeys.length === 0) return undefined;
  const want = (desired.plist.EnvironmentVariables ?? {}) as PlistDict;
  const have = (actualDict?.EnvironmentVariables ?? {}) as PlistDict;
  return Object.fromEntries(desired.sensitiveKeys.map((k) => [k, !(k in have) ? 'added' : have[k] === want[k] ? 'unchanged' : 'changed'] as const));
}

/** Keys whose values differ between two dicts (top level), for drift messages. */
function changedKeys(a: PlistDict | undefined, b: PlistDict | undefined): string[] {
  const keys = new Set([...Object.keys(a ?? {}), ...Object.keys(b ?? {})]);
  return [...keys].filter((k) => canonicalJson(a?.[k]) !== canonicalJson(b?.[k])).sort();
}

// `print` shows limits as `maxfiles (soft) => N` (specs/launchd-behaviour.md §5); maxfiles is the only name a capture shows.
const PRINTED_LIMITS: Record<string, string> = { NumberOfFiles: 'maxfiles' };

/** Limits launchd applies to the loaded job that differ from the desired plist's, e.g. `maxfiles (soft) 256 != 16384`. */
export function limitsInEffectDiffer(plist: PlistDict, printed: Readonly<Record<string, number>> | undefined): string[] {
  if (!printed) return [];
  const out: string[] = [];
  for (const [which, key] of [['soft', 'SoftResourceLimits'], ['hard', 'HardResourceLimits']] as const) {
    const want = (plist[key] ?? {}) as PlistDict;
    for (const [plistKey, printName] of Object.entries(PRINTED_LIMITS)) {
      const w = want[plistKey];
      const have = printed[`${printName} (${which})`];
      if (typeof w === 'number' && have !== undefined && have !== w) out.push(`${printName} (${which}) is ${have}, lotus.yaml says ${w}`);
    }
  }
  return out;
}

function jobView(a: ActualJob | undefined): JobView {
  if (!a || !a.job.known) return { loaded: false, enabled: true, running: false };
  return { loaded: a.job.loaded, enabled: a.job.disabled !== true, running: a.job.running };
}

function needsKickstart(plist: PlistDict): boolean {
  // Without RunAtLoad or KeepAlive, bootstrap loads the job but does not start it (launchd.plist(5)).
  const ka = plist.KeepAlive;
  const keepAlive = ka === true || (typeof ka === 'object' && ka !== null && !Array.isArray(ka) && Object.keys(ka).length > 0);
  return plist.RunAtLoad !== true && !keepAlive;
}

function driftFor(name: string, a: ActualJob, m: ManagedRecord | undefined, desiredDict: PlistDict | undefined, wantMode?: number): Drift[] {
  if (!m) return [];
  const out: Drift[] = [];
  const d = (kind: Drift['kind'], message: string) => out.push({ service: name, label: a.label, kind, message });
  if (!a.file.exists) d('plist-missing', `${a.plistPath} was removed outside lotusctl`);
  else if (a.file.digest === m.digest && wantMode !== undefined && (a.file.mode & 0o777) !== wantMode) {
    d('plist-mode', `${a.plistPath} mode was changed to ${octal(a.file.mode)} outside lotusctl (lotusctl writes ${octal(wantMode)}; launchd refuses group- or world-writable plists)`);
  }
  else if (a.file.digest !== m.digest) {
    const keys = changedKeys(a.file.dict, desiredDict);
    d('plist-edited', `${a.plistPath} was edited outside lotusctl${keys.length ? ` (differs in ${keys.join(', ')})` : a.file.format === 'invalid' ? ' (no longer a readable plist)' : ''}`);
  }
  if (!a.job.known) d('job-unknown', `launchd's state of ${a.label} could not be read (${a.job.reason}); treated as not healthy`);
  else {
    if (m.state === 'running' && !a.job.loaded) d('job-unloaded', `${a.label} was booted out (unloaded) outside lotusctl`);
    if (a.job.disabled === true) d('job-disabled', `${a.label} was disabled outside lotusctl (launchctl disable)`);
    if (m.state === 'running' && a.job.loaded && !a.job.running) d('job-not-running', `${a.label} is loaded but not running; last exit: ${explainExit(a.job.lastExit)}`);
    if (m.state === 'stopped' && a.job.loaded) d('job-loaded', `${a.label} was loaded outside lotusctl although its state is stopped`);
  }
  return out;
}

/** Services in `targets` plus, transitively, what they depend on. */
function targetClosure(desired: DesiredState, targets: readonly string[]): Set<string> {
  const byName = new Map(desired.jobs.map((j) => [j.name, j]));
  for (const t of targets) {
    if (!byName.has(t)) throw new LotusctlError('plan.unknown-target', `--target ${t}: no such service`, { hint: `services: ${[...byName.keys()].join(', ')}` });
  }
  const out = new Set<string>();
  const add = (n: string) => {
    if (out.has(n)) return;
    out.add(n);
    for (const d of byName.get(n)?.dependsOn ?? []) add(d);
  };
  targets.forEach(add);
  return out;
}

interface JobPlan { changes: Change[]; step?: JobStep; drift: Drift[] }

function planDesired(j: DesiredJob, a: ActualJob, m: ManagedRecord | undefined, destroy: boolean, interrupted?: InterruptedStep): JobPlan {
  const changes: Change[] = [];
  const target = destroy ? 'absent' : j.state;
  const digest = sha256(j.plistText);
  const file = a.file;
  // A plist an interrupted step of lotusctl wrote is its own, even before the manifest recorded it.
  const ownInterrupted = interrupted !== undefined && isOwnFile(interrupted, file);
  const drift = explainInterrupted(driftFor(j.name, a, m ?? (interrupted ? recordOf(interrupted) : undefined), j.plist, j.plistMode), interrupted, a, j.name);
  if (m && a.job.known && a.job.loaded) {
    const limits = limitsInEffectDiffer(j.plist, a.job.resourceLimits);
    if (limits.length > 0 && a.file.exists && a.file.digest === m.digest) {
      drift.push({ service: j.name, label: j.label, kind: 'limits-differ', message: `${j.label} was loaded with other resource limits than its plist: ${limits.join('; ')}` });
    }
  }
  const fileDict = file.exists ? file.dict : undefined;
  const before: PlistView | null = file.exists ? plistView(a.plistPath, fileDict, file.mode, [...new Set([...j.sensitiveKeys, ...(m?.sensitiveKeys ?? [])])]) : null;
  const after: PlistView = plistView(j.plistPath, j.plist, j.plistMode, j.sensitiveKeys);
  const sensitive = sensitiveMarks(j, fileDict);
  const at = (resource: string) => `${j.name}.${resource}`;

  // Never take over a plist lotusctl did not write, unless it is byte-identical to ours.
  if (!m && !ownInterrupted && file.exists && file.digest !== digest && target !== 'absent') {
    throw new LotusctlError('plan.unmanaged-plist', `${a.plistPath} exists and was not created by lotusctl`, {
      hint: `move it aside (or give service "${j.name}" another label) and plan again; lotusctl never changes jobs it did not create`,
    });
  }

  let plistAction: JobStep['plist'] = { action: 'keep' };
  let contentChanges = false;
  if (target === 'absent') {
    if (file.exists && (m || ownInterrupted)) {
      changes.push({ address: at('plist'), service: j.name, resource: 'plist', action: 'delete', reason: destroy ? 'destroy' : 'state: absent', before, after: null });
      plistAction = { action: 'remove' };
    }
  } else if (!file.exists) {
    const why = interrupted ? 'an interrupted lotusctl run had not written it yet' : m ? 'the plist was removed outside lotusctl' : 'new service';
    changes.push({ address: at('plist'), service: j.name, resource: 'plist', action: 'create', reason: why, before: null, after, ...(sensitive ? { sensitive } : {}) });
    plistAction = { action: 'write', text: j.plistText, mode: j.plistMode, digest };
    contentChanges = true;
  } else if (file.digest !== digest || (file.mode & 0o777) !== j.plistMode) {
    contentChanges = file.digest !== digest;
    const reason = !contentChanges ? `file mode ${octal(file.mode)} should be ${octal(j.plistMode)}`
      : ownInterrupted && file.digest !== m?.digest ? 'an interrupted lotusctl run left another version' : m && file.digest !== m.digest ? 'the plist was edited outside lotusctl' : 'lotus.yaml changed';
    changes.push({ address: at('plist'), service: j.name, resource: 'plist', action: 'update', reason, before, after, ...(sensitive ? { sensitive } : {}) });
    plistAction = { action: 'write', text: j.plistText, mode: j.plistMode, digest };
  } else {
    changes.push({ address: at('plist'), service: j.name, resource: 'plist', action: 'no-op', reason: 'unchanged', before, after });
  }

  const ops: JobOp[] = [];
  const jb = jobView(a);
  const want: JobView = target === 'running' ? { loaded: true, enabled: true, running: true } : { loaded: false, enabled: jb.enabled, running: false };
  const job = a.job;
  const jobChange = (action: Change['action'], reason: string) =>
    changes.push({ address: at('job'), service: j.name, resource: 'job', action, reason, before: action === 'create' ? null : jb, after: action === 'delete' ? null : want });

  if (target === 'running') {
    const disabled = job.known && job.disabled === true;
    if (!job.known) {
      ops.push('bootout', 'enable', 'bootstrap');
      jobChange('replace', `launchd's state could not be read (${job.reason}); the job is reloaded rather than assumed healthy`);
    } else if (!job.loaded) {
      if (disabled) ops.push('enable');
      ops.push('bootstrap');
      jobChange('create', interrupted ? 'an interrupted lotusctl run left it unloaded' : m ? 'the job was unloaded outside lotusctl' : 'load the job');
    } else if (!contentChanges && limitsInEffectDiffer(j.plist, job.resourceLimits).length > 0) {
      ops.push('bootout');
      if (disabled) ops.push('enable');
      ops.push('bootstrap');
      jobChange('replace', `the loaded job runs with other limits than its plist (${limitsInEffectDiffer(j.plist, job.resourceLimits).join('; ')}); reloading applies them`);
    } else if (contentChanges) {
      ops.push('bootout');
      if (disabled) ops.push('enable');
      ops.push('bootstrap');
      jobChange('replace', 'the plist changed and launchd reads a plist only at bootstrap, so the job is booted out and bootstrapped again');
    } else if (disabled || !job.running) {
      if (disabled) ops.push('enable');
      if (!job.running) ops.push('kickstart');
      jobChange('update', [disabled ? 'the job is disabled' : '', !job.running ? `it is not running (last exit: ${explainExit(job.lastExit)})` : ''].filter(Boolean).join('; '));
    } else {
      jobChange('no-op', 'loaded and running');
    }
    if (ops.includes('bootstrap') && needsKickstart(j.plist)) ops.push('kickstart');
  } else {
    const loaded = !job.known || job.loaded;
    if (loaded && (m || interrupted || target === 'stopped')) {
      ops.push('bootout');
      jobChange('delete', !job.known ? 'state unreadable; booting out to be sure' : target === 'stopped' ? 'state: stopped' : destroy ? 'destroy' : 'state: absent');
    }
  }

  const directories = target === 'absent' ? [] : j.directories;
  const recordCurrent = m && target !== 'absent' && m.digest === digest && m.state === target && m.plistPath === j.plistPath;
  // An interrupted step always gets a step: apply records the outcome and clears the journal entry.
  const needStep = ops.length > 0 || plistAction.action !== 'keep' || interrupted !== undefined || (target === 'absent' ? m !== undefined : !recordCurrent);
  const step: JobStep | undefined = needStep
    ? {
        service: j.name, name: j.name, kind: j.kind, label: j.label, domain: j.domain, plistPath: j.plistPath,
        ...(target !== 'absent' ? { digest } : {}),
        plist: plistAction, ops, directories, target, dependsOn: j.dependsOn, sensitiveKeys: j.sensitiveKeys,
        ...(target === 'running'
          ? {
              readiness: {
                throttleSeconds: j.throttleSeconds,
                ...(j.stderrPath ? { stderrPath: j.stderrPath } : {}),
                ...(j.repo ? { repo: j.repo } : {}),
                ...(j.health && j.health.api !== 'none' ? { api: j.health.api, startupGraceMs: j.health.startupGraceMs } : {}),
              },
            }
          : {}),
      }
    : undefined;
  return { changes, drift, ...(step ? { step } : {}) };
}

function planRemoved(m: ManagedRecord, a: ActualJob, interrupted?: InterruptedStep): JobPlan {
  const changes: Change[] = [];
  const ops: JobOp[] = [];
  const loaded = !a.job.known || a.job.loaded;
  if (loaded) {
    ops.push('bootout');
    changes.push({ address: `${m.name}.job`, service: m.name, resource: 'job', action: 'delete', reason: 'removed from lotus.yaml', before: jobView(a), after: null });
  }
  if (a.file.exists) {
    changes.push({
      address: `${m.name}.plist`, service: m.name, resource: 'plist', action: 'delete', reason: 'removed from lotus.yaml',
      before: plistView(a.plistPath, a.file.dict, a.file.mode, m.sensitiveKeys), after: null,
    });
  }
  return {
    changes,
    drift: explainInterrupted([], interrupted, a, m.name),
    step: {
      service: m.name, name: m.name, kind: m.kind, label: m.label, domain: m.domain, plistPath: m.plistPath,
      plist: a.file.exists ? { action: 'remove' } : { action: 'keep' }, ops, directories: [], target: 'absent', dependsOn: [], sensitiveKeys: [],
    },
  };
}

function summarize(changes: readonly Change[]): PlanSummary {
  const s = { add: 0, change: 0, destroy: 0, unchanged: 0 };
  for (const c of changes) {
    switch (c.action) {
      case 'create': s.add++; break;
      case 'update': s.change++; break;
      case 'replace': s.add++; s.destroy++; break;
      case 'delete': s.destroy++; break;
      case 'no-op': s.unchanged++; break;
      default: {
        const never: never = c.action;
        throw new Error(`unknown action ${String(never)}`);
      }
    }
  }
  return s;
}

/**
 * diff(desired, actual) -> Plan. Pure: everything it knows is in its arguments.
 * Jobs lotusctl never created (not in the manifest) are never planned for change or deletion.
 */
export function diff(desired: DesiredState, actual: ActualState, opts: DiffOptions): Plan {
  const destroy = opts.mode === 'destroy';
  const scope = opts.targets && opts.targets.length > 0 ? targetClosure(desired, opts.targets) : undefined;
  const inScope = (name: string) => !scope || scope.has(name);
  const desiredLabels = new Set(desired.jobs.map((j) => j.label));
  const missing = (label: string, j: { domain: ActualJob['domain']; plistPath: string }): ActualJob =>
    ({ label, domain: j.domain, plistPath: j.plistPath, file: { exists: false }, job: { known: false, reason: 'not observed' } });

  const interrupted = new Map((actual.interrupted ?? []).map((e) => [e.label, e]));
  // Jobs an interrupted step was creating for a service that has left lotus.yaml are lotusctl's to remove, too.
  const records = [...Object.values(actual.manifest.jobs), ...[...interrupted.values()].filter((e) => !actual.manifest.jobs[e.label]).map(recordOf)];
  const removed: JobPlan[] = records
    .filter((m) => !desiredLabels.has(m.label) && (!scope || scope.has(m.name)))
    .map((m) => planRemoved(m, actual.jobs[m.label] ?? missing(m.label, m), interrupted.get(m.label)));

  const jobs = desired.jobs.filter((j) => inScope(j.name));
  const planned = jobs.map((j) => planDesired(j, actual.jobs[j.label] ?? missing(j.label, j), actual.manifest.jobs[j.label], destroy, interrupted.get(j.label)));

  // One change per folder, owned by the first service (in dependency order) that needs it.
  const dirOwners = new Map<string, string>();
  if (!destroy) for (const j of jobs) if (j.state !== 'absent') for (const d of j.directories) if (!dirOwners.has(d)) dirOwners.set(d, j.name);
  const dirChanges: Change[] = [...dirOwners].map(([d, service]) => [service, d] as [string, string])
    .filter(([, d]) => actual.directories[d] !== true)
    .map(([service, d]) => ({ address: `${service}.directory[${d}]`, service, resource: 'directory' as const, action: 'create' as const, reason: 'log folder', before: null, after: { path: d } }));

  // Dependents go first when removing (reverse order), dependencies first when creating.
  const destroyOrder = destroy ? [...planned].reverse() : planned;
  const ordered = [...[...removed].reverse(), ...destroyOrder];
  const changes = [...dirChanges, ...ordered.flatMap((p) => p.changes)];
  return {
    formatVersion: PLAN_FORMAT_VERSION,
    mode: destroy ? 'destroy' : 'apply',
    changes,
    drift: [...removed, ...planned].flatMap((p) => p.drift),
    steps: ordered.flatMap((p) => (p.step ? [p.step] : [])),
    summary: summarize(changes),
    fingerprint: fingerprint(actual),
    observed: {
      targets: Object.values(actual.jobs).map((j) => ({ label: j.label, domain: j.domain, plistPath: j.plistPath })).sort((a, b) => a.label.localeCompare(b.label)),
      directories: Object.keys(actual.directories).sort(),
    },
    stateDir: desired.stateDir,
    ...(opts.specPath ? { specPath: opts.specPath } : {}),
    createdAt: opts.now,
    ...(actual.leftovers && actual.leftovers.length > 0 ? { leftovers: actual.leftovers } : {}),
  };
}

/** True when applying the plan would change nothing. */
export function isEmptyPlan(plan: Plan): boolean {
  return plan.steps.length === 0 && plan.changes.every((c) => c.action === 'no-op');
}
