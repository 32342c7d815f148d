// A launchd.plist read and checked the way bootstrap does (specs/launchd-behaviour.md §1, §3, §8).
import { readFileSync, statSync } from 'node:fs';
import { parse, parseBinary, type PlistValue } from 'plist';

/** KeepAlive (specs/launchd-behaviour.md §1): absent/false, true, or a dictionary of conditions OR-ed together. */
export type KeepAlive =
  | { readonly kind: 'none' }
  | { readonly kind: 'always' }
  | {
      readonly kind: 'conditions';
      readonly successfulExit?: boolean;
      readonly crashed?: boolean;
      readonly pathState?: Readonly<Record<string, boolean>>;
      readonly otherJobEnabled?: Readonly<Record<string, boolean>>;
      readonly afterInitialDemand?: boolean;
    };

/** The plist resource-limit keys, with the `prlimit` option and the name `print` uses for each. */
export const RESOURCE_LIMITS: ReadonlyArray<{ key: string; prlimit: string; printName: string }> = [
  { key: 'Core', prlimit: 'core', printName: 'core' },
  { key: 'CPU', prlimit: 'cpu', printName: 'cpu' },
  { key: 'Data', prlimit: 'data', printName: 'data' },
  { key: 'FileSize', prlimit: 'fsize', printName: 'filesize' },
  { key: 'MemoryLock', prlimit: 'memlock', printName: 'memlock' },
  // `maxfiles` is seen (specs/launchd-behaviour.md §1); the other print names are guesses in launchd's style (unverified).
  { key: 'NumberOfFiles', prlimit: 'nofile', printName: 'maxfiles' },
  { key: 'NumberOfProcesses', prlimit: 'nproc', printName: 'maxproc' },
  { key: 'ResidentSetSize', prlimit: 'rss', printName: 'rss' },
  { key: 'Stack', prlimit: 'stack', printName: 'stack' },
];

/** A validated job definition: what the supervisor needs to run and print the job. Defaults are applied (§1). */
export interface JobDefinition {
  readonly label: string;
  /** The Program key, when set. */
  readonly program?: string;
  readonly programArguments?: readonly string[];
  /** Program, else ProgramArguments[0] ("inferred program"). */
  readonly executable: string;
  /** The argv the job gets: ProgramArguments, else [Program]. */
  readonly argv: readonly string[];
  readonly environment: ReadonlyArray<readonly [string, string]>;
  readonly workingDirectory?: string;
  readonly stdinPath?: string;
  readonly stdoutPath?: string;
  readonly stderrPath?: string;
  readonly runAtLoad: boolean;
  readonly keepAlive: KeepAlive;
  /** Seconds; default 10 (§1). */
  readonly throttleInterval: number;
  /** Seconds between SIGTERM and SIGKILL; default 5 as every modern sample prints (§1); 0 = never SIGKILL. */
  readonly exitTimeOut: number;
  readonly umask?: number;
  readonly nice?: number;
  readonly processType?: string;
  readonly softLimits: Readonly<Record<string, number>>;
  readonly hardLimits: Readonly<Record<string, number>>;
  readonly abandonProcessGroup: boolean;
  readonly userName?: string;
  readonly groupName?: string;
  /** The plist's own Disabled key: only a default, overridden by enable/disable (§1). */
  readonly disabledByDefault: boolean;
  readonly limitLoadToSessionType?: readonly string[];
  readonly lowPriorityIO: boolean;
  readonly enableTransactions: boolean;
  readonly enablePressuredExit: boolean;
}

/** Why a plist cannot be bootstrapped; `code` is the launchd error root gets with richer errors (§8). */
export type DefinitionError = { readonly code: 109 | 110 | 111 | 122; readonly reason: string };

export type ReadResult = { readonly ok: true; readonly def: JobDefinition } | ({ readonly ok: false } & DefinitionError);

type Dict = { [key: string]: PlistValue };

function isDict(v: PlistValue | undefined): v is Dict {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date) && !(v instanceof Uint8Array);
}

/** Reads a plist file (XML or binary) and validates it. `allowedOwners` are the uids that may own it ('any': no check). */
export function readJobPlist(path: string, allowedOwners: readonly number[] | 'any'): ReadResult {
  let bytes: Buffer;
  try {
    const st = statSync(path);
    if (!st.isFile()) return { ok: false, code: 109, reason: 'not a regular file' };
    // §1: must not be group- or world-writable, and must be owned by root or the loading user.
    if (allowedOwners !== 'any' && (st.mode & 0o022) !== 0) return { ok: false, code: 122, reason: 'group- or world-writable' };
    if (allowedOwners !== 'any' && !allowedOwners.includes(st.uid)) return { ok: false, code: 122, reason: `owned by uid ${st.uid}` };
    bytes = readFileSync(path);
  } catch (e) {
    return { ok: false, code: 109, reason: `unreadable: ${(e as Error).message}` };
  }
  let value: PlistValue;
  try {
    value = bytes.subarray(0, 6).toString('latin1') === 'bplist' ? parseBinary(bytes) : parse(bytes.toString('utf8'));
  } catch (e) {
    return { ok: false, code: 109, reason: `invalid plist: ${(e as Error).message}` };
  }
  return definitionFromPlist(value);
}

/** Validates a parsed plist into a JobDefinition (pure). */
export function definitionFromPlist(value: PlistValue): ReadResult {
  if (!isDict(value)) return { ok: false, code: 109, reason: 'top level is not a dictionary' };
  const label = value['Label'];
  if (typeof label !== 'string' || label === '') return { ok: false, code: 110, reason: 'missing Label' };
  const programRaw = value['Program'];
  const argsRaw = value['ProgramArguments'];
  const program = typeof programRaw === 'string' && programRaw !== '' ? programRaw : undefined;
  let programArguments: string[] | undefined;
  if (argsRaw !== undefined) {
    if (!Array.isArray(argsRaw) || !argsRaw.every((a): a is string => typeof a === 'string')) {
      return { ok: false, code: 111, reason: 'ProgramArguments is not an array of strings' };
    }
    programArguments = argsRaw.length > 0 ? argsRaw : undefined;
  }
  const executable = program ?? programArguments?.[0];
  if (executable === undefined || executable === '') return { ok: false, code: 111, reason: 'missing Program/ProgramArguments' };

  const str = (k: string): string | undefined => {
    const v = value[k];
    return typeof v === 'string' && v !== '' ? v : undefined;
  };
  const bool = (k: string): boolean => value[k] === true;
  const int = (k: string): number | undefined => {
    const v = value[k];
    return typeof v === 'number' && Number.isInteger(v) ? v : undefined;
  };

  // §1: non-string values in EnvironmentVariables are ignored.
  const envRaw = value['EnvironmentVariables'];
  const environment = isDict(envRaw)
    ? Object.entries(envRaw).filter((e): e is [string, string] => typeof e[1] === 'string')
    : [];

  const sessionRaw = value['LimitLoadToSessionType'];
  const limitLoadToSessionType =
    typeof sessionRaw === 'string' ? [sessionRaw] : Array.isArray(sessionRaw) ? sessionRaw.filter((s): s is string => typeof s === 'string') : undefined;

  return {
    ok: true,
    def: {
      label,
      ...(program !== undefined ? { program } : {}),
      ...(programArguments !== undefined ? { programArguments } : {}),
      executable,
      argv: programArguments ?? [executable],
      environment,
      ...opt('workingDirectory', str('WorkingDirectory')),
      ...opt('stdinPath', str('StandardInPath')),
      ...opt('stdoutPath', str('StandardOutPath')),
      ...opt('stderrPath', str('StandardErrorPath')),
      runAtLoad: bool('RunAtLoad'),
      keepAlive: readKeepAlive(value),
      throttleInterval: nonNegative(int('ThrottleInterval')) ?? 10,
      exitTimeOut: nonNegative(int('ExitTimeOut')) ?? 5,
      ...opt('umask', readUmask(value['Umask'])),
      ...opt('nice', int('Nice')),
      ...opt('processType', str('ProcessType')),
      softLimits: readLimits(value['SoftResourceLimits']),
      hardLimits: readLimits(value['HardResourceLimits']),
      abandonProcessGroup: bool('AbandonProcessGroup'),
      ...opt('userName', str('UserName')),
      ...opt('groupName', str('GroupName')),
      disabledByDefault: bool('Disabled'),
      ...opt('limitLoadToSessionType', limitLoadToSessionType),
      lowPriorityIO: bool('LowPriorityIO'),
      enableTransactions: bool('EnableTransactions'),
      enablePressuredExit: bool('EnablePressuredExit'),
    },
  };
}

/**
 * NumberOfFiles as the job really gets it: above kern.maxfilesperproc the kernel clamps RLIMIT_NOFILE to it (XNU's
 * setrlimit; from memory, unverified), and `print` then shows the clamped value. Without a ceiling: unchanged.
 */
export function clampLimits(def: JobDefinition, maxFilesPerProc: number | undefined): JobDefinition {
  if (maxFilesPerProc === undefined) return def;
  const clamp = (limits: Readonly<Record<string, number>>): Readonly<Record<string, number>> => {
    const n = limits['NumberOfFiles'];
    return n !== undefined && n > maxFilesPerProc ? { ...limits, NumberOfFiles: maxFilesPerProc } : limits;
  };
  return { ...def, softLimits: clamp(def.softLimits), hardLimits: clamp(def.hardLimits) };
}

function opt<K extends string, V>(key: K, v: V | undefined): { [P in K]?: V } {
  return (v === undefined ? {} : { [key]: v }) as { [P in K]?: V };
}

function nonNegative(n: number | undefined): number | undefined {
  return n !== undefined && n >= 0 ? n : undefined;
}

function readKeepAlive(d: Dict): KeepAlive {
  const v = d['KeepAlive'];
  if (v === true) return { kind: 'always' };
  // §1: OnDemand=false (deprecated) means the same as KeepAlive=true.
  if (v === undefined && d['OnDemand'] === false) return { kind: 'always' };
  if (!isDict(v)) return { kind: 'none' };
  const b = (k: string): boolean | undefined => (typeof v[k] === 'boolean' ? (v[k] as boolean) : undefined);
  const boolMap = (k: string): Record<string, boolean> | undefined => {
    const m = v[k];
    if (!isDict(m)) return undefined;
    const entries = Object.entries(m).filter((e): e is [string, boolean] => typeof e[1] === 'boolean');
    return entries.length > 0 ? Object.fromEntries(entries) : undefined;
  };
  return {
    kind: 'conditions',
    ...opt('successfulExit', b('SuccessfulExit')),
    ...opt('crashed', b('Crashed')),
    ...opt('pathState', boolMap('PathState')),
    ...opt('otherJobEnabled', boolMap('OtherJobEnabled')),
    ...opt('afterInitialDemand', b('AfterInitialDemand')),
  };
}

/** §1: an integer is the decimal value; a string goes through strtoul(…, 0), so a leading 0 means octal. */
function readUmask(v: PlistValue | undefined): number | undefined {
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0o777) return v;
  if (typeof v !== 'string') return undefined;
  const s = v.trim();
  const n = /^0x[0-9a-f]+$/i.test(s) ? parseInt(s.slice(2), 16) : /^0[0-7]*$/.test(s) ? parseInt(s, 8) : /^\d+$/.test(s) ? parseInt(s, 10) : NaN;
  return Number.isInteger(n) && n <= 0o777 ? n : undefined;
}

function readLimits(v: PlistValue | undefined): Record<string, number> {
  if (!isDict(v)) return {};
  const out: Record<string, number> = {};
  for (const { key } of RESOURCE_LIMITS) {
    const n = v[key];
    if (typeof n === 'number' && Number.isInteger(n) && n >= 0) out[key] = n;
  }
  return out;
}
