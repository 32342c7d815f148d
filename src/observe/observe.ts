import { existsSync } from 'node:fs';
import { jobKey, type ActualFile, type ActualJob, type ActualJobState, type ActualState, type InterruptedStep, type LoadedDefinition } from '../model/actual.js';
import type { DesiredState } from '../model/desired.js';
import type { ObservedScope } from '../model/plan.js';
import { domainTarget, type DomainTarget } from '../launchd/domain.js';
import type { ServicePrint } from '../launchd/parsers.js';
import { isLotusctlError } from '../model/errors.js';
import { sha256 } from '../plan/digest.js';
import { readJournal } from '../system/journal.js';
import type { Launchctl } from '../system/launchctl.js';
import { findLeftovers } from '../system/leftovers.js';
import { lockStatus } from '../system/lock.js';
import { readManifest } from '../system/manifest.js';
import { knownPlistFile, readPlistBytes, type KnownRendering } from './plist-bytes.js';

/** The parts of a service print that say what launchd loaded (compared with the plist by the planner). */
export function loadedDefinition(p: ServicePrint): LoadedDefinition {
  const pick = <K extends keyof ServicePrint>(k: K) => (p[k] !== undefined ? { [k]: p[k] } : {});
  return {
    ...pick('path'), ...pick('program'), ...pick('arguments'), ...pick('environment'), ...pick('workingDirectory'), ...pick('stdoutPath'),
    ...pick('stderrPath'), ...pick('exitTimeout'), ...pick('minimumRuntime'), ...pick('umask'), ...pick('nice'), ...pick('username'),
    ...pick('group'), ...pick('resourceLimits'),
  } as LoadedDefinition;
}

interface Target { label: string; domain: DomainTarget; plistPath: string }

/**
 * The installed plist at `path`. Parsed only when its bytes are not `known` (what lotusctl would write there): the
 * XML parser is loaded on demand, so a plan of an unchanged machine never loads it.
 */
async function observePlistFile(path: string, known: KnownRendering | undefined): Promise<ActualFile> {
  const read = readPlistBytes(path);
  if (!('bytes' in read)) return read;
  const same = knownPlistFile(read, known);
  if (same !== undefined) return same;
  const { parsedPlistFile } = await import('./plist-file.js');
  return parsedPlistFile(read);
}

const FATAL = new Set(['launchctl.spawn-failed', 'launchctl.no-gui-domain', 'launchd.unsupported-platform', 'launchctl.timeout']);

async function jobState(lc: Launchctl, t: Target, disabledP: Promise<Record<string, boolean> | Error>): Promise<ActualJobState> {
  try {
    const [printed, disabled] = await Promise.all([lc.print(t.domain, t.label), disabledP]);
    const overrides = disabled instanceof Error ? undefined : disabled;
    const override = { disabled: overrides?.[t.label], overridesKnown: overrides !== undefined };
    if (!printed) return { known: true, loaded: false, ...override, running: false, lastExit: { kind: 'unknown' } };
    const p = printed.parsed;
    if (p.target === undefined && p.state === undefined && p.runs === undefined && p.pid === undefined) {
      return { known: false, reason: 'launchctl print answered, but its output could not be read' };
    }
    // Running means launchd printed a pid; a print we could not read is unknown, never "running".
    const running = p.pid !== undefined;
    return {
      known: true, loaded: true, ...override, running,
      ...(p.pid !== undefined ? { pid: p.pid } : {}), ...(p.runs !== undefined ? { runs: p.runs } : {}), ...(p.state ? { state: p.state } : {}),
      lastExit: p.lastExit,
      definition: loadedDefinition(p),
    };
  } catch (e) {
    // The machine cannot be read at all (no launchctl, no GUI session): planning would be guesswork, so stop.
    if (isLotusctlError(e) && FATAL.has(e.code)) throw e;
    return { known: false, reason: isLotusctlError(e) ? e.message : String((e as Error)?.message ?? e) };
  }
}

/**
 * Read what the machine has for every desired job and every job the manifest (or an interrupted step) names, and
 * what earlier crashed runs left (`extraFolders`: other folders lotusctl writes, e.g. the report folder).
 * One print-disabled per domain and one print per job, all run concurrently; read-only.
 */
export async function observe(desired: DesiredState, lc: Launchctl, opts: { extraFolders?: readonly string[] } = {}): Promise<ActualState> {
  const known = new Map(desired.jobs.map((j) => [j.plistPath, { digest: sha256(j.plistText), dict: j.plist }] as const));
  const actual = await observeScope(desired.stateDir, { targets: desired.jobs, directories: desired.jobs.flatMap((j) => j.directories) }, lc, known);
  const leftovers = await findLeftovers(desired.stateDir, Object.values(actual.jobs).map((j) => j.plistPath), opts.extraFolders ?? []);
  return leftovers.length > 0 ? { ...actual, leftovers } : actual;
}

/** Steps an earlier apply began and did not finish; `inProgress` while the run that began them still holds the lock. */
async function interruptedSteps(stateDir: string): Promise<InterruptedStep[]> {
  const entries = readJournal(stateDir);
  if (entries.length === 0) return [];
  const lock = await lockStatus(stateDir).catch(() => undefined);
  return entries.map(({ lockId, ...e }) => ({ ...e, inProgress: lock !== undefined && lock.holder.id === lockId && lock.liveness.verdict !== 'dead' }));
}

/**
 * Observe a given set of jobs and folders (a saved plan's scope) plus everything the manifest and the journal name.
 * A label is observed in every domain it is recorded or wanted in: a job whose domain changed is looked at in both.
 */
export async function observeScope(stateDir: string, scope: ObservedScope, lc: Launchctl, known: ReadonlyMap<string, KnownRendering> = new Map()): Promise<ActualState> {
  const manifest = readManifest(stateDir);
  const interrupted = await interruptedSteps(stateDir);
  const targets = new Map<string, Target>();
  for (const m of Object.values(manifest.jobs)) targets.set(jobKey(m), { label: m.label, domain: m.domain, plistPath: m.plistPath });
  for (const e of interrupted) {
    for (const t of [e, ...(e.from ? [e.from] : [])]) if (!targets.has(jobKey(t))) targets.set(jobKey(t), { label: t.label, domain: t.domain, plistPath: t.plistPath });
  }
  for (const j of scope.targets) targets.set(jobKey(j), { label: j.label, domain: j.domain, plistPath: j.plistPath });

  const domains = new Map<string, DomainTarget>();
  for (const t of targets.values()) domains.set(domainTarget(t.domain), t.domain);
  // Every launchctl call goes out in one concurrent round (one round trip, not two): a job's print does not wait for
  // its domain's print-disabled, only the reading of the answer does.
  const disabledByDomain = new Map<string, Promise<Record<string, boolean> | Error>>();
  for (const [key, d] of domains) {
    const p = lc.printDisabled(d).catch((e: Error) => {
      if (isLotusctlError(e) && FATAL.has(e.code)) throw e;
      return e;
    });
    p.catch(() => undefined); // a fatal failure is rethrown below; this only keeps it from going unhandled meanwhile
    disabledByDomain.set(key, p);
  }

  const jobs: Record<string, ActualJob> = {};
  const reads = await Promise.allSettled([...targets.values()].map(async (t) => {
    const [file, job] = await Promise.all([
      Promise.resolve().then(() => observePlistFile(t.plistPath, known.get(t.plistPath))),
      jobState(lc, t, disabledByDomain.get(domainTarget(t.domain)) ?? Promise.resolve(new Error('no domain'))),
    ]);
    jobs[jobKey(t)] = { ...t, file, job };
  }));
  // Same precedence as when print-disabled ran first: its fatal failure wins over a job's.
  for (const p of disabledByDomain.values()) await p;
  for (const r of reads) if (r.status === 'rejected') throw r.reason;

  const directories: Record<string, boolean> = {};
  for (const d of new Set(scope.directories)) directories[d] = existsSync(d);
  // Whether each owning spec still exists: the records of a spec that moved without a name may be adopted.
  const specs: Record<string, boolean> = {};
  for (const o of [...Object.values(manifest.jobs).map((m) => m.owner), ...interrupted.map((e) => e.owner)]) if (o) specs[o.spec] = existsSync(o.spec);
  return { jobs, manifest, directories, specs, ...(interrupted.length > 0 ? { interrupted } : {}) };
}
