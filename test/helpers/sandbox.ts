import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fakeLaunchctlEnv, runFakeLaunchctl, stopFakeLaunchd } from '../fakes/launchctl/index.js';
import { FAKE_LOTUS_BIN, killAllFakeLotus, pythonExecutable } from '../fakes/lotus/harness.js';
import { runCli, type CliResult } from './cli.js';

/**
 * A fake Mac for integration tests: a temporary HOME, a bin/ with the fake `lotus`, the launchctl double with its
 * own state, and helpers to run the real CLI against them. Always `await sb.stop()` in afterEach.
 */
export class Sandbox {
  readonly root: string;
  readonly home: string;
  readonly bin: string;
  readonly env: Record<string, string>;
  readonly launchdDir: string;

  constructor(extraEnv: Record<string, string> = {}) {
    this.root = mkdtempSync(join(tmpdir(), 'lotusctl-sb-'));
    this.home = join(this.root, 'home');
    this.bin = join(this.root, 'bin');
    this.launchdDir = join(this.root, 'launchd');
    mkdirSync(this.home, { recursive: true });
    mkdirSync(this.bin, { recursive: true });
    symlinkSync(FAKE_LOTUS_BIN, join(this.bin, 'lotus'));
    // The fake lotus needs node and python; a Mac's lotus needs neither, so jobs get them from the emulated machine,
    // not from lotus.yaml (which stays what a user would write).
    const fake = fakeLaunchctlEnv(this.launchdDir, { idleMs: 120_000, jobEnv: { FAKE_LOTUS_NODE: process.execPath, FAKE_LOTUS_PYTHON: pythonExecutable() } });
    this.env = {
      ...fake,
      HOME: this.home,
      PATH: `${this.bin}:${fake.PATH}`,
      LOTUSCTL_LOCK_WAIT_MS: '1500',
      ...extraEnv,
    };
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

  cli(args: readonly string[], env: Record<string, string> = {}): Promise<CliResult> {
    return runCli(args, { env: { ...this.env, ...env }, cwd: this.root });
  }

  launchctl(args: readonly string[]) {
    return runFakeLaunchctl(args, this.env);
  }

  /** The service's `launchctl print` fields that tests look at. */
  async print(label: string, domain = `gui/${process.getuid?.() ?? 0}`): Promise<{ loaded: boolean; pid?: number; runs?: number; text: string }> {
    const r = await this.launchctl(['print', `${domain}/${label}`]);
    if (r.code !== 0) return { loaded: false, text: r.stderr };
    const pid = /^\s*pid = (\d+)$/m.exec(r.stdout)?.[1];
    const runs = /^\s*runs = (\d+)$/m.exec(r.stdout)?.[1];
    return { loaded: true, ...(pid ? { pid: Number(pid) } : {}), ...(runs ? { runs: Number(runs) } : {}), text: r.stdout };
  }

  agentPlist(label: string): string {
    return join(this.home, 'Library/LaunchAgents', `${label}.plist`);
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
