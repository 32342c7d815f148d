// A fake Mac for the bench: a temporary HOME, the launchctl double with its own state, specs of N services, and
// launchctl stand-ins that record a plan's calls and replay them at shell speed. As root (CI), lotusctl runs as the
// tests' operator, an unprivileged console user (test/helpers/operator.ts): root has no gui/0 to plan agents for.
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fakeLaunchctlEnv, fakeLaunchctlPath, stopFakeLaunchd } from '../../test/fakes/launchctl/index.js';
import { grantOperatorAccess, IS_ROOT, OPERATOR } from '../../test/helpers/operator.js';

/** A string as one single-quoted sh word. */
export function shQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export class FakeMac {
  readonly root = mkdtempSync(join(tmpdir(), 'lotusctl-bench-'));
  readonly home = join(this.root, 'home');
  readonly bin = join(this.root, 'bin');
  readonly launchdDir = join(this.root, 'launchd');
  readonly env: Record<string, string>;
  /** spawn options that run a command as the operator (empty unless root). */
  readonly runAs: { uid?: number; gid?: number } = IS_ROOT ? { uid: OPERATOR.uid, gid: OPERATOR.gid } : {};

  constructor(private readonly cli: string, repo: string) {
    mkdirSync(this.home, { recursive: true });
    mkdirSync(this.bin, { recursive: true });
    const fake = fakeLaunchctlEnv(this.launchdDir, { idleMs: 30 * 60_000, consoleUid: OPERATOR.uid, consoleGid: OPERATOR.gid });
    this.env = { ...fake, HOME: this.home, NO_COLOR: '1' };
    if (IS_ROOT) {
      grantOperatorAccess(repo);
      // The operator's project folder and home; bin/ and the double's state stay root's.
      chmodSync(this.root, 0o755);
      chownSync(this.root, OPERATOR.uid, OPERATOR.gid);
      chownSync(this.home, OPERATOR.uid, OPERATOR.gid);
    }
    // The double starts as this process (root in CI), so that it runs the operator's agents as the operator.
    const boot = spawnSync(fakeLaunchctlPath(), ['print-disabled', 'system'], { env: { ...process.env, ...this.env }, encoding: 'utf8', timeout: 30_000 });
    if (boot.status !== 0) throw new Error(`bench: the launchctl double did not start: ${boot.stderr || boot.error?.message}`);
  }

  /** lotus.yaml with `n` services, each a long sleep (a job that stays up); returns its path. */
  writeSpec(n: number): string {
    const sleeper = join(this.bin, 'sleeper');
    writeFileSync(sleeper, '#!/bin/sh\nexec sleep 3600\n');
    chmodSync(sleeper, 0o755);
    const services = Array.from({ length: n }, (_, i) => `  svc-${i}: { program: ${sleeper}, throttle_interval: 1s }`);
    const path = join(this.root, 'lotus.yaml');
    writeFileSync(path, ['version: 1', 'services:', ...services, ''].join('\n'));
    if (IS_ROOT) chownSync(path, OPERATOR.uid, OPERATOR.gid);
    return path;
  }

  /** Run the CLI here; throws when the exit code is not one of `ok`. */
  run(args: readonly string[], env: Record<string, string> = {}, ok: readonly number[] = [0]): string {
    const r = spawnSync(process.execPath, [this.cli, ...args], { ...this.runAs, cwd: this.root, env: { ...process.env, ...this.env, ...env }, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    if (!ok.includes(r.status ?? -1)) throw new Error(`bench: lotusctl ${args.join(' ')} exited ${r.status}:\n${r.stderr}${r.stdout}`);
    return r.stdout;
  }

  /**
   * Run `lotusctl plan` once through a recorder in front of the double, then write a launchctl that answers the
   * same calls with the same bytes and exit codes from the shell (printf is a builtin: no process per answer
   * beyond sh itself). Returns its path and how many calls the plan made. Any other call fails loudly.
   */
  recordReplay(okCodes: readonly number[] = [0]): { replay: string; calls: number } {
    const dir = join(this.root, 'recorded');
    mkdirSync(dir, { recursive: true });
    if (IS_ROOT) chownSync(dir, OPERATOR.uid, OPERATOR.gid);
    const recorder = join(this.bin, 'recording-launchctl');
    writeFileSync(recorder, `#!/bin/sh
f=$(mktemp ${shQuote(dir)}/call.XXXXXX)
${shQuote(this.env.LOTUSCTL_LAUNCHCTL as string)} "$@" >"$f.out" 2>"$f.err"
code=$?
printf '%s' "$*" >"$f.argv"
printf '%s' "$code" >"$f.code"
cat "$f.out"
cat "$f.err" >&2
exit $code
`);
    chmodSync(recorder, 0o755);
    this.run(['plan', '--detailed-exitcode'], { LOTUSCTL_LAUNCHCTL: recorder }, okCodes);
    const calls = readdirSync(dir).filter((f) => f.endsWith('.argv')).map((f) => f.slice(0, -'.argv'.length));
    const branches = calls.map((c) => {
      const read = (ext: string) => readFileSync(join(dir, `${c}.${ext}`), 'utf8');
      const out = read('out');
      const err = read('err');
      return `  ${shQuote(read('argv'))})${out ? ` printf '%s' ${shQuote(out)};` : ''}${err ? ` printf '%s' ${shQuote(err)} >&2;` : ''} exit ${read('code')};;`;
    });
    const replay = join(this.bin, 'replay-launchctl');
    writeFileSync(replay, `#!/bin/sh
# Answers exactly the launchctl calls recorded from one lotusctl plan (bench/lib/fake-mac.ts).
case "$*" in
${branches.join('\n')}
  *) echo "replay launchctl: nothing recorded for: $*" >&2; exit 70;;
esac
`);
    chmodSync(replay, 0o755);
    // The replay must give the same answer.
    this.run(['plan', '--detailed-exitcode'], { LOTUSCTL_LAUNCHCTL: replay }, okCodes);
    return { replay, calls: calls.length };
  }

  async close(): Promise<void> {
    await stopFakeLaunchd(this.launchdDir);
    rmSync(this.root, { recursive: true, force: true });
  }
}
