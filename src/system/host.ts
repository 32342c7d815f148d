import { accessSync, constants, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, resolve } from 'node:path';
import { LotusctlError } from '../model/errors.js';
import type { HostFacts, SecretProblem } from '../model/host.js';
import { volumeRootOf } from '../spec/places.js';
import { volumeFilesystems } from './volumes.js';
import { maxFilesPerProcSync } from './sysctl.js';
import { actForHomeOwner } from './ownership.js';
import { cliEntryPath } from './package-info.js';
import { MACOS_TOOLS, macosTool } from './platform.js';
import { FileReadError, readFileCapped } from './read-file.js';
import { lookupAccount } from './directory.js';

// Homebrew's prefixes are not on launchd's PATH (specs/launchd-behaviour.md §1), so look there too.
const EXTRA_PATH = ['/opt/homebrew/bin', '/usr/local/bin'];

export function homeDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.HOME && env.HOME.startsWith('/') ? env.HOME : homedir();
}

function isExecutable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/** Absolute path of a bare program name on PATH (plus Homebrew's prefixes), or null. */
export function which(name: string, env: NodeJS.ProcessEnv = process.env): string | null {
  const dirs = [...(env.PATH ?? '').split(delimiter).filter(Boolean), ...EXTRA_PATH];
  for (const d of dirs) {
    const p = resolve(d, name);
    if (isExecutable(p)) return p;
  }
  return null;
}

/** Where launchd finds a bare program name: its own search path only (specs/launchd-behaviour.md §1), or null. */
export function launchdWhich(name: string, searchPath: readonly string[]): string | null {
  for (const d of searchPath) {
    const p = resolve(d, name);
    if (isExecutable(p)) return p;
  }
  return null;
}

type SecretRead = { value: string; mode: number } | { problem: SecretProblem };

/** A secret file's value (one trailing newline trimmed), or why it cannot be used; never its content in the words. */
function readSecret(file: string): SecretRead {
  let bytes: Buffer;
  let mode: number;
  try {
    mode = statSync(file).mode & 0o7777;
    bytes = readFileCapped(file, 'secret');
  } catch (e) {
    if (e instanceof FileReadError) return { problem: { kind: e.problem, detail: e.detail } };
    const code = (e as NodeJS.ErrnoException).code;
    return { problem: code === 'ENOENT' || code === 'ENOTDIR' ? { kind: 'missing', detail: 'no such file' } : { kind: 'unreadable', detail: `cannot read (${code ?? 'error'})` } };
  }
  let text: string;
  try {
    // fatal: a byte sequence that is not UTF-8 would otherwise become U+FFFD and silently change the secret.
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return { problem: { kind: 'not-utf8', detail: 'not UTF-8 text' } };
  }
  return { value: text.replace(/\r?\n$/, ''), mode };
}

function secretFacts(files: readonly string[]): Pick<HostFacts, 'secrets' | 'secretProblems' | 'secretModes'> {
  const secrets: Record<string, string> = {};
  const secretProblems: Record<string, SecretProblem> = {};
  const secretModes: Record<string, number> = {};
  for (const f of files) {
    const r = readSecret(f);
    if ('problem' in r) secretProblems[f] = r.problem;
    else {
      secrets[f] = r.value;
      secretModes[f] = r.mode;
    }
  }
  return { secrets, secretProblems, secretModes };
}

// A Homebrew keg: <prefix>/Cellar/<formula>/<version>/<rest>. `brew upgrade` removes the old version, and launchd then
// fails the job with EX_CONFIG (specs/launchd-behaviour.md §9); <prefix>/opt/<formula> always points at the current one.
const CELLAR = /^(.*)\/Cellar\/([^/]+)\/[^/]+\/(.+)$/;
// Paths that vanish on an upgrade or a cache clean-up and have no stable alias we know of.
const VOLATILE: ReadonlyArray<[RegExp, string]> = [
  [/\/_npx\//, 'the npx cache (npm may clean it at any time)'],
  [/\/\.nvm\/versions\//, 'an nvm version folder (gone when that version is uninstalled)'],
  [/\/\.volta\/tools\/image\//, 'a Volta image folder (gone when that version is removed)'],
  [/\/\.asdf\/installs\//, 'an asdf install folder (gone when that version is uninstalled)'],
  [/\/(fnm|\.fnm)\/node-versions\//, 'an fnm version folder (gone when that version is uninstalled)'],
  [/\/Cellar\//, "a versioned Homebrew Cellar folder (gone after brew upgrade)"],
];

function volatileWhy(path: string): string | undefined {
  return VOLATILE.find(([re]) => re.test(path))?.[1];
}

/** The Homebrew opt/ path of a Cellar path, when that link exists. */
function optPath(path: string, exists: (p: string) => boolean): string | undefined {
  const m = CELLAR.exec(path);
  if (!m) return undefined;
  const opt = `${m[1]}/opt/${m[2]}/${m[3]}`;
  return exists(opt) ? opt : undefined;
}

/**
 * The command launchd runs for `lotusctl ...`: a node binary and lotusctl's bin script (the same path whether the CLI
 * or the programmatic API planned it, so the two never see each other's monitor job as a change), by stable paths
 * (issue 9, item 5): a Cellar path becomes Homebrew's opt/ link; a CLI run from the npx cache becomes the `lotusctl`
 * on PATH (node follows its symlink to the package). What stays volatile is said in `warning`.
 */
export function lotusctlCommand(env: NodeJS.ProcessEnv = process.env, execPath = process.execPath, cliScript = cliEntryPath()): { command: string[]; warning?: string } {
  const exists = (p: string): boolean => isExecutable(p) || isFile(p);
  const node = optPath(execPath, exists) ?? execPath;
  let cli = optPath(cliScript, exists) ?? cliScript;
  if (volatileWhy(cli) !== undefined) {
    const onPath = whichAll('lotusctl', env).find((p) => volatileWhy(p) === undefined);
    if (onPath !== undefined) cli = onPath;
  }
  const problems = [[node, volatileWhy(node)], [cli, volatileWhy(cli)]].filter((x): x is [string, string] => x[1] !== undefined);
  return {
    command: [node, cli],
    ...(problems.length > 0 ? { warning: problems.map(([p, why]) => `${p} is in ${why}`).join('; ') } : {}),
  };
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/** Every executable named `name` on PATH (plus Homebrew's prefixes), in order. */
function whichAll(name: string, env: NodeJS.ProcessEnv): string[] {
  const dirs = [...(env.PATH ?? '').split(delimiter).filter(Boolean), ...EXTRA_PATH];
  return [...new Set(dirs.map((d) => resolve(d, name)).filter(isExecutable))];
}

/** What a saved plan may touch on this machine: this user's home and uid, and the LaunchDaemons folder. */
export function planBounds(env: NodeJS.ProcessEnv = process.env): { home: string; uid: number; systemDaemonsDir: string } {
  // Under sudo that is the operator's (SUDO_USER's) home and uid, as for plans made from a spec.
  const who = actingUser(env);
  return { home: who.home, uid: who.uid, systemDaemonsDir: env.LOTUSCTL_SYSTEM_DAEMONS_DIR || '/Library/LaunchDaemons' };
}

/** The account lotusctl acts for, and how (HostFacts.acting). */
export interface ActingUser {
  readonly uid: number;
  readonly gid: number;
  readonly home: string;
  readonly acting: NonNullable<HostFacts['acting']>;
  readonly name?: string;
}

/**
 * Whom lotusctl acts for. Not root: this user, HOME as home. Root with SUDO_UID (set by sudo(8) with SUDO_USER and
 * SUDO_GID): the user who ran sudo, as Homebrew's services code does; home and group come from Directory Services,
 * never from HOME or os.userInfo (both describe root). Root without it: root (acting `root`).
 */
export function actingUser(env: NodeJS.ProcessEnv = process.env): ActingUser {
  const euid = process.geteuid?.() ?? 0;
  const sudoUid = Number(env.SUDO_UID);
  if (euid !== 0) {
    return { uid: process.getuid?.() ?? euid, gid: process.getgid?.() ?? 20, home: homeDir(env), acting: 'user' };
  }
  if (env.SUDO_UID !== undefined && Number.isSafeInteger(sudoUid) && sudoUid > 0) {
    const account = lookupAccount(env.SUDO_USER ?? '', env);
    if (account.uid !== sudoUid) {
      throw new LotusctlError('host.sudo-mismatch', `SUDO_UID is ${sudoUid} but the account ${account.name} (SUDO_USER) has uid ${account.uid}`, {
        hint: 'run lotusctl through sudo itself (it sets both), not with these variables set by hand',
      });
    }
    const gid = env.SUDO_GID ? Number(env.SUDO_GID) : NaN;
    return { uid: sudoUid, gid: Number.isSafeInteger(gid) && gid >= 0 ? gid : account.gid, home: account.home, acting: 'sudo', name: account.name };
  }
  return { uid: 0, gid: process.getgid?.() ?? 0, home: homeDir(env), acting: 'root' };
}

/**
 * Run as root for someone (sudo, or the system monitor whose HOME is the operator's), what lotusctl creates in their
 * home must be theirs (src/system/ownership.ts). The CLI calls this before any command; so do the API's entry points.
 */
export function actForOperator(env: NodeJS.ProcessEnv = process.env): void {
  actForHomeOwner(actingUser(env).home);
}

export function gatherHostFacts(opts: { specPath: string; programs: readonly string[]; secretFiles: readonly string[]; env?: NodeJS.ProcessEnv; paths?: (home: string) => readonly string[]; needsMaxFiles?: boolean }): HostFacts {
  const env = opts.env ?? process.env;
  const who = actingUser(env);
  // A sandbox (tests, the demo) has its own /Volumes; on a Mac it is /Volumes.
  const volumesDir = env.LOTUSCTL_VOLUMES_DIR || '/Volumes';
  const roots = [...new Set((opts.paths?.(who.home) ?? []).map((p) => volumeRootOf(p, volumesDir)).filter((r): r is string => r !== undefined))].sort();
  return {
    home: who.home,
    uid: who.uid,
    gid: who.gid,
    acting: who.acting,
    ...(who.name !== undefined ? { userName: who.name } : {}),
    specPath: resolve(opts.specPath),
    programs: Object.fromEntries(opts.programs.map((p) => [p, which(p, env)])),
    ...secretFacts(opts.secretFiles),
    // A sandbox (tests, the demo) points this at a folder of its own; on a Mac it is /Library/LaunchDaemons.
    systemDaemonsDir: env.LOTUSCTL_SYSTEM_DAEMONS_DIR || '/Library/LaunchDaemons',
    ...((): Pick<HostFacts, 'lotusctlCommand' | 'lotusctlCommandWarning'> => {
      const c = lotusctlCommand(env);
      return { lotusctlCommand: c.command, ...(c.warning !== undefined ? { lotusctlCommandWarning: c.warning } : {}) };
    })(),
    volumesDir,
    volumes: volumeFilesystems(roots, env),
    ...(opts.needsMaxFiles ? { maxFilesPerProc: ((f) => (f.kind === 'known' ? f.value : { unknown: f.why }))(maxFilesPerProcSync(macosTool('sysctl', env))) } : {}),
    // What the plist names: the Mac's /bin/wait4path unless a sandbox supplies a double.
    wait4path: macosTool('wait4path', env) ?? MACOS_TOOLS.wait4path,
  };
}

