// The loaded job against its plist: launchd reads a plist only at bootstrap, so a file written (or restored) without
// a reload leaves the old definition running. `launchctl print` shows part of what was loaded
// (specs/launchd-behaviour.md §5); only what it shows reliably is compared, and what it does not show is unknown,
// never "different".
import type { LoadedDefinition } from '../model/actual.js';
import type { PlistData, PlistDict } from '../model/desired.js';

// print shows limits as `maxfiles (soft) => N` (§5); maxfiles is the only name a capture shows.
const PRINTED_LIMITS: Record<string, string> = { NumberOfFiles: 'maxfiles' };

/**
 * Variables launchd adds to `environment` itself (§5: XPC_SERVICE_NAME always; OSLogRateLimit and
 * MallocSpaceEfficient on recent releases). They are not in the plist, so their presence is no difference.
 */
const LAUNCHD_ENVIRONMENT = new Set(['XPC_SERVICE_NAME', 'OSLogRateLimit', 'MallocSpaceEfficient']);

/** Limits launchd applies to the loaded job that differ from the plist's, e.g. `maxfiles (soft) is 256, lotus.yaml says 16384`. */
export function limitsInEffectDiffer(plist: PlistDict, printed: Readonly<Record<string, number>> | undefined): string[] {
  if (!printed) return [];
  const out: string[] = [];
  for (const [which, key] of [['soft', 'SoftResourceLimits'], ['hard', 'HardResourceLimits']] as const) {
    const want = (plist[key] ?? {}) as PlistDict;
    for (const [plistKey, printName] of Object.entries(PRINTED_LIMITS)) {
      const w = want[plistKey];
      const have = printed[`${printName} (${which})`];
      if (typeof w === 'number' && have !== undefined && have !== w) out.push(`${printName} (${which}) is ${have}, the plist says ${w}`);
    }
  }
  return out;
}

const str = (v: PlistData | undefined): string | undefined => (typeof v === 'string' ? v : undefined);
const int = (v: PlistData | undefined): number | undefined => (typeof v === 'number' && Number.isSafeInteger(v) ? v : undefined);

/** A plist Umask as a number: an integer is decimal; a string goes through strtoul (leading 0: octal) (launchd.plist(5)). */
function umaskValue(v: PlistData | undefined): number | undefined {
  if (typeof v === 'number') return Number.isSafeInteger(v) ? v : undefined;
  if (typeof v !== 'string') return undefined;
  const t = v.trim();
  if (/^0[0-7]*$/.test(t)) return parseInt(t, 8);
  if (/^[1-9][0-9]*$/.test(t)) return parseInt(t, 10);
  return undefined;
}

/** A value print can show on one line as it is: no line breaks or tabs, no padding it would trim. */
const printable = (v: string) => !/[\n\r\t]/.test(v) && v.trim() === v;

/**
 * The plist keys whose loaded values differ from `plist`, by name only (environment values may be secret):
 * e.g. `ProgramArguments`, `EnvironmentVariables.GOLOG_LOG_LEVEL`, `loaded from /other/path.plist`.
 * Limits are left to limitsInEffectDiffer. [] when everything print shows agrees, or print shows nothing comparable.
 */
export function loadedDifferences(plist: PlistDict, def: LoadedDefinition | undefined, opts: { plistPath?: string; system?: boolean } = {}): string[] {
  if (!def) return [];
  const out: string[] = [];
  if (opts.plistPath !== undefined && def.path !== undefined && def.path !== opts.plistPath) out.push(`loaded from ${def.path}`);

  const args = plist.ProgramArguments;
  if (Array.isArray(args) && def.arguments !== undefined && args.every((a) => typeof a === 'string' && printable(a))) {
    if (args.length !== def.arguments.length || args.some((a, i) => a !== def.arguments?.[i])) out.push('ProgramArguments');
  }
  // `program` is what launchd resolved: compared only with an explicit absolute Program, not with an inferred one.
  const program = str(plist.Program);
  if (program !== undefined && program.startsWith('/') && def.program !== undefined && def.program !== program) out.push('Program');

  if (def.environment !== undefined) {
    const want = (plist.EnvironmentVariables ?? {}) as PlistDict;
    const have = def.environment;
    const names = new Set([...Object.keys(want), ...Object.keys(have)]);
    for (const name of [...names].sort()) {
      const w = want[name];
      if (w !== undefined && typeof w !== 'string') continue; // launchd ignores non-string values (launchd.plist(5))
      if (w !== undefined && !printable(w)) continue;
      const h = have[name];
      if (w === undefined ? !LAUNCHD_ENVIRONMENT.has(name) : h !== w) out.push(`EnvironmentVariables.${name}`);
    }
  }

  // Paths: a value the plist sets that print shows otherwise, or one print shows that the plist no longer has.
  for (const [key, printed] of [['WorkingDirectory', def.workingDirectory], ['StandardOutPath', def.stdoutPath], ['StandardErrorPath', def.stderrPath]] as const) {
    const w = str(plist[key]);
    if (printed === undefined) continue;
    if (w === undefined ? true : printable(w) && w !== printed) out.push(key);
  }
  // Numbers print always shows with a default when the plist has none: compared only when the plist sets them.
  for (const [key, printed] of [['ExitTimeOut', def.exitTimeout], ['ThrottleInterval', def.minimumRuntime], ['Nice', def.nice]] as const) {
    const w = int(plist[key]);
    if (w !== undefined && printed !== undefined && w !== printed) out.push(key);
  }
  const mask = umaskValue(plist.Umask);
  if (mask !== undefined && def.umask !== undefined && parseInt(def.umask, 8) !== mask) out.push('Umask');
  // UserName/GroupName are honoured only in the system domain (§1).
  if (opts.system) {
    for (const [key, printed] of [['UserName', def.username], ['GroupName', def.group]] as const) {
      const w = str(plist[key]);
      if (w !== undefined && printed !== undefined && w !== printed) out.push(key);
    }
  }
  return out;
}
