import { posix } from 'node:path';
import { jobKey, type ActualJob, type ActualState, type InterruptedStep, type Leftover, type ManagedRecord } from '../model/actual.js';
import type { DesiredJob, DesiredState, PlistDict, SpecOwner } from '../model/desired.js';
import { LotusctlError } from '../model/errors.js';
import type { Change, Drift, JobOp, JobStep, JobView, Plan, PlanSummary, PlistView, RecordView } from '../model/plan.js';
import { changeCount, PLAN_FORMAT_VERSION } from '../model/plan.js';
import { domainTarget } from '../launchd/domain.js';
import { explainExit } from '../launchd/exit-status.js';
import { limitsInEffectDiffer, loadedDifferences } from '../launchd/loaded-definition.js';
import { renderPlistView } from '../launchd/plist-render.js';
import { maskedPlist } from '../render/masked-plist.js';
import { deepEqual } from '../render/plan-diff.js';
import { canonicalJson, sha256 } from './digest.js';
import { fingerprint } from './fingerprint.js';
import { assertNotOwnedElsewhere, classifyRecords, ownerText, owns } from './ownership.js';
import { explainInterrupted, isFinished, isOwnFile, journalLeftover, recordOf as entryRecord } from './recovery.js';

export { limitsInEffectDiffer } from '../launchd/loaded-definition.js';

export interface DiffOptions {
  readonly mode?: 'apply' | 'destroy';
  /** Plan only these services and what they depend on (destroy: and what depends on them). */
  readonly targets?: readonly string[];
  /** Reload these services (bootout, then bootstrap) even when nothing changed: Terraform's -replace. */
  readonly replace?: readonly string[];
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

/** The file holds the same keys and values as the plist lotusctl would write (its bytes may differ: binary, formatting). */
function sameValues(a: ActualJob, plist: PlistDict): boolean {
  return a.file.exists && a.file.dict !== undefined && deepEqual(a.file.dict, plist);
}

function jobView(a: ActualJob | undefined): JobView {
  if (!a || !a.job.known) return { loaded: false, enabled: true, running: false };
  return { loaded: a.job.loaded, enabled: a.job.disabled !== true, running: a.job.running };
}

const loadedOf = (a: ActualJob) => !a.job.known || a.job.loaded;

function needsKickstart(plist: PlistDict): boolean {
  // Without RunAtLoad or KeepAlive, bootstrap loads the job but does not start it (launchd.plist(5)).
  const ka = plist.KeepAlive;
  const keepAlive = ka === true || (typeof ka === 'object' && ka !== null && !Array.isArray(ka) && Object.keys(ka).length > 0);
  return plist.RunAtLoad !== true && !keepAlive;
}

function driftFor(name: string, a: ActualJob, m: ManagedRecord, desiredDict: PlistDict | undefined, wantMode?: number): Drift[] {
  const out: Drift[] = [];
  const d = (kind: Drift['kind'], message: string) => out.push({ service: name, label: a.label, kind, message });
  const file = a.file;
  if (file.exists) for (const p of file.missingPrograms ?? []) d('program-missing', `${p}, which ${a.label} runs, no longer exists (an upgrade or a cache clean-up?): launchd fails the job with EX_CONFIG (78)`);
  if (!file.exists) d('plist-missing', `${a.plistPath} was removed outside lotusctl`);
  else if (file.digest === m.digest && wantMode !== undefined && (file.mode & 0o777) !== wantMode) {
    d('plist-mode', `${a.plistPath} mode was changed to ${octal(file.mode)} outside lotusctl (lotusctl writes ${octal(wantMode)}; launchd refuses group- or world-writable plists)`);
  } else if (file.digest !== m.digest) {
    if (file.format === 'invalid') d('plist-edited', `${a.plistPath} was changed outside lotusctl and is not a valid plist${file.problem ? ` (${file.problem})` : ''}`);
    else if (!desiredDict) d('plist-edited', `${a.plistPath} was edited outside lotusctl`);
    else {
      const keys = changedKeys(file.dict, desiredDict);
      d('plist-edited', keys.length > 0
        ? `${a.plistPath} was edited outside lotusctl (differs from lotus.yaml in ${keys.join(', ')})`
        : `${a.plistPath} was rewritten outside lotusctl; its keys and values match lotus.yaml`);
    }
  }
  const job = a.job;
  if (!job.known) {
    d('job-unknown', `launchd's state could not be read (${job.reason}); treated as not healthy`);
    return out;
  }
  if (m.state === 'running') {
    if (!job.loaded) d('job-unloaded', 'booted out (unloaded) outside lotusctl');
    if (job.disabled === true) d('job-disabled', 'disabled outside lotusctl (launchctl disable)');
    if (job.loaded && !job.running) d('job-not-running', `loaded but not running; last exit: ${explainExit(job.lastExit)}`);
  } else {
    if (job.loaded) d('job-loaded', 'loaded outside lotusctl although its state is stopped');
    if (job.overridesKnown !== false && job.disabled !== true) d('job-enabled', 'not disabled, so launchd would load it again at the next login or boot (its state is stopped)');
  }
  if (job.loaded && file.exists && file.dict) {
    const differs = loadedDifferences(file.dict, job.definition, { plistPath: a.plistPath, system: a.domain.kind === 'system' });
    if (differs.length > 0) d('loaded-differs', `the loaded job differs from its plist on disk in ${differs.join(', ')}: the plist was changed without a reload`);
  }
  if (job.loaded && file.exists && file.digest === m.digest && desiredDict) {
    const limits = limitsInEffectDiffer(desiredDict, job.definition?.resourceLimits, m.limitsInEffect);
    if (limits.length > 0) d('limits-differ', `loaded with other resource limits than its plist: ${limits.join('; ')}`);
  }
  return out;
}

/** Services in `targets` plus, transitively, what they depend on (apply) or what depends on them (destroy). */
function targetClosure(desired: DesiredState, targets: readonly string[], direction: 'dependencies' | 'dependents'): Set<string> {
  const byName = new Map(desired.jobs.map((j) => [j.name, j]));
  for (const t of targets) {
    if (!byName.has(t)) throw new LotusctlError('plan.unknown-target', `--target ${t}: no such service`, { hint: `services: ${[...byName.keys()].join(', ')}` });
  }
  const next = (n: string): readonly string[] => (direction === 'dependencies'
    ? byName.get(n)?.dependsOn ?? []
    : desired.jobs.filter((j) => j.dependsOn.includes(n)).map((j) => j.name));
  const out = new Set<string>();
  const add = (n: string) => {
    if (out.has(n)) return;
    out.add(n);
    for (const d of next(n)) add(d);
  };
  targets.forEach(add);
  return out;
}

interface JobPlan { changes: Change[]; step?: JobStep; drift: Drift[] }

interface Context {
  readonly desired: DesiredState;
  readonly actual: ActualState;
  readonly at: (t: { domain: ActualJob['domain']; label: string; plistPath: string }) => ActualJob;
  readonly replace: ReadonlySet<string>;
  readonly adopted: ReadonlyMap<string, string>;
  readonly specName: string;
  /** This spec's unfinished journal entries, by the labels they touch (their own, and a moving job's old one). */
  readonly interrupted: ReadonlyMap<string, InterruptedStep>;
  /** Labels whose record stands in for an interrupted step's job (src/plan/recovery.ts): no record in state.json yet. */
  readonly synthetic: ReadonlySet<string>;
}

const recordView = (r: { label: string; domain: ActualJob['domain']; state: 'running' | 'stopped'; owner?: SpecOwner }): RecordView =>
  ({ label: r.label, domain: domainTarget(r.domain), state: r.state, owner: ownerText(r.owner) });

/** Refuses to take over what lotusctl did not create: a different plist at its path, or a job loaded from elsewhere. */
function assertNotForeign(j: DesiredJob, a: ActualJob, ownPlistPath?: string): void {
  const ours = (a.file.exists && (a.plistPath === ownPlistPath || sameValues(a, j.plist))) || !a.file.exists;
  if (!ours) {
    throw new LotusctlError('plan.unmanaged-plist', `${a.plistPath} exists and was not created by lotusctl`, {
      hint: `move it aside (or give service "${j.name}" another label) and plan again; lotusctl never changes jobs it did not create`,
    });
  }
  const where = `${domainTarget(j.domain)}/${j.label}`;
  if (!a.job.known) {
    throw new LotusctlError('plan.unmanaged-job', `launchd's state of ${where} could not be read (${a.job.reason}), and lotusctl has no record of that job`, {
      hint: `check it with launchctl print ${where}; lotusctl never changes a job it may not have created`,
    });
  }
  const from = a.job.definition?.path;
  // Loaded from the very file lotusctl would write, with lotusctl's content: ours, just not recorded (state.json lost).
  if (a.job.loaded && !(a.file.exists && from !== undefined && from === a.plistPath)) {
    throw new LotusctlError('plan.unmanaged-job', `${where} is loaded${from !== undefined ? ` from ${from}` : ''}, but lotusctl did not create it`, {
      hint: `if it is yours to replace, unload it first (launchctl bootout ${where}); otherwise give service "${j.name}" another label. lotusctl never boots out jobs it did not create`,
    });
  }
}

function planDesired(j: DesiredJob & { state: 'running' | 'stopped' }, r: ManagedRecord | undefined, ctx: Context): JobPlan {
  const a = ctx.at(j);
  const target = j.state;
  const digest = sha256(j.plistText);
  const changes: Change[] = [];
  const moved = r !== undefined && (r.label !== j.label || jobKey(r) !== jobKey(j) || r.plistPath !== j.plistPath);
  const old = r && moved ? ctx.at(r) : undefined;
  const drift = r ? driftFor(j.name, old ?? a, r, j.plist, moved ? undefined : j.plistMode) : [];
  // An interrupted step's plist is lotusctl's own, even before state.json recorded it (and one it did not write is not).
  const e = ctx.interrupted.get(j.label) ?? (r ? ctx.interrupted.get(r.label) : undefined);
  const ownFile = e !== undefined && isOwnFile(e, a.file);
  const synthetic = r !== undefined && ctx.synthetic.has(r.label);
  if (!r) assertNotForeign(j, a);
  else if (moved) assertNotForeign(j, a, r.plistPath);
  else if (synthetic) assertNotForeign(j, a, ownFile ? a.plistPath : undefined);

  const file = a.file;
  const fileDict = file.exists ? file.dict : undefined;
  const sens = [...new Set([...j.sensitiveKeys, ...(r?.sensitiveKeys ?? [])])];
  const before: PlistView | null = file.exists ? plistView(a.plistPath, fileDict, file.mode, sens) : null;
  const after: PlistView = plistView(j.plistPath, j.plist, j.plistMode, j.sensitiveKeys);
  const sensitive = sensitiveMarks(j, fileDict);
  const addr = (resource: string) => `${j.name}.${resource}`;
  const moveWhy = !r || !moved ? '' : r.label !== j.label ? `its label changes from ${r.label} to ${j.label}`
    : jobKey(r) !== jobKey(j) ? `its domain changes from ${domainTarget(r.domain)} to ${domainTarget(j.domain)}` : `its plist moves from ${r.plistPath}`;

  // The plist: compared by value; bytes that differ only in encoding are rewritten without a reload.
  let plistAction: JobStep['plist'] = { action: 'keep' };
  let reload = false;
  const write = { action: 'write' as const, text: j.plistText, mode: j.plistMode, digest };
  const plistMoves = moved && r.plistPath !== j.plistPath;
  if (plistMoves) {
    const of = old?.file;
    const oldView = of?.exists ? plistView(r.plistPath, of.dict, of.mode, sens) : null;
    changes.push({ address: addr('plist'), service: j.name, resource: 'plist', action: oldView ? 'replace' : 'create', reason: `${moveWhy}: the old plist is removed and the new one written`, before: oldView, after, ...(sensitive ? { sensitive } : {}) });
    plistAction = write;
    reload = true;
  } else if (!file.exists) {
    const why = e ? (e.target === 'absent' ? 'an interrupted lotusctl run removed it' : 'an interrupted lotusctl run had not written it yet')
      : r ? 'the plist was removed outside lotusctl' : 'new service';
    changes.push({ address: addr('plist'), service: j.name, resource: 'plist', action: 'create', reason: why, before: null, after, ...(sensitive ? { sensitive } : {}) });
    plistAction = write;
    reload = true;
  } else if (file.digest !== digest || (file.mode & 0o777) !== j.plistMode) {
    const modeWhy = (file.mode & 0o777) !== j.plistMode ? `file mode ${octal(file.mode)} should be ${octal(j.plistMode)}` : '';
    let reason: string;
    if (sameValues(a, j.plist)) {
      reason = [file.digest !== digest ? 'only its encoding differs (binary or formatting): its keys and values match lotus.yaml, so it is rewritten without reloading the job' : '', modeWhy].filter(Boolean).join('; ');
    } else {
      reload = true;
      reason = file.format === 'invalid' ? `it is not a valid plist${file.problem ? ` (${file.problem})` : ''}`
        : ownFile && r && file.digest !== r.digest ? 'an interrupted lotusctl run left another version'
        : r && file.digest !== r.digest ? 'the plist was edited outside lotusctl' : 'lotus.yaml changed';
    }
    changes.push({ address: addr('plist'), service: j.name, resource: 'plist', action: 'update', reason, before, after, ...(sensitive ? { sensitive } : {}) });
    plistAction = write;
  } else {
    changes.push({ address: addr('plist'), service: j.name, resource: 'plist', action: 'no-op', reason: 'unchanged', before, after });
  }

  // The job, where it should be; a moved job is first booted out where it was.
  const fromOps: ('bootout' | 'enable')[] = [];
  if (old && r) {
    if (loadedOf(old)) fromOps.push('bootout');
    if (old.job.known && old.job.disabled === true && r.state === 'stopped') fromOps.push('enable');
  }
  const oldLoaded = old !== undefined && loadedOf(old);
  const ops: JobOp[] = [];
  const job = a.job;
  const jb = old ? jobView(old) : jobView(a);
  const stoppedView: JobView = { loaded: false, enabled: false, running: false };
  const want: JobView = target === 'running' ? { loaded: true, enabled: true, running: true } : stoppedView;
  const jobChange = (action: Change['action'], reason: string) =>
    changes.push({ address: addr('job'), service: j.name, resource: 'job', action, reason, before: action === 'create' ? null : jb, after: action === 'delete' ? null : want });

  if (target === 'running') {
    const disabled = job.known && job.disabled === true;
    const def = job.known ? job.definition : undefined;
    const limits = job.known && job.loaded && !reload ? limitsInEffectDiffer(j.plist, def?.resourceLimits, moved ? undefined : r?.limitsInEffect) : [];
    const differs = job.known && job.loaded && !reload ? loadedDifferences(j.plist, def, { plistPath: j.plistPath, system: j.domain.kind === 'system' }) : [];
    const forced = ctx.replace.has(j.name);
    if (!job.known) {
      ops.push('bootout', 'enable', 'bootstrap');
      jobChange('replace', `launchd's state could not be read (${job.reason}); the job is reloaded rather than assumed healthy`);
    } else if (!job.loaded) {
      if (disabled) ops.push('enable');
      ops.push('bootstrap');
      if (moved) jobChange(oldLoaded ? 'replace' : 'create', `${moveWhy}: ${oldLoaded ? `booted out of ${domainTarget(r.domain)}, then ` : ''}bootstrapped into ${domainTarget(j.domain)}`);
      else jobChange('create', e ? 'an interrupted lotusctl run left it unloaded' : r ? 'the job was unloaded outside lotusctl' : 'new service');
    } else if (reload || limits.length > 0 || differs.length > 0 || forced) {
      ops.push('bootout');
      if (disabled) ops.push('enable');
      ops.push('bootstrap');
      const why = [
        moved ? moveWhy : reload ? 'the plist changed and launchd reads a plist only at bootstrap, so the job is booted out and bootstrapped again' : '',
        differs.length > 0 ? `the loaded job differs from its plist in ${differs.join(', ')} (launchd reads a plist only at bootstrap)` : '',
        limits.length > 0 ? `the loaded job runs with other limits than its plist (${limits.join('; ')}); reloading applies them` : '',
        forced && !reload && differs.length === 0 && limits.length === 0 ? 'requested with --replace' : '',
      ].filter(Boolean);
      jobChange('replace', why.join('; '));
    } else if (disabled || !job.running) {
      if (disabled) ops.push('enable');
      if (!job.running) ops.push('kickstart');
      jobChange('update', [disabled ? 'the job is disabled' : '', !job.running ? `it is not running (last exit: ${explainExit(job.lastExit)})` : ''].filter(Boolean).join('; '));
    } else if (moved && oldLoaded) {
      jobChange('replace', `${moveWhy}: booted out of ${domainTarget(r.domain)}`);
    } else {
      jobChange('no-op', 'loaded and running');
    }
    if (ops.includes('bootstrap') && needsKickstart(j.plist)) ops.push('kickstart');
  } else {
    // Stopped: booted out, and disabled so that launchd does not load it again at the next login or boot
    // (a disabled label is not loaded from its plist: specs/launchd-behaviour.md §3, §6). The plist stays.
    const overrideUnknown = !job.known || job.overridesKnown === false;
    const needDisable = overrideUnknown || job.disabled !== true;
    const needBootout = !job.known || job.loaded;
    if (needDisable) ops.push('disable');
    if (needBootout) ops.push('bootout');
    if (needBootout || oldLoaded) {
      jobChange('delete', `${moved ? `${moveWhy}; ` : ''}state: stopped; it is disabled too, so it stays stopped after a reboot or login (the plist stays)`);
    } else if (needDisable) {
      jobChange('update', `${moved ? `${moveWhy}; ` : ''}state: stopped: disable it, so launchd does not load it at the next login or boot${overrideUnknown ? ' (whether it is disabled could not be read)' : ''}`);
    } else {
      jobChange('no-op', 'stopped and disabled');
    }
  }

  const missingDirs = j.directories.some((d) => ctx.actual.directories[d] !== true);
  const sameSet = (x: readonly string[], y: readonly string[]) => canonicalJson([...x].sort()) === canonicalJson([...y].sort());
  const adopted = r ? ctx.adopted.get(r.label) : undefined;
  const ownerCurrent = r?.owner !== undefined && canonicalJson(r.owner) === canonicalJson(ctx.desired.owner) && adopted === undefined;
  const recordCurrent = r !== undefined && !synthetic && ownerCurrent && !moved && r.name === j.name && r.kind === j.kind && r.digest === digest && r.state === target
    && canonicalJson(r.watch ?? null) === canonicalJson(j.watch) && sameSet(r.sensitiveKeys, j.sensitiveKeys);
  const acts = changes.some((c) => c.action !== 'no-op') || missingDirs || fromOps.length > 0;
  if (!recordCurrent && !acts) {
    const next = { label: j.label, domain: j.domain, state: target, owner: ctx.desired.owner };
    const why = e ? `an interrupted lotusctl run had done this but not recorded it: it is recorded in state.json; nothing on the machine changes`
      : !r ? `lotusctl has no record of this job, but its plist and job already match ${ctx.specName}: it is recorded as managed; nothing on the machine changes`
      : [
          adopted ?? (!ownerCurrent ? `the spec's identity changed (${ownerText(r.owner)} -> ${ownerText(ctx.desired.owner)})` : ''),
          r.state !== target ? `the job is already ${target}` : '',
          r.digest !== digest ? `the plist on disk already matches ${ctx.specName}` : '',
          canonicalJson(r.watch ?? null) !== canonicalJson(j.watch) ? (j.kind === 'monitor' ? 'the monitor settings changed (the running monitor uses them once recorded)' : 'health settings the monitor uses changed') : '',
          r.name !== j.name ? `the service was renamed from ${r.name}` : '',
          !sameSet(r.sensitiveKeys, j.sensitiveKeys) ? 'which environment variables are secret changed' : '',
        ].filter(Boolean).join('; ') || 'state.json is brought up to date';
    const prev = synthetic ? undefined : r;
    changes.push({ address: addr('record'), service: j.name, resource: 'record', action: prev ? 'update' : 'create', reason: why, before: prev ? recordView(prev) : null, after: recordView(next) });
  }

  const needStep = acts || ops.length > 0 || plistAction.action !== 'keep' || !recordCurrent;
  const step: JobStep | undefined = needStep
    ? {
        service: j.name, name: j.name, kind: j.kind, label: j.label, domain: j.domain, plistPath: j.plistPath,
        ...(old && r ? { from: { label: r.label, domain: r.domain, plistPath: r.plistPath, ops: fromOps, removePlist: plistMoves && old.file.exists } } : {}),
        digest, plist: plistAction, ops, directories: j.directories, target, dependsOn: j.dependsOn, sensitiveKeys: j.sensitiveKeys, watch: j.watch,
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

/**
 * Remove a job lotusctl manages, from where state.json recorded it. `reason` '' when the action says it all (destroy).
 * `synthetic`: the record stands in for an interrupted step's job, which state.json never recorded: with nothing of
 * it on the machine there is nothing to do (not even a record to drop).
 */
function planRemoval(m: ManagedRecord, a: ActualJob, reason: string, drift: Drift[], synthetic = false): JobPlan {
  const changes: Change[] = [];
  const ops: JobOp[] = [];
  const loaded = loadedOf(a);
  // A disable override lotusctl set for state: stopped is cleared with the job, so the label is not left disabled.
  const clearOverride = a.job.known && a.job.disabled === true && m.state === 'stopped';
  if (loaded) ops.push('bootout');
  if (clearOverride) ops.push('enable');
  if (loaded || clearOverride) {
    changes.push({ address: `${m.name}.job`, service: m.name, resource: 'job', action: 'delete', reason: loaded ? reason : [reason, 'its disable override is cleared'].filter(Boolean).join('; '), before: jobView(a), after: null });
  }
  if (a.file.exists) {
    changes.push({
      address: `${m.name}.plist`, service: m.name, resource: 'plist', action: 'delete', reason,
      before: plistView(a.plistPath, a.file.dict, a.file.mode, m.sensitiveKeys), after: null,
    });
  }
  if (changes.length === 0 && synthetic) return { changes, drift: [] };
  if (changes.length === 0) {
    changes.push({ address: `${m.name}.record`, service: m.name, resource: 'record', action: 'delete', reason: [reason, 'its plist and job are already gone: only the record in state.json is dropped'].filter(Boolean).join('; '), before: recordView(m), after: null });
  }
  return {
    changes,
    drift,
    step: {
      service: m.name, name: m.name, kind: m.kind, label: m.label, domain: m.domain, plistPath: m.plistPath,
      plist: a.file.exists ? { action: 'remove' } : { action: 'keep' }, ops, directories: [], target: 'absent', dependsOn: [], sensitiveKeys: [],
    },
  };
}

function summarize(changes: readonly Change[]): PlanSummary {
  const s = { add: 0, change: 0, replace: 0, destroy: 0, unchanged: 0 };
  for (const c of changes) {
    switch (c.action) {
      case 'create': s.add++; break;
      case 'update': s.change++; break;
      case 'replace': s.replace++; break;
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
 * Only jobs this spec owns in state.json are planned for change or removal (src/plan/ownership.ts); jobs lotusctl
 * never created are never touched.
 */
export function diff(desired: DesiredState, actual: ActualState, opts: DiffOptions): Plan {
  const destroy = opts.mode === 'destroy';
  const scope = opts.targets && opts.targets.length > 0 ? targetClosure(desired, opts.targets, destroy ? 'dependents' : 'dependencies') : undefined;
  const inScope = (name: string) => !scope || scope.has(name);
  const byName = new Map(desired.jobs.map((j) => [j.name, j]));
  for (const n of opts.replace ?? []) {
    const j = byName.get(n);
    if (!j) throw new LotusctlError('plan.unknown-target', `--replace ${n}: no such service`, { hint: `services: ${[...byName.keys()].join(', ')}` });
    if (destroy || j.state !== 'running') throw new LotusctlError('plan.replace-not-running', `--replace ${n}: ${destroy ? 'destroy removes it anyway' : `its state is ${j.state}, so there is no job to reload`}`, { hint: 'replace only services whose state is running' });
    if (!inScope(n)) throw new LotusctlError('plan.replace-out-of-scope', `--replace ${n}: not within --target ${opts.targets?.join(', ')}`, { hint: `add --target ${n}` });
  }
  // Journal entries (src/plan/recovery.ts): a finished step leaves only its entry to clear; an unfinished one whose
  // job state.json does not record yet stands in for its record, so it is owned, paired and finished like any job.
  const entries = actual.interrupted ?? [];
  const recorded = actual.manifest.jobs;
  const finished = entries.filter((e) => !e.inProgress && isFinished(e, recorded[e.label]));
  const open = entries.filter((e) => !finished.includes(e));
  const standIns = open.filter((e) => !recorded[e.label] && !(e.from && recorded[e.from.label]));
  const manifest = standIns.length === 0 ? actual.manifest
    : { ...actual.manifest, jobs: { ...recorded, ...Object.fromEntries(standIns.map((e) => [e.label, entryRecord(e)])) } };
  const own = classifyRecords(manifest, desired, actual.specs ?? {});
  const synthetic = new Set(standIns.map((e) => e.label).filter((l) => own.mine.has(l)));
  // Another spec's entries are its own to finish; entries of this spec's jobs are found by the labels they touch.
  const mineOpen = open.filter((e) => own.mine.has(e.label) || (e.from !== undefined && own.mine.has(e.from.label) && !own.others.has(e.label)));
  const interrupted = new Map<string, InterruptedStep>();
  for (const e of mineOpen) for (const l of [e.label, ...(e.from ? [e.from.label] : [])]) if (!interrupted.has(l)) interrupted.set(l, e);
  const specName = opts.specPath ? posix.basename(opts.specPath) : 'lotus.yaml';
  // observe looks at every wanted and recorded job; one missing from `actual` is one with nothing there.
  const missing = (t: { label: string; domain: ActualJob['domain']; plistPath: string }): ActualJob =>
    ({ label: t.label, domain: t.domain, plistPath: t.plistPath, file: { exists: false }, job: { known: true, loaded: false, disabled: undefined, running: false, lastExit: { kind: 'unknown' } } });
  const ctx: Context = {
    desired, actual, at: (t) => actual.jobs[jobKey(t)] ?? missing(t), replace: new Set(opts.replace ?? []), adopted: own.adopted, specName,
    interrupted, synthetic,
  };

  if (!destroy) {
    // The monitor's memory (monitor-state.json, samples, metrics.prom) is per state dir and keyed by service name:
    // two monitors on one state dir would share restart counters and breakers.
    const monitor = desired.jobs.find((j) => j.kind === 'monitor' && j.state !== 'absent' && inScope(j.name));
    const otherMonitor = [...own.others.values()].find((r) => r.kind === 'monitor');
    if (monitor && otherMonitor) {
      throw new LotusctlError('plan.monitor-elsewhere', `another spec, ${ownerText(otherMonitor.owner)}, already runs a monitor (${otherMonitor.label}) with this state_dir (${desired.stateDir})`, {
        hint: `give ${specName} its own defaults.state_dir, or drop its monitor: section; a monitor's restart counters, samples and metrics are kept per state_dir`,
      });
    }
    // A job another spec owns is neither changed nor adopted.
    for (const j of desired.jobs) {
      const other = own.others.get(j.label);
      if (other && j.state !== 'absent' && inScope(j.name)) assertNotOwnedElsewhere(j.name, j.label, other, specName);
    }
  }

  // Which record each wanted job continues: the one under its label, else (a label change) its name's.
  const wantedLabels = new Set(desired.jobs.map((j) => j.label));
  const recordOf = new Map<string, ManagedRecord>();
  const paired = new Set<string>();
  for (const j of desired.jobs) {
    const r = own.mine.get(j.label);
    if (r) {
      recordOf.set(j.name, r);
      paired.add(r.label);
    }
  }
  if (!destroy) {
    for (const j of desired.jobs) {
      if (recordOf.has(j.name) || j.state === 'absent') continue;
      const r = [...own.mine.values()].find((x) => x.name === j.name && x.kind === j.kind && !wantedLabels.has(x.label) && !paired.has(x.label));
      if (r) {
        recordOf.set(j.name, r);
        paired.add(r.label);
      }
    }
  }

  const driftOf = (name: string, r: ManagedRecord) => driftFor(name, ctx.at(r), r, undefined);
  const removed: JobPlan[] = [...own.mine.values()]
    .filter((r) => !paired.has(r.label) && inScope(r.name))
    .sort((x, y) => x.label.localeCompare(y.label))
    .map((r) => planRemoval(r, ctx.at(r), destroy ? '' : `no longer in ${specName}`, destroy ? [] : driftOf(r.name, r), synthetic.has(r.label)));

  const jobs = desired.jobs.filter((j) => inScope(j.name));
  const planned: JobPlan[] = jobs.map((j): JobPlan => {
    const r = recordOf.get(j.name);
    if (destroy || j.state === 'absent') {
      if (!r) return { changes: [], drift: [] };
      return planRemoval(r, ctx.at(r), destroy ? '' : 'state: absent', destroy ? [] : driftOf(j.name, r), synthetic.has(r.label));
    }
    return planDesired(j as DesiredJob & { state: 'running' | 'stopped' }, r, ctx);
  });

  // One change per folder, owned by the first service (in dependency order) that needs it.
  const dirOwners = new Map<string, string>();
  if (!destroy) for (const j of jobs) if (j.state !== 'absent') for (const d of j.directories) if (!dirOwners.has(d)) dirOwners.set(d, j.name);
  const dirChanges: Change[] = [...dirOwners].map(([d, service]) => [service, d] as [string, string])
    .filter(([, d]) => actual.directories[d] !== true)
    .map(([service, d]) => ({ address: `${service}.directory[${d}]`, service, resource: 'directory' as const, action: 'create' as const, reason: 'log folder', before: null, after: { path: d } }));

  // Dependents go first when removing (reverse order), dependencies first when creating.
  const ordered = [...removed, ...(destroy ? [...planned].reverse() : planned)];

  // An unfinished step is finished by its job's step, which clears its entry; its half-done work is explained as
  // such, never as drift from outside. An entry whose job needs nothing more (or whose step was recorded) is a leftover.
  const journalLeftovers: Leftover[] = finished.filter((e) => owns(desired.owner, entryRecord(e)) || own.mine.has(e.label)).map((e) => journalLeftover(e, 'finished'));
  for (const e of mineOpen.filter((x) => inScope(x.service))) {
    const p = ordered.find((x) => x.step !== undefined && [x.step.label, x.step.from?.label].includes(e.label))
      ?? ordered.find((x) => x.step !== undefined && e.from !== undefined && [x.step.label, x.step.from?.label].includes(e.from.label));
    if (p) {
      const mine = p.drift.filter((d) => d.label === e.label || d.label === e.from?.label);
      p.drift = [...p.drift.filter((d) => !mine.includes(d)), ...explainInterrupted(mine, e, ctx.at(e), e.service)];
    } else if (e.inProgress) {
      // A running apply is changing it now: said, and its entry is not touched.
      const q = ordered.find((x) => x.drift.some((d) => d.label === e.label));
      const mine = q ? q.drift.filter((d) => d.label === e.label) : [];
      const explained = explainInterrupted(mine, e, ctx.at(e), e.service);
      if (q) q.drift = [...q.drift.filter((d) => !mine.includes(d)), ...explained];
      else ordered.push({ changes: [], drift: explained });
    } else {
      journalLeftovers.push(journalLeftover(e, 'nothing-left'));
    }
  }
  const leftovers = [...(actual.leftovers ?? []), ...journalLeftovers.sort((x, y) => x.path.localeCompare(y.path))];
  const changes = [...dirChanges, ...ordered.flatMap((p) => p.changes)];
  const mineApplied = [...own.mine.values()].filter((r) => !own.adopted.has(r.label) && !synthetic.has(r.label)).map((r) => r.appliedAt).sort();
  const lastAppliedAt = mineApplied[mineApplied.length - 1];
  const plan: Plan = {
    formatVersion: PLAN_FORMAT_VERSION,
    mode: destroy ? 'destroy' : 'apply',
    changes,
    drift: ordered.flatMap((p) => p.drift),
    steps: ordered.flatMap((p) => (p.step ? [p.step] : [])),
    summary: summarize(changes),
    fingerprint: fingerprint(actual),
    observed: {
      targets: Object.values(actual.jobs).map((j) => ({ label: j.label, domain: j.domain, plistPath: j.plistPath }))
        .sort((a, b) => a.label.localeCompare(b.label) || domainTarget(a.domain).localeCompare(domainTarget(b.domain))),
      directories: Object.keys(actual.directories).sort(),
    },
    stateDir: desired.stateDir,
    ...(opts.specPath ? { specPath: opts.specPath } : {}),
    owner: desired.owner,
    ...(lastAppliedAt !== undefined ? { lastAppliedAt } : {}),
    createdAt: opts.now,
    ...(leftovers.length > 0 ? { leftovers } : {}),
  };
  // Every change has a step to carry it out, and every step shows as a change: what the views count is what apply does.
  if ((plan.steps.length > 0) !== (changeCount(plan.summary) > 0)) {
    throw new LotusctlError('internal', `plan inconsistency: ${plan.steps.length} steps for ${changeCount(plan.summary)} changes`);
  }
  return plan;
}

/** True when applying the plan would change nothing. */
export function isEmptyPlan(plan: Plan): boolean {
  return changeCount(plan.summary) === 0;
}
