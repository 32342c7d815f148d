// Shell completion, run in the real shells: the scripts must parse (bash -n, zsh -n, fish -n), and completing a
// command line must offer the commands, the flags, the service names of lotus.yaml (or of the -f file) and files.
// bash and fish complete for real (COMPREPLY / `complete -C`); zsh runs its completion function with the
// completion-system builtins replaced by functions that print what they were given.
import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMPLETABLE_SERVICE_NAME } from '../../src/cli/commands/complete.js';
import { SERVICE_NAME_PATTERN } from '../../src/spec/schema.js';
import { cliPath, runCli } from '../helpers/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'lotusctl-completion-'));
const bin = join(tmp, 'bin');
const home = join(tmp, 'home');
const env = { PATH: `${bin}:${process.env.PATH}`, HOME: home, XDG_CONFIG_HOME: join(home, '.config'), XDG_DATA_HOME: join(home, '.local/share'), NO_COLOR: '1' };
const scripts: Record<string, string> = {};

function shell(cmd: string, args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(cmd, [...args], { cwd: tmp, env, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
    // The shells read no input; one that exits first must not fail the run with EPIPE.
    child.stdin?.on('error', () => undefined).end();
  });
}

function requireShell(name: string): void {
  try {
    execFileSync(name, ['-c', 'exit 0'], { stdio: 'ignore' });
  } catch {
    throw new Error(`${name} is not installed: apt-get install -y zsh fish (.ci/run does)`);
  }
}

beforeAll(async () => {
  mkdirSync(bin, { recursive: true });
  mkdirSync(home, { recursive: true });
  // `lotusctl` on PATH, as after npm install -g: the scripts call it back for service names.
  writeFileSync(join(bin, 'lotusctl'), `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(cliPath)} "$@"\n`);
  chmodSync(join(bin, 'lotusctl'), 0o755);
  writeFileSync(join(tmp, 'lotus.yaml'), 'version: 1\nservices:\n  daemon: { program: /bin/true }\n  miner: { program: /bin/true, depends_on: [daemon] }\n');
  writeFileSync(join(tmp, 'other.yaml'), 'version: 1\nservices:\n  lite: { program: /bin/true }\n');
  writeFileSync(join(tmp, 'tonight.plan'), '');
  for (const sh of ['bash', 'zsh', 'fish']) {
    const r = await runCli(['completion', sh], { env, cwd: tmp });
    expect(r.code, r.stderr).toBe(0);
    scripts[sh] = join(tmp, `lotusctl.${sh}`);
    writeFileSync(scripts[sh] as string, r.stdout);
  }
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The commands `lotusctl --help` lists: completion must offer exactly these. */
async function helpCommands(): Promise<string[]> {
  const help = await runCli(['--help'], { env, cwd: tmp });
  const section = help.stdout.split('Commands:')[1] ?? '';
  return section.split('\n').map((l) => /^ {2}([a-z][a-z-]*)/.exec(l)?.[1]).filter((c): c is string => c !== undefined && c !== 'help').sort();
}

describe('bash', () => {
  async function complete(...words: string[]): Promise<string[]> {
    const script = `source ${JSON.stringify(scripts.bash)}
COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; COMPREPLY=()
_lotusctl
printf '%s\\n' "\${COMPREPLY[@]}"`;
    const r = await shell('bash', ['--norc', '--noprofile', '-c', script]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    return r.stdout.split('\n').filter(Boolean).sort();
  }

  it('parses', async () => {
    const r = await shell('bash', ['-n', scripts.bash as string]);
    expect(r.code, r.stderr).toBe(0);
  });

  it('completes commands, subcommands and flags', async () => {
    expect(await complete('lotusctl', '')).toEqual(await helpCommands());
    expect(await complete('lotusctl', 'pl')).toEqual(['plan']);
    expect(await complete('lotusctl', 'monitor', '')).toEqual(['run']);
    expect(await complete('lotusctl', 'plan', '--ta')).toEqual(['--target']);
    expect(await complete('lotusctl', 'monitor', 'run', '--on')).toEqual(['--once']);
    expect(await complete('lotusctl', 'completion', '')).toEqual(['bash', 'fish', 'zsh']);
  });

  it('completes service names from lotus.yaml, or from the file given with -f / --file', async () => {
    expect(await complete('lotusctl', 'plan', '--target', '')).toEqual(['daemon', 'miner']);
    expect(await complete('lotusctl', 'apply', '--target', 'm')).toEqual(['miner']);
    expect(await complete('lotusctl', 'render', '--service', '')).toEqual(['daemon', 'miner']);
    expect(await complete('lotusctl', 'plan', '-f', 'other.yaml', '--target', '')).toEqual(['lite']);
    expect(await complete('lotusctl', 'destroy', '--file', 'other.yaml', '--target', '')).toEqual(['lite']);
    // For logs, -f is --follow: the next word is the service.
    expect(await complete('lotusctl', 'logs', '-f', '')).toEqual(['daemon', 'miner']);
    // bash splits --target=x at "=".
    expect(await complete('lotusctl', 'plan', '--target', '=', '')).toEqual(['daemon', 'miner']);
  });

  it('completes files for apply PLANFILE and -f, folders for --state-dir', async () => {
    expect(await complete('lotusctl', 'apply', 'ton')).toEqual(['tonight.plan']);
    expect(await complete('lotusctl', 'apply', '--target', 'daemon', 'ton')).toEqual(['tonight.plan']);
    expect(await complete('lotusctl', 'validate', '-f', 'oth')).toEqual(['other.yaml']);
    expect(await complete('lotusctl', 'force-unlock', '--state-dir', '')).toEqual(['bin', 'home']);
  });
});

describe('zsh', () => {
  // compadd, _describe, _files and compset only exist inside a completion widget: stand-ins print their input.
  const stubs = `compdef() { :; }
compadd() { while [[ $# -gt 0 && $1 != -- ]]; do shift; done; shift; print -rl -- "$@"; }
_describe() { local -a items; items=( \${(P)\${@[-1]}} ); print -rl -- \${items%%:*}; }
_files() { print -r -- "<files$*>"; }
compset() { return 0; }`;

  async function complete(...words: string[]): Promise<string[]> {
    const script = `${stubs}
source ${JSON.stringify(scripts.zsh)}
words=(${words.map((w) => `'${w}'`).join(' ')}); CURRENT=${words.length}
_lotusctl`;
    const r = await shell('zsh', ['-f', '-c', script]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    return r.stdout.split('\n').filter(Boolean).sort();
  }

  it('parses, and registers itself with compinit when sourced', async () => {
    requireShell('zsh');
    expect((await shell('zsh', ['-n', scripts.zsh as string])).code).toBe(0);
    const r = await shell('zsh', ['-f', '-c', `autoload -U compinit && compinit -u -d ${JSON.stringify(join(home, '.zcompdump'))} && source ${JSON.stringify(scripts.zsh)} && print -r -- $_comps[lotusctl]`]);
    expect(r.stdout.trim(), r.stderr).toBe('_lotusctl');
  });

  it('offers commands, flags, service names (also after -f FILE and --target=) and files', async () => {
    requireShell('zsh');
    expect(await complete('lotusctl', '')).toEqual(await helpCommands());
    expect(await complete('lotusctl', 'monitor', '')).toEqual(['run']);
    expect(await complete('lotusctl', 'plan', '--')).toContain('--target');
    expect(await complete('lotusctl', 'plan', '--target', '')).toEqual(['daemon', 'miner']);
    expect(await complete('lotusctl', 'plan', '-f', 'other.yaml', '--target', '')).toEqual(['lite']);
    expect(await complete('lotusctl', 'plan', '--file=other.yaml', '--target', '')).toEqual(['lite']);
    expect(await complete('lotusctl', 'plan', '--target=')).toEqual(['daemon', 'miner']);
    expect(await complete('lotusctl', 'apply', '')).toEqual(['<files>']);
    expect(await complete('lotusctl', 'force-unlock', '--state-dir', '')).toEqual(['<files-/>']);
    expect(await complete('lotusctl', 'completion', '')).toEqual(['bash', 'fish', 'zsh']);
  });
});

describe('fish', () => {
  async function complete(line: string): Promise<string[]> {
    const r = await shell('fish', ['--no-config', '-c', `source ${JSON.stringify(scripts.fish)}; complete -C ${JSON.stringify(line)}`]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    return r.stdout.split('\n').filter(Boolean).map((l) => l.split('\t')[0] as string).sort();
  }

  it('parses', async () => {
    requireShell('fish');
    const r = await shell('fish', ['--no-config', '-n', scripts.fish as string]);
    expect(r.code, r.stderr).toBe(0);
  });

  it('offers commands, flags, service names (also from -f FILE) and files', async () => {
    requireShell('fish');
    expect(await complete('lotusctl ')).toEqual(await helpCommands());
    expect(await complete('lotusctl monitor ')).toEqual(['run']);
    expect(await complete('lotusctl plan --ta')).toEqual(['--target']);
    expect(await complete('lotusctl plan --target ')).toEqual(['daemon', 'miner']);
    expect(await complete('lotusctl plan -f other.yaml --target ')).toEqual(['lite']);
    expect(await complete('lotusctl logs -f ')).toEqual(['daemon', 'miner']);
    expect(await complete('lotusctl logs -f --file other.yaml ')).toEqual(['lite']);
    expect(await complete('lotusctl apply ton')).toEqual(['tonight.plan']);
    expect(await complete('lotusctl completion ')).toEqual(['bash', 'fish', 'zsh']);
  });
});

describe('lotusctl __complete services', () => {
  it('prints the service names, even of a spec that does not validate', async () => {
    writeFileSync(join(tmp, 'half.yaml'), 'version: 1\nservices:\n  daemon: { program: /bin/true, nice: 99 }\n  new-one: {}\n');
    const r = await runCli(['__complete', 'services', '-f', 'half.yaml'], { env, cwd: tmp });
    expect(r).toEqual({ code: 0, stdout: 'daemon\nnew-one\n', stderr: '' });
  });

  it('prints only names a service can have: a key of an untrusted spec never reaches the shell', async () => {
    expect(COMPLETABLE_SERVICE_NAME.source).toBe(SERVICE_NAME_PATTERN.source);
    const pwned = join(tmp, 'pwned');
    writeFileSync(join(tmp, 'hostile.yaml'), `version: 1\nservices:\n  "$(touch ${pwned})": {}\n  "a b": {}\n  "x\\ty": {}\n  ok-one: {}\n`);
    const r = await runCli(['__complete', 'services', '-f', 'hostile.yaml'], { env, cwd: tmp });
    expect(r).toEqual({ code: 0, stdout: 'ok-one\n', stderr: '' });
    const script = `source ${JSON.stringify(scripts.bash)}
COMP_WORDS=(lotusctl plan -f hostile.yaml --target ''); COMP_CWORD=5; COMPREPLY=()
_lotusctl
printf '%s\\n' "\${COMPREPLY[@]}"`;
    const b = await shell('bash', ['--norc', '--noprofile', '-c', script]);
    expect(b.stdout).toBe('ok-one\n');
    expect(existsSync(pwned)).toBe(false);
  });

  it('is silent on a missing file, broken YAML and an unknown request', async () => {
    writeFileSync(join(tmp, 'broken.yaml'), 'services: [\n');
    for (const args of [['services', '-f', 'missing.yaml'], ['services', '-f', 'broken.yaml'], ['nonsense']]) {
      const r = await runCli(['__complete', ...args], { env, cwd: tmp });
      expect(r, args.join(' ')).toEqual({ code: 0, stdout: '', stderr: '' });
    }
  });

  it('is not listed by --help', async () => {
    const r = await runCli(['--help'], { env, cwd: tmp });
    expect(r.stdout).not.toContain('__complete');
    expect(r.stdout).toContain('completion');
  });
});
