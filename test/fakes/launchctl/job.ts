// One loaded job in the supervisor: really spawns, reaps, throttles and restarts it like launchd (specs/launchd-behaviour.md §1, §8).
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync } from 'node:fs';
import { setPriority } from 'node:os';
import type { JobDefinition } from './job-definition.js';
import type { Account } from './machine.js';
import { killGroup } from './proc.js';
import type { LastExit, ServiceSnapshot } from './render.js';
import { isCrashSignal, macSignalNumber, nodeSignalName } from './signals.js';
import { displayProgram, prepareSpawn } from './spawn.js';
import { domainKey, type Domain } from './targets.js';
import { EX_CONFIG } from './texts.js';

/** What a job needs from the supervisor around it. */
export interface JobHost {
  /** Whether `label` is loaded in the domain (KeepAlive.OtherJobEnabled, per the current man page). */
  isLoaded(domain: string, label: string): boolean;
  /** A job process was spawned (its pid is also its process group). */
  spawned(pid: number): void;
  log(message: string): void;
}

// `immediate reason` vocabulary (§3 blame): RunAtLoad/KeepAlive at load is `speculative`, kickstart `non-ipc demand`,
// a KeepAlive=true respawn `inefficient` (the 10.10 KeepAlive sample), a KeepAlive-dictionary one `semaphore` (unverified).
export type StartReason = 'speculative' | 'non-ipc demand' | 'inefficient' | 'semaphore';

/** Per (domain, label) runtime state: process state, runs, last exit kept while a new instance runs (§8). */
export class Job {
  runs = 0;
  lastExit: LastExit = { kind: 'never' };
  jobState: 'running' | 'exited' | 'spawn failed' | undefined;
  immediateReason: StartReason | undefined;
  pid: number | undefined;
  /** Set by bootout: no more respawns, and the label goes once the process is gone. */
  unloading = false;
  private child: ChildProcess | undefined;
  private lastSpawnAt = 0;
  private respawnTimer: NodeJS.Timeout | undefined;
  private killTimer: NodeJS.Timeout | undefined;
  private exitWaiters: Array<() => void> = [];
  private holdRespawn = false;
  private jetsamPending = false;

  constructor(
    readonly domain: Domain,
    readonly path: string,
    readonly def: JobDefinition,
    private readonly host: JobHost,
    /** Whom the job runs as (its domain's user); undefined: the supervisor's own identity, or UserName for daemons. */
    private readonly account?: Account,
  ) {}

  get label(): string {
    return this.def.label;
  }

  get running(): boolean {
    return this.pid !== undefined;
  }

  snapshot(): ServiceSnapshot {
    return {
      domain: this.domain,
      path: this.path,
      def: this.def,
      state: this.running ? 'running' : this.respawnTimer !== undefined ? 'spawn scheduled' : 'not running',
      runs: this.runs,
      ...(this.pid !== undefined ? { pid: this.pid, immediateReason: this.immediateReason ?? 'speculative' } : {}),
      lastExit: this.lastExit,
      ...(this.jobState !== undefined ? { jobState: this.jobState } : {}),
      program: displayProgram(this.def),
    };
  }

  /** Bootstrap: RunAtLoad, KeepAlive=true and KeepAlive.SuccessfulExit start the job at once (§1 "implies RunAtLoad"). */
  loaded(): void {
    const ka = this.def.keepAlive;
    const start =
      this.def.runAtLoad ||
      ka.kind === 'always' ||
      (ka.kind === 'conditions' && ka.afterInitialDemand !== true && (ka.successfulExit !== undefined || this.eventConditionHolds()));
    if (start) this.spawn('speculative');
  }

  /** Spawns one instance now. Returns the pid, or undefined when launchd could not exec it (`78: EX_CONFIG`). */
  spawn(reason: StartReason): number | undefined {
    this.cancelRespawn();
    this.runs += 1;
    this.lastSpawnAt = Date.now();
    // The child inherits the umask in force at fork time; Node has no per-child umask, so swap it around the spawn.
    const oldMask = this.def.umask !== undefined ? process.umask(this.def.umask) : undefined;
    let child: ChildProcess | undefined;
    let failure: string | undefined;
    try {
      const prep = prepareSpawn(this.def, this.domain, this.account);
      if (!prep.ok) {
        failure = prep.reason;
      } else {
        const s = prep.spawn;
        try {
          child = spawn(s.file, [...s.args], {
            ...(s.argv0 !== undefined ? { argv0: s.argv0 } : {}),
            cwd: s.cwd,
            env: s.env,
            // A new session, so the job leads its own process group (launchd calls setsid for each job).
            detached: true,
            stdio: [...s.stdio],
            ...(s.uid !== undefined ? { uid: s.uid } : {}),
            ...(s.gid !== undefined ? { gid: s.gid } : {}),
          });
          child.on('error', (e) => this.host.log(`${this.label}: spawn error ${e.message}`));
        } finally {
          for (const fd of s.fds) closeSync(fd);
        }
        if (child.pid === undefined) failure = `exec of ${s.file} failed`;
      }
    } finally {
      if (oldMask !== undefined) process.umask(oldMask);
    }
    if (failure !== undefined || child?.pid === undefined) {
      this.host.log(`${this.label}: spawn failed: ${failure ?? 'unknown'}`);
      this.lastExit = { kind: 'exit', code: EX_CONFIG };
      this.jobState = 'spawn failed';
      this.immediateReason = undefined;
      this.afterExit();
      return undefined;
    }
    const pid = child.pid;
    this.child = child;
    this.pid = pid;
    this.jobState = 'running';
    this.immediateReason = reason;
    this.host.spawned(pid);
    if (this.def.nice !== undefined) {
      try {
        setPriority(pid, this.def.nice);
      } catch (e) {
        this.host.log(`${this.label}: nice ${this.def.nice}: ${(e as Error).message}`);
      }
    }
    child.on('exit', (code, signal) => this.exited(pid, code, signal));
    return pid;
  }

  private exited(pid: number, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.pid !== pid) return;
    this.pid = undefined;
    this.child = undefined;
    if (this.killTimer !== undefined) clearTimeout(this.killTimer);
    this.killTimer = undefined;
    // §1 AbandonProcessGroup: by default launchd kills what is left of the job's process group.
    if (!this.def.abandonProcessGroup) killGroup(pid, 'SIGKILL');
    if (this.jetsamPending) this.lastExit = { kind: 'jetsam' };
    else if (signal !== null) this.lastExit = { kind: 'signal', signal: macSignalNumber(signal) };
    else this.lastExit = { kind: 'exit', code: code ?? 0 };
    this.jetsamPending = false;
    this.jobState = 'exited';
    this.host.log(`${this.label}: pid ${pid} exited ${signal ?? code}`);
    const waiters = this.exitWaiters;
    this.exitWaiters = [];
    for (const w of waiters) w();
    this.afterExit();
  }

  private afterExit(): void {
    if (this.unloading || this.holdRespawn) return;
    const ka = this.def.keepAlive;
    if (ka.kind === 'none') return;
    if (ka.kind === 'always') return this.scheduleRespawn('inefficient');
    const e = this.lastExit;
    const success = e.kind === 'exit' && e.code === 0;
    const crashed = e.kind === 'signal' && isCrashSignal(e.signal);
    // §1: the dictionary's conditions are OR-ed; each one says when to keep the job alive.
    if ((ka.successfulExit !== undefined && success === ka.successfulExit) || (ka.crashed !== undefined && crashed === ka.crashed) || this.eventConditionHolds()) {
      this.scheduleRespawn('semaphore');
    }
  }

  /** KeepAlive.PathState / OtherJobEnabled (§1): true when any listed condition holds right now. */
  private eventConditionHolds(): boolean {
    const ka = this.def.keepAlive;
    if (ka.kind !== 'conditions') return false;
    for (const [path, want] of Object.entries(ka.pathState ?? {})) if (existsSync(path) === want) return true;
    for (const [label, want] of Object.entries(ka.otherJobEnabled ?? {})) if (this.host.isLoaded(domainKey(this.domain), label) === want) return true;
    return false;
  }

  /** Called periodically: starts an idle job whose PathState / OtherJobEnabled condition became true. */
  tick(): void {
    const ka = this.def.keepAlive;
    if (ka.kind !== 'conditions' || (ka.pathState === undefined && ka.otherJobEnabled === undefined)) return;
    if (this.unloading || this.holdRespawn || this.running || this.respawnTimer !== undefined) return;
    if (ka.afterInitialDemand === true && this.runs === 0) return;
    if (this.eventConditionHolds()) this.scheduleRespawn('semaphore');
  }

  /** Respawn no sooner than ThrottleInterval after the previous spawn (§1 "not … more than once every N seconds"). */
  private scheduleRespawn(reason: StartReason): void {
    if (this.respawnTimer !== undefined) return;
    const throttleMs = this.def.throttleInterval * 1000;
    // With ThrottleInterval 0 a program that cannot be exec'd would spin; 100 ms keeps the supervisor responsive.
    const delay = Math.max(throttleMs === 0 ? 100 : 0, this.lastSpawnAt + throttleMs - Date.now());
    this.respawnTimer = setTimeout(() => {
      this.respawnTimer = undefined;
      if (!this.unloading && !this.running) this.spawn(reason);
    }, delay);
  }

  private cancelRespawn(): void {
    if (this.respawnTimer !== undefined) clearTimeout(this.respawnTimer);
    this.respawnTimer = undefined;
  }

  /** SIGTERM the process, SIGKILL after ExitTimeOut (0 = never, §1); resolves once it has exited. */
  stopProcess(): Promise<void> {
    const pid = this.pid;
    if (pid === undefined) return Promise.resolve();
    const done = new Promise<void>((r) => this.exitWaiters.push(r));
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // already gone; the exit event follows
    }
    if (this.def.exitTimeOut > 0 && this.killTimer === undefined) {
      this.killTimer = setTimeout(() => {
        this.host.log(`${this.label}: exit timeout, SIGKILL ${pid}`);
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone
        }
      }, this.def.exitTimeOut * 1000);
    }
    return done;
  }

  /** bootout: no more respawns; resolves when no instance runs any more. */
  unload(): Promise<void> {
    this.unloading = true;
    this.cancelRespawn();
    return this.stopProcess();
  }

  /** kickstart (§3): a running job is left alone unless `kill`; then the old instance is stopped first. */
  async kickstart(kill: boolean): Promise<number | undefined> {
    if (this.running && !kill) return this.pid;
    if (this.running) {
      this.holdRespawn = true;
      try {
        await this.stopProcess();
      } finally {
        this.holdRespawn = false;
      }
    }
    if (this.unloading) return undefined;
    return this.spawn('non-ipc demand');
  }

  /** `launchctl kill`: delivers a (macOS-numbered) signal to the running instance. */
  signal(macSignal: number): void {
    const sig = nodeSignalName(macSignal);
    if (this.pid === undefined) return;
    if (macSignal === 0) return;
    if (sig !== undefined) process.kill(this.pid, sig);
  }

  /** Test hook: the system reclaims the job (pressured exit, `last exit reason = JETSAM_…`). */
  jetsam(): void {
    if (this.pid === undefined) return;
    this.jetsamPending = true;
    process.kill(this.pid, 'SIGKILL');
  }

  /** Supervisor shutdown: no timers may fire any more. */
  quiesce(): void {
    this.unloading = true;
    this.cancelRespawn();
    if (this.killTimer !== undefined) clearTimeout(this.killTimer);
    this.killTimer = undefined;
  }
}
