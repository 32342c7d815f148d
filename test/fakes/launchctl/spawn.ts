// Turning a JobDefinition into an exec the way launchd would (specs/launchd-behaviour.md §1, §9): launchd's env, not the caller's;
// program resolved on launchd's PATH; stdio files appended; resource limits applied before exec.
import { accessSync, closeSync, constants, existsSync, openSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { RESOURCE_LIMITS, type JobDefinition } from './job-definition.js';
import { shimPath } from './locate.js';
import type { Domain } from './targets.js';

/** _PATH_STDPATH: the `default environment` PATH every sample shows, and where launchd resolves a bare program. */
export const STD_PATH = '/usr/bin:/bin:/usr/sbin:/sbin';

/** The executable path, or undefined when launchd could not exec it (missing, not a file, not executable). */
export function resolveExecutable(name: string, cwd: string): string | undefined {
  const candidates = name.includes('/') ? [resolve(cwd, name)] : STD_PATH.split(':').map((d) => join(d, name));
  for (const c of candidates) {
    try {
      if (!statSync(c).isFile()) continue;
      accessSync(c, constants.X_OK);
      return c;
    } catch {
      // try the next one
    }
  }
  return undefined;
}

/** The `program = …` line: the resolved executable when there is one, else what the plist says. */
export function displayProgram(def: JobDefinition): string {
  return resolveExecutable(def.executable, def.workingDirectory ?? '/') ?? def.executable;
}

/**
 * What the emulated Mac provides by itself and a real one has without any plist saying so (not shown by print):
 * FAKE_LAUNCHD_DIR and LOTUSCTL_LAUNCHCTL, so that a job that runs launchctl (the monitor) reaches this same
 * launchd, as a real job's /bin/launchctl reaches the one launchd of its Mac; and FAKE_LAUNCHD_JOB_ENV (a JSON
 * object given when the supervisor starts: the fake lotus's interpreters), so that `lotus` just runs, as it would
 * on a Mac. This keeps test plumbing out of the specs and plans people read.
 */
function machineEnvironment(): Record<string, string> {
  const dir = process.env.FAKE_LAUNCHD_DIR ?? process.argv[2];
  const out: Record<string, string> = dir ? { FAKE_LAUNCHD_DIR: dir, LOTUSCTL_LAUNCHCTL: shimPath() } : {};
  try {
    const extra = JSON.parse(process.env.FAKE_LAUNCHD_JOB_ENV ?? '{}') as unknown;
    if (extra !== null && typeof extra === 'object') for (const [k, v] of Object.entries(extra)) if (typeof v === 'string') out[k] = v;
  } catch {
    // not JSON: no extra environment
  }
  return out;
}

/** launchd's environment for the job: default PATH, then EnvironmentVariables, then XPC_SERVICE_NAME (§1, §5). */
export function jobEnvironment(def: JobDefinition): Record<string, string> {
  return { PATH: STD_PATH, ...machineEnvironment(), ...Object.fromEntries(def.environment), XPC_SERVICE_NAME: def.label };
}

/** A ready-to-run exec, with the stdio file descriptors the caller must close after spawning. */
export interface PreparedSpawn {
  readonly file: string;
  readonly args: readonly string[];
  readonly argv0?: string;
  readonly cwd: string;
  readonly env: Record<string, string>;
  readonly stdio: readonly ['ignore' | number, 'ignore' | number, 'ignore' | number];
  readonly fds: readonly number[];
  readonly uid?: number;
  readonly gid?: number;
}

export type PrepareResult = { readonly ok: true; readonly spawn: PreparedSpawn } | { readonly ok: false; readonly reason: string };

let prlimitPath: string | null | undefined;

function findPrlimit(): string | undefined {
  if (prlimitPath === undefined) {
    const dirs = [...STD_PATH.split(':'), ...(process.env['PATH'] ?? '').split(':')].filter((d) => d !== '');
    prlimitPath = dirs.map((d) => join(d, 'prlimit')).find((p) => existsSync(p)) ?? null;
  }
  return prlimitPath ?? undefined;
}

/** `--nofile=soft:hard` style options for util-linux prlimit; an empty side leaves that limit alone. */
function prlimitOptions(def: JobDefinition): string[] {
  const out: string[] = [];
  for (const { key, prlimit } of RESOURCE_LIMITS) {
    const soft = def.softLimits[key];
    const hard = def.hardLimits[key];
    if (soft === undefined && hard === undefined) continue;
    out.push(`--${prlimit}=${soft ?? ''}:${hard ?? ''}`);
  }
  return out;
}

// Fallback when prlimit is missing: sh's ulimit, for the count/seconds limits whose units do not vary between shells.
const ULIMIT_FLAGS: Readonly<Record<string, string>> = { NumberOfFiles: 'n', NumberOfProcesses: 'u', CPU: 't' };

function ulimitScript(def: JobDefinition): string {
  const cmds: string[] = [];
  for (const [key, flag] of Object.entries(ULIMIT_FLAGS)) {
    const soft = def.softLimits[key];
    const hard = def.hardLimits[key];
    // Soft first (may fail while above the old hard limit), then hard, then soft again.
    if (soft !== undefined) cmds.push(`ulimit -S -${flag} ${soft} 2>/dev/null`);
    if (hard !== undefined) cmds.push(`ulimit -H -${flag} ${hard}`);
    if (soft !== undefined) cmds.push(`ulimit -S -${flag} ${soft}`);
  }
  return `${cmds.join('; ')}; exec "$0" "$@"`;
}

function lookupId(file: string, name: string): { id: number; gid?: number } | undefined {
  try {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const f = line.split(':');
      if (f[0] === name && f[2] !== undefined) return { id: Number(f[2]), ...(f[3] !== undefined && file.endsWith('passwd') ? { gid: Number(f[3]) } : {}) };
    }
  } catch {
    // no such database
  }
  return undefined;
}

/** UserName/GroupName apply only in the system domain (§1); a name that does not exist cannot be spawned. */
function credentials(def: JobDefinition, domain: Domain): { uid?: number; gid?: number } | string {
  if (domain.kind !== 'system' || def.userName === undefined) return {};
  const user = lookupId('/etc/passwd', def.userName);
  if (user === undefined) return `unknown user ${def.userName}`;
  const group = def.groupName === undefined ? undefined : lookupId('/etc/group', def.groupName);
  if (def.groupName !== undefined && group === undefined) return `unknown group ${def.groupName}`;
  const gid = group?.id ?? user.gid;
  if (process.geteuid?.() !== 0) return user.id === process.getuid?.() ? {} : `cannot switch to ${def.userName} without root`;
  return { uid: user.id, ...(gid !== undefined ? { gid } : {}) };
}

/**
 * Resolves and opens everything the exec needs, under the umask the caller has already set.
 * Failure means launchd could not set the job up: the run ends as `78: EX_CONFIG` (§9).
 */
export function prepareSpawn(def: JobDefinition, domain: Domain): PrepareResult {
  const cwd = def.workingDirectory ?? '/';
  try {
    if (!statSync(cwd).isDirectory()) return { ok: false, reason: `working directory ${cwd} is not a directory` };
  } catch {
    return { ok: false, reason: `working directory ${cwd} is missing` };
  }
  const exe = resolveExecutable(def.executable, cwd);
  if (exe === undefined) return { ok: false, reason: `cannot exec ${def.executable} (missing, not executable, or not on ${STD_PATH})` };
  const cred = credentials(def, domain);
  if (typeof cred === 'string') return { ok: false, reason: cred };

  // §1: missing files are created (append mode, permissions from the umask); one that cannot be opened is EX_CONFIG (§9).
  const fds: number[] = [];
  const stdio: Array<'ignore' | number> = [];
  for (const [path, flags] of [[def.stdinPath, 'r'], [def.stdoutPath, 'a'], [def.stderrPath, 'a']] as const) {
    if (path === undefined) {
      stdio.push('ignore');
      continue;
    }
    try {
      // launchd chdirs to WorkingDirectory before opening these (job_setup_attributes in Apple's open-source
      // launchd_core_logic.c), so a relative path is relative to the working directory.
      const fd = openSync(resolve(cwd, path), flags, 0o666);
      fds.push(fd);
      stdio.push(fd);
    } catch (e) {
      for (const fd of fds) closeSync(fd);
      return { ok: false, reason: `cannot open ${path}: ${(e as Error).message}` };
    }
  }

  const argv = def.argv;
  const rest = argv.slice(1);
  const limits = prlimitOptions(def);
  let file = exe;
  let args: string[] = rest;
  let argv0: string | undefined = argv[0];
  if (limits.length > 0) {
    // Node has no setrlimit: a wrapper sets the limits and execs the program (argv[0] becomes the resolved path).
    const prlimit = findPrlimit();
    argv0 = undefined;
    if (prlimit !== undefined) {
      file = prlimit;
      args = [...limits, '--', exe, ...rest];
    } else {
      file = '/bin/sh';
      args = ['-c', ulimitScript(def), exe, ...rest];
    }
  }
  return {
    ok: true,
    spawn: {
      file,
      args,
      ...(argv0 !== undefined ? { argv0 } : {}),
      cwd,
      env: jobEnvironment(def),
      stdio: [stdio[0] ?? 'ignore', stdio[1] ?? 'ignore', stdio[2] ?? 'ignore'],
      fds,
      ...cred,
    },
  };
}
