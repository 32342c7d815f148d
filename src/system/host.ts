import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HostFacts } from '../model/host.js';

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

function readSecret(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').replace(/\r?\n$/, '');
  } catch {
    return undefined;
  }
}

/** The command launchd runs for `lotusctl ...`: this node binary and this CLI's entry script. */
export function lotusctlCommand(): string[] {
  const cli = fileURLToPath(new URL('../cli/main.js', import.meta.url));
  return [process.execPath, cli];
}

export function gatherHostFacts(opts: { specPath: string; programs: readonly string[]; secretFiles: readonly string[]; env?: NodeJS.ProcessEnv }): HostFacts {
  const env = opts.env ?? process.env;
  return {
    home: homeDir(env),
    uid: process.getuid?.() ?? 501,
    specPath: resolve(opts.specPath),
    programs: Object.fromEntries(opts.programs.map((p) => [p, which(p, env)])),
    secrets: Object.fromEntries(opts.secretFiles.flatMap((f) => {
      const v = readSecret(f);
      return v === undefined ? [] : [[f, v]];
    })),
    // A sandbox (tests, the demo) points this at a folder of its own; on a Mac it is /Library/LaunchDaemons.
    systemDaemonsDir: env.LOTUSCTL_SYSTEM_DAEMONS_DIR || '/Library/LaunchDaemons',
    lotusctlCommand: lotusctlCommand(),
    ...(env.LOTUSCTL_LAUNCHCTL ? { launchctlOverride: env.LOTUSCTL_LAUNCHCTL } : {}),
  };
}

