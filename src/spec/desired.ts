import { posix } from 'node:path';
import type { DesiredJob, DesiredState, PlistDict } from '../model/desired.js';
import type { Diagnostic } from '../model/diagnostic.js';
import type { HostFacts } from '../model/host.js';
import { plistDirFor } from '../launchd/domain.js';
import { renderPlist } from '../launchd/plist-render.js';
import { invalidXmlCharIndex } from '../launchd/xml-chars.js';
import { resolvePath } from './paths.js';
import type { KeepAliveSpec, LimitsSpec, MonitorSpec, ServiceSpec, Spec } from './schema.js';
import { serviceLabel } from './semantic.js';
import { durationSeconds, parseDuration, parseSize } from './units.js';

type Located = Omit<Diagnostic, 'line' | 'col'>;

const LIMIT_KEYS: Record<keyof LimitsSpec, { key: string; unit: 'count' | 'bytes' | 'seconds' }> = {
  open_files: { key: 'NumberOfFiles', unit: 'count' },
  processes: { key: 'NumberOfProcesses', unit: 'count' },
  core: { key: 'Core', unit: 'bytes' },
  cpu: { key: 'CPU', unit: 'seconds' },
  data: { key: 'Data', unit: 'bytes' },
  file_size: { key: 'FileSize', unit: 'bytes' },
  memory_lock: { key: 'MemoryLock', unit: 'bytes' },
  resident_set_size: { key: 'ResidentSetSize', unit: 'bytes' },
  stack: { key: 'Stack', unit: 'bytes' },
};

function limitValue(v: unknown, unit: 'count' | 'bytes' | 'seconds'): number {
  if (unit === 'seconds') return durationSeconds(String(v));
  if (unit === 'bytes') return parseSize(v as string | number) as number;
  return v as number;
}

function resourceLimits(limits: LimitsSpec | undefined): { soft: PlistDict; hard: PlistDict } {
  const soft: PlistDict = {};
  const hard: PlistDict = {};
  for (const [field, { key, unit }] of Object.entries(LIMIT_KEYS) as Array<[keyof LimitsSpec, (typeof LIMIT_KEYS)[keyof LimitsSpec]]>) {
    const pair = limits?.[field] as { soft?: unknown; hard?: unknown } | undefined;
    if (pair?.soft !== undefined) soft[key] = limitValue(pair.soft, unit);
    if (pair?.hard !== undefined) hard[key] = limitValue(pair.hard, unit);
  }
  return { soft, hard };
}

function keepAlive(k: KeepAliveSpec): boolean | PlistDict {
  if (typeof k === 'boolean') return k;
  const out: PlistDict = {};
  if (k.successful_exit !== undefined) out.SuccessfulExit = k.successful_exit;
  if (k.crashed !== undefined) out.Crashed = k.crashed;
  if (k.path_state) out.PathState = { ...k.path_state };
  if (k.other_job_enabled) out.OtherJobEnabled = { ...k.other_job_enabled };
  if (k.after_initial_demand !== undefined) out.AfterInitialDemand = k.after_initial_demand;
  if (k.network_state !== undefined) out.NetworkState = k.network_state;
  return out;
}

function umask(u: number | string): number {
  // A plist has no octal integers: launchd reads an integer Umask as decimal (launchd.plist(5)), so "022" is written as 18.
  return typeof u === 'number' ? u : parseInt(u, 8);
}

function resolveProgram(program: string, host: HostFacts, baseDir: string, path: (string | number)[], out: Located[]): string {
  if (program.includes('/') || program.startsWith('~') || program.startsWith('$HOME')) return resolvePath(program, host.home, baseDir);
  const found = host.programs[program];
  if (found) return found;
  out.push({
    severity: 'warning', code: 'lint.program-not-absolute', path,
    message: `"${program}" was not found on the search path, so the plist keeps a bare name; launchd searches only /usr/bin:/bin:/usr/sbin:/sbin and fails with EX_CONFIG`,
    hint: 'give the absolute path, e.g. /opt/homebrew/bin/lotus, or install it on PATH before planning',
  });
  return program;
}

/** The first string (or key) in a plist that XML cannot carry, as a key path; undefined when there is none. */
function invalidTextAt(v: unknown, path: string): string | undefined {
  if (typeof v === 'string') return invalidXmlCharIndex(v) >= 0 ? path : undefined;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const at = invalidTextAt(v[i], `${path}[${i}]`);
      if (at !== undefined) return at;
    }
  } else if (v !== null && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      const at = invalidXmlCharIndex(k) >= 0 ? path : invalidTextAt(x, path ? `${path}.${k}` : k);
      if (at !== undefined) return at;
    }
  }
  return undefined;
}

/**
 * The plist text, or '' after reporting why it cannot be written. The spec's own strings were checked at validate
 * time; what is left comes from the machine (HOME, PATH, the spec's folder), so the error says so.
 */
function checkedRender(plist: PlistDict, path: (string | number)[], out: Located[]): string {
  const at = invalidTextAt(plist, '');
  if (at === undefined) return renderPlist(plist);
  out.push({
    severity: 'error', code: 'spec.invalid-character', path,
    message: `${at} would hold a character a launchd plist cannot carry; it comes from this machine (HOME, PATH or the spec's folder)`,
    hint: 'remove control characters from HOME, PATH and the path of the spec file',
  });
  return '';
}

const SECRET_PROBLEM_CODES: Record<string, string> = {
  missing: 'spec.secret-unreadable', unreadable: 'spec.secret-unreadable', 'not-regular': 'spec.secret-not-a-file', 'too-large': 'spec.secret-too-large', 'not-utf8': 'spec.secret-not-text',
};

/**
 * A secret's value, or undefined after reporting why it cannot be used. The messages name the variable and the file,
 * never the content: not even the offending character, which is part of the secret.
 */
function secretValue(key: string, file: string, host: HostFacts, path: (string | number)[], out: Located[]): string | undefined {
  const value = host.secrets[file];
  if (value === undefined) {
    const problem = host.secretProblems?.[file] ?? { kind: 'unreadable', detail: 'cannot read' };
    out.push({
      severity: 'error', code: SECRET_PROBLEM_CODES[problem.kind] ?? 'spec.secret-unreadable', path,
      message: `the secret file ${file} for ${key}: ${problem.detail}`,
      hint: problem.kind === 'missing' ? 'create the file, or fix its path' : problem.kind === 'too-large' ? 'a secret file holds one value, such as an API token: check that this is the right file'
        : problem.kind === 'not-regular' ? 'point secret_env at a regular file that holds only the value' : problem.kind === 'not-utf8' ? 'save the file as UTF-8 text' : 'check its permissions',
    });
    return undefined;
  }
  if (invalidXmlCharIndex(value) >= 0) {
    out.push({
      severity: 'error', code: 'spec.secret-invalid-character', path,
      message: `the secret file ${file} for ${key} holds a character a launchd plist cannot carry (a control character other than tab, newline and carriage return)`,
      hint: `remove it (od -c ${file} shows it): launchd reads environment values from the plist, which is XML 1.0`,
    });
    return undefined;
  }
  const mode = host.secretModes?.[file];
  if (mode !== undefined && (mode & 0o066) !== 0) {
    const others = (mode & 0o006) !== 0 ? mode & 0o006 : (mode & 0o060) >> 3;
    const can = others === 0o006 ? 'read and changed' : others === 0o004 ? 'read' : 'changed';
    out.push({
      severity: 'warning', code: 'lint.secret-file-readable', path,
      message: `the secret file ${file} for ${key} can be ${can} by ${(mode & 0o006) !== 0 ? 'every user on this Mac' : 'its group'} (mode ${(mode & 0o777).toString(8).padStart(4, '0')})`,
      hint: `chmod 600 ${file}`,
    });
  }
  return value;
}

function serviceJob(spec: Spec, name: string, s: ServiceSpec, host: HostFacts, out: Located[]): DesiredJob {
  const base = posix.dirname(host.specPath);
  const abs = (p: string) => resolvePath(p, host.home, base);
  const at = (...rest: (string | number)[]) => ['services', name, ...rest];
  const label = serviceLabel(spec, name);
  const kind = s.domain ?? spec.defaults.domain;
  const domain = kind === 'system' ? { kind } : { kind, uid: host.uid };
  const program = resolveProgram(s.program, host, base, at('program'), out);

  const env: PlistDict = { ...s.env };
  if (s.repo !== undefined) env.LOTUS_PATH = abs(s.repo);
  const sensitiveKeys: string[] = [];
  for (const [key, ref] of Object.entries(s.secret_env)) {
    const file = abs(ref.file);
    const value = secretValue(key, file, host, at('secret_env', key, 'file'), out);
    if (value === undefined) continue;
    env[key] = value;
    sensitiveKeys.push(key);
  }

  const stdoutPath = s.logs?.stdout ? abs(s.logs.stdout) : s.logs?.dir ? posix.join(abs(s.logs.dir), `${name}.out.log`) : undefined;
  const stderrPath = s.logs?.stderr ? abs(s.logs.stderr) : s.logs?.dir ? posix.join(abs(s.logs.dir), `${name}.err.log`) : undefined;
  const directories = [...new Set([stdoutPath, stderrPath].filter((p): p is string => p !== undefined).map((p) => posix.dirname(p)))].sort();

  const plist: PlistDict = {
    Label: label,
    ProgramArguments: [program, ...s.args],
    RunAtLoad: s.run_at_load,
    KeepAlive: keepAlive(s.keep_alive),
    ExitTimeOut: durationSeconds(s.exit_timeout),
  };
  if (Object.keys(env).length > 0) plist.EnvironmentVariables = env;
  if (s.working_directory !== undefined) plist.WorkingDirectory = abs(s.working_directory);
  if (stdoutPath) plist.StandardOutPath = stdoutPath;
  if (stderrPath) plist.StandardErrorPath = stderrPath;
  if (s.throttle_interval !== undefined) plist.ThrottleInterval = durationSeconds(s.throttle_interval);
  if (s.process_type !== undefined) plist.ProcessType = s.process_type;
  if (s.nice !== undefined) plist.Nice = s.nice;
  if (s.low_priority_io !== undefined) plist.LowPriorityIO = s.low_priority_io;
  if (s.low_priority_background_io !== undefined) plist.LowPriorityBackgroundIO = s.low_priority_background_io;
  if (s.umask !== undefined) plist.Umask = umask(s.umask);
  if (s.user !== undefined) plist.UserName = s.user;
  if (s.group !== undefined) plist.GroupName = s.group;
  if (s.session_type !== undefined) plist.LimitLoadToSessionType = Array.isArray(s.session_type) ? [...s.session_type] : s.session_type;
  if (s.abandon_process_group !== undefined) plist.AbandonProcessGroup = s.abandon_process_group;
  const limits = resourceLimits(s.limits);
  if (Object.keys(limits.soft).length > 0) plist.SoftResourceLimits = limits.soft;
  if (Object.keys(limits.hard).length > 0) plist.HardResourceLimits = limits.hard;
  Object.assign(plist, s.plist_extra as PlistDict);

  const health = s.health;
  const healthView = health
    ? { api: health.api, startupGraceMs: parseDuration(health.startup_grace) ?? 0, maxChainLag: health.max_chain_lag, minPeers: health.min_peers }
    : s.repo !== undefined ? { api: 'auto', startupGraceMs: 300_000, maxChainLag: 5, minPeers: 1 } : undefined;
  return {
    name, kind: 'service', label, domain, state: s.state,
    plistPath: posix.join(plistDirFor(kind, host.home, host.systemDaemonsDir), `${label}.plist`),
    plist, plistText: checkedRender(plist, ['services', name], out), plistMode: sensitiveKeys.length > 0 ? 0o600 : 0o644,
    sensitiveKeys: sensitiveKeys.sort(), directories, dependsOn: [...s.depends_on],
    throttleSeconds: s.throttle_interval !== undefined ? durationSeconds(s.throttle_interval) : 10,
    exitTimeoutSeconds: durationSeconds(s.exit_timeout),
    ...(stdoutPath ? { stdoutPath } : {}), ...(stderrPath ? { stderrPath } : {}),
    ...(s.repo !== undefined ? { repo: abs(s.repo) } : {}),
    ...(healthView ? { health: healthView } : {}),
    // What the monitor probes, recorded at apply so it watches what was applied (src/monitor/applied.ts).
    watch: {
      ...(healthView ? { health: healthView } : {}),
      ...(s.repo !== undefined ? { repo: abs(s.repo) } : {}),
    },
  };
}

function monitorJob(spec: Spec, m: MonitorSpec, host: HostFacts, out: Located[]): DesiredJob {
  const kind = spec.defaults.domain;
  const domain = kind === 'system' ? { kind } : { kind, uid: host.uid };
  const logDir = posix.join(host.home, 'Library/Logs/lotusctl');
  const plist: PlistDict = {
    Label: m.label,
    // The schedule is an argument so that a schedule change is a plist change: plan shows it and apply reloads the job.
    ProgramArguments: [...host.lotusctlCommand, 'monitor', 'run', '--file', host.specPath, '--schedule', m.schedule],
    // launchd expands nothing and may not set HOME: the monitor must resolve `~` in lotus.yaml as apply did.
    EnvironmentVariables: { HOME: host.home },
    RunAtLoad: true,
    KeepAlive: { SuccessfulExit: false },
    ThrottleInterval: 10,
    ExitTimeOut: 60,
    ProcessType: 'Background',
    StandardOutPath: posix.join(logDir, 'monitor.out.log'),
    StandardErrorPath: posix.join(logDir, 'monitor.err.log'),
  };
  return {
    name: 'monitor', kind: 'monitor', label: m.label, domain, state: m.enabled ? 'running' : 'absent',
    plistPath: posix.join(plistDirFor(kind, host.home, host.systemDaemonsDir), `${m.label}.plist`),
    plist, plistText: checkedRender(plist, ['monitor'], out), plistMode: 0o644, sensitiveKeys: [], directories: [logDir],
    dependsOn: [], throttleSeconds: 10, exitTimeoutSeconds: 60,
    stdoutPath: plist.StandardOutPath as string, stderrPath: plist.StandardErrorPath as string,
    // The monitor section as applied: the running monitor's policy (thresholds, backoff, breaker, reports).
    watch: { settings: JSON.parse(JSON.stringify(m)) as Record<string, unknown> },
  };
}

/** Services in an order where each comes after everything it depends on (the spec has no cycles by now). */
export function dependencyOrder(spec: Spec): string[] {
  const order: string[] = [];
  const done = new Set<string>();
  const visit = (n: string) => {
    if (done.has(n)) return;
    done.add(n);
    for (const d of [...(spec.services[n]?.depends_on ?? [])].sort()) if (spec.services[d]) visit(d);
    order.push(n);
  };
  for (const n of Object.keys(spec.services).sort()) visit(n);
  return order;
}

export interface DesiredResult {
  readonly desired: DesiredState;
  /** Problems that need the host to see (a program not on PATH, an unreadable secret). */
  readonly diagnostics: readonly Located[];
}

/** The jobs a valid spec describes on this host. Pure: everything it needs is in `host`. */
export function toDesiredState(spec: Spec, host: HostFacts): DesiredResult {
  const diagnostics: Located[] = [];
  const jobs = dependencyOrder(spec).map((n) => serviceJob(spec, n, spec.services[n] as ServiceSpec, host, diagnostics));
  if (spec.monitor) jobs.push(monitorJob(spec, spec.monitor, host, diagnostics));
  const stateDir = resolvePath(spec.defaults.state_dir, host.home, posix.dirname(host.specPath));
  const owner = { spec: host.specPath, ...(spec.name !== undefined ? { name: spec.name } : {}) };
  return { desired: { jobs, stateDir, owner }, diagnostics };
}

/** The bare program names a spec uses, for the shell to look up before calling toDesiredState. */
export function programsToResolve(spec: Spec): string[] {
  return [...new Set(Object.values(spec.services).map((s) => s.program).filter((p) => !p.includes('/') && !p.startsWith('~') && !p.startsWith('$')))].sort();
}

/** The secret files a spec reads, as absolute paths. */
export function secretFiles(spec: Spec, home: string, specPath: string): string[] {
  const base = posix.dirname(specPath);
  return [...new Set(Object.values(spec.services).flatMap((s) => Object.values(s.secret_env).map((r) => resolvePath(r.file, home, base))))].sort();
}
