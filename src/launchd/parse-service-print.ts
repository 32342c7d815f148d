import type { LastExit } from './exit-status.js';
import {
  childBlock,
  headerBlock,
  parsePrintTree,
  readInt,
  readList,
  readMap,
  scalar,
  scalars,
  splitProperties,
  type PrintBlock,
} from './print-grammar.js';

/**
 * What `launchctl print <service-target>` says about one job (specs/launchd-behaviour.md §5).
 * Every optional field is absent when the output does not contain it or it cannot be read; nothing is defaulted.
 * `lastExit` is `unknown` unless exactly one readable exit-information line is present.
 */
export interface ServicePrint {
  /** Header name: `gui/501/<label>`, `system/<label>`, or the bare label on 10.10. */
  target?: string;
  label?: string;
  state?: string;
  /** Present only while running. */
  pid?: number;
  runs?: number;
  activeCount?: number;
  program?: string;
  arguments?: string[];
  environment?: Record<string, string>;
  defaultEnvironment?: Record<string, string>;
  inheritedEnvironment?: Record<string, string>;
  /** 10.10's name for the default environment block; kept separate rather than merged. */
  globalEnvironment?: Record<string, string>;
  path?: string;
  type?: string;
  /** Domain without the `[asid]` suffix: `system`, `gui/501`; 10.10 prints `com.apple.xpc.launchd.domain.system`. */
  domain?: string;
  asid?: number;
  workingDirectory?: string;
  stdoutPath?: string;
  stderrPath?: string;
  username?: string;
  group?: string;
  /** Octal digits as printed (`22` for 022). */
  umask?: string;
  nice?: number;
  exitTimeout?: number;
  /** = ThrottleInterval. */
  minimumRuntime?: number;
  baseMinimumRuntime?: number;
  immediateReason?: string;
  jobState?: string;
  forks?: number;
  /** `execs = 0` after a spawn means the program never ran (specs/launchd-behaviour.md §9). */
  execs?: number;
  spawnType?: { name: string; code?: number };
  /** e.g. `{ 'maxfiles (soft)': 10240 }`; non-numeric limits are left out. */
  resourceLimits?: Record<string, number>;
  semaphores?: Record<string, number>;
  /** Pipe-separated flags; [] when the line is missing or empty. */
  properties: string[];
  lastExit: LastExit;
  lastExitReason?: string;
  successiveCrashes?: number;
  /** StartInterval in seconds. */
  runInterval?: number;
  /** Set (true) only when the header block never closed (a cut-off paste): fields after the cut are simply absent. */
  truncated?: boolean;
}

const DOMAIN_TARGET = /^(?:system|(?:gui|user|login|pid|session)\/\d+)\/(.+)$/;

/** Parses `launchctl print <service-target>` output. Never throws; garbage gives `{ properties: [], lastExit: unknown }`. */
export function parseServicePrint(text: string): ServicePrint {
  const root = parsePrintTree(text);
  const header = headerBlock(root);
  const b = header ?? root;
  const out: ServicePrint = { properties: [], lastExit: { kind: 'unknown' } };
  if (header !== undefined && !header.closed) out.truncated = true;
  const set = <K extends keyof ServicePrint>(k: K, v: ServicePrint[K] | undefined): void => {
    if (v !== undefined) out[k] = v;
  };
  const str = (key: string): string | undefined => {
    const v = scalar(b, key);
    return v === undefined || v === '' ? undefined : v;
  };
  const nonNeg = (key: string): number | undefined => {
    const n = readInt(scalar(b, key));
    return n !== undefined && n >= 0 ? n : undefined;
  };

  const target = header !== undefined && /^\S+$/.test(header.key) ? header.key : undefined;
  set('target', target);
  const environment = stringMap(childBlock(b, 'environment'));
  // §5: `environment` always contains XPC_SERVICE_NAME => <label>; used only when the header names no label.
  set('label', labelFromTarget(target) ?? nonEmpty(environment?.['XPC_SERVICE_NAME']));
  set('state', str('state'));
  const pid = readInt(scalar(b, 'pid'));
  set('pid', pid !== undefined && pid > 0 ? pid : undefined);
  set('runs', nonNeg('runs'));
  set('activeCount', nonNeg('active count'));
  set('program', str('program'));
  const args = childBlock(b, 'arguments');
  set('arguments', args?.closed === true ? readList(args) : undefined);
  set('environment', environment);
  set('defaultEnvironment', stringMap(childBlock(b, 'default environment')));
  set('inheritedEnvironment', stringMap(childBlock(b, 'inherited environment')));
  set('globalEnvironment', stringMap(childBlock(b, 'global environment')));
  set('path', str('path'));
  set('type', str('type'));

  const domainRaw = str('domain');
  const dm = domainRaw === undefined ? null : /^(\S+)(?:\s+\[(\d+)\])?$/.exec(domainRaw);
  set('domain', dm?.[1]);
  const asidLine = nonNeg('asid');
  const asidBracket = readInt(dm?.[2]);
  // Two sources that disagree: trust neither.
  set('asid', asidLine !== undefined && asidBracket !== undefined && asidLine !== asidBracket ? undefined : (asidLine ?? asidBracket));

  set('workingDirectory', str('working directory'));
  set('stdoutPath', str('stdout path'));
  set('stderrPath', str('stderr path'));
  set('username', str('username'));
  set('group', str('group'));
  const umask = str('umask');
  set('umask', umask !== undefined && /^[0-7]{1,4}$/.test(umask) ? umask : undefined);
  set('nice', readInt(scalar(b, 'nice')));
  set('exitTimeout', nonNeg('exit timeout'));
  set('minimumRuntime', nonNeg('minimum runtime'));
  set('baseMinimumRuntime', nonNeg('base minimum runtime'));
  set('immediateReason', str('immediate reason'));
  set('jobState', str('job state'));
  set('forks', nonNeg('forks'));
  set('execs', nonNeg('execs'));
  set('spawnType', readSpawnType(str('spawn type')));
  set('resourceLimits', numberMap(childBlock(b, 'resource limits')));
  set('semaphores', numberMap(childBlock(b, 'semaphores')));
  const props = scalar(b, 'properties');
  out.properties = props === undefined ? [] : splitProperties(props);
  set('successiveCrashes', nonNeg('successive crashes'));
  const interval = /^(\d+)(?:\s+seconds?)?$/.exec(str('run interval') ?? '');
  set('runInterval', readInt(interval?.[1]));

  const reason = str('last exit reason');
  set('lastExitReason', reason);
  out.lastExit = readLastExit(scalars(b, 'last exit code'), scalars(b, 'last terminating signal'), scalars(b, 'last exit reason'));
  return out;
}

function nonEmpty(s: string | undefined): string | undefined {
  return s === undefined || s === '' ? undefined : s;
}

function labelFromTarget(target: string | undefined): string | undefined {
  if (target === undefined) return undefined;
  const m = DOMAIN_TARGET.exec(target);
  if (m !== null) return m[1];
  // 10.10 printed the bare label as the header (§5); any other slashed form is not a shape we know.
  return target.includes('/') ? undefined : target;
}

function readSpawnType(v: string | undefined): { name: string; code?: number } | undefined {
  if (v === undefined) return undefined;
  const m = /^(.*?)\s*\((-?\d+)\)$/.exec(v);
  if (m === null) return { name: v };
  const code = readInt(m[2]);
  const name = m[1] ?? '';
  if (name === '') return undefined;
  return code === undefined ? { name } : { name, code };
}

function stringMap(block: PrintBlock | undefined): Record<string, string> | undefined {
  if (block === undefined || !block.closed) return undefined;
  return Object.fromEntries(readMap(block));
}

function numberMap(block: PrintBlock | undefined): Record<string, number> | undefined {
  if (block === undefined || !block.closed) return undefined;
  const out: Array<[string, number]> = [];
  for (const [k, v] of readMap(block)) {
    const n = readInt(v);
    if (n !== undefined) out.push([k, n]);
  }
  return Object.fromEntries(out);
}

/**
 * Exit information (§5): at most one of `last exit code` / `last terminating signal`; a lone
 * `last exit reason = JETSAM_…` means the system reclaimed the job. More than one line, or an unreadable one, is unknown.
 */
function readLastExit(codes: readonly string[], signals: readonly string[], reasons: readonly string[]): LastExit {
  const unknown: LastExit = { kind: 'unknown' };
  if (codes.length + signals.length > 1) return unknown;
  const code = codes[0];
  if (code !== undefined) return readExitCode(code);
  const sig = signals[0];
  if (sig !== undefined) return readSignal(sig);
  const distinct = [...new Set(reasons.map((r) => r.trim()).filter((r) => r !== ''))];
  const reason = distinct[0];
  // Only JETSAM_* reasons are documented as "no exit code line" (§1, §5); any other reason alone is not understood.
  if (distinct.length === 1 && reason !== undefined && /^JETSAM_[A-Z0-9_]+$/.test(reason)) return { kind: 'reclaimed', reason };
  return unknown;
}

function readExitCode(v: string): LastExit {
  const t = v.trim();
  if (t === '(never exited)') return { kind: 'never' };
  const m = /^(\d+)(?::\s*(\S.*))?$/.exec(t);
  const code = readInt(m?.[1]);
  if (m === null || code === undefined || code > 255) return { kind: 'unknown' };
  const name = m[2]?.trim();
  return name === undefined || name === '' ? { kind: 'code', code } : { kind: 'code', code, name };
}

function readSignal(v: string): LastExit {
  // strsignal() text, then `: <n>` (`Killed: 9`, `Segmentation fault: 11`).
  const m = /^(.*?):\s*(\d+)$/.exec(v.trim());
  const signal = readInt(m?.[2]);
  if (m === null || signal === undefined || signal < 1 || signal > 127) return { kind: 'unknown' };
  const name = m[1]?.trim();
  return name === undefined || name === '' ? { kind: 'signal', signal } : { kind: 'signal', signal, name };
}
