// The emulated launchd: loaded jobs per domain, persistent overrides, and every launchctl subcommand (specs/launchd-behaviour.md §3, §8).
import { appendFileSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Job, type JobHost } from './job.js';
import { clampLimits, readJobPlist, type JobDefinition } from './job-definition.js';
import { allowedOwners, Sessions, SUPERVISOR_IS_ROOT, type Account, type MachineConfig } from './machine.js';
import type { StatePaths } from './paths.js';
import { groupStillOurs, killGroup, livePidsInGroups, sleep, startOf } from './proc.js';
import type { CallerContext, Request, Response } from './protocol.js';
import { renderDomainPrint, renderList, renderListLabel, renderPrintDisabled, renderServicePrint } from './render.js';
import { parseSignalArg } from './signals.js';
import { domainKey, domainUid, parseTarget, sessionType, type Domain, type Target } from './targets.js';
import * as T from './texts.js';

/** Longest a synchronous bootout waits for the process before answering 36 (teardown goes on; §3). */
const BOOTOUT_WAIT_MS = 10_000;
/** Longest `kickstart -k` waits for the old instance (ExitTimeOut 0 means launchd never SIGKILLs it). */
const KICKSTART_KILL_WAIT_MS = 30_000;
/** At a simulated reboot, a job that ignores SIGTERM with ExitTimeOut 0 is SIGKILLed after this (the Mac does shut down). */
const REBOOT_KILL_AFTER_MS = 20_000;

// Real launchctl subcommands the double does not emulate: said plainly rather than faked.
const NOT_EMULATED = new Set([
  'load', 'unload', 'start', 'stop', 'remove', 'submit', 'setenv', 'unsetenv', 'getenv', 'error', 'variant', 'version',
  'help', 'reboot', 'dumpstate', 'examine', 'config', 'procinfo', 'hostinfo', 'resolveport', 'limit', 'runstats',
  'managerpid', 'manageruid', 'managername', 'attach', 'debug', 'asuser', 'bsexec', 'userswitch', 'print-cache',
  'print-token', 'dumpjpcategory', 'bootshell', 'uncache', 'plist', 'enter-service', 'log',
]);

interface Persisted {
  /** domain key -> label -> disabled. */
  overrides: Record<string, Record<string, boolean>>;
  bootoutEinprogressUsed: boolean;
}

class Out {
  stdout = '';
  stderr = '';
  code = 0;
  err(text: string, code: number): Response {
    this.stderr += `${text}\n`;
    this.code = code;
    return this.done();
  }
  usage(sub: string | undefined, reason?: string): Response {
    this.stderr += T.usageText(sub, reason);
    this.code = 64;
    return this.done();
  }
  done(): Response {
    return { stdout: this.stdout, stderr: this.stderr, code: this.code };
  }
}

export class Launchd implements JobHost {
  private readonly jobs = new Map<string, Map<string, Job>>();
  private persisted: Persisted;
  /** Who is logged in: which gui/<uid> and user/<uid> domains exist. */
  private readonly sessions: Sessions;
  /** Every process group ever spawned, with its leader's start time: shutdown sweeps those still ours (abandoned ones included). */
  readonly groups = new Map<number, string | undefined>();
  shutdownRequested = false;

  constructor(
    private readonly paths: StatePaths,
    private readonly machine: MachineConfig,
  ) {
    this.persisted = this.load();
    this.sessions = new Sessions(machine);
  }

  private load(): Persisted {
    try {
      const raw = JSON.parse(readFileSync(this.paths.overrides, 'utf8')) as Partial<Persisted>;
      return { overrides: raw.overrides ?? {}, bootoutEinprogressUsed: raw.bootoutEinprogressUsed === true };
    } catch {
      return { overrides: {}, bootoutEinprogressUsed: false };
    }
  }

  private save(): void {
    const tmp = `${this.paths.overrides}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(this.persisted, null, 2)}\n`);
    renameSync(tmp, this.paths.overrides);
  }

  log(message: string): void {
    try {
      appendFileSync(this.paths.log, `${new Date().toISOString()} [${process.pid}] ${message}\n`);
    } catch {
      // state dir gone: the health check shuts us down
    }
  }

  spawned(pid: number): void {
    const start = startOf(pid);
    this.groups.set(pid, start);
    try {
      appendFileSync(this.paths.spawned, `${pid}${start !== undefined ? ` ${start}` : ''}\n`);
    } catch {
      // state dir gone
    }
  }

  /** The spawned process groups whose ids have not been taken by another process since (pids are reused). */
  ourGroups(): Set<number> {
    return new Set([...this.groups].filter(([g, start]) => groupStillOurs(g, start)).map(([g]) => g));
  }

  isLoaded(domain: string, label: string): boolean {
    const j = this.jobs.get(domain)?.get(label);
    return j !== undefined && !j.unloading;
  }

  allJobs(): Job[] {
    return [...this.jobs.values()].flatMap((m) => [...m.values()]);
  }

  private domainJobs(d: Domain): Map<string, Job> {
    const k = domainKey(d);
    let m = this.jobs.get(k);
    if (m === undefined) this.jobs.set(k, (m = new Map()));
    return m;
  }

  private find(d: Domain, label: string): Job | undefined {
    return this.jobs.get(domainKey(d))?.get(label);
  }

  private overridesOf(d: Domain): Record<string, boolean> {
    return this.persisted.overrides[domainKey(d)] ?? {};
  }

  tick(): void {
    for (const j of this.allJobs()) j.tick();
  }

  // --- context helpers -------------------------------------------------------------------------------------------

  private domainMissing(d: Domain, ctx: CallerContext): boolean {
    return (d.kind === 'gui' && ctx.noGui) || !this.sessions.exists(d);
  }

  /**
   * Whom a job in `d` runs as: the domain's user for gui/ and user/ domains (launchd runs agents as their user), root
   * (or UserName, see spawn.ts) for system. A supervisor that is not root cannot switch and runs everything as itself.
   */
  accountFor(d: Domain): Account | undefined {
    if (!SUPERVISOR_IS_ROOT || d.kind === 'system') return undefined;
    const a = this.sessions.accountOf(d);
    return a === undefined || a.uid === 0 ? undefined : a;
  }

  /** The plist as launchd would load it: NumberOfFiles clamped to kern.maxfilesperproc (see clampLimits). */
  private effective(def: JobDefinition): JobDefinition {
    return clampLimits(def, this.machine.maxFilesPerProc);
  }

  /** Root may modify any domain; others only their own user/gui domain (launchctl help, via the Procursus clone). */
  private mayModify(d: Domain, ctx: CallerContext): boolean {
    return ctx.euid === 0 || domainUid(d) === ctx.euid;
  }

  /** Legacy `list` works in the caller's context: system for root, else the user's gui (or user) domain (§3). */
  private callerDomain(ctx: CallerContext): Domain {
    if (ctx.euid === 0) return { kind: 'system' };
    const gui: Domain = { kind: 'gui', uid: ctx.euid };
    return this.domainMissing(gui, ctx) ? { kind: 'user', uid: ctx.euid } : gui;
  }

  private serviceTarget(spec: string | undefined): (Target & { label: string }) | undefined {
    const t = spec === undefined ? undefined : parseTarget(spec);
    return t?.label === undefined ? undefined : (t as Target & { label: string });
  }

  // --- dispatch ------------------------------------------------------------------------------------------------------

  async handle(req: Request): Promise<Response> {
    const [sub, ...args] = req.argv;
    const out = new Out();
    const ctx = req.ctx;
    switch (sub) {
      case 'bootstrap':
        return this.bootstrap(args, ctx, req.cwd, out);
      case 'bootout':
        return this.bootout(args, ctx, req.cwd, out);
      case 'enable':
      case 'disable':
        return this.enable(sub, args, ctx, out);
      case 'kickstart':
        return this.kickstart(args, ctx, out);
      case 'kill':
        return this.kill(args, ctx, out);
      case 'blame':
        return this.blame(args, ctx, out);
      case 'print':
        return this.print(args, ctx, out);
      case 'print-disabled':
        return this.printDisabled(args, ctx, out);
      case 'list':
        return this.list(args, ctx, out);
      case '__fake_status':
        out.stdout = `${JSON.stringify(this.status())}\n`;
        return out.done();
      case '__fake_jetsam':
        return this.jetsam(args, ctx, out);
      case '__fake_reboot':
        return this.reboot(args, out);
      case '__fake_login':
        return this.login(args, out);
      case '__fake_logout':
        return this.logout(args, out);
      case undefined:
        return out.usage(undefined);
      default:
        if (NOT_EMULATED.has(sub)) return out.err(`launchctl (fake): subcommand "${sub}" is not emulated by the lotusctl test double`, 64);
        // Usage block shape of the bootout fixture; the first line's wording is the Procursus clone's (unverified).
        return out.usage(undefined, `Unrecognized subcommand: ${sub}`);
    }
  }

  status(): object {
    return {
      pid: process.pid,
      jobs: this.allJobs().map((j) => ({
        domain: domainKey(j.domain),
        label: j.label,
        pid: j.pid ?? null,
        runs: j.runs,
        lastExit: j.lastExit,
        unloading: j.unloading,
      })),
      console: this.sessions.console?.uid ?? null,
      groups: [...this.groups.keys()],
    };
  }

  // --- bootstrap / bootout -------------------------------------------------------------------------------------------

  private bootstrap(args: string[], ctx: CallerContext, cwd: string, out: Out): Response {
    if (args.length < 2) return out.usage('bootstrap');
    const t = parseTarget(args[0] ?? '');
    if (t === undefined || t.label !== undefined || args.slice(1).some((a) => a.startsWith('-'))) return out.usage('bootstrap', T.UNRECOGNIZED_TARGET);
    const d = t.domain;
    const nonRoot = ctx.euid !== 0;
    const fail = (code: number): Response => out.err(T.bootstrapFailed(code) + (nonRoot && code === 5 ? `\n${T.ROOT_HINT}` : ''), code);
    // gui/<uid> without a console session: 125 (seen). A user/<uid> nobody logged in to: 112 (unverified, see machine.ts).
    if (this.domainMissing(d, ctx)) return d.kind === 'user' ? out.err(T.bootstrapFailed(112), 112) : fail(125);
    if (!this.mayModify(d, ctx)) return fail(5);
    // Only root gets launchd's specific codes, and only when the double is asked for them (§8); otherwise EIO.
    const rich = (code: number): number => (ctx.richErrors && !nonRoot ? code : 5);
    let first: number | undefined;
    for (const p of args.slice(1)) {
      const path = resolve(cwd, p);
      const r = readJobPlist(path, allowedOwners(d));
      let code: number | undefined;
      if (!r.ok) {
        this.log(`bootstrap ${path}: ${r.reason}`);
        code = rich(r.code);
      } else if (!loadsInSession(r.def, d)) {
        // §1: an agent without LimitLoadToSessionType is an Aqua agent: refused in user/<uid> (134 as root, else EIO).
        this.log(`bootstrap ${path}: session types ${sessionTypes(r.def, d)?.join(',')} exclude ${sessionType(d)}`);
        code = rich(134);
      } else if (this.isDisabled(d, r.def.label, r.def.disabledByDefault)) {
        code = 5; // §3: a disabled label gives EIO even as root
      } else if (this.find(d, r.def.label) !== undefined) {
        code = ctx.alreadyErrno; // loaded, or a bootout still draining
      } else {
        this.start(d, path, r.def);
      }
      if (code !== undefined && first === undefined) first = code;
    }
    return first === undefined ? out.done() : fail(first);
  }

  private start(d: Domain, path: string, def: JobDefinition): void {
    const job = new Job(d, path, this.effective(def), this, this.accountFor(d));
    this.domainJobs(d).set(def.label, job);
    this.log(`load ${domainKey(d)}/${def.label} from ${path}`);
    job.loaded();
  }

  /**
   * What launchd does with a folder of plists when a domain comes up (boot: /Library/LaunchDaemons; login:
   * ~/Library/LaunchAgents): load each one that is valid, owned right, meant for this session and not disabled.
   * Nothing is reported: launchd only logs what it skips.
   */
  private loadFolder(d: Domain, dir: string): void {
    let names: string[];
    try {
      names = readdirSync(dir).filter((n) => n.endsWith('.plist')).sort();
    } catch {
      return;
    }
    for (const name of names) {
      const path = join(dir, name);
      const r = readJobPlist(path, allowedOwners(d));
      if (!r.ok) this.log(`${domainKey(d)}: skipped ${path}: ${r.reason}`);
      else if (!loadsInSession(r.def, d)) this.log(`${domainKey(d)}: skipped ${path}: not for a ${sessionType(d)} session`);
      else if (this.isDisabled(d, r.def.label, r.def.disabledByDefault)) this.log(`${domainKey(d)}: skipped ${path}: disabled`);
      else if (this.find(d, r.def.label) !== undefined) this.log(`${domainKey(d)}: skipped ${path}: already loaded`);
      else this.start(d, path, r.def);
    }
  }

  // --- reboot / login / logout (test controls) -------------------------------------------------------------------------

  /** Stops the jobs of `jobs` as launchd does (SIGTERM, SIGKILL after ExitTimeOut) and removes them. */
  private async stopAll(jobs: readonly Job[]): Promise<void> {
    await Promise.all(jobs.map(async (j) => {
      const stopped = j.unload();
      const killAfter = j.def.exitTimeOut > 0 ? j.def.exitTimeOut * 1000 + 1000 : REBOOT_KILL_AFTER_MS;
      if (!(await Promise.race([stopped.then(() => true), sleep(killAfter).then(() => false)])) && j.pid !== undefined) killGroup(j.pid, 'SIGKILL');
      await stopped;
      const m = this.jobs.get(domainKey(j.domain));
      if (m?.get(j.label) === j) m.delete(j.label);
    }));
  }

  /**
   * `__fake_reboot [<daemons-dir>]`: every job stops, every session ends, then the system domain loads the daemons
   * folder (honouring disable overrides, which persist like launchd's disabled db). Agents load only at a login.
   */
  private async reboot(args: string[], out: Out): Promise<Response> {
    if (args.length > 1) return out.err('usage: launchctl __fake_reboot [<daemons-dir>]', 64);
    await this.stopAll(this.allJobs());
    for (const g of this.ourGroups()) if (livePidsInGroups(new Set([g])).length > 0) killGroup(g, 'SIGKILL');
    this.jobs.clear();
    this.sessions.reset();
    this.log('reboot');
    if (args[0] !== undefined) this.loadFolder({ kind: 'system' }, args[0]);
    return out.done();
  }

  /**
   * `__fake_login <uid> <home> [--gid N] [--ssh]`: an Aqua login at the console (default) or an SSH login. The domains
   * it creates load <home>/Library/LaunchAgents: gui/<uid> the Aqua agents, user/<uid> the Background ones (§1
   * LimitLoadToSessionType; that the user domain loads Background agents when it comes up is our reading, unverified).
   */
  private login(args: string[], out: Out): Response {
    const usage = 'usage: launchctl __fake_login <uid> <home> [--gid N] [--ssh]';
    const [uidArg, home, ...rest] = args;
    const uid = Number(uidArg);
    if (!Number.isSafeInteger(uid) || uid < 0 || home === undefined) return out.err(usage, 64);
    let gid = uid === this.machine.console.uid ? this.machine.console.gid : 20;
    let ssh = false;
    for (let i = 0; i < rest.length; i++) {
      if (rest[i] === '--ssh') ssh = true;
      else if (rest[i] === '--gid' && Number.isSafeInteger(Number(rest[i + 1]))) gid = Number(rest[++i]);
      else return out.err(usage, 64);
    }
    if (!ssh && this.sessions.console !== undefined && this.sessions.console.uid !== uid) {
      return out.err(`launchctl (fake): uid ${this.sessions.console.uid} is logged in at the console; log it out first`, 1);
    }
    for (const d of this.sessions.login({ uid, gid }, ssh ? 'ssh' : 'aqua')) this.loadFolder(d, join(home, 'Library', 'LaunchAgents'));
    this.log(`login ${uid} (${ssh ? 'ssh' : 'aqua'})`);
    return out.done();
  }

  /** `__fake_logout <uid>`: the console session ends; gui/<uid> and its jobs go, user/<uid> stays (unverified). */
  private async logout(args: string[], out: Out): Promise<Response> {
    const uid = Number(args[0]);
    if (args.length !== 1 || !Number.isSafeInteger(uid)) return out.err('usage: launchctl __fake_logout <uid>', 64);
    const gui: Domain = { kind: 'gui', uid };
    if (!this.sessions.exists(gui)) return out.err(T.domainNotFound(gui), 112);
    await this.stopAll([...(this.jobs.get(domainKey(gui))?.values() ?? [])]);
    this.jobs.delete(domainKey(gui));
    this.sessions.logout(uid);
    this.log(`logout ${uid}`);
    return out.done();
  }

  private isDisabled(d: Domain, label: string, byDefault: boolean): boolean {
    return this.overridesOf(d)[label] ?? byDefault;
  }

  private async bootout(args: string[], ctx: CallerContext, cwd: string, out: Out): Promise<Response> {
    if (args.length < 1) return out.usage('bootout');
    const t = parseTarget(args[0] ?? '');
    if (t === undefined || (t.label !== undefined && args.length > 1)) return out.usage('bootout', T.UNRECOGNIZED_TARGET);
    const d = t.domain;
    if (this.domainMissing(d, ctx)) return out.err(T.domainNotFound(d), 112);
    if (t.label !== undefined) {
      const job = this.find(d, t.label);
      if (job === undefined) return out.err(T.bootoutFailed(3), 3);
      if (!this.mayModify(d, ctx)) return out.err(T.bootoutFailed(1), 1); // EPERM text unverified
      const code = await this.bootoutJob(job, ctx);
      return code === 0 ? out.done() : out.err(T.bootoutFailed(code), code);
    }
    const paths = args.slice(1);
    // Tearing down a whole domain is not emulated.
    if (paths.length === 0 || paths.some((a) => a.startsWith('-'))) return out.usage('bootout', T.UNRECOGNIZED_TARGET);
    if (!this.mayModify(d, ctx)) return out.err(T.bootoutFailed(1), 1);
    const pending: Array<Promise<number>> = [];
    let first: number | undefined;
    for (const p of paths) {
      const r = readJobPlist(resolve(cwd, p), 'any');
      const job = r.ok ? this.find(d, r.def.label) : undefined;
      // Path form, not loaded (or unreadable): EIO (stderr/bootout-5-eio-path-form.txt).
      if (job === undefined) first ??= 5;
      else pending.push(this.bootoutJob(job, ctx));
    }
    for (const code of await Promise.all(pending)) if (code !== 0) first ??= code;
    return first === undefined ? out.done() : out.err(T.bootoutFailed(first), first);
  }

  /**
   * SIGTERM, SIGKILL after ExitTimeOut, then the label goes (§3). By default the command waits for that; with a
   * bootout lag it returns at once and the label stays visible for the lag (and until the process is gone).
   */
  private async bootoutJob(job: Job, ctx: CallerContext): Promise<number> {
    if (job.unloading) return 36; // teardown still running (stderr/bootout-36-einprogress.txt)
    const lag = ctx.bootoutLagMs;
    const returnedAt = Date.now();
    const gone = job.unload().then(async () => {
      const rest = returnedAt + lag - Date.now();
      if (rest > 0) await sleep(rest);
      const m = this.jobs.get(domainKey(job.domain));
      if (m?.get(job.label) === job) m.delete(job.label);
      this.log(`bootout ${domainKey(job.domain)}/${job.label} complete`);
    });
    if (ctx.bootoutEinprogressOnce && !this.persisted.bootoutEinprogressUsed) {
      this.persisted.bootoutEinprogressUsed = true;
      this.save();
      return 36;
    }
    if (lag > 0) return 0;
    const finished = await Promise.race([gone.then(() => true), sleep(BOOTOUT_WAIT_MS).then(() => false)]);
    return finished ? 0 : 36;
  }

  // --- enable / disable ----------------------------------------------------------------------------------------------

  private enable(verb: 'enable' | 'disable', args: string[], ctx: CallerContext, out: Out): Response {
    if (args.length !== 1) return out.usage(verb);
    const t = this.serviceTarget(args[0]);
    if (t === undefined) return out.usage(verb, T.UNRECOGNIZED_TARGET);
    if (this.domainMissing(t.domain, ctx)) return out.err(T.domainNotFound(t.domain), 112);
    if (!this.mayModify(t.domain, ctx)) return out.err(T.enableFailed(verb, 1), 1);
    const k = domainKey(t.domain);
    const overrides = (this.persisted.overrides[k] ??= {});
    // Delete first so the label moves to the end, like a fresh entry; it does not unload a loaded job (§3).
    delete overrides[t.label];
    overrides[t.label] = verb === 'disable';
    this.save();
    return out.done();
  }

  // --- kickstart / kill / blame / jetsam -----------------------------------------------------------------------------

  private async kickstart(args: string[], ctx: CallerContext, out: Out): Promise<Response> {
    let kill = false;
    let printPid = false;
    let i = 0;
    // getopt("kps"): flags may be combined (-kp); -s (start suspended) is accepted and ignored.
    for (; i < args.length; i++) {
      const a = args[i] ?? '';
      if (!a.startsWith('-') || a === '-') break;
      for (const c of a.slice(1)) {
        if (c === 'k') kill = true;
        else if (c === 'p') printPid = true;
        else if (c !== 's') return out.usage('kickstart', T.UNRECOGNIZED_TARGET);
      }
    }
    const rest = args.slice(i);
    if (rest.length === 0) return out.usage('kickstart');
    const t = rest.length === 1 ? this.serviceTarget(rest[0]) : undefined;
    if (t === undefined) return out.usage('kickstart', T.UNRECOGNIZED_TARGET);
    if (this.domainMissing(t.domain, ctx)) return out.err(T.kickstartFailed(t.label, 125), 125);
    const job = this.find(t.domain, t.label);
    if (job === undefined) return out.err(T.serviceNotFound(t.label, t.domain), 113);
    if (!this.mayModify(t.domain, ctx)) return out.err(T.kickstartFailed(t.label, 1), 1);
    if (job.unloading) return out.err(T.kickstartFailed(t.label, 36), 36); // unverified
    const pid = await Promise.race([job.kickstart(kill), sleep(KICKSTART_KILL_WAIT_MS).then(() => 'timeout' as const)]);
    if (pid === 'timeout') return out.err(T.kickstartFailed(t.label, 36), 36);
    // The Procursus clone prints a sentence on a TTY and the bare pid otherwise (§3). No pid: the exec failed (78).
    if (printPid && pid !== undefined) out.stdout += ctx.stdoutIsTty ? `service spawned with pid: ${pid}\n` : `${pid}\n`;
    return out.done();
  }

  private kill(args: string[], ctx: CallerContext, out: Out): Response {
    if (args.length !== 2) return out.usage('kill');
    const sig = parseSignalArg(args[0] ?? '');
    if (sig === undefined) return out.usage('kill', T.INVALID_SIGNAL);
    const t = this.serviceTarget(args[1]);
    if (t === undefined) return out.usage('kill', T.UNRECOGNIZED_TARGET);
    if (this.domainMissing(t.domain, ctx)) return out.err(T.domainNotFound(t.domain), 112);
    const job = this.find(t.domain, t.label);
    if (job === undefined) return out.err(T.serviceNotFound(t.label, t.domain), 113);
    if (!this.mayModify(t.domain, ctx)) return out.err(T.NOT_PRIVILEGED_SIGNAL, 1);
    if (!job.running) return out.err(T.NO_PROCESS, 3);
    job.signal(sig);
    return out.done();
  }

  private blame(args: string[], ctx: CallerContext, out: Out): Response {
    if (args.length !== 1) return out.usage('blame');
    const t = this.serviceTarget(args[0]);
    if (t === undefined) return out.usage('blame', T.UNRECOGNIZED_TARGET);
    if (this.domainMissing(t.domain, ctx)) return out.err(T.domainNotFound(t.domain), 112);
    const job = this.find(t.domain, t.label);
    if (job === undefined) return out.err(T.serviceNotFound(t.label, t.domain), 113);
    if (!job.running) return out.err(T.NO_PROCESS, 3); // Procursus behaviour (§3, unverified)
    out.stdout += `${job.immediateReason ?? 'speculative'}\n`;
    return out.done();
  }

  private jetsam(args: string[], ctx: CallerContext, out: Out): Response {
    const t = this.serviceTarget(args[0]);
    if (t === undefined || args.length !== 1) return out.err('usage: launchctl __fake_jetsam <service-target>', 64);
    const job = this.find(t.domain, t.label);
    if (job === undefined || this.domainMissing(t.domain, ctx)) return out.err(T.serviceNotFound(t.label, t.domain), 113);
    if (!job.running) return out.err(T.NO_PROCESS, 3);
    job.jetsam();
    return out.done();
  }

  // --- print / print-disabled / list ---------------------------------------------------------------------------------

  private print(args: string[], ctx: CallerContext, out: Out): Response {
    if (args.length !== 1) return out.usage('print');
    const t = parseTarget(args[0] ?? '');
    // A bare label gives 64 too (§3; the real one also lists possible matches, which the double does not).
    if (t === undefined) return out.usage('print', T.UNRECOGNIZED_TARGET);
    if (this.domainMissing(t.domain, ctx)) return out.err(T.domainNotFound(t.domain), 112);
    if (t.label !== undefined) {
      const job = this.find(t.domain, t.label);
      if (job === undefined) return out.err(T.serviceNotFound(t.label, t.domain), 113);
      out.stdout = renderServicePrint(job.snapshot());
      return out.done();
    }
    const jobs = [...(this.jobs.get(domainKey(t.domain))?.values() ?? [])].map((j) => j.snapshot());
    out.stdout = renderDomainPrint(t.domain, jobs, Object.entries(this.overridesOf(t.domain)), ctx.macos);
    return out.done();
  }

  private printDisabled(args: string[], ctx: CallerContext, out: Out): Response {
    if (args.length !== 1) return out.usage('print-disabled');
    const t = parseTarget(args[0] ?? '');
    if (t === undefined || t.label !== undefined) return out.usage('print-disabled', T.UNRECOGNIZED_TARGET);
    if (this.domainMissing(t.domain, ctx)) return out.err(T.domainNotFound(t.domain), 112);
    out.stdout = renderPrintDisabled(Object.entries(this.overridesOf(t.domain)), ctx.macos);
    return out.done();
  }

  private list(args: string[], ctx: CallerContext, out: Out): Response {
    if (args.length > 1) return out.usage('list');
    const d = this.callerDomain(ctx);
    const label = args[0];
    if (label === undefined) {
      out.stdout = renderList([...(this.jobs.get(domainKey(d))?.values() ?? [])].map((j) => j.snapshot()));
      return out.done();
    }
    // `list` takes a bare label, never `gui/501/label` (§3).
    const job = this.find(d, label);
    if (job === undefined) return out.err(T.serviceNotFoundPort(label), 113);
    out.stdout = renderListLabel(job.snapshot());
    return out.done();
  }

  // --- lifecycle -----------------------------------------------------------------------------------------------------

  /** Nothing loaded and no process left, so the supervisor may exit when idle. */
  idle(): boolean {
    return this.allJobs().length === 0;
  }
}

/** LimitLoadToSessionType, with launchd's default: Aqua for agents (§1). Daemons are only checked when they set it. */
function sessionTypes(def: JobDefinition, d: Domain): readonly string[] | undefined {
  return def.limitLoadToSessionType ?? (d.kind === 'system' ? undefined : ['Aqua']);
}

function loadsInSession(def: JobDefinition, d: Domain): boolean {
  const types = sessionTypes(def, d);
  return types === undefined || types.includes(sessionType(d));
}
