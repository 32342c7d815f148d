// Finds a job to import, by label or by plist path: its plist (XML or binary), where launchd has it loaded, and
// what launchd applies to it. Read-only: only `launchctl print` runs, never anything that starts or stops a job.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { domainTarget, isValidLabel, type DomainKind, type DomainTarget } from '../launchd/domain.js';
import { NOT_A_FILE_DIGEST, type LoadedDefinition } from '../model/actual.js';
import type { PlistDict } from '../model/desired.js';
import { isLotusctlError, LotusctlError } from '../model/errors.js';
import type { Launchctl } from '../system/launchctl.js';
import { loadedDefinition } from './observe.js';
import { readPlistFile } from './plist-file.js';

/** Where a plist file lies: launchd loads the first two at login/boot; lotusctl manages neither of the others. */
export type PlistLocation = 'agents' | 'daemons' | 'global-agents' | 'elsewhere';

export interface LoadedJob {
  readonly domain: DomainTarget;
  readonly pid?: number;
  /** The plist launchd says it loaded the job from. */
  readonly path?: string;
  readonly exitTimeout?: number;
  /** What print shows launchd loaded, as the planner compares it with the plist. */
  readonly definition: LoadedDefinition;
}

export interface LocatedJob {
  /** What the user named (a label or a path). */
  readonly arg: string;
  readonly label: string;
  readonly sourcePath: string;
  readonly format: 'xml' | 'binary';
  readonly dict: PlistDict;
  readonly location: PlistLocation;
  /** Where it is loaded; undefined when launchd does not have it. */
  readonly loaded?: LoadedJob;
  /** The domain lotus.yaml gives it: where it is loaded, else what its folder and session type say. */
  readonly domain: DomainKind;
  /** launchd has a disable override for the label in that domain; undefined when print-disabled could not be read. */
  readonly disabled?: boolean;
}

/** Whether `label` carries a disable override in the domain of kind `kind` (print-disabled); undefined if unreadable. */
async function disabledIn(label: string, kind: DomainKind, o: LocateOptions): Promise<boolean | undefined> {
  try {
    return (await o.lc.printDisabled(domains(o, [kind])[0] as DomainTarget))[label] === true;
  } catch {
    return undefined;
  }
}

export interface LocateOptions {
  readonly lc: Launchctl;
  readonly home: string;
  readonly uid: number;
  readonly systemDaemonsDir: string;
}

function locationOf(path: string, o: LocateOptions): PlistLocation {
  const dir = dirname(path);
  if (dir === join(o.home, 'Library/LaunchAgents')) return 'agents';
  if (dir === resolve(o.systemDaemonsDir)) return 'daemons';
  if (dir === '/Library/LaunchAgents') return 'global-agents';
  return 'elsewhere';
}

function domains(o: LocateOptions, kinds: readonly DomainKind[]): DomainTarget[] {
  return kinds.map((k) => (k === 'system' ? { kind: 'system' as const } : { kind: k, uid: o.uid }));
}

/** Where `label` is loaded among `candidates` (one print each). A domain that cannot be read counts as "not there". */
async function findLoaded(label: string, candidates: readonly DomainTarget[], o: LocateOptions): Promise<LoadedJob[]> {
  const found = await Promise.all(candidates.map(async (d): Promise<LoadedJob | undefined> => {
    try {
      const p = await o.lc.print(d, label);
      if (!p) return undefined;
      const x = p.parsed;
      return { domain: d, ...(x.pid !== undefined ? { pid: x.pid } : {}), ...(x.path ? { path: x.path } : {}), ...(x.exitTimeout !== undefined ? { exitTimeout: x.exitTimeout } : {}), definition: loadedDefinition(x) };
    } catch (e) {
      // No GUI session, or launchctl refused: the job is not loaded there as far as import can tell.
      if (isLotusctlError(e) && (e.code === 'launchctl.spawn-failed' || e.code === 'launchd.unsupported-platform')) throw e;
      return undefined;
    }
  }));
  return found.filter((f): f is LoadedJob => f !== undefined);
}

function readDict(path: string): { dict: PlistDict; format: 'xml' | 'binary' } {
  let f: ReturnType<typeof readPlistFile>;
  try {
    f = readPlistFile(path);
  } catch (e) {
    throw new LotusctlError('import.unreadable', `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { hint: 'check its permissions (plists in /Library/LaunchDaemons need sudo)', cause: e });
  }
  if (!f.exists) throw new LotusctlError('import.not-found', `${path}: no such file`, { hint: 'give the path of a plist, or the label of a loaded job' });
  // A FIFO or device there is `invalid` too, with why (src/observe/observe.ts readPlistFile).
  if (f.format === 'invalid' || !f.dict) throw new LotusctlError('import.invalid-plist', `${path} is not a readable property list (XML or binary)${f.digest === NOT_A_FILE_DIGEST && f.problem ? `: ${f.problem}` : ''}`, { hint: 'check it with plutil -lint; launchd cannot load it either' });
  return { dict: f.dict, format: f.format };
}

function sessionIsBackground(dict: PlistDict): boolean {
  const s = dict.LimitLoadToSessionType;
  return s === 'Background' || (Array.isArray(s) && s.length === 1 && s[0] === 'Background');
}

function choose(label: string, loaded: LoadedJob[], what: string): LoadedJob | undefined {
  if (loaded.length > 1) {
    throw new LotusctlError('import.ambiguous', `${label} is loaded in ${loaded.map((l) => domainTarget(l.domain)).join(' and ')}`, {
      hint: `boot out the copy you do not want, or import ${what} by its plist path`,
    });
  }
  return loaded[0];
}

/** A label (`com.example.lotus`) or a plist path (anything with a `/` or ending in `.plist`). */
export async function locateJob(arg: string, o: LocateOptions): Promise<LocatedJob> {
  const isPath = arg.includes('/') || arg.endsWith('.plist');
  if (isPath) {
    const sourcePath = resolve(arg);
    const { dict, format } = readDict(sourcePath);
    const label = dict.Label;
    if (typeof label !== 'string' || !isValidLabel(label)) {
      throw new LotusctlError('import.unsupported', `${sourcePath}: Label ${typeof label === 'string' ? `"${label}" is not a label lotusctl accepts` : 'is missing'}`, { hint: 'launchd needs a Label; fix the plist and import again' });
    }
    const location = locationOf(sourcePath, o);
    const kinds: DomainKind[] = location === 'agents' ? ['gui', 'user'] : location === 'daemons' ? ['system'] : ['gui', 'user', 'system'];
    const loaded = choose(label, await findLoaded(label, domains(o, kinds), o), sourcePath);
    const domain: DomainKind = loaded?.domain.kind ?? (location === 'daemons' ? 'system' : sessionIsBackground(dict) ? 'user' : 'gui');
    const disabled = await disabledIn(label, domain, o);
    return { arg, label, sourcePath, format, dict, location, ...(loaded ? { loaded } : {}), domain, ...(disabled !== undefined ? { disabled } : {}) };
  }

  if (!isValidLabel(arg)) throw new LotusctlError('import.not-found', `"${arg}" is neither a plist path nor a launchd label`, { hint: 'give a label such as com.example.lotus, or the path of its plist' });
  const loaded = choose(arg, await findLoaded(arg, domains(o, ['gui', 'user', 'system']), o), 'it');
  let sourcePath: string | undefined;
  if (loaded) {
    sourcePath = loaded.path;
    if (!sourcePath || !existsSync(sourcePath)) {
      throw new LotusctlError('import.no-plist', `${arg} is loaded in ${domainTarget(loaded.domain)}${sourcePath ? ` from ${sourcePath}, which no longer exists` : ', but launchctl print names no plist file'}`, {
        hint: 'lotusctl adopts a job from its plist; put the plist back (or write the service in lotus.yaml by hand)',
      });
    }
  } else {
    const candidates = [join(o.home, 'Library/LaunchAgents', `${arg}.plist`), join(o.systemDaemonsDir, `${arg}.plist`), join('/Library/LaunchAgents', `${arg}.plist`)];
    sourcePath = candidates.find((c) => existsSync(c));
    if (!sourcePath) {
      throw new LotusctlError('import.not-found', `no job ${arg} is loaded (gui/${o.uid}, user/${o.uid}, system) and no ${arg}.plist is in ${candidates.map((c) => dirname(c)).join(', ')}`, {
        hint: 'check the label with launchctl list, or give the plist path',
      });
    }
  }
  const { dict, format } = readDict(sourcePath);
  if (dict.Label !== arg) {
    throw new LotusctlError('import.label-mismatch', `${sourcePath} has Label ${JSON.stringify(dict.Label)}, not ${arg}`, { hint: `launchd loaded ${arg} from a plist that was changed since; import it by path, or reload it first` });
  }
  const location = locationOf(sourcePath, o);
  const domain: DomainKind = loaded?.domain.kind ?? (location === 'daemons' ? 'system' : sessionIsBackground(dict) ? 'user' : 'gui');
  const disabled = await disabledIn(arg, domain, o);
  return { arg, label: arg, sourcePath, format, dict, location, ...(loaded ? { loaded } : {}), domain, ...(disabled !== undefined ? { disabled } : {}) };
}
