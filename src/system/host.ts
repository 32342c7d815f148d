import { accessSync, constants, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, resolve } from 'node:path';
import type { HostFacts, SecretProblem } from '../model/host.js';
import { cliEntryPath } from './package-info.js';
import { FileReadError, readFileCapped } from './read-file.js';

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

/**
 * The command launchd runs for `lotusctl ...`: this node binary and lotusctl's bin script. The same path whether
 * the CLI or the programmatic API planned it, so the two never see each other's monitor job as a change.
 */
export function lotusctlCommand(): string[] {
  return [process.execPath, cliEntryPath()];
}

/** What a saved plan may touch on this machine: this user's home and uid, and the LaunchDaemons folder. */
export function planBounds(env: NodeJS.ProcessEnv = process.env): { home: string; uid: number; systemDaemonsDir: string } {
  return { home: homeDir(env), uid: process.getuid?.() ?? 501, systemDaemonsDir: env.LOTUSCTL_SYSTEM_DAEMONS_DIR || '/Library/LaunchDaemons' };
}

export function gatherHostFacts(opts: { specPath: string; programs: readonly string[]; secretFiles: readonly string[]; env?: NodeJS.ProcessEnv }): HostFacts {
  const env = opts.env ?? process.env;
  return {
    home: homeDir(env),
    uid: process.getuid?.() ?? 501,
    specPath: resolve(opts.specPath),
    programs: Object.fromEntries(opts.programs.map((p) => [p, which(p, env)])),
    ...secretFacts(opts.secretFiles),
    // A sandbox (tests, the demo) points this at a folder of its own; on a Mac it is /Library/LaunchDaemons.
    systemDaemonsDir: env.LOTUSCTL_SYSTEM_DAEMONS_DIR || '/Library/LaunchDaemons',
    lotusctlCommand: lotusctlCommand(),
  };
}

