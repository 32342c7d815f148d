// A launchd plist -> a lotus.yaml service: the inverse of serviceJob in desired.ts. Pure.
// Besides the service it returns `expected`, the plist as launchd understands it, normalized: what lotusctl must
// render from the service. The importer checks that it does, so a mapping mistake can never slip into a job.
import { posix } from 'node:path';
import type { DomainKind } from '../launchd/domain.js';
import { isValidLabel } from '../launchd/domain.js';
import { PLIST_KEYS, plistValueMatches } from '../launchd/plist-keys.js';
import type { PlistData, PlistDict } from '../model/desired.js';
import { LotusctlError } from '../model/errors.js';
import { PROCESS_TYPES, SERVICE_NAME_PATTERN, SESSION_TYPES } from './schema.js';
import { defaultSessionType } from './desired.js';
import { unwrapWaitForVolume, volumeRootOf, waitForVolume } from './places.js';
import { defaultLabel } from './semantic.js';
import { formatSize } from './units.js';

/** launchd's own search path for a bare program name (_PATH_STDPATH, specs/launchd-behaviour.md §1). */
export const LAUNCHD_SEARCH_PATH = ['/usr/bin', '/bin', '/usr/sbin', '/sbin'] as const;

/** What the importer did to a key, for the report: `repaired` changes what the job does, `reload`: plan reloads it. */
export type ImportNoteKind = 'normalized' | 'repaired' | 'dropped' | 'extra' | 'secret' | 'reload';

export interface ImportNote {
  readonly kind: ImportNoteKind;
  readonly key: string;
  readonly message: string;
}

/** Where a bare program name is found: on launchd's search path, and on lotusctl's (PATH plus Homebrew). */
export interface ProgramLookup {
  readonly launchd: string | null;
  readonly host: string | null;
}

export interface ImportContext {
  /** The service name to give it (see serviceNameFor). */
  readonly name: string;
  /** Written as `domain:` when set (the job's domain differs from defaults.domain). */
  readonly domain?: DomainKind;
  /** Written as `state: stopped` for a job launchd has not loaded. */
  readonly state?: 'stopped';
  readonly home: string;
  /** Folder of lotus.yaml; secret files go to `<specDir>/secrets/`. */
  readonly specDir: string;
  /** Every bare program name the plist uses (see bareProgram), looked up by the shell. */
  readonly programs: Readonly<Record<string, ProgramLookup>>;
  /** `exit timeout` launchd printed for the loaded job: what it applies when the plist has no ExitTimeOut. */
  readonly printedExitTimeout?: number;
  /** The domain the job will be in (defaults.domain when `domain` is unset); default `gui`. */
  readonly jobDomain?: DomainKind;
  /** Where this machine mounts volumes, and its wait4path (HostFacts): to recognise lotusctl's own wait4path start. */
  readonly volumesDir?: string;
  readonly wait4path?: string;
}

export interface ImportedSecret {
  readonly env: string;
  /** Absolute path of the file to write. */
  readonly path: string;
  /** The path as lotus.yaml gives it (relative to its folder). */
  readonly ref: string;
  readonly value: string;
}

export interface ImportedService {
  readonly name: string;
  readonly label: string;
  /** services.<name> for lotus.yaml, keys in the order specs/lotus-yaml.md documents them. */
  readonly service: Record<string, unknown>;
  /** The plist as launchd understands it, normalized: exactly what lotusctl must render from `service`. */
  readonly expected: PlistDict;
  readonly secrets: readonly ImportedSecret[];
  readonly notes: readonly ImportNote[];
  /** False when `expected` would make the job behave differently from the plist it was loaded from (a repair). */
  readonly equivalent: boolean;
}

// launchd's default ExitTimeOut as modern macOS prints it (specs/launchd-behaviour.md §1, "exit timeout = 5").
export const LAUNCHD_DEFAULT_EXIT_TIMEOUT = 5;

// Names whose values are credentials: they go to a 0600 file referenced by secret_env, never into lotus.yaml (kept in git).
const SECRET_NAME = /(^|_)(TOKEN|SECRET|PASSWORD|PASSWD|PASSPHRASE|PRIVATE_KEY|API_KEY|ACCESS_KEY)$/i;
const API_INFO = /_API_INFO$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const ACCOUNT = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

const LIMITS: ReadonlyArray<{ key: string; field: string; unit: 'count' | 'bytes' | 'seconds' }> = [
  { key: 'NumberOfFiles', field: 'open_files', unit: 'count' },
  { key: 'NumberOfProcesses', field: 'processes', unit: 'count' },
  { key: 'Core', field: 'core', unit: 'bytes' },
  { key: 'CPU', field: 'cpu', unit: 'seconds' },
  { key: 'Data', field: 'data', unit: 'bytes' },
  { key: 'FileSize', field: 'file_size', unit: 'bytes' },
  { key: 'MemoryLock', field: 'memory_lock', unit: 'bytes' },
  { key: 'ResidentSetSize', field: 'resident_set_size', unit: 'bytes' },
  { key: 'Stack', field: 'stack', unit: 'bytes' },
];

const KEEP_ALIVE: ReadonlyArray<{ key: string; field: string; kind: 'bool' | 'paths' | 'labels' }> = [
  { key: 'SuccessfulExit', field: 'successful_exit', kind: 'bool' },
  { key: 'Crashed', field: 'crashed', kind: 'bool' },
  { key: 'PathState', field: 'path_state', kind: 'paths' },
  { key: 'OtherJobEnabled', field: 'other_job_enabled', kind: 'labels' },
  { key: 'AfterInitialDemand', field: 'after_initial_demand', kind: 'bool' },
  { key: 'NetworkState', field: 'network_state', kind: 'bool' },
];

const isDict = (v: unknown): v is PlistDict => v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date) && !(v instanceof Uint8Array);

/** The program a plist runs when it is a bare name (no `/`, no `~`): the shell looks these up. */
export function bareProgram(dict: PlistDict): string | undefined {
  const args = dict.ProgramArguments;
  const p = typeof dict.Program === 'string' ? dict.Program : Array.isArray(args) && typeof args[0] === 'string' ? args[0] : undefined;
  return p !== undefined && p !== '' && !p.includes('/') && !p.startsWith('~') ? p : undefined;
}

/**
 * A service name for a job: `daemon`, `miner` or `worker` for the Lotus binaries, else the label's last part.
 * The caller refuses it when it collides with a service already in lotus.yaml.
 */
export function serviceNameFor(dict: PlistDict): string {
  const args = Array.isArray(dict.ProgramArguments) ? dict.ProgramArguments.filter((a): a is string => typeof a === 'string') : [];
  const program = typeof dict.Program === 'string' ? dict.Program : args[0] ?? '';
  const base = posix.basename(program);
  if (base === 'lotus' && args[1] === 'daemon') return 'daemon';
  if (base === 'lotus-miner') return 'miner';
  if (base === 'lotus-worker') return 'worker';
  const label = typeof dict.Label === 'string' ? dict.Label : '';
  const last = (label.split('.').filter(Boolean).pop() ?? '').toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^[^a-z]+/, '').replace(/-+$/, '').slice(0, 63);
  return SERVICE_NAME_PATTERN.test(last) ? last : 'service';
}

function unsupported(key: string, message: string, hint = 'fix the plist (launchd.plist(5)) and import again, or write this service in lotus.yaml by hand'): LotusctlError {
  return new LotusctlError('import.unsupported', `${key}: ${message}`, { hint });
}

/** `~` or `~/…` as the home folder, for a path lotus.yaml can show shorter. */
function shown(abs: string, home: string): string {
  if (home === '/' || home === '') return abs;
  if (abs === home) return '~';
  return abs.startsWith(`${home}/`) ? `~${abs.slice(home.length)}` : abs;
}

const clean = (p: string): string => posix.normalize(p).replace(/(.)\/$/, '$1');

/** Turns a plist value into a plain JSON-able value for lotus.yaml, or throws for dates and data (no YAML form that round-trips). */
function plain(key: string, v: unknown): PlistData {
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw unsupported(key, 'is not a finite number');
    return v;
  }
  if (Array.isArray(v)) return v.map((x, i) => plain(`${key}[${i}]`, x));
  if (isDict(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(`${key}.${k}`, x)]));
  throw unsupported(key, `holds a ${v instanceof Date ? 'date' : v instanceof Uint8Array ? 'data' : typeof v} value, which lotus.yaml cannot express`);
}

/** Umask as launchd reads it: an integer, or a string read by strtoul with base 0 ("022" octal, "0x12" hex, "18" decimal). */
function umaskValue(v: unknown): number {
  let n: number;
  if (typeof v === 'number') n = v;
  else if (typeof v === 'string' && /^0[xX][0-9a-fA-F]+$/.test(v.trim())) n = parseInt(v.trim().slice(2), 16);
  else if (typeof v === 'string' && /^0[0-7]*$/.test(v.trim())) n = parseInt(v.trim(), 8);
  else if (typeof v === 'string' && /^[1-9][0-9]*$/.test(v.trim())) n = parseInt(v.trim(), 10);
  else throw unsupported('Umask', `${JSON.stringify(v)} is not a number launchd can read`);
  if (!Number.isInteger(n) || n < 0 || n > 0o777) throw unsupported('Umask', `${JSON.stringify(v)} is outside 0…0777`);
  return n;
}

/** Map one plist to a service. Throws import.unsupported for what lotus.yaml cannot express (nothing is guessed). */
/**
 * ProgramArguments without lotusctl's own wait4path start (places.ts) when lotus.yaml renders it again exactly (the
 * repo, LOTUS_PATH, is on that volume and this machine's wait4path is the one named); otherwise the argv as written.
 */
function unwrapWait4path(argv: string[] | undefined, dict: PlistDict, ctx: ImportContext, note: (kind: ImportNoteKind, key: string, message: string) => void): { argv: string[] | undefined; start: string[] } {
  const as = { argv, start: [] };
  const w = argv === undefined ? undefined : unwrapWaitForVolume(argv);
  if (w === undefined || w.wait4path !== (ctx.wait4path ?? '/bin/wait4path')) return as;
  const repo = isDict(dict.EnvironmentVariables) ? dict.EnvironmentVariables.LOTUS_PATH : undefined;
  if (typeof repo !== 'string' || !posix.isAbsolute(repo)) return as;
  if (volumeRootOf(posix.normalize(repo), ctx.volumesDir ?? '/Volumes') !== w.volume) return as;
  note('normalized', 'ProgramArguments', `the ${w.wait4path} ${w.volume} start is lotusctl's own for a repo on a volume; lotus.yaml puts it back from repo`);
  return { argv: w.argv, start: waitForVolume(w.wait4path, w.volume, []) };
}

export function importPlist(dict: PlistDict, ctx: ImportContext): ImportedService {
  const notes: ImportNote[] = [];
  const note = (kind: ImportNoteKind, key: string, message: string) => notes.push({ kind, key, message });
  const svc: Record<string, unknown> = {};
  const exp: PlistDict = {};
  const { home } = ctx;

  const label = dict.Label;
  if (typeof label !== 'string' || !isValidLabel(label)) {
    throw unsupported('Label', typeof label === 'string' ? `"${label}" is not a label lotusctl accepts (letters, digits, ".", "_", "-"; no "..")` : 'is missing or not a string');
  }
  exp.Label = label;
  if (label !== defaultLabel(ctx.name)) svc.label = label;
  if (ctx.domain !== undefined) svc.domain = ctx.domain;
  if (ctx.state !== undefined) svc.state = ctx.state;

  const str = (key: string): string | undefined => {
    const v = dict[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'string') throw unsupported(key, 'must be a string');
    return v;
  };
  const bool = (key: string): boolean | undefined => {
    const v = dict[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'boolean') throw unsupported(key, 'must be true or false');
    return v;
  };
  const int = (key: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined => {
    const v = dict[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw unsupported(key, `must be a whole number from ${min}${max === Number.MAX_SAFE_INTEGER ? '' : ` to ${max}`}`);
    return v;
  };

  // Paths as launchd sees them: it expands nothing, and a relative path is relative to the job's working folder
  // (WorkingDirectory, else `/`): launchd chdirs there before it opens Std*Path and execs (job_setup_attributes
  // in Apple's open-source launchd_core_logic.c; launchd.plist(5) is silent).
  const wdRaw = str('WorkingDirectory');
  const absolute = (key: string, p: string, cwd: string, tilde: 'repair' | 'equivalent'): string => {
    if (p === '') throw unsupported(key, 'is empty');
    if (p === '~' || p.startsWith('~/')) {
      const out = clean(home + p.slice(1));
      if (tilde === 'repair') note('repaired', key, `"${p}": launchd does not expand ~, so the job could not use this path; lotus.yaml gives ${out}`);
      else note('normalized', key, `"${p}" is ${out} (Lotus expands ~ itself)`);
      return out;
    }
    const out = clean(posix.isAbsolute(p) ? p : posix.join(cwd, p));
    if (out !== p) note('normalized', key, `"${p}" is ${out}${posix.isAbsolute(p) ? '' : ` (relative to ${cwd})`}`);
    return out;
  };
  const wd = wdRaw === undefined ? undefined : absolute('WorkingDirectory', wdRaw, '/', 'repair');
  const cwd = wd ?? '/';

  // Program and arguments.
  const argvRaw = dict.ProgramArguments;
  if (argvRaw !== undefined && (!Array.isArray(argvRaw) || !argvRaw.every((a) => typeof a === 'string'))) throw unsupported('ProgramArguments', 'must be a list of strings');
  const { argv, start } = unwrapWait4path(argvRaw as string[] | undefined, dict, ctx, note);
  const programKey = str('Program');
  if (programKey === undefined && (argv === undefined || argv.length === 0)) throw unsupported('ProgramArguments', 'the plist names no program (neither Program nor ProgramArguments)');
  const program0 = programKey ?? (argv?.[0] as string);
  if (programKey !== undefined && argv !== undefined && argv.length > 0 && argv[0] !== programKey) {
    // lotus.yaml has one program field: ProgramArguments[0] becomes the program path.
    if (posix.basename(argv[0] as string) === posix.basename(programKey)) note('normalized', 'Program', `argv[0] "${argv[0]}" becomes "${programKey}" (the same program)`);
    else note('repaired', 'Program', `runs ${programKey} with argv[0] "${argv[0]}"; lotus.yaml passes the program path as argv[0]`);
  } else if (programKey !== undefined) {
    note('normalized', 'Program', 'Program is written as ProgramArguments[0]');
  }
  const args = argv === undefined ? [] : argv.slice(1);
  let program: string;
  if (program0 === '') throw unsupported('ProgramArguments', 'the program is an empty string');
  if (program0.includes('/') || program0.startsWith('~')) {
    program = absolute('ProgramArguments[0]', program0, cwd, 'repair');
  } else {
    const found = ctx.programs[program0] ?? { launchd: null, host: null };
    if (found.launchd) {
      program = found.launchd;
      note('normalized', 'ProgramArguments[0]', `"${program0}" is ${program} on launchd's search path`);
    } else if (found.host) {
      program = found.host;
      note('repaired', 'ProgramArguments[0]', `launchd looks for "${program0}" only in ${LAUNCHD_SEARCH_PATH.join(':')}, where it is not, so the job fails with EX_CONFIG (78); lotus.yaml gives ${program}`);
    } else {
      program = program0;
      note('normalized', 'ProgramArguments[0]', `"${program0}" was found neither on launchd's search path nor on PATH; kept as a bare name (plan warns)`);
    }
  }
  svc.program = program.includes('/') ? shown(program, home) : program;
  if (args.length > 0) svc.args = args;
  exp.ProgramArguments = [...start, program, ...args];

  // Environment: LOTUS_PATH becomes repo, credentials go to secret files, the rest stays env.
  const envRaw = dict.EnvironmentVariables;
  const env: Record<string, string> = {};
  const secretEnv: Record<string, { file: string }> = {};
  const secrets: ImportedSecret[] = [];
  const expEnv: PlistDict = {};
  if (envRaw !== undefined) {
    if (!isDict(envRaw)) throw unsupported('EnvironmentVariables', 'must be a dictionary');
    for (const k of Object.keys(envRaw).sort()) {
      const v = envRaw[k];
      if (typeof v !== 'string') {
        note('dropped', `EnvironmentVariables.${k}`, `is a ${Array.isArray(v) ? 'list' : typeof v}, and launchd ignores values that are not strings (launchd.plist(5)); set it as a string if you meant it`);
        continue;
      }
      if (!ENV_NAME.test(k)) throw unsupported(`EnvironmentVariables.${k}`, 'is not a name lotus.yaml accepts (letters, digits and "_")');
      if (k === 'LOTUS_PATH' && v !== '') {
        const repo = absolute('EnvironmentVariables.LOTUS_PATH', v, cwd, 'equivalent');
        svc.repo = shown(repo, home);
        expEnv.LOTUS_PATH = repo;
      } else if (SECRET_NAME.test(k) || (API_INFO.test(k) && v.includes(':') && !v.startsWith('/'))) {
        const ref = `secrets/${ctx.name}.${k}`;
        secrets.push({ env: k, path: posix.join(ctx.specDir, ref), ref, value: v });
        secretEnv[k] = { file: ref };
        expEnv[k] = v;
        note('secret', `EnvironmentVariables.${k}`, `holds a credential: written to ${ref} (mode 0600) and referenced by secret_env, not copied into lotus.yaml`);
      } else {
        env[k] = v;
        expEnv[k] = v;
      }
    }
  }
  if (Object.keys(env).length > 0) svc.env = env;
  if (Object.keys(secretEnv).length > 0) svc.secret_env = secretEnv;
  if (Object.keys(expEnv).length > 0) exp.EnvironmentVariables = expEnv;
  else if (envRaw !== undefined) note('normalized', 'EnvironmentVariables', 'an empty dictionary is left out');

  if (wd !== undefined) {
    svc.working_directory = shown(wd, home);
    exp.WorkingDirectory = wd;
  }

  const outRaw = str('StandardOutPath');
  const errRaw = str('StandardErrorPath');
  const out = outRaw === undefined ? undefined : absolute('StandardOutPath', outRaw, cwd, 'repair');
  const err = errRaw === undefined ? undefined : absolute('StandardErrorPath', errRaw, cwd, 'repair');
  if (out !== undefined || err !== undefined) {
    const dir = out !== undefined && err !== undefined && posix.dirname(out) === posix.dirname(err) ? posix.dirname(out) : undefined;
    if (dir !== undefined && posix.basename(out as string) === `${ctx.name}.out.log` && posix.basename(err as string) === `${ctx.name}.err.log`) {
      svc.logs = { dir: shown(dir, home) };
    } else {
      svc.logs = { ...(out !== undefined ? { stdout: shown(out, home) } : {}), ...(err !== undefined ? { stderr: shown(err, home) } : {}) };
    }
    if (out !== undefined) exp.StandardOutPath = out;
    if (err !== undefined) exp.StandardErrorPath = err;
  }

  // lotus.yaml always writes RunAtLoad, KeepAlive and ExitTimeOut; an absent key is written as the value launchd uses.
  const runAtLoad = bool('RunAtLoad');
  if (runAtLoad === undefined) note('normalized', 'RunAtLoad', 'absent means false; written as false');
  if (runAtLoad !== true) svc.run_at_load = false;
  exp.RunAtLoad = runAtLoad ?? false;

  const ka = dict.KeepAlive;
  if (ka === undefined || typeof ka === 'boolean') {
    if (ka === undefined) note('normalized', 'KeepAlive', 'absent means false; written as false');
    svc.keep_alive = ka ?? false;
    exp.KeepAlive = ka ?? false;
  } else if (isDict(ka)) {
    const y: Record<string, unknown> = {};
    const p: PlistDict = {};
    for (const k of Object.keys(ka)) {
      const spec = KEEP_ALIVE.find((s) => s.key === k);
      if (!spec) {
        // unverified: launchd.plist(5) lists no other condition; we assume launchd ignores what it does not know.
        note('dropped', `KeepAlive.${k}`, 'is not a KeepAlive condition launchd documents');
        continue;
      }
      const v = ka[k];
      if (spec.kind === 'bool') {
        if (typeof v !== 'boolean') throw unsupported(`KeepAlive.${k}`, 'must be true or false');
      } else if (!isDict(v) || !Object.values(v).every((b) => typeof b === 'boolean')) {
        throw unsupported(`KeepAlive.${k}`, `must map ${spec.kind === 'paths' ? 'paths' : 'labels'} to true or false`);
      } else if (spec.kind === 'labels' && !Object.keys(v).every(isValidLabel)) {
        throw unsupported(`KeepAlive.${k}`, 'names a label lotusctl does not accept');
      } else if (spec.kind === 'paths' && Object.keys(v).some((path) => path === '' || path.includes('\0'))) {
        throw unsupported(`KeepAlive.${k}`, 'holds an empty path');
      }
      y[spec.field] = isDict(v) ? { ...v } : v;
      p[k] = isDict(v) ? { ...v } : (v as boolean);
    }
    const isDefault = Object.keys(y).length === 1 && y.successful_exit === false;
    if (!isDefault) svc.keep_alive = y;
    exp.KeepAlive = p;
  } else {
    throw unsupported('KeepAlive', 'must be true, false or a dictionary of conditions');
  }

  const throttle = int('ThrottleInterval', 0);
  if (throttle !== undefined) {
    svc.throttle_interval = `${throttle}s`;
    exp.ThrottleInterval = throttle;
  }
  let exitTimeout = int('ExitTimeOut', 0);
  if (exitTimeout === undefined) {
    exitTimeout = ctx.printedExitTimeout ?? LAUNCHD_DEFAULT_EXIT_TIMEOUT;
    note('normalized', 'ExitTimeOut', `absent: launchd ${ctx.printedExitTimeout !== undefined ? 'applies' : 'would apply'} ${exitTimeout}s${ctx.printedExitTimeout !== undefined ? ' to the loaded job' : ''}, written as exit_timeout: ${exitTimeout}s (lotusctl optimize proposes more for Lotus)`);
  }
  svc.exit_timeout = `${exitTimeout}s`;
  exp.ExitTimeOut = exitTimeout;

  const processType = str('ProcessType');
  if (processType !== undefined) {
    if (!(PROCESS_TYPES as readonly string[]).includes(processType)) throw unsupported('ProcessType', `"${processType}" is not one of ${PROCESS_TYPES.join(', ')}`);
    svc.process_type = processType;
    exp.ProcessType = processType;
  }
  const nice = int('Nice', -20, 20);
  if (nice !== undefined) {
    svc.nice = nice;
    exp.Nice = nice;
  }
  for (const [key, field] of [['LowPriorityIO', 'low_priority_io'], ['LowPriorityBackgroundIO', 'low_priority_background_io']] as const) {
    const b = bool(key);
    if (b !== undefined) {
      svc[field] = b;
      exp[key] = b;
    }
  }
  if (dict.Umask !== undefined) {
    const u = umaskValue(dict.Umask);
    svc.umask = `0${u.toString(8).padStart(2, '0')}`;
    exp.Umask = u;
    if (typeof dict.Umask === 'string') note('normalized', 'Umask', `"${dict.Umask}" is written as the integer ${u} (octal ${svc.umask})`);
  }
  for (const [key, field] of [['UserName', 'user'], ['GroupName', 'group']] as const) {
    const s = str(key);
    if (s === undefined) continue;
    if (!ACCOUNT.test(s)) throw unsupported(key, `"${s}" is not a user or group name lotus.yaml accepts`);
    svc[field] = s;
    exp[key] = s;
  }
  const session = dict.LimitLoadToSessionType;
  if (session !== undefined) {
    const list = typeof session === 'string' ? [session] : Array.isArray(session) ? session : undefined;
    if (!list || list.length === 0 || !list.every((s) => typeof s === 'string' && (SESSION_TYPES as readonly string[]).includes(s))) {
      throw unsupported('LimitLoadToSessionType', `must be one or a list of ${SESSION_TYPES.join(', ')}`);
    }
    // The session type lotus.yaml gives the job's domain anyway (desired.ts) is not written out again.
    if (session !== defaultSessionType(ctx.jobDomain ?? 'gui')) svc.session_type = typeof session === 'string' ? session : [...list];
    exp.LimitLoadToSessionType = typeof session === 'string' ? session : [...(list as string[])];
  } else if (defaultSessionType(ctx.jobDomain ?? 'gui') !== undefined) {
    // launchd.plist(5): no LimitLoadToSessionType means Aqua, which a user/<uid> (background) session refuses.
    const given = defaultSessionType(ctx.jobDomain ?? 'gui') as string;
    note('repaired', 'LimitLoadToSessionType', `absent means Aqua, which launchd refuses in ${ctx.jobDomain}/<uid>; lotus.yaml's domain: ${ctx.jobDomain} gives ${given}`);
    exp.LimitLoadToSessionType = given;
  }
  const abandon = bool('AbandonProcessGroup');
  if (abandon !== undefined) {
    svc.abandon_process_group = abandon;
    exp.AbandonProcessGroup = abandon;
  }

  // Resource limits, with units lotus.yaml reads back to the same number.
  const limits: Record<string, Record<string, unknown>> = {};
  for (const [key, side] of [['SoftResourceLimits', 'soft'], ['HardResourceLimits', 'hard']] as const) {
    const raw = dict[key];
    if (raw === undefined) continue;
    if (!isDict(raw)) throw unsupported(key, 'must be a dictionary');
    const e: PlistDict = {};
    for (const sub of Object.keys(raw)) {
      const l = LIMITS.find((x) => x.key === sub);
      if (!l) {
        // unverified: setrlimit has no other resource launchd documents; we assume it ignores unknown names.
        note('dropped', `${key}.${sub}`, 'is not a resource limit launchd documents');
        continue;
      }
      const v = raw[sub];
      if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw unsupported(`${key}.${sub}`, 'must be a whole number, 0 or more');
      const value = l.unit === 'seconds' ? `${v}s` : l.unit === 'bytes' && v >= 1024 && formatSize(v).match(/^\d+[KMGT]iB$/) ? formatSize(v) : v;
      limits[l.field] = { ...(limits[l.field] ?? {}), [side]: value };
      e[sub] = v;
    }
    if (Object.keys(e).length > 0) exp[key] = e;
    else note('normalized', key, 'an empty dictionary is left out');
  }
  if (Object.keys(limits).length > 0) {
    // Schema order, soft before hard.
    svc.limits = Object.fromEntries(LIMITS.filter((l) => limits[l.field]).map((l) => {
      const pair = limits[l.field] as Record<string, unknown>;
      return [l.field, { ...('soft' in pair ? { soft: pair.soft } : {}), ...('hard' in pair ? { hard: pair.hard } : {}) }];
    }));
  }

  const disabled = dict.Disabled;
  let equivalentDisabled = true;
  if (disabled !== undefined) {
    if (typeof disabled !== 'boolean') throw unsupported('Disabled', 'must be true or false');
    if (disabled) {
      equivalentDisabled = false;
      note('repaired', 'Disabled', 'lotus.yaml has no Disabled key (state says whether the job is loaded); without it launchd loads the plist at login');
    } else {
      note('normalized', 'Disabled', 'false is the default and is left out');
    }
  }

  // Everything else: launchd keys lotus.yaml has no field for go to plist_extra; keys launchd does not know are dropped.
  const handled = new Set(['Label', 'Program', 'ProgramArguments', 'EnvironmentVariables', 'WorkingDirectory', 'StandardOutPath', 'StandardErrorPath', 'RunAtLoad',
    'KeepAlive', 'ThrottleInterval', 'ExitTimeOut', 'ProcessType', 'Nice', 'LowPriorityIO', 'LowPriorityBackgroundIO', 'Umask', 'UserName', 'GroupName',
    'LimitLoadToSessionType', 'AbandonProcessGroup', 'SoftResourceLimits', 'HardResourceLimits', 'Disabled']);
  const extra: Record<string, PlistData> = {};
  for (const key of Object.keys(dict).sort()) {
    if (handled.has(key)) continue;
    const info = PLIST_KEYS[key];
    if (!info) {
      // unverified: launchd.plist(5) does not say so, but tools add comment keys and launchd loads such plists.
      note('dropped', key, 'is not a launchd.plist(5) key');
      continue;
    }
    const v = plain(key, dict[key]);
    if (!plistValueMatches(info.type, v)) throw unsupported(key, `must be ${info.type.replace('|', ' or ')}`);
    extra[key] = v;
    exp[key] = v;
    note('extra', key, `kept in plist_extra${info.obsolete ? ` (${info.obsolete}; validate warns)` : ''}`);
  }
  if (Object.keys(extra).length > 0) svc.plist_extra = extra;

  const order = ['label', 'domain', 'state', 'program', 'args', 'repo', 'env', 'secret_env', 'working_directory', 'logs', 'run_at_load', 'keep_alive', 'throttle_interval',
    'exit_timeout', 'process_type', 'nice', 'low_priority_io', 'low_priority_background_io', 'umask', 'user', 'group', 'session_type', 'abandon_process_group', 'limits', 'plist_extra'];
  const service = Object.fromEntries(order.filter((k) => k in svc).map((k) => [k, svc[k]]));
  return {
    name: ctx.name, label, service, expected: exp, secrets, notes,
    equivalent: equivalentDisabled && !notes.some((n) => n.kind === 'repaired'),
  };
}
