// The only module that runs launchctl. It builds argv (never a shell), runs it with a timeout, sorts
// failures with classifyLaunchctlFailure, and absorbs the known launchd races (specs/launchd-behaviour.md §3,
// "How other tools drive launchctl"): EIO/EALREADY right after a bootout, EINPROGRESS from bootout,
// and bootout returning before the job has left the domain.
import { spawn } from 'node:child_process';
import { basename } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { LotusctlError } from '../model/errors.js';
import { assertValidLabel, domainTarget, isValidLabel, serviceTarget, type DomainTarget } from '../launchd/domain.js';
import { classifyLaunchctlFailure, LaunchctlError, type LaunchctlErrorKind } from '../launchd/launchctl-errors.js';
import {
  parseDomainPrint,
  parseList,
  parseListLabel,
  parsePrintDisabled,
  parseServicePrint,
  type DomainPrint,
  type ListLabel,
  type ListRow,
  type ServicePrint,
} from '../launchd/parsers.js';

/** Bounds for the retries and polls; every delay goes through the injectable `sleep`. */
export interface LaunchctlRetryPolicy {
  /** Total bootstrap tries when it fails with 5/37/17 (the "maybe a bootout is still draining" codes). */
  bootstrapAttempts: number;
  /** Total bootout tries while it fails with 36/37 (teardown still in progress). */
  bootoutAttempts: number;
  /** Delay before retry number `attempt` (1 = first retry). */
  backoffMs: (attempt: number) => number;
  /** Interval between `print` polls while waiting for a booted-out job to leave the domain. */
  pollIntervalMs: number;
  /** Default for `bootout(…, { waitGoneMs })`. */
  waitGoneMs: number;
}

// nix-installer retries 10 times 500 ms apart; openclaw#136453 saw a retry "a few seconds later" work.
export const DEFAULT_RETRY: LaunchctlRetryPolicy = {
  bootstrapAttempts: 5,
  bootoutAttempts: 10,
  backoffMs: (attempt) => Math.min(500 * 2 ** (attempt - 1), 2000),
  pollIntervalMs: 250,
  waitGoneMs: 10_000,
};

export interface LaunchctlOptions {
  /** Path of the launchctl binary (see resolveLaunchctlBinary). */
  binary: string;
  /** Extra environment for the child, on top of this process's environment. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Per-call timeout; the child gets SIGTERM, then SIGKILL 2 s later. Default 30 s. */
  timeoutMs?: number;
  /** Waits between retries and polls; tests inject a recorder. */
  sleep?: (ms: number) => Promise<void>;
  retry?: Partial<LaunchctlRetryPolicy>;
}

/** Output of a successful read-only call: the raw stdout and what the matching parser read from it. */
export interface LaunchctlOutput<T> {
  text: string;
  parsed: T;
}

/** How a bootout ended: the job left the domain, or it was not loaded to begin with. */
export type BootoutOutcome = 'booted-out' | 'already-gone';

/** Called now and then while lotusctl waits for a job to stop: time waited so far and the limit, in ms. */
export type WaitProgress = (waitedMs: number, limitMs: number) => void;

/** How often a long wait reports progress. */
const PROGRESS_EVERY_MS = 5000;

interface RawResult {
  exitCode: number | undefined;
  stdout: string;
  stderr: string;
}

const SIGNAL_RE = /^(?:SIG)?[A-Z][A-Z0-9]*$|^[1-9][0-9]?$/;
// Codes from bootstrap that may only mean "a bootout of this label is still draining" (specs/launchd-behaviour.md §3, lessons 1-2).
const BOOTSTRAP_RACE_KINDS: ReadonlySet<LaunchctlErrorKind> = new Set(['io-error', 'in-progress', 'exists']);

export class Launchctl {
  readonly binary: string;
  private readonly env: Readonly<Record<string, string | undefined>> | undefined;
  private readonly timeoutMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly retry: LaunchctlRetryPolicy;

  constructor(opts: LaunchctlOptions) {
    this.binary = opts.binary;
    this.env = opts.env;
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.sleep = opts.sleep ?? ((ms) => delay(ms));
    this.retry = { ...DEFAULT_RETRY, ...opts.retry };
  }

  /**
   * argv: `bootstrap <domain-target> <plistPath>`.
   * On 5/37/17 it confirms with `print <domain-target>/<label>` and retries with backoff, up to
   * `bootstrapAttempts` tries. `label` defaults to the plist's file name without `.plist` (lotusctl names
   * plists `<Label>.plist`); without a valid label it retries without confirming. When every try failed
   * and print says not loaded, it also runs `print-disabled <domain-target>` to tell a disabled label apart.
   * Throws: `exists` when the job stays loaded, `disabled` when the label is disabled, else the last classified failure.
   */
  async bootstrap(domain: DomainTarget, plistPath: string, opts: { label?: string } = {}): Promise<void> {
    const dt = domainTarget(domain);
    if (opts.label !== undefined) assertValidLabel(opts.label);
    const label = opts.label ?? labelFromPlistPath(plistPath);
    const args = [dt, plistPath];
    const attempts = Math.max(1, this.retry.bootstrapAttempts);
    let last: LaunchctlError | undefined;
    let loaded: boolean | undefined;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      if (attempt > 1) await this.sleep(this.retry.backoffMs(attempt - 1));
      const r = await this.exec('bootstrap', args);
      if (r.exitCode === 0) return;
      last = classifyLaunchctlFailure({ subcommand: 'bootstrap', args, ...r });
      if (!BOOTSTRAP_RACE_KINDS.has(last.kind)) throw last;
      const probe = label === undefined ? undefined : await this.probe(domain, label);
      loaded = probe === undefined || 'error' in probe ? undefined : probe.loaded;
    }
    if (last === undefined) throw new LotusctlError('internal', 'bootstrap made no attempt');
    if (loaded === true) {
      throw reclassify(last, 'exists', `launchctl bootstrap ${dt} ${plistPath}: service "${label}" is already loaded (bootstrap kept failing with "${last.stderrFirstLine}")`, {
        hint: `Unload it first: launchctl bootout ${dt}/${label} (lotusctl apply does this when the definition changed).`,
      });
    }
    if (loaded === false && label !== undefined && (await this.isDisabled(domain, label))) {
      // EIO is all a disabled label gets from bootstrap, even as root (specs/launchd-behaviour.md §3); print-disabled says why.
      throw reclassify(last, 'disabled', `launchctl bootstrap ${dt} ${plistPath}: service "${label}" is disabled`, {
        hint: `Enable it first: launchctl enable ${dt}/${label} (lotusctl apply enables jobs before bootstrapping them).`,
      });
    }
    const why = loaded === false ? `; print shows "${label}" not loaded, so neither an already-loaded job nor a draining bootout` : '';
    throw reclassify(last, last.kind, last.message, { hint: last.hint, detail: `gave up after ${attempts} tries${why}` });
  }

  /**
   * argv: `bootout <domain-target>/<label>`, repeated while it fails with 36/37, then `print <domain-target>/<label>`
   * every `pollIntervalMs` until it exits 113, bounded by `waitGoneMs` (default 10 s; 0 skips the wait). Callers that
   * stop a real job pass the job's own bound (src/launchd/stop-wait.ts: ExitTimeOut plus a margin), which then also
   * bounds the 36/37 retries; without it they stop after `bootoutAttempts`. Not loaded (3/113) counts as success:
   * `already-gone`. Throws `launchctl.bootout-timeout` when the job is still listed after `waitGoneMs`.
   */
  async bootout(domain: DomainTarget, label: string, opts: { waitGoneMs?: number; onWait?: WaitProgress } = {}): Promise<BootoutOutcome> {
    const target = serviceTarget(domain, label);
    const limit = opts.waitGoneMs ?? this.retry.waitGoneMs;
    const clock = this.stopwatch(limit, opts.onWait);
    for (let attempt = 1; ; attempt++) {
      const r = await this.exec('bootout', [target]);
      if (r.exitCode === 0) break;
      const err = classifyLaunchctlFailure({ subcommand: 'bootout', args: [target], ...r });
      if (err.kind === 'not-loaded') return 'already-gone';
      if (err.kind !== 'in-progress') throw err;
      const withinBudget = opts.waitGoneMs !== undefined && clock.elapsed() < limit;
      if (attempt >= this.retry.bootoutAttempts && !withinBudget) throw reclassify(err, err.kind, err.message, { hint: err.hint, detail: `still in progress after ${attempt} tries` });
      const wait = this.retry.backoffMs(attempt);
      await this.sleep(wait);
      clock.slept(wait);
    }
    await this.waitGone(domain, label, limit, clock);
    return 'booted-out';
  }

  /** Elapsed time of a wait: the larger of wall time and time slept (an injected no-op sleep still advances it). */
  private stopwatch(limitMs: number, onWait: WaitProgress | undefined): { elapsed(): number; slept(ms: number): void } {
    const start = performance.now();
    let slept = 0;
    let reported = 0;
    const elapsed = (): number => Math.max(performance.now() - start, slept);
    return {
      elapsed,
      slept: (ms) => {
        slept += ms;
        const e = elapsed();
        if (onWait !== undefined && e - reported >= PROGRESS_EVERY_MS) {
          reported = e;
          onWait(e, limitMs);
        }
      },
    };
  }

  /** argv: `enable <domain-target>/<label>`. Persistent override; works whether or not the job is loaded. */
  async enable(domain: DomainTarget, label: string): Promise<void> {
    await this.call('enable', [serviceTarget(domain, label)]);
  }

  /** argv: `disable <domain-target>/<label>`. Persistent override; does not unload a loaded job. */
  async disable(domain: DomainTarget, label: string): Promise<void> {
    await this.call('disable', [serviceTarget(domain, label)]);
  }

  /**
   * argv: `kickstart [-k] [-p] <domain-target>/<label>`. With `printPid`, returns the pid launchctl
   * printed (a bare `N`, or `service spawned with pid: N`), or undefined when it printed none.
   */
  async kickstart(domain: DomainTarget, label: string, opts: { kill?: boolean; printPid?: boolean; timeoutMs?: number } = {}): Promise<number | undefined> {
    const args = [...(opts.kill ? ['-k'] : []), ...(opts.printPid ? ['-p'] : []), serviceTarget(domain, label)];
    // -k may wait for the old instance to drain (up to its ExitTimeOut): the caller passes that bound.
    const out = await this.call('kickstart', args, opts.timeoutMs);
    if (!opts.printPid) return undefined;
    const m = /(?:^|\s|:)(\d+)\s*$/.exec(out.trim());
    const pid = m ? Number(m[1]) : NaN;
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  }

  /** argv: `print <domain-target>/<label>`. Undefined when the job is not loaded (113). */
  async print(domain: DomainTarget, label: string): Promise<LaunchctlOutput<ServicePrint> | undefined> {
    const text = await this.callUnlessNotLoaded('print', [serviceTarget(domain, label)]);
    return text === undefined ? undefined : { text, parsed: parseServicePrint(text) };
  }

  /** argv: `print <domain-target>`. */
  async printDomain(domain: DomainTarget): Promise<LaunchctlOutput<DomainPrint>> {
    const text = await this.call('print', [domainTarget(domain)]);
    return { text, parsed: parseDomainPrint(text) };
  }

  /** argv: `print-disabled <domain-target>`. label -> true (disabled) / false (enabled); a missing label has no override. */
  async printDisabled(domain: DomainTarget): Promise<Record<string, boolean>> {
    return parsePrintDisabled(await this.call('print-disabled', [domainTarget(domain)]));
  }

  /** argv: `list`. The legacy table for the caller's own context, not a chosen domain (specs/launchd-behaviour.md §7). */
  async list(): Promise<LaunchctlOutput<ListRow[]>> {
    const text = await this.call('list', []);
    return { text, parsed: parseList(text) };
  }

  /** argv: `list <label>`. Undefined when launchctl cannot find it (113). */
  async listLabel(label: string): Promise<LaunchctlOutput<ListLabel> | undefined> {
    assertValidLabel(label);
    const text = await this.callUnlessNotLoaded('list', [label]);
    return text === undefined ? undefined : { text, parsed: parseListLabel(text) };
  }

  /** argv: `kill <signal> <domain-target>/<label>`; `signal` is a name (`SIGTERM`, `TERM`) or a number. */
  async kill(signal: string | number, domain: DomainTarget, label: string): Promise<void> {
    const sig = String(signal);
    if (!SIGNAL_RE.test(sig)) {
      throw new LotusctlError('launchctl.invalid-signal', `not a signal: ${JSON.stringify(sig)}`, { hint: 'Use a name such as SIGTERM or a number such as 15.' });
    }
    await this.call('kill', [sig, serviceTarget(domain, label)]);
  }

  /** argv: `error <code>`. launchctl's own text for a code, e.g. `5: Input/output error`. */
  async error(code: number): Promise<string> {
    if (!Number.isSafeInteger(code) || code < 0) throw new LotusctlError('launchctl.invalid-code', `not an error code: ${code}`);
    return (await this.call('error', [String(code)])).trim();
  }

  /** `print <service-target>` as a yes/no: 113 -> not loaded; 37 (EALREADY) counts as loaded, as nix-installer does. */
  private async probe(domain: DomainTarget, label: string): Promise<{ loaded: boolean } | { error: LaunchctlError }> {
    const args = [serviceTarget(domain, label)];
    const r = await this.exec('print', args);
    if (r.exitCode === 0) return { loaded: true };
    const error = classifyLaunchctlFailure({ subcommand: 'print', args, ...r });
    if (error.kind === 'not-loaded') return { loaded: false };
    if (error.kind === 'in-progress') return { loaded: true };
    return { error };
  }

  /** True only when print-disabled lists the label as disabled; any failure to tell gives false. */
  private async isDisabled(domain: DomainTarget, label: string): Promise<boolean> {
    try {
      return (await this.printDisabled(domain))[label] === true;
    } catch {
      return false;
    }
  }

  private async waitGone(domain: DomainTarget, label: string, waitGoneMs: number, clock = this.stopwatch(waitGoneMs, undefined)): Promise<void> {
    if (waitGoneMs <= 0) return;
    let polls = 0;
    for (;;) {
      polls++;
      const probe = await this.probe(domain, label);
      // A print that neither finds nor misses the job: surface it rather than guess that the job is gone.
      if ('error' in probe) throw probe.error;
      if (!probe.loaded) return;
      const elapsed = clock.elapsed();
      if (elapsed >= waitGoneMs) {
        throw new LotusctlError(
          'launchctl.bootout-timeout',
          `launchctl bootout ${serviceTarget(domain, label)} returned, but the job was still loaded after ${Math.round(waitGoneMs)} ms (${polls} checks)`,
          { hint: 'Its process may be slow to exit (ExitTimeOut). Check `launchctl print <service-target>` and retry; lotusctl does not bootstrap over a job that is still leaving.' },
        );
      }
      const wait = Math.max(1, Math.min(this.retry.pollIntervalMs, waitGoneMs - elapsed));
      await this.sleep(wait);
      clock.slept(wait);
    }
  }

  /**
   * Polls `print` until launchd shows a running instance whose pid is not `oldPid`, for at most `limitMs`: after a
   * `kickstart -k`, which may return before the old instance has drained (or time out while it does). Returns the new
   * pid, or undefined when none showed in time.
   */
  async waitRestarted(domain: DomainTarget, label: string, oldPid: number | undefined, limitMs: number, onWait?: WaitProgress): Promise<number | undefined> {
    const clock = this.stopwatch(limitMs, onWait);
    for (;;) {
      const p = await this.print(domain, label);
      const pid = p?.parsed.pid;
      if (pid !== undefined && pid !== oldPid) return pid;
      if (p === undefined || clock.elapsed() >= limitMs) return undefined;
      const wait = Math.max(1, Math.min(this.retry.pollIntervalMs, limitMs - clock.elapsed()));
      await this.sleep(wait);
      clock.slept(wait);
    }
  }

  private async callUnlessNotLoaded(subcommand: string, args: readonly string[]): Promise<string | undefined> {
    const r = await this.exec(subcommand, args);
    if (r.exitCode === 0) return r.stdout;
    const err = classifyLaunchctlFailure({ subcommand, args, ...r });
    if (err.kind === 'not-loaded') return undefined;
    throw err;
  }

  /** Runs one call; returns stdout on exit 0, throws the classified failure otherwise. */
  private async call(subcommand: string, args: readonly string[], timeoutMs?: number): Promise<string> {
    const r = await this.exec(subcommand, args, timeoutMs);
    if (r.exitCode === 0) return r.stdout;
    throw classifyLaunchctlFailure({ subcommand, args, ...r });
  }

  /** Spawns `<binary> <subcommand> <args…>` without a shell. Throws only when it could not run or timed out. */
  private async exec(subcommand: string, args: readonly string[], timeoutMs = this.timeoutMs): Promise<RawResult> {
    const argv = [subcommand, ...args];
    const cmd = ['launchctl', ...argv].join(' ');
    const r = await runArgv(this.binary, argv, { ...process.env, ...this.env }, timeoutMs);
    if (r.timedOut) {
      throw new LotusctlError('launchctl.timeout', `${cmd} did not finish within ${timeoutMs} ms`, {
        hint: 'launchd may be busy or hung; retry in a moment. If it keeps happening, check `sudo launchctl print system` by hand.',
        details: [r.stderr].filter((s) => s !== ''),
      });
    }
    if (r.spawnError) {
      throw new LotusctlError('launchctl.spawn-failed', `could not run ${this.binary} (${cmd}): ${r.spawnError.code ?? r.spawnError.message}`, {
        hint: 'Check that LOTUSCTL_LAUNCHCTL (or /bin/launchctl) names an executable file.',
        cause: r.spawnError,
      });
    }
    return { exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr };
  }

}

/** `<dir>/<Label>.plist` -> `<Label>` when that is a valid label. */
export function labelFromPlistPath(plistPath: string): string | undefined {
  const name = basename(plistPath);
  if (!name.endsWith('.plist')) return undefined;
  const label = name.slice(0, -'.plist'.length);
  return isValidLabel(label) ? label : undefined;
}

/** The same failure under another kind or message (the retry loop learned more than one call's stderr says). */
function reclassify(err: LaunchctlError, kind: LaunchctlErrorKind, message: string, opts: { hint?: string; detail?: string }): LaunchctlError {
  const f = { subcommand: err.subcommand, args: err.args, exitCode: err.exitCode, stderr: '', stdout: '' };
  return new LaunchctlError(
    kind,
    message,
    { ...f, target: err.target, reportedCode: err.reportedCode, stderrFirstLine: err.stderrFirstLine },
    { hint: opts.hint, details: opts.detail === undefined ? err.details : [...err.details, opts.detail], cause: err },
  );
}

interface ArgvResult {
  exitCode: number | undefined;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  spawnError?: NodeJS.ErrnoException;
}

/**
 * Run a binary with argv (no shell), stdin closed, and collect its output without the final newline. After
 * `timeoutMs` it gets SIGTERM, then SIGKILL 2 s later. node:child_process rather than execa: every plan runs
 * launchctl, and loading execa cost more than the calls themselves (README, "Performance").
 */
function runArgv(binary: string, argv: readonly string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<ArgvResult> {
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let spawnError: NodeJS.ErrnoException | undefined;
    let killTimer: NodeJS.Timeout | undefined;
    const child = spawn(binary, [...argv], { stdio: ['ignore', 'pipe', 'pipe'], env });
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGTERM');
      killTimer = setTimeout(() => child.kill('SIGKILL'), 2000);
    }, timeoutMs);
    child.on('error', (e: NodeJS.ErrnoException) => (spawnError ??= e));
    child.on('close', (code) => {
      clearTimeout(timer);
      clearTimeout(killTimer);
      resolve({
        exitCode: spawnError || code === null ? undefined : code,
        stdout: stripFinalNewline(stdout), stderr: stripFinalNewline(stderr), timedOut,
        ...(spawnError ? { spawnError } : {}),
      });
    });
  });
}

function stripFinalNewline(s: string): string {
  return s.endsWith('\r\n') ? s.slice(0, -2) : s.endsWith('\n') ? s.slice(0, -1) : s;
}
