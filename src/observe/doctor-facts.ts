// Reads everything `lotusctl doctor` judges: the plists and the files they name, the Lotus repo (its lock, volume and
// free space), launchd's state (one print per job, one print-disabled per domain; other domains only for a job that
// is not where lotus.yaml puts it), the node's API, kern.maxfilesperproc, the other plists in the launchd folders and
// the monitor's records. Read-only: the only program it runs besides launchctl/ps/lsof/xattr/sysctl/id is
// `<lotus> --version`.
import { lstatSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { posix } from 'node:path';
import type { DomainFact, DoctorFacts, DuplicateFact, JobFacts, JobLaunchdFact, LogFact, PathFact, RepoFact, RepoLockFact } from '../doctor/facts.js';
import { isLotusProgram } from '../doctor/checks.js';
import { domainTarget, type DomainTarget } from '../launchd/domain.js';
import { NOT_A_FILE_DIGEST, type ActualFile } from '../model/actual.js';
import type { DesiredJob, PlistData, PlistDict } from '../model/desired.js';
import { isLotusctlError } from '../model/errors.js';
import { monitorSettings } from '../monitor/config.js';
import { probeApi } from '../monitor/probes.js';
import { readMonitorState } from '../monitor/state.js';
import { sha256 } from '../plan/digest.js';
import type { Spec } from '../spec/schema.js';
import type { ApiFact } from '../status/status.js';
import { RESTART_WINDOW_MS } from '../status/status.js';
import { errnoCode } from '../system/atomic-file.js';
import { freeSpace, volumeOf } from '../system/disk.js';
import { fcntlLockHolder } from '../system/file-locks.js';
import type { Launchctl } from '../system/launchctl.js';
import { processAncestry } from '../system/process-stats.js';
import { FileReadError } from '../system/read-file.js';
import { programVersion } from '../system/program-version.js';
import { readRecentSamples } from '../system/recent-samples.js';
import { maxFilesPerProc } from '../system/sysctl.js';
import { tailLines } from '../system/tail-file.js';
import { uidOf } from '../system/users.js';
import { quarantineFlag } from '../system/xattr.js';
import type { DesiredState } from '../model/desired.js';
import type { HostFacts } from '../model/host.js';
import { readPlistFile } from './plist-file.js';
import { scheduleIntervalMs } from './status-facts.js';

const FATAL = new Set(['launchctl.spawn-failed', 'launchd.unsupported-platform']);

export function pathFact(path: string): PathFact {
  try {
    const st = statSync(path);
    return { exists: true, kind: st.isFile() ? 'file' : st.isDirectory() ? 'dir' : 'other', mode: st.mode & 0o7777, uid: st.uid, size: st.size, ino: st.ino };
  } catch (e) {
    const code = errnoCode(e);
    return code === 'ENOENT' ? { exists: false } : { exists: false, error: code ?? String(e) };
  }
}

function realpathOrUndefined(p: string): string | undefined {
  try {
    return realpathSync(p);
  } catch {
    return undefined;
  }
}

const str = (v: PlistData | undefined): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: PlistData | undefined): number | undefined => (typeof v === 'number' ? v : undefined);
const dict = (v: PlistData | undefined): PlistDict | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? v : undefined);

function programOf(p: PlistDict): string | undefined {
  const args = Array.isArray(p.ProgramArguments) ? p.ProgramArguments : [];
  return str(p.Program) ?? str(args[0]);
}

/** The repo a plist's lotus runs on: LOTUS_PATH, else `--repo`, else lotus's default `~/.lotus` (`~` = `home`). */
function repoOf(p: PlistDict, home: string): string {
  const args = (Array.isArray(p.ProgramArguments) ? p.ProgramArguments : []).map((a) => String(a));
  let repo = str(dict(p.EnvironmentVariables)?.LOTUS_PATH);
  const i = args.findIndex((a) => a === '--repo' || a.startsWith('--repo='));
  if (i >= 0) repo = args[i]?.startsWith('--repo=') ? args[i]?.slice('--repo='.length) : args[i + 1];
  const raw = repo ?? '~/.lotus';
  // lotus expands `~` itself (specs/lotus-operations.md §1); launchd does not.
  const abs = raw === '~' ? home : raw.startsWith('~/') ? posix.join(home, raw.slice(2)) : raw;
  return posix.normalize(abs);
}

const samePath = (a: string, b: string): boolean => (realpathOrUndefined(a) ?? posix.normalize(a)) === (realpathOrUndefined(b) ?? posix.normalize(b));

interface OtherPlist { path: string; dict: PlistDict; dir: string }

function scanLaunchdFolders(dirs: readonly string[]): OtherPlist[] {
  const out: OtherPlist[] = [];
  for (const dir of [...new Set(dirs)]) {
    let names: string[];
    try {
      names = readdirSync(dir).filter((n) => n.endsWith('.plist'));
    } catch {
      continue;
    }
    for (const n of names) {
      const path = posix.join(dir, n);
      try {
        const st = lstatSync(path);
        if (!st.isFile() || st.size > 1024 * 1024) continue;
        const f = readPlistFile(path);
        if (f.exists && f.dict) out.push({ path, dict: f.dict, dir });
      } catch {
        // an unreadable plist in a shared folder is not this job's problem
      }
    }
  }
  return out;
}

function duplicatesOf(job: DesiredJob, others: readonly OtherPlist[], home: string, systemDaemonsDir: string): DuplicateFact[] {
  const program = programOf(job.plist);
  if (job.repo === undefined || program === undefined) return [];
  return others.filter((o) => {
    if (o.path === job.plistPath) return false;
    const p = programOf(o.dict);
    if (p === undefined) return false;
    const sameProgram = p.startsWith('/') && program.startsWith('/') ? samePath(p, program) : posix.basename(p) === posix.basename(program);
    // A LaunchDaemon without UserName runs as root, whose `~` is /var/root.
    const theirHome = o.dir === systemDaemonsDir && str(o.dict.UserName) === undefined ? '/var/root' : home;
    return sameProgram && samePath(repoOf(o.dict, theirHome), job.repo as string);
  }).map((o) => ({ path: o.path, ...(str(o.dict.Label) ? { label: str(o.dict.Label) as string } : {}), disabled: o.dict.Disabled === true }));
}

async function launchdFact(lc: Launchctl, job: DesiredJob): Promise<JobLaunchdFact> {
  try {
    const printed = await lc.print(job.domain, job.label);
    if (printed === undefined) return { kind: 'not-loaded' };
    const p = printed.parsed;
    if (p.pid === undefined && (p.state === undefined || p.truncated === true)) return { kind: 'unknown', reason: 'launchctl print answered, but its output could not be read' };
    return {
      kind: 'loaded', ...(p.pid !== undefined ? { pid: p.pid } : {}), ...(p.state ? { state: p.state } : {}), ...(p.runs !== undefined ? { runs: p.runs } : {}),
      lastExit: p.lastExit, ...(p.resourceLimits ? { resourceLimits: p.resourceLimits } : {}),
    };
  } catch (e) {
    if (isLotusctlError(e) && FATAL.has(e.code)) throw e;
    return { kind: 'unknown', reason: isLotusctlError(e) ? e.message : String((e as Error)?.message ?? e), ...(isLotusctlError(e) ? { code: e.code } : {}) };
  }
}

async function loadedElsewhere(lc: Launchctl, job: DesiredJob, uid: number): Promise<string[]> {
  const u = job.domain.uid ?? uid;
  const candidates: DomainTarget[] = ([{ kind: 'gui', uid: u }, { kind: 'user', uid: u }, { kind: 'system' }] as DomainTarget[]).filter((d) => domainTarget(d) !== domainTarget(job.domain));
  const found = await Promise.all(candidates.map(async (d) => {
    try {
      return (await lc.print(d, job.label)) !== undefined ? domainTarget(d) : undefined;
    } catch {
      return undefined;
    }
  }));
  return found.filter((d): d is string => d !== undefined);
}

async function repoFact(repo: string, timeoutMs: number): Promise<RepoFact> {
  const lockPath = posix.join(repo, 'repo.lock');
  let lock: RepoLockFact;
  const st = pathFact(lockPath);
  if (!st.exists) lock = st.error ? { kind: 'unreadable', error: st.error } : { kind: 'absent' };
  else {
    const holder = await fcntlLockHolder(lockPath, { timeoutMs });
    const ancestry = holder.kind === 'held' ? await processAncestry(holder.pid, 4, { timeoutMs }) : undefined;
    lock = { kind: 'present', size: st.size, ino: st.ino, holder, ...(ancestry ? { holderAncestry: ancestry } : {}) };
  }
  const free = freeSpace(repo);
  return { path: repo, stat: pathFact(repo), volume: volumeOf(repo), ...(free ? { free } : {}), lock };
}

function apiFact(view: Awaited<ReturnType<typeof probeApi>>): ApiFact {
  if (view.kind === 'ok') return { kind: 'ok', height: view.height, headTimestamp: view.headTimestamp, ...(view.peers !== undefined ? { peers: view.peers } : {}) };
  return view.kind === 'off' ? { kind: 'off' } : { kind: 'unreachable', error: view.error };
}

export interface DoctorFactOptions {
  readonly now: () => number;
  readonly timeoutMs: number;
  readonly env: NodeJS.ProcessEnv;
  readonly platform?: string;
}

/** Everything doctor needs about every job of the spec. */
export async function gatherDoctorFacts(spec: Spec, desired: DesiredState, host: HostFacts, specFile: string, lc: Launchctl, opts: DoctorFactOptions): Promise<DoctorFacts> {
  const platform = opts.platform ?? process.platform;
  const uid = process.getuid?.() ?? host.uid;
  const jobs = desired.jobs;
  const domains: Record<string, DomainFact> = {};
  const overrides = new Map<string, Record<string, boolean> | undefined>();
  for (const d of new Map(jobs.map((j) => [domainTarget(j.domain), j.domain])).values()) {
    const key = domainTarget(d);
    try {
      overrides.set(key, await lc.printDisabled(d));
      domains[key] = { kind: 'present' };
    } catch (e) {
      if (isLotusctlError(e) && FATAL.has(e.code)) throw e;
      overrides.set(key, undefined);
      domains[key] = isLotusctlError(e) && e.code === 'launchctl.no-gui-domain' ? { kind: 'missing', message: e.message } : { kind: 'unknown', why: (e as Error).message };
    }
  }
  // /Library/LaunchAgents can be pointed elsewhere like the daemons folder, so a sandbox never reads the real one.
  const others = scanLaunchdFolders([posix.join(host.home, 'Library/LaunchAgents'), opts.env.LOTUSCTL_SYSTEM_AGENTS_DIR || '/Library/LaunchAgents', host.systemDaemonsDir]);
  const mfpp = await maxFilesPerProc({ platform, timeoutMs: opts.timeoutMs });

  const jobFacts = await Promise.all(jobs.map(async (j): Promise<JobFacts> => {
    const key = domainTarget(j.domain);
    const userName = str(j.plist.UserName);
    const jobUid = j.domain.kind === 'system' ? (userName === undefined ? 0 : await uidOf(userName)) : j.domain.uid;
    // What cannot be read as a plist (a FIFO, a device, a folder, a file past the cap) is a failed check, not a stop.
    let plistFile: ActualFile;
    let plistProblem: string | undefined;
    try {
      plistFile = readPlistFile(j.plistPath);
      if (plistFile.exists && plistFile.digest === NOT_A_FILE_DIGEST) plistProblem = plistFile.problem ?? 'not a regular file';
    } catch (e) {
      plistFile = { exists: false };
      plistProblem = e instanceof FileReadError ? e.detail : errnoCode(e) ?? String(e);
    }
    const programPath = programOf(j.plist) ?? '';
    const programStat = pathFact(programPath);
    const real = programStat.exists ? realpathOrUndefined(programPath) : undefined;
    const env = Object.fromEntries(Object.entries(dict(j.plist.EnvironmentVariables) ?? {}).filter((e): e is [string, string] => typeof e[1] === 'string'));
    const runnable = programStat.exists && programStat.kind === 'file' && (programStat.mode & 0o111) !== 0;
    const [launchd, quarantine, version] = await Promise.all([
      launchdFact(lc, j),
      programStat.exists ? quarantineFlag(real ?? programPath, { platform, timeoutMs: opts.timeoutMs }) : Promise.resolve(undefined),
      j.kind === 'service' && runnable && isLotusProgram(programPath) ? programVersion(programPath, env, { home: host.home, timeoutMs: opts.timeoutMs * 5 }) : Promise.resolve(undefined),
    ]);
    const elsewhere = launchd.kind === 'not-loaded' ? await loadedElsewhere(lc, j, uid) : [];
    const pid = launchd.kind === 'loaded' ? launchd.pid : undefined;
    const [repo, api] = await Promise.all([
      j.repo !== undefined ? repoFact(j.repo, opts.timeoutMs) : Promise.resolve(undefined),
      pid !== undefined && j.kind === 'service' && j.health ? probeApi(j, opts.timeoutMs).then(apiFact) : Promise.resolve(undefined),
    ]);
    const logs: LogFact[] = ([['stdout', j.stdoutPath], ['stderr', j.stderrPath]] as const).flatMap(([stream, p]) =>
      p === undefined ? [] : [{ stream, path: p, dir: posix.dirname(p), dirStat: pathFact(posix.dirname(p)), fileStat: pathFact(p) }]);
    let stderrTail: JobFacts['stderrTail'];
    if (launchd.kind === 'loaded' && j.stderrPath !== undefined) {
      try {
        stderrTail = tailLines(j.stderrPath, 8, { maxBytes: 1024 * 1024 }).lines;
      } catch (e) {
        if (errnoCode(e) !== 'ENOENT') stderrTail = { error: errnoCode(e) ?? String(e) };
      }
    }
    const wd = str(j.plist.WorkingDirectory);
    const ov = overrides.get(key);
    const args = Array.isArray(j.plist.ProgramArguments) ? j.plist.ProgramArguments.map(String) : [];
    const fdMax = Number(env.LOTUS_FD_MAX);
    return {
      name: j.name, kind: j.kind, label: j.label, domain: key, domainKind: j.domain.kind, desired: j.state,
      plistPath: j.plistPath, plistStat: pathFact(j.plistPath),
      ...(plistProblem !== undefined ? { plistProblem } : plistFile.exists ? { plistFormat: plistFile.format, plistMatchesSpec: plistFile.digest === sha256(j.plistText) } : {}),
      plistMode: j.plistMode,
      plistOwnerUid: j.domain.kind === 'system' ? 0 : (j.domain.uid as number),
      ...(jobUid !== undefined ? { jobUid } : {}),
      ...(userName !== undefined ? { jobUser: userName } : {}),
      program: { path: programPath, stat: programStat, ...(real ? { realpath: real } : {}), ...(quarantine ? { quarantine } : {}), ...(version ? { version } : {}) },
      ...(wd !== undefined ? { workingDirectory: { path: wd, stat: pathFact(wd) } } : {}),
      logs,
      ...(repo ? { repo } : {}),
      launchd,
      loadedElsewhere: elsewhere,
      disabled: ov === undefined ? 'unknown' : ov[j.label],
      ...(stderrTail !== undefined ? { stderrTail } : {}),
      ...(api ? { api } : {}),
      openFiles: {
        ...(num(dict(j.plist.SoftResourceLimits)?.NumberOfFiles) !== undefined ? { soft: num(dict(j.plist.SoftResourceLimits)?.NumberOfFiles) as number } : {}),
        ...(num(dict(j.plist.HardResourceLimits)?.NumberOfFiles) !== undefined ? { hard: num(dict(j.plist.HardResourceLimits)?.NumberOfFiles) as number } : {}),
        ...(Number.isSafeInteger(fdMax) && fdMax > 0 ? { lotusFdMax: fdMax } : {}),
      },
      lite: args.includes('--lite'),
      duplicates: j.kind === 'service' ? duplicatesOf(j, others, host.home, host.systemDaemonsDir) : [],
    };
  }));

  const now = opts.now();
  const mon = spec.monitor ? monitorSettings(spec.monitor) : undefined;
  let monitor: DoctorFacts['monitor'];
  if (mon) {
    const samples = readRecentSamples(desired.stateDir, now, RESTART_WINDOW_MS);
    const state = readMonitorState(desired.stateDir);
    monitor = {
      enabled: mon.enabled, schedule: mon.schedule, intervalMs: scheduleIntervalMs(mon.schedule, now),
      ...(samples.newest !== undefined ? { lastSampleAt: samples.newest } : {}),
      ...(state.problem ? { stateProblem: state.problem } : {}),
      samplesUnreadable: samples.unreadable,
    };
  }
  return { now, platform, uid, home: host.home, specFile, jobs: jobFacts, domains, maxFilesPerProc: mfpp, ...(monitor ? { monitor } : {}) };
}
