import { appendFileSync, chmodSync, chownSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fakeLaunchctlEnv, fakeLaunchctlPath, runFakeLaunchctl, stopFakeLaunchd } from '../fakes/launchctl/index.js';
import { FAKE_LOTUS_BIN, killAllFakeLotus, pythonExecutable } from '../fakes/lotus/harness.js';
import { runCli, type CliResult } from './cli.js';
import { MACOS_TOOLS_DIR } from './cli.js';
import { IS_ROOT, OPERATOR } from './operator.js';

/**
 * A fake Mac for integration tests: a temporary HOME, a bin/ with the fake `lotus`, the launchctl double with its
 * own state, and helpers to run the real CLI against them. Always `await sb.stop()` in afterEach.
 *
 * The CLI runs as the operator (`uid`), the user logged in at the double's console: when the tests run as root that
 * is an unprivileged uid (test/helpers/operator.ts), so `gui/<uid>` and file ownership mean what they mean on a Mac.
 * `sudo()` runs it as root the way `sudo lotusctl` would; `launchctl()` is someone at the terminal (the test process).
 */
export class Sandbox {
  readonly root: string;
  readonly home: string;
  readonly bin: string;
  readonly env: Record<string, string>;
  readonly launchdDir: string;
  /** The operator: owner of `home`, console user of the double, the uid the CLI runs as. */
  readonly uid: number;
  readonly gid: number;
  readonly user: string;
  /** Stands in for /Library/LaunchDaemons (root-owned): LOTUSCTL_SYSTEM_DAEMONS_DIR, and what a reboot loads. */
  readonly daemonsDir: string;
  /** Stands in for /Volumes (root-owned): LOTUSCTL_VOLUMES_DIR; mountVolume() makes volumes appear there. */
  readonly volumesDir: string;

  constructor(extraEnv: Record<string, string> = {}) {
    this.uid = OPERATOR.uid;
    this.gid = OPERATOR.gid;
    this.user = OPERATOR.name;
    this.root = mkdtempSync(join(tmpdir(), 'lotusctl-sb-'));
    this.home = join(this.root, 'home');
    this.bin = join(this.root, 'bin');
    this.launchdDir = join(this.root, 'launchd');
    this.daemonsDir = join(this.root, 'Library', 'LaunchDaemons');
    this.volumesDir = join(this.root, 'Volumes');
    mkdirSync(this.home, { recursive: true });
    mkdirSync(this.bin, { recursive: true });
    mkdirSync(this.daemonsDir, { recursive: true, mode: 0o755 });
    symlinkSync(FAKE_LOTUS_BIN, join(this.bin, 'lotus'));
    // The operator's account as Directory Services (the dscl double) knows it: what sudo's SUDO_USER resolves to.
    mkdirSync(this.path('etc'), { recursive: true });
    writeFileSync(this.path('etc', 'passwd'), `${this.user}:*:${this.uid}:${this.gid}:Operator:${this.home}:/bin/zsh\n`);
    // The mount table the mount double prints (a Mac's boot volume); mountVolume() adds to it.
    writeFileSync(this.path('etc', 'mounts'), '/dev/disk3s1s1 on / (apfs, sealed, local, read-only, journaled)\n/dev/disk3s5 on /System/Volumes/Data (apfs, local, journaled, nobrowse)\n');
    mkdirSync(this.volumesDir, { recursive: true, mode: 0o755 });
    // The operator owns the sandbox (their project folder) and their home; bin/, the daemons folder and the double's
    // state stay root's, as /usr/local/bin, /Library/LaunchDaemons and launchd's own state would be.
    chmodSync(this.root, 0o755);
    this.chownToOperator(this.root);
    this.chownToOperator(this.home);
    // The fake lotus needs node and python; a Mac's lotus needs neither, so jobs get them from the emulated machine,
    // not from lotus.yaml (which stays what a user would write).
    const fake = fakeLaunchctlEnv(this.launchdDir, {
      idleMs: 3_600_000, consoleUid: this.uid, consoleGid: this.gid,
      // The macOS tools at their sandbox paths, for a job that runs lotusctl (the monitor), as a Mac has them.
      jobEnv: {
        FAKE_LOTUS_NODE: process.execPath, FAKE_LOTUS_PYTHON: pythonExecutable(),
        LOTUSCTL_MACOS_TOOLS: MACOS_TOOLS_DIR, FAKE_MOUNT_TABLE: this.path('etc', 'mounts'), LOTUSCTL_VOLUMES_DIR: this.volumesDir,
      },
    });
    this.env = {
      ...fake,
      HOME: this.home,
      PATH: `${this.bin}:${fake.PATH}`,
      LOTUSCTL_LOCK_WAIT_MS: '1500',
      LOTUSCTL_SYSTEM_DAEMONS_DIR: this.daemonsDir,
      // The macOS tools lotusctl asks (dscl for sudo's user, …): doubles reading this sandbox's files.
      LOTUSCTL_MACOS_TOOLS: MACOS_TOOLS_DIR,
      FAKE_DSCL_PASSWD: this.path('etc', 'passwd'),
      FAKE_LAUNCHD_PASSWD: this.path('etc', 'passwd'),
      FAKE_MOUNT_TABLE: this.path('etc', 'mounts'),
      LOTUSCTL_VOLUMES_DIR: this.volumesDir,
      // The run's shared compile cache (test/helpers/global-setup.ts), not the temp folder or this home.
      ...(process.env['LOTUSCTL_TEST_COMPILE_CACHE_DIR'] ? { LOTUSCTL_COMPILE_CACHE_DIR: process.env['LOTUSCTL_TEST_COMPILE_CACHE_DIR'] } : {}),
      ...extraEnv,
    };
    // The double starts now, as the test process (root in CI), so that it can run agents as the operator whoever
    // calls launchctl first; a supervisor started by the operator's own CLI could not.
    const boot = spawnSync(fakeLaunchctlPath(), ['print-disabled', 'system'], { env: { ...process.env, ...this.env }, encoding: 'utf8', timeout: 30_000 });
    if (boot.status !== 0) throw new Error(`the launchctl double did not start: ${boot.stderr || boot.error?.message}`);
  }

  /** `gui/<uid>` and `user/<uid>` of the operator. */
  get gui(): string {
    return `gui/${this.uid}`;
  }

  get userDomain(): string {
    return `user/${this.uid}`;
  }

  path(...parts: string[]): string {
    return join(this.root, ...parts);
  }

  /** Write lotus.yaml (or another name) in the sandbox root and return its path. */
  writeSpec(text: string, name = 'lotus.yaml'): string {
    const p = this.path(name);
    writeFileSync(p, text);
    return p;
  }

  /** A small program for jobs: a shell script with the given body. */
  script(name: string, body: string): string {
    const p = join(this.bin, name);
    writeFileSync(p, `#!/bin/sh\n${body}\n`);
    chmodSync(p, 0o755);
    return p;
  }

  /** Gives `path` (and, for a folder, everything in it) to the operator, as if they had made it. No-op unless root. */
  chownToOperator(path: string): void {
    if (!IS_ROOT) return;
    const st = lstatSync(path);
    chownSync(path, this.uid, this.gid);
    if (st.isDirectory()) for (const n of readdirSync(path)) {
      const child = join(path, n);
      // The double's state and the daemons folder are root's, whatever folder they sit in.
      if (![this.launchdDir, this.path('Library'), this.bin, this.path('etc'), this.volumesDir].includes(child)) this.chownToOperator(child);
    }
  }

  /** Runs the CLI as the operator; `node`: with another node binary (e.g. one in a fake Homebrew Cellar). */
  async cli(args: readonly string[], env: Record<string, string> = {}, opts: { node?: string } = {}): Promise<CliResult> {
    return runCli(args, { env: { ...this.env, ...env }, cwd: this.root, ...this.runAs(), ...opts });
  }

  /**
   * Runs the CLI as `sudo lotusctl …` from the operator's account: as root, with SUDO_UID/SUDO_GID/SUDO_USER and a
   * HOME that is not the operator's (sudo may or may not keep it). Needs the tests to run as root.
   */
  async sudo(args: readonly string[], env: Record<string, string> = {}): Promise<CliResult> {
    if (!IS_ROOT) throw new Error('Sandbox.sudo needs the tests to run as root');
    return runCli(args, { env: { ...this.env, ...this.sudoEnv(), SUDO_COMMAND: `lotusctl ${args.join(' ')}`, HOME: this.path('var-root'), ...env }, cwd: this.root });
  }

  /**
   * What sudo(8) adds to the environment of a command the operator runs through it (SUDO_UID, SUDO_GID, SUDO_USER):
   * for tools that run lotusctl as root on the operator's behalf, e.g. Ansible with `become` (sudo). {} unless root.
   */
  sudoEnv(): Record<string, string> {
    return IS_ROOT ? { SUDO_UID: String(this.uid), SUDO_GID: String(this.gid), SUDO_USER: this.user } : {};
  }

  /** spawn/execFile options that run a child as the operator (uid/gid when root; nothing otherwise). */
  runAs(): { uid?: number; gid?: number } {
    return IS_ROOT ? { uid: this.uid, gid: this.gid } : {};
  }

  launchctl(args: readonly string[]) {
    return runFakeLaunchctl(args, this.env);
  }

  /** The service's `launchctl print` fields that tests look at (default: the operator's gui domain). */
  async print(label: string, domain = this.gui): Promise<{ loaded: boolean; pid?: number; runs?: number; text: string }> {
    const r = await this.launchctl(['print', `${domain}/${label}`]);
    if (r.code !== 0) return { loaded: false, text: r.stderr };
    const pid = /^\s*pid = (\d+)$/m.exec(r.stdout)?.[1];
    const runs = /^\s*runs = (\d+)$/m.exec(r.stdout)?.[1];
    return { loaded: true, ...(pid ? { pid: Number(pid) } : {}), ...(runs ? { runs: Number(runs) } : {}), text: r.stdout };
  }

  /** The simulated Mac restarts: every job stops, nobody is logged in, the daemons folder loads. */
  async reboot(): Promise<void> {
    const r = await this.launchctl(['__fake_reboot', this.daemonsDir]);
    if (r.code !== 0) throw new Error(`reboot failed: ${r.stderr}`);
  }

  /** The operator logs in: at the console (Aqua, the default) or over SSH. Their LaunchAgents load as launchd would. */
  async login(how: 'console' | 'ssh' = 'console'): Promise<void> {
    const r = await this.launchctl(['__fake_login', String(this.uid), this.home, '--gid', String(this.gid), ...(how === 'ssh' ? ['--ssh'] : [])]);
    if (r.code !== 0) throw new Error(`login failed: ${r.stderr}`);
  }

  /** The operator logs out of the console: gui/<uid> and its jobs go. */
  async logout(): Promise<void> {
    const r = await this.launchctl(['__fake_logout', String(this.uid)]);
    if (r.code !== 0) throw new Error(`logout failed: ${r.stderr}`);
  }

  /**
   * A volume appears at <volumesDir>/<name> with file system `fs` (in the mount table), writable by the operator, as
   * a disk the operator formatted. A volume that was unmounted comes back with what was on it.
   */
  mountVolume(name: string, fs = 'apfs'): string {
    const point = join(this.volumesDir, name);
    const stash = join(this.root, 'unmounted', name);
    if (existsSync(stash)) renameSync(stash, point);
    else {
      mkdirSync(point);
      if (IS_ROOT) chownSync(point, this.uid, this.gid);
    }
    const flags = ['apfs', 'hfs'].includes(fs) ? 'local, nodev, nosuid, journaled, noowners' : 'local, nodev, nosuid, noowners';
    appendFileSync(this.path('etc', 'mounts'), `/dev/disk9s${name.length} on ${point} (${fs}, ${flags})\n`);
    return point;
  }

  /** The volume goes away (its contents are kept aside for mountVolume), as when a disk is not plugged in at boot. */
  unmountVolume(name: string): void {
    const point = join(this.volumesDir, name);
    mkdirSync(join(this.root, 'unmounted'), { recursive: true });
    renameSync(point, join(this.root, 'unmounted', name));
    const table = readFileSync(this.path('etc', 'mounts'), 'utf8').split('\n').filter((l) => !l.includes(` on ${point} (`)).join('\n');
    writeFileSync(this.path('etc', 'mounts'), table);
  }

  agentPlist(label: string): string {
    return join(this.home, 'Library/LaunchAgents', `${label}.plist`);
  }

  daemonPlist(label: string): string {
    return join(this.daemonsDir, `${label}.plist`);
  }

  stateDir(): string {
    return join(this.home, 'Library/Application Support/lotusctl');
  }

  manifest(): { jobs: Record<string, { digest: string; state: string }> } {
    const p = join(this.stateDir(), 'state.json');
    return existsSync(p) ? JSON.parse(readFileSync(p, 'utf8')) : { jobs: {} };
  }

  /** Environment for a fake lotus job: an API on any free port (the sandbox's launchd gives it node and python). */
  static lotusJobEnv(): string {
    return '{ LOTUS_API_LISTENADDRESS: /ip4/127.0.0.1/tcp/0/http }';
  }

  /** lotus.yaml text for a Lotus daemon run by the fake lotus, fast to start; `rest` is appended verbatim. */
  static lotusDaemonSpec(rest = ''): string {
    return `version: 1
services:
  daemon:
    program: lotus
    args: [daemon]
    repo: ~/.lotus
    env: ${Sandbox.lotusJobEnv()}
    logs: { dir: ~/Library/Logs/lotus }
    throttle_interval: 1s
    exit_timeout: 60s
    health: { startup_grace: 30s }
${rest}`;
  }

  async stop(): Promise<number[]> {
    const survivors = await stopFakeLaunchd(this.launchdDir);
    await killAllFakeLotus();
    rmSync(this.root, { recursive: true, force: true });
    return survivors;
  }
}
