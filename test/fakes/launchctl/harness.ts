// A per-test sandbox around the double: temp state dir, env, plist writer, polling, and a leak-checking stop.
import { chmodSync, chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, buildBinary, type PlistValue } from 'plist';
import { callSupervisor } from './client.js';
import { stopFakeLaunchd } from './control.js';
import { contextFromEnv } from './protocol.js';
import { fakeLaunchctlEnv, runFakeLaunchctl, type FakeLaunchdOptions, type LaunchctlResult } from './index.js';

/** Polls `probe` until it returns a value other than undefined/false; rejects after `timeoutMs` naming `what`. */
export async function waitFor<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** One test's fake Mac: its own state dir and supervisor. Always `stop()` it (afterEach). */
export class FakeLaunchd {
  readonly env: Record<string, string>;

  private constructor(
    readonly root: string,
    readonly stateDir: string,
    opts: FakeLaunchdOptions,
  ) {
    this.env = fakeLaunchctlEnv(stateDir, opts);
  }

  /**
   * Creates a temp dir holding `state/` (FAKE_LAUNCHD_DIR) and room for plists and job files. Run as root, the double
   * runs agents as the console user (501 unless `consoleUid`), so the dir belongs to that user: their jobs write there.
   */
  static create(opts: FakeLaunchdOptions = {}): FakeLaunchd {
    const root = mkdtempSync(join(tmpdir(), 'fake-launchd-'));
    if (process.getuid?.() === 0) chownSync(root, opts.consoleUid ?? 501, opts.consoleGid ?? 20);
    return new FakeLaunchd(root, join(root, 'state'), opts);
  }

  /** Runs `launchctl args…`; `env` adds or overrides variables for this call only. */
  run(args: readonly string[], env: Record<string, string> = {}, opts: { cwd?: string } = {}): Promise<LaunchctlResult> {
    return runFakeLaunchctl(args, { ...this.env, ...env }, opts);
  }

  /**
   * Same request as `run`, sent from this process over the supervisor socket instead of through the shim: no node
   * start-up per call, so polling loops stay cheap on a loaded machine. The shim only replays what this returns.
   */
  async call(args: readonly string[], env: Record<string, string> = {}): Promise<LaunchctlResult> {
    const merged = { ...process.env, ...this.env, ...env };
    const res = await callSupervisor(this.stateDir, { argv: [...args], cwd: this.root, ctx: contextFromEnv(merged, false) }, merged);
    return { ...res };
  }

  /** A path inside the test's temp dir. */
  file(name: string): string {
    return join(this.root, name);
  }

  /** Writes a plist (XML by default) under the temp dir, mode 0644, and returns its path. */
  writePlist(name: string, dict: Record<string, PlistValue>, opts: { binary?: boolean; mode?: number } = {}): string {
    const path = this.file(name);
    writeFileSync(path, opts.binary === true ? buildBinary(dict) : build(dict));
    chmodSync(path, opts.mode ?? 0o644);
    return path;
  }

  /** Stops the supervisor and its jobs, removes the temp dir, and returns the pids that outlived the shutdown. */
  async stop(): Promise<number[]> {
    const survivors = await stopFakeLaunchd(this.stateDir);
    rmSync(this.root, { recursive: true, force: true });
    return survivors;
  }
}
