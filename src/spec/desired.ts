import { posix } from 'node:path';
import type { DesiredJob, DesiredState, PlistDict } from '../model/desired.js';
import type { Diagnostic, Note } from '../model/diagnostic.js';
import type { HostFacts } from '../model/host.js';
import { plistDirFor } from '../launchd/domain.js';
import { renderPlist } from '../launchd/plist-render.js';
import { invalidXmlCharIndex } from '../launchd/xml-chars.js';
import { PRIVACY_DIRS } from './lint.js';
import { resolvePath } from './paths.js';
import { privacyFolderOf, UNIX_FILESYSTEMS, volumeRootOf, waitForVolume } from './places.js';
import type { KeepAliveSpec, LimitsSpec, MonitorSpec, ServiceSpec, Spec } from './schema.js';
import { serviceLabel } from './semantic.js';
import { durationSeconds, parseDuration, parseSize } from './units.js';

type Located = Omit<Diagnostic, 'line' | 'col'>;
type Noted = Omit<Note, 'line' | 'col'>;

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

  // A repo on an external volume: start through wait4path, so that Lotus never runs (and initialises a fresh, empty
  // repo on the boot disk) before the volume is mounted, e.g. at boot (issue 9, item 7; nix-darwin starts its daemons
  // with `/bin/wait4path /nix/store && exec …` for the same reason, reported). The start is places.ts waitForVolume.
  const repoVolume = s.repo !== undefined ? volumeRootOf(abs(s.repo), host.volumesDir ?? '/Volumes') : undefined;
  const argv = repoVolume !== undefined
    ? waitForVolume(host.wait4path ?? '/bin/wait4path', repoVolume, [program, ...s.args])
    : [program, ...s.args];
  const plist: PlistDict = {
    Label: label,
    ProgramArguments: argv,
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
  const session = s.session_type ?? defaultSessionType(kind);
  if (session !== undefined) plist.LimitLoadToSessionType = Array.isArray(session) ? [...session] : session;
  if (s.abandon_process_group !== undefined) plist.AbandonProcessGroup = s.abandon_process_group;
  const limits = resourceLimits(s.limits);
  openFilesAgainstHost(name, s, host, out);
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

/**
 * open_files against this Mac's kern.maxfilesperproc (issue 9, item 8): above it, the kernel clamps the limit (or
 * launchd fails to set it) and Lotus, which asks for what LOTUS_FD_MAX or its default says, fails with "too many open
 * files" (specs/lotus-operations.md §4). Refused when known; when unknown, nothing is refused (validate says so).
 */
function openFilesAgainstHost(name: string, s: ServiceSpec, host: HostFacts, out: Located[]): void {
  const max = host.maxFilesPerProc;
  if (typeof max !== 'number') return;
  for (const which of ['soft', 'hard'] as const) {
    const v = s.limits?.open_files?.[which];
    if (v === undefined || v <= max) continue;
    out.push({
      severity: 'error', code: 'host.open-files-above-max', path: ['services', name, 'limits', 'open_files', which],
      message: `open_files ${which} ${v} is above this Mac's kern.maxfilesperproc (${max}): the kernel clamps the job to ${max}, and Lotus fails when it needs more`,
      hint: `use ${max} or less, or raise kern.maxfilesperproc first (sudo sysctl kern.maxfilesperproc=N, made permanent by a LaunchDaemon)`,
    });
  }
}

/**
 * LimitLoadToSessionType when the spec sets none. An agent without it is an Aqua agent (launchd.plist(5),
 * specs/launchd-behaviour.md §1): refused in user/<uid>. A `user` service says Background, and only Background: its
 * plist sits in ~/Library/LaunchAgents, and an Aqua login loads every agent there whose session types include Aqua
 * into gui/<uid>, which would start a second copy next to the one in user/<uid> (Homebrew lists all five types because
 * one plist must fit whichever domain `brew services` picks; lotusctl fixes the domain per service). See specs/domains.md.
 */
export function defaultSessionType(kind: 'gui' | 'user' | 'system'): string | undefined {
  return kind === 'user' ? 'Background' : undefined;
}

/**
 * The monitor's domain, from the services it watches (issue 9, item 5): it restarts them with `launchctl kickstart -k`,
 * and only root may change the system domain (man launchctl), so one LaunchDaemon puts the monitor in `system`;
 * otherwise `user` if any service is there (it outlives a GUI logout), else `gui`. Root can kickstart agents too.
 */
export function monitorDomain(spec: Spec): { kind: 'gui' | 'user' | 'system'; because?: string } {
  const live = Object.entries(spec.services).filter(([, s]) => s.state !== 'absent');
  for (const kind of ['system', 'user', 'gui'] as const) {
    const names = live.filter(([, s]) => (s.domain ?? spec.defaults.domain) === kind).map(([n]) => n);
    if (names.length > 0) return { kind, because: list(names) };
  }
  return { kind: spec.defaults.domain };
}

function monitorJob(spec: Spec, m: MonitorSpec, host: HostFacts, out: Located[]): DesiredJob {
  const kind = monitorDomain(spec).kind;
  const domain = kind === 'system' ? { kind } : { kind, uid: host.uid };
  if (host.lotusctlCommandWarning !== undefined) {
    out.push({
      severity: 'warning', code: 'lint.monitor-program-volatile', path: ['monitor'],
      message: `the monitor job would run ${host.lotusctlCommandWarning}: once that is gone, launchd fails the monitor with EX_CONFIG (78) and nothing restarts your node`,
      hint: 'install lotusctl so that `lotusctl` is on PATH (npm install -g lotusctl) and run it from there, with a node that has a stable path (Homebrew\'s); then apply again',
    });
  }
  // A LaunchDaemon monitor acting for the operator (sudo): it must reach their agents' domains and give what it writes
  // in their home to them, as `sudo lotusctl` does; it runs as root, so it is told whom for as sudo would tell it.
  const actFor: PlistDict = kind === 'system' && host.acting === 'sudo' && host.userName !== undefined
    ? { SUDO_USER: host.userName, SUDO_UID: String(host.uid), ...(host.gid !== undefined ? { SUDO_GID: String(host.gid) } : {}) }
    : {};
  const logDir = posix.join(host.home, 'Library/Logs/lotusctl');
  const plist: PlistDict = {
    Label: m.label,
    // The schedule is an argument so that a schedule change is a plist change: plan shows it and apply reloads the job.
    ProgramArguments: [...host.lotusctlCommand, 'monitor', 'run', '--file', host.specPath, '--schedule', m.schedule],
    // launchd expands nothing and may not set HOME: the monitor must resolve `~` in lotus.yaml as apply did.
    // The machine gives jobs its launchctl (and, in a sandbox, its tool doubles): only what differs per spec is here.
    EnvironmentVariables: { HOME: host.home, ...actFor },
    RunAtLoad: true,
    KeepAlive: { SuccessfulExit: false },
    ThrottleInterval: 10,
    ExitTimeOut: 60,
    ProcessType: 'Background',
    ...(defaultSessionType(kind) !== undefined ? { LimitLoadToSessionType: defaultSessionType(kind) as string } : {}),
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
  /** What the spec implies on this host (domains, the monitor's domain, host facts that could not be read). */
  readonly notes: readonly Noted[];
}

/** Every path a job uses, resolved against the spec's folder and the operator's home, with the field it comes from. */
export function jobPaths(spec: Spec, home: string, specPath: string): Array<{ at: (string | number)[]; what: string; raw: string; abs: string; kind: 'program' | 'logs' | 'other' }> {
  const base = posix.dirname(specPath);
  const abs = (p: string) => resolvePath(p, home, base);
  const out: ReturnType<typeof jobPaths> = [];
  for (const [name, s] of Object.entries(spec.services)) {
    if (s.state === 'absent') continue;
    const at = (...rest: (string | number)[]) => ['services', name, ...rest];
    if (s.program.includes('/') || s.program.startsWith('~') || s.program.startsWith('$')) out.push({ at: at('program'), what: 'program', raw: s.program, abs: abs(s.program), kind: 'program' });
    if (s.repo !== undefined) out.push({ at: at('repo'), what: 'repo', raw: s.repo, abs: abs(s.repo), kind: 'other' });
    if (s.working_directory !== undefined) out.push({ at: at('working_directory'), what: 'working_directory', raw: s.working_directory, abs: abs(s.working_directory), kind: 'other' });
    for (const key of ['dir', 'stdout', 'stderr'] as const) {
      const v = s.logs?.[key];
      if (v !== undefined) out.push({ at: at('logs', key), what: `logs.${key}`, raw: v, abs: abs(v), kind: 'logs' });
    }
    for (const [k, ref] of Object.entries(s.secret_env)) out.push({ at: at('secret_env', k, 'file'), what: `secret file of ${k}`, raw: ref.file, abs: abs(ref.file), kind: 'other' });
  }
  if (spec.monitor?.enabled) out.push({ at: ['monitor'], what: 'the spec file the monitor job reads', raw: specPath, abs: specPath, kind: 'other' });
  return out;
}

/**
 * Paths launchd jobs cannot use as Terminal can (issue 9, item 7): privacy-protected folders (TCC gives a job
 * "Operation not permitted", no prompt), external volumes (also protected, and absent until mounted), and volumes
 * whose file system has no Unix permissions (exFAT breaks the keystore's 0600 check, specs/lotus-operations.md).
 */
function placesLint(spec: Spec, host: HostFacts, out: Located[], notes: Noted[]): void {
  const volumesDir = host.volumesDir ?? '/Volumes';
  const seenVolumes = new Map<string, (string | number)[]>();
  for (const p of jobPaths(spec, host.home, host.specPath)) {
    const folder = privacyFolderOf(p.abs, host.home);
    // Raw ~/Documents-style log and program paths are already reported by the spec-only lint (src/spec/lint.ts).
    const rawCovered = p.kind !== 'other' && PRIVACY_DIRS.test(p.raw);
    if (folder !== undefined && !rawCovered) {
      const code = p.kind === 'logs' ? 'lint.logs-in-privacy-folder' : p.kind === 'program' ? 'lint.program-in-privacy-folder' : 'lint.path-in-privacy-folder';
      out.push({
        severity: 'warning', code, path: p.at,
        message: `the ${p.what} ${p.abs} is in ${folder}: macOS privacy protection keeps launchd jobs out of it ("Operation not permitted", exit 78), though Terminal may read it`,
        hint: p.kind === 'logs' ? 'use ~/Library/Logs/lotus' : 'move it out of Desktop, Documents, Downloads and cloud folders (e.g. under ~/Library/Application Support or ~/.lotus)',
      });
    }
    const volume = volumeRootOf(p.abs, volumesDir);
    if (volume === undefined) continue;
    if (!seenVolumes.has(volume)) seenVolumes.set(volume, p.at);
    out.push({
      severity: 'warning', code: 'lint.path-on-volume', path: p.at,
      message: `the ${p.what} ${p.abs} is on the external volume ${volume}: launchd jobs may be denied it ("Operation not permitted": privacy protection of removable and network volumes) and it is missing until the volume is mounted`,
      hint: p.what === 'repo' ? 'lotusctl starts the job through wait4path, so it waits for the volume; if it is still denied, give the program Full Disk Access' : 'keep it on the boot volume if you can, or give the program Full Disk Access',
    });
    if (p.what === 'repo') {
      notes.push({ code: 'note.waits-for-volume', path: p.at, message: `the job starts through ${host.wait4path ?? '/bin/wait4path'} ${volume}: Lotus runs only once the volume is mounted, and never creates a fresh repo on the boot disk in its place` });
    }
  }
  for (const [volume, at] of seenVolumes) {
    const fsFact = host.volumes?.[volume];
    if (fsFact !== undefined && 'fs' in fsFact && !UNIX_FILESYSTEMS.has(fsFact.fs)) {
      out.push({
        severity: 'warning', code: 'lint.volume-filesystem', path: at,
        message: `${volume} is ${fsFact.fs}, which keeps no Unix owners or permissions: Lotus refuses a keystore that is not 0600, and launchd's ownership checks cannot hold`,
        hint: 'use an APFS (or HFS+) volume for the repo: Disk Utility can reformat it',
      });
    } else if (fsFact === undefined || 'unknown' in fsFact) {
      notes.push({ code: 'note.volume-filesystem-unknown', path: at, message: `could not tell the file system of ${volume}${fsFact !== undefined && 'unknown' in fsFact ? ` (${fsFact.unknown})` : ''}: Lotus needs APFS or HFS+ there (exFAT and FAT break its keystore's 0600 check)` });
    }
  }
}

/** Where the monitor runs and why, for validate. */
function monitorNote(spec: Spec, host: HostFacts): Noted {
  const d = monitorDomain(spec);
  const where = d.kind === 'system' ? 'the system domain, as root' : `${d.kind}/${host.uid}`;
  const why = d.kind === 'system'
    ? `${d.because} ${d.because?.includes(',') ? 'are LaunchDaemons' : 'is a LaunchDaemon'}, and only root may restart a job in the system domain (an agent's kickstart -k would be refused)`
    : d.kind === 'user'
      ? `${d.because} ${d.because?.includes(',') ? 'run' : 'runs'} in the user domain, which a GUI logout does not end`
      : 'with the services it watches, and like them it stops when the console session ends';
  return { code: 'note.monitor-domain', path: ['monitor'], message: `the monitor runs in ${where}: ${why}` };
}

/** The services of a spec that are agents (gui or user domain), by name. */
export function agentServices(spec: Spec): string[] {
  return Object.entries(spec.services).filter(([, s]) => (s.domain ?? spec.defaults.domain) !== 'system').map(([n]) => n);
}

const list = (names: readonly string[]): string => (names.length === 1 ? `"${names[0]}"` : names.map((n) => `"${n}"`).join(', '));

/**
 * What each domain implies for the services in it (issue 9, item 9; specs/domains.md), one note per domain used, and
 * the refusal plan and apply will give when agents meet a bare root (no sudo): gui/0 does not exist on a Mac and
 * user/0 would run the node as root.
 */
function domainNotes(spec: Spec, host: HostFacts): Noted[] {
  const out: Noted[] = [];
  const who = host.userName ?? `uid ${host.uid}`;
  const byDomain = new Map<string, string[]>();
  for (const [name, s] of Object.entries(spec.services)) {
    if (s.state === 'absent') continue;
    const d = s.domain ?? spec.defaults.domain;
    byDomain.set(d, [...(byDomain.get(d) ?? []), name]);
  }
  const at = (names: readonly string[]): (string | number)[] => {
    const first = names[0] as string;
    return spec.services[first]?.domain !== undefined ? ['services', first, 'domain'] : ['defaults', 'domain'];
  };
  const gui = byDomain.get('gui');
  if (gui) {
    out.push({
      code: 'note.domain-gui', path: at(gui),
      message: `${list(gui)} run${gui.length === 1 ? 's' : ''} in gui/${host.uid}, ${who}'s console session: it stops when ${who} logs out and does not start after a reboot until ${who} logs in at the console; for a node that must run unattended use domain: system with user: (README, Domains)`,
    });
  }
  const user = byDomain.get('user');
  if (user) {
    out.push({
      code: 'note.domain-user', path: at(user),
      message: `${list(user)} run${user.length === 1 ? 's' : ''} in user/${host.uid}, ${who}'s background domain: it keeps running without a GUI session, but after a reboot it starts only when ${who} first logs in (console or SSH); use domain: system with user: to start at boot (specs/domains.md)`,
    });
  }
  const system = byDomain.get('system');
  if (system) {
    const asRoot = system.filter((n) => spec.services[n]?.user === undefined);
    out.push({
      code: 'note.domain-system', path: at(system),
      message: `${list(system)} run${system.length === 1 ? 's' : ''} in the system domain: ${system.length === 1 ? 'it starts' : 'they start'} at boot, before anyone logs in; plan and apply need sudo${asRoot.length > 0 ? `; ${list(asRoot)} run${asRoot.length === 1 ? 's' : ''} as root (set user: to run Lotus as a normal account)` : ''}`,
    });
  }
  const agents = agentServices(spec);
  if (host.acting === 'root' && agents.length > 0) {
    out.push({
      code: 'note.agents-as-root', path: at(agents),
      message: `lotusctl runs as root without sudo, so plan and apply will refuse ${list(agents)}: an agent belongs to a user, gui/0 does not exist on a Mac and user/0 would run Lotus as root; run lotusctl as that user, or with sudo from that user's account`,
    });
  }
  return out;
}

/** The jobs a valid spec describes on this host. Pure: everything it needs is in `host`. */
export function toDesiredState(spec: Spec, host: HostFacts): DesiredResult {
  const diagnostics: Located[] = [];
  const notes: Noted[] = domainNotes(spec, host);
  const jobs = dependencyOrder(spec).map((n) => serviceJob(spec, n, spec.services[n] as ServiceSpec, host, diagnostics));
  placesLint(spec, host, diagnostics, notes);
  if (typeof host.maxFilesPerProc === 'object') {
    const first = Object.entries(spec.services).find(([, s]) => s.limits?.open_files !== undefined);
    if (first) notes.push({ code: 'note.maxfilesperproc-unknown', path: ['services', first[0], 'limits', 'open_files'], message: `kern.maxfilesperproc is unknown here (${host.maxFilesPerProc.unknown}): lotusctl cannot check open_files against it, and refuses nothing` });
  }
  if (spec.monitor) {
    jobs.push(monitorJob(spec, spec.monitor, host, diagnostics));
    if (spec.monitor.enabled) notes.push(monitorNote(spec, host));
  }
  const stateDir = resolvePath(spec.defaults.state_dir, host.home, posix.dirname(host.specPath));
  const owner = { spec: host.specPath, ...(spec.name !== undefined ? { name: spec.name } : {}) };
  return { desired: { jobs, stateDir, owner }, diagnostics, notes };
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
