// `lotusctl doctor`'s judgement: facts -> one result per check, each ok / warn / fail / skip with its fix in one line.
// Pure (the facts carry the time). Sources: specs/launchd-behaviour.md §1, §9 (every cause of EX_CONFIG 78) and
// specs/lotus-operations.md §1, §4, §6 (repo lock, open files, disk, clock).
import { posix } from 'node:path';
import { explainExit, type LastExit } from '../launchd/exit-status.js';
import { formatAge, shortExit, staleAfterMs } from '../status/status.js';
import type { DoctorFacts, JobFacts, PathFact, RepoFact } from './facts.js';

export type CheckLevel = 'ok' | 'warn' | 'fail' | 'skip';

/** A repair `doctor --fix` may carry out: only safe and reversible ones exist. */
export type FixAction =
  | { readonly kind: 'chmod'; readonly path: string; readonly mode: number }
  | { readonly kind: 'chown'; readonly path: string; readonly uid: number }
  | { readonly kind: 'mkdir'; readonly path: string; readonly uid?: number }
  /** Remove an unheld, zero-byte repo.lock; the executor checks both again right before unlinking, and the inode. */
  | { readonly kind: 'remove-stale-lock'; readonly path: string; readonly ino: number };

export interface CheckResult {
  /** The service name, `monitor`, or `machine`. */
  readonly group: string;
  /** Stable id, e.g. `repo.lock`. */
  readonly id: string;
  readonly level: CheckLevel;
  readonly message: string;
  /** What to do, in one line (absent when there is nothing to do). */
  readonly fix?: string;
  /** Supporting lines (the last lines of a stderr log). */
  readonly details?: readonly string[];
  /** What `--fix` would do about it. */
  readonly autofix?: FixAction;
}

export const LOTUS_OPEN_FILES = 16384;
const GiB = 1024 ** 3;
// A full node's chain store grows and its moving GC needs room (specs/lotus-operations.md §4, §6: a full disk corrupts the datastore).
const FREE_FULL = { fail: 20 * GiB, warn: 100 * GiB };
// A lite node keeps no chain (specs/lotus-operations.md §4: ~4 GiB disk).
const FREE_LITE = { fail: 2 * GiB, warn: 10 * GiB };
const LOTUS_PROGRAM = /^lotus(-miner|-worker|-shed)?$/;
// Folders macOS protects (TCC): launchd may not open files there for a job (specs/launchd-behaviour.md §9), plus iCloud Drive.
const PRIVACY_FOLDERS = ['Desktop', 'Documents', 'Downloads', 'Library/Mobile Documents'];

export function isLotusProgram(path: string): boolean {
  return LOTUS_PROGRAM.test(posix.basename(path));
}

const oct = (mode: number): string => (mode & 0o7777).toString(8).padStart(3, '0');
const gib = (n: number): string => `${(n / GiB).toFixed(n < 10 * GiB ? 1 : 0)} GiB`;

/** The privacy-protected folder of `home` that `path` is in, e.g. `~/Documents`; undefined when none. */
export function privacyFolder(path: string, home: string): string | undefined {
  for (const f of PRIVACY_FOLDERS) {
    const rel = posix.relative(posix.join(home, f), path);
    if (rel === '' || (!rel.startsWith('..') && !posix.isAbsolute(rel))) return `~/${f}`;
  }
  return undefined;
}

/** Can `uid` write an existing path with this owner and mode? Group membership is not known here: `maybe`. */
function writableBy(st: Extract<PathFact, { exists: true }>, uid: number | undefined): 'yes' | 'no' | 'maybe' {
  if (uid === undefined) return 'maybe';
  if (uid === 0) return 'yes';
  if (st.uid === uid) return st.mode & 0o200 ? 'yes' : 'no';
  if (st.mode & 0o002) return 'yes';
  return st.mode & 0o020 ? 'maybe' : 'no';
}

function cleanExit(e: LastExit): boolean {
  return e.kind === 'never' || (e.kind === 'code' && e.code === 0) || (e.kind === 'signal' && e.signal === 15) || (e.kind === 'reclaimed' && e.reason === 'JETSAM_REASON_MEMORY_IDLE_EXIT');
}

/** Runs every check for every job, then the machine-wide ones. */
export function runChecks(f: DoctorFacts): CheckResult[] {
  const out: CheckResult[] = [];
  for (const j of f.jobs) out.push(...jobChecks(j, f));
  if (f.monitor === undefined) {
    out.push({ group: 'machine', id: 'monitor.configured', level: 'warn', message: 'lotus.yaml has no monitor: section: nothing watches the node or restarts it when it stalls', fix: `add "monitor: {}" to ${f.specFile} and run lotusctl apply` });
  }
  return out;
}

function jobChecks(j: JobFacts, f: DoctorFacts): CheckResult[] {
  const out: CheckResult[] = [];
  const add = (id: string, level: CheckLevel, message: string, extra: Partial<Pick<CheckResult, 'fix' | 'details' | 'autofix'>> = {}) =>
    out.push({ group: j.name, id, level, message, ...extra });
  const wanted = j.desired !== 'absent';

  // --- the plist
  if (!j.plistStat.exists) {
    if (j.plistStat.error) add('plist.exists', 'fail', `cannot read ${j.plistPath}: ${j.plistStat.error}`, { fix: `check the permissions of ${posix.dirname(j.plistPath)}` });
    else if (wanted) add('plist.exists', 'fail', `${j.plistPath} does not exist`, { fix: 'run lotusctl apply' });
    else add('plist.exists', 'ok', `${j.plistPath} is absent, as lotus.yaml wants`);
  } else if (j.plistStat.kind !== 'file') {
    // No owner or mode checks here: stat follows a symlink, and /dev/zero's owner and mode are not the plist's to fix.
    const what = j.plistProblem ?? (j.plistStat.kind === 'dir' ? 'not a regular file (a directory)' : 'not a regular file');
    add('plist.exists', wanted ? 'fail' : 'warn', `${j.plistPath} is ${what}: launchd cannot load it`, {
      fix: j.plistStat.kind === 'dir' ? `move ${j.plistPath} aside, then run lotusctl apply` : `run lotusctl apply: it replaces it${wanted ? ' with the plist' : ''} (lotusctl plan shows it first)`,
    });
  } else {
    add('plist.exists', wanted ? 'ok' : 'warn', wanted ? j.plistPath : `${j.plistPath} exists, but lotus.yaml wants the job absent`, wanted ? {} : { fix: 'run lotusctl apply (it removes it)' });
    if (j.plistProblem !== undefined) add('plist.parses', 'fail', `cannot read ${j.plistPath}: ${j.plistProblem}`, { fix: `check ${j.plistPath}; lotusctl plan shows what apply would write` });
    else if (j.plistFormat === 'invalid') add('plist.parses', 'fail', `${j.plistPath} is not a readable plist: launchd refuses it`, { fix: 'run lotusctl apply to rewrite it (plan shows the difference first)' });
    else add('plist.parses', 'ok', `${j.plistFormat ?? 'readable'} plist`);
    const st = j.plistStat;
    const ownerOk = st.uid === j.plistOwnerUid || (j.domainKind !== 'system' && st.uid === 0);
    add('plist.owner', ownerOk ? 'ok' : 'fail', ownerOk ? `owned by uid ${st.uid}` : `owned by uid ${st.uid}; ${j.domainKind === 'system' ? 'a LaunchDaemon must be owned by root' : `an agent of ${j.domain} must be owned by uid ${j.plistOwnerUid} or root`}: launchd skips it`,
      ownerOk ? {} : { fix: `sudo chown ${j.plistOwnerUid} ${j.plistPath}`, autofix: { kind: 'chown', path: j.plistPath, uid: j.plistOwnerUid } });
    const writable = (st.mode & 0o022) !== 0;
    add('plist.mode', writable ? 'fail' : 'ok', writable ? `mode ${oct(st.mode)} is group/world-writable: launchd refuses to load it` : `mode ${oct(st.mode)}`,
      writable ? { fix: `chmod ${oct(st.mode & ~0o022)} ${j.plistPath}`, autofix: { kind: 'chmod', path: j.plistPath, mode: st.mode & 0o7777 & ~0o022 } } : {});
    if (j.plistMatchesSpec === false) add('plist.matches-spec', 'warn', 'differs from what lotus.yaml renders (edited by hand, or lotus.yaml changed since the last apply)', { fix: 'lotusctl plan shows the difference; lotusctl apply writes it' });
    else if (j.plistMatchesSpec === true) add('plist.matches-spec', 'ok', 'as lotus.yaml renders it');
  }

  // --- every cause of EX_CONFIG 78 (specs/launchd-behaviour.md §9)
  const prog = j.program;
  if (!prog.path.startsWith('/')) {
    add('program.path', 'fail', `"${prog.path}" is not an absolute path; launchd searches only /usr/bin:/bin:/usr/sbin:/sbin and ends the job with 78 (EX_CONFIG)`, { fix: 'give program: an absolute path in lotus.yaml (e.g. /opt/homebrew/bin/lotus), then lotusctl apply' });
  } else if (!prog.stat.exists) {
    add('program.path', 'fail', `${prog.path} does not exist${prog.stat.error ? ` (${prog.stat.error})` : ''}: launchd ends the job with 78 (EX_CONFIG)`, { fix: 'install it there, or fix program: in lotus.yaml and run lotusctl apply' });
  } else if (prog.stat.kind !== 'file' || (prog.stat.mode & 0o111) === 0) {
    add('program.path', 'fail', `${prog.path} is ${prog.stat.kind !== 'file' ? 'not a file' : `not executable (mode ${oct(prog.stat.mode)})`}: launchd ends the job with 78 (EX_CONFIG)`, { fix: `chmod +x ${prog.path}` });
  } else {
    add('program.path', 'ok', `${prog.path}${prog.realpath && prog.realpath !== prog.path ? ` -> ${prog.realpath}` : ''}`);
  }
  if (prog.quarantine) {
    const q = prog.quarantine;
    if (q.kind === 'set') add('program.quarantine', 'fail', `${prog.realpath ?? prog.path} carries com.apple.quarantine (${q.value}): Gatekeeper blocks it under launchd, which ends the job with 78`, { fix: `xattr -d com.apple.quarantine ${prog.realpath ?? prog.path} (only for a binary you trust)` });
    else if (q.kind === 'clear') add('program.quarantine', 'ok', 'no quarantine flag');
    else add('program.quarantine', 'warn', `unknown (${q.why})`);
  }
  if (j.kind === 'service' && isLotusProgram(prog.path) && prog.stat.exists) {
    const v = prog.version;
    if (v === undefined) add('program.version', 'skip', 'not run');
    else if (v.kind === 'ok') add('program.version', 'ok', v.output);
    else add('program.version', 'fail', `${posix.basename(prog.path)} --version failed under launchd's environment: ${v.error}`, { fix: 'run it by hand with PATH=/usr/bin:/bin:/usr/sbin:/sbin; a missing library (hwloc) or a wrong architecture shows up here' });
  }
  if (j.workingDirectory) {
    const w = j.workingDirectory;
    if (!w.stat.exists) add('working-directory', 'fail', `${w.path} does not exist: launchd ends the job with 78 (EX_CONFIG)`, { fix: `mkdir -p ${w.path}`, autofix: { kind: 'mkdir', path: w.path, ...(j.jobUid !== undefined && j.jobUid !== f.uid ? { uid: j.jobUid } : {}) } });
    else if (w.stat.kind !== 'dir') add('working-directory', 'fail', `${w.path} is not a folder`, { fix: 'fix working_directory in lotus.yaml' });
    else add('working-directory', 'ok', w.path);
  }
  logChecks(j, f, add);
  const privacy = [
    ['program', prog.path] as const,
    ...(j.workingDirectory ? [['working directory', j.workingDirectory.path] as const] : []),
    ...j.logs.map((l) => [`${l.stream} log`, l.path] as const),
    ...(j.repo ? [['repo', j.repo.path] as const] : []),
  ].flatMap(([what, p]) => {
    const folder = privacyFolder(p, f.home);
    return folder ? [`${what} ${p} is in ${folder}`] : [];
  });
  add('paths.privacy', privacy.length > 0 ? 'fail' : 'ok', privacy.length > 0 ? `${privacy.join('; ')}: macOS privacy protection keeps launchd jobs out of it (exit 78 or "Operation not permitted")` : 'nothing in ~/Desktop, ~/Documents, ~/Downloads or iCloud Drive',
    privacy.length > 0 ? { fix: 'move it under ~/Library (logs: ~/Library/Logs/lotus) and update lotus.yaml, or give the program Full Disk Access' } : {});

  // --- the Lotus repo
  if (j.repo) repoChecks(j, j.repo, f, add);

  // --- launchd
  launchdChecks(j, f, add);

  // --- limits, clock, duplicates (Lotus services)
  if (j.kind === 'service') {
    openFilesCheck(j, f, add);
    clockCheck(j, f, add);
    if (j.repo) {
      const active = j.duplicates.filter((d) => !d.disabled);
      const list = j.duplicates.map((d) => `${d.path}${d.label ? ` (${d.label})` : ''}${d.disabled ? ' [Disabled]' : ''}`).join(', ');
      if (j.duplicates.length === 0) add('duplicates', 'ok', `no other plist in the launchd folders runs ${posix.basename(prog.path)} on ${j.repo.path}`);
      else add('duplicates', active.length > 0 ? 'fail' : 'warn', `${list} also run${j.duplicates.length === 1 ? 's' : ''} ${posix.basename(prog.path)} on ${j.repo.path}: two launchd jobs fight over repo.lock`, {
        fix: `unload and remove the other one (launchctl bootout <domain>/<label>; move its plist away), or adopt it with lotusctl import`,
      });
    }
  }
  if (j.kind === 'monitor') monitorChecks(j, f, add);
  return out;
}

type Add = (id: string, level: CheckLevel, message: string, extra?: Partial<Pick<CheckResult, 'fix' | 'details' | 'autofix'>>) => void;

function logChecks(j: JobFacts, f: DoctorFacts, add: Add): void {
  if (j.logs.length === 0) {
    if (j.kind === 'service') add('logs', 'warn', 'no log files: launchd discards the job\'s output, so a failed start leaves no trace', { fix: `add logs: { dir: ~/Library/Logs/lotus } under services.${j.name} in lotus.yaml, then lotusctl apply` });
    return;
  }
  const seen = new Set<string>();
  for (const l of j.logs) {
    if (!seen.has(l.dir)) {
      seen.add(l.dir);
      const d = l.dirStat;
      if (!d.exists) {
        add('logs.folder', 'fail', `${l.dir} does not exist: launchd cannot open the ${l.stream} log and ends the job with 78 (EX_CONFIG)`, {
          fix: `mkdir -p ${l.dir} (lotusctl apply creates it too)`, autofix: { kind: 'mkdir', path: l.dir, ...(j.jobUid !== undefined && j.jobUid !== f.uid ? { uid: j.jobUid } : {}) },
        });
      } else if (d.kind !== 'dir') {
        add('logs.folder', 'fail', `${l.dir} is not a folder`, { fix: 'fix logs: in lotus.yaml' });
      } else {
        const w = writableBy(d, j.jobUid);
        if (w === 'no') add('logs.folder', 'fail', `${l.dir} (uid ${d.uid}, mode ${oct(d.mode)}) is not writable by the job's user (uid ${j.jobUid}): launchd cannot create the log and ends the job with 78`, { fix: `sudo chown ${j.jobUid} ${l.dir}` });
        else if (w === 'maybe') add('logs.folder', 'warn', `${l.dir} (uid ${d.uid}, mode ${oct(d.mode)}) may not be writable by the job's user${j.jobUid === undefined ? ' (unknown uid)' : ` (uid ${j.jobUid})`}`, { fix: `make sure ${j.jobUser ?? 'the job\'s user'} can write ${l.dir}` });
        else add('logs.folder', 'ok', l.dir);
      }
    }
    const s = l.fileStat;
    if (!s.exists) {
      if (s.error) add(`logs.${l.stream}`, 'fail', `cannot check ${l.path}: ${s.error}`, { fix: `check the permissions of ${l.dir}` });
      else add(`logs.${l.stream}`, 'ok', `${l.path} (not written yet; launchd creates it)`);
    } else if (s.kind !== 'file') {
      add(`logs.${l.stream}`, 'fail', `${l.path} is not a regular file: launchd cannot open it and ends the job with 78`, { fix: `move ${l.path} aside` });
    } else {
      const w = writableBy(s, j.jobUid);
      if (w === 'no') add(`logs.${l.stream}`, 'fail', `${l.path} is owned by uid ${s.uid} (mode ${oct(s.mode)}); the job runs as uid ${j.jobUid} and cannot open it, so launchd ends it with 78 (EX_CONFIG)`, { fix: `mv ${l.path} ${l.path}.old (launchd creates a new one as the job's user)` });
      else if (w === 'maybe') add(`logs.${l.stream}`, 'warn', `${l.path} (uid ${s.uid}, mode ${oct(s.mode)}) may not be writable by the job's user`, { fix: `mv ${l.path} ${l.path}.old if the job fails with 78` });
      else add(`logs.${l.stream}`, 'ok', `${l.path} (${gibOrBytes(s.size)})`);
    }
  }
}

const gibOrBytes = (n: number): string => (n >= GiB ? gib(n) : n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MiB` : `${n} bytes`);

function jobPid(j: JobFacts): number | undefined {
  return j.launchd.kind === 'loaded' ? j.launchd.pid : undefined;
}

function repoChecks(j: JobFacts, r: RepoFact, f: DoctorFacts, add: Add): void {
  const st = r.stat;
  if (!st.exists) {
    if (st.error) add('repo.exists', 'fail', `cannot read ${r.path}: ${st.error}`, { fix: `check the permissions of ${posix.dirname(r.path)}` });
    else add('repo.exists', 'warn', `${r.path} does not exist yet (lotus creates it on its first start)`, { fix: 'nothing to do for a new node; for an existing one, fix repo: in lotus.yaml' });
  } else if (st.kind !== 'dir') {
    add('repo.exists', 'fail', `${r.path} is not a folder`, { fix: 'fix repo: in lotus.yaml' });
  } else {
    add('repo.exists', 'ok', r.path);
    if (j.jobUid === undefined) add('repo.owner', 'warn', `owned by uid ${st.uid}; the job's uid is unknown${j.jobUser ? ` (user ${j.jobUser})` : ''}`, { fix: 'check that the job\'s user owns the repo' });
    else if (st.uid === j.jobUid || j.jobUid === 0) add('repo.owner', 'ok', `owned by uid ${st.uid}${st.uid === j.jobUid ? ', the job\'s user' : ''}`);
    // Never changed by lotusctl: the repo is Lotus's data.
    else add('repo.owner', 'fail', `owned by uid ${st.uid}, but the job runs as uid ${j.jobUid}: lotus cannot write its repo`, { fix: `sudo chown -R ${j.jobUser ?? j.jobUid} ${r.path} (lotusctl never changes a repo)` });
  }
  const v = r.volume;
  switch (v.kind) {
    case 'boot': add('repo.volume', 'ok', 'on the startup disk'); break;
    case 'mounted': add('repo.volume', 'ok', `on ${v.volume} (mounted now; a job started before the volume mounts fails)`); break;
    case 'not-mounted': add('repo.volume', 'fail', `${v.volume} is not mounted${v.exists ? `: ${v.volume} is a plain folder on the startup disk, and lotus would write a new repo there` : ''}`, { fix: `mount ${v.volume} (and keep it mounted before the job starts), then check again` }); break;
    case 'unknown': add('repo.volume', 'warn', `cannot tell whether ${v.volume} is mounted: ${v.why}`); break;
    default: {
      const never: never = v;
      add('repo.volume', 'warn', `unexpected ${JSON.stringify(never)}`);
    }
  }
  lockCheck(j, r, add);
  if (r.free === undefined) add('repo.free-space', 'warn', `cannot read the free space of the volume holding ${r.path}`);
  else {
    const lite = j.lite;
    const t = lite ? FREE_LITE : FREE_FULL;
    const msg = `${gib(r.free.availableBytes)} free of ${gib(r.free.totalBytes)} on the volume of ${r.free.checked}`;
    const fix = `free space or move the repo to a bigger volume: a ${lite ? 'lite' : 'full'} node needs ${lite ? 'a few GiB' : 'hundreds of GiB (the chain grows; a moving GC needs ~550 GB)'}; a full disk corrupts the datastore`;
    if (r.free.availableBytes < t.fail) add('repo.free-space', 'fail', `only ${msg}`, { fix });
    else if (r.free.availableBytes < t.warn) add('repo.free-space', 'warn', `${msg} (below ${gib(t.warn)})`, { fix });
    else add('repo.free-space', 'ok', msg);
  }
}

function lockCheck(j: JobFacts, r: RepoFact, add: Add): void {
  const lock = r.lock;
  const path = posix.join(r.path, 'repo.lock');
  const pid = jobPid(j);
  if (lock.kind === 'absent') {
    if (pid !== undefined) add('repo.lock', 'warn', `the job is running (pid ${pid}) but ${path} does not exist: still starting, or it runs on another repo`, { fix: `check LOTUS_PATH in its plist and lotusctl logs ${j.name}` });
    else add('repo.lock', 'ok', 'no repo.lock: no Lotus process has the repo open');
    return;
  }
  if (lock.kind === 'unreadable') {
    add('repo.lock', 'warn', `cannot check ${path}: ${lock.error}`);
    return;
  }
  if (lock.size > 0) {
    add('repo.lock', 'fail', `${path} is not empty (${lock.size} bytes): lotus refuses to start ("has non-zero size"); something other than lotus wrote it`, { fix: `stop every lotus on this repo, check that nothing holds it (lsof ${path}), then move it aside` });
    return;
  }
  const h = lock.holder;
  switch (h.kind) {
    case 'held': {
      const chain = lock.holderAncestry ?? [];
      const who = chain[0]?.command ? ` (${chain[0].command.slice(0, 80)})` : '';
      const idx = pid === undefined ? -1 : chain.findIndex((p) => p.pid === pid);
      if (pid !== undefined && (h.pid === pid || idx >= 0)) {
        add('repo.lock', 'ok', `held by pid ${h.pid}${h.pid === pid ? ', the job itself' : `${who}, a child of the job (pid ${pid})`}`);
      } else {
        add('repo.lock', 'fail', `held by pid ${h.pid}${who}, which is not this job${pid !== undefined ? ` (pid ${pid})` : ''}: another Lotus process (a second daemon, an import, lotus-shed) is using the repo, and the job cannot start while it does`, {
          fix: `stop pid ${h.pid} (or the job that runs it); never delete a held lock`,
        });
      }
      return;
    }
    case 'open':
      add('repo.lock', 'warn', `open by pid ${h.pids.join(', ')}; ${h.via} here does not report whether a lock is held`, { fix: `check with lsof ${path}; never delete it while a process has it open` });
      return;
    case 'unknown':
      add('repo.lock', 'warn', `present; who holds it is unknown (${h.why})`, { fix: `check with lsof ${path} before touching it` });
      return;
    case 'free': {
      if (h.scope !== undefined) {
        add('repo.lock', 'warn', `present and not held as far as can be seen (${h.scope})`, { fix: `run doctor as root to see every process, or check with sudo lsof ${path}` });
        return;
      }
      if (pid !== undefined) {
        // A starting lotus opens the file before it locks it: removing it now could let two processes lock two files.
        add('repo.lock', 'warn', `present and not held, while the job runs (pid ${pid}): lotus may still be starting`, { fix: 'check again in a minute' });
        return;
      }
      if (j.launchd.kind === 'unknown') {
        add('repo.lock', 'warn', 'present and not held; launchd\'s state of the job is unknown, so it is left alone', { fix: 'check again once launchd answers' });
        return;
      }
      add('repo.lock', 'warn', `present but not held by any process: a leftover of a crash; harmless (lotus takes it again on start)`, {
        fix: `lotusctl doctor --fix removes it (or: rm ${path})`, autofix: { kind: 'remove-stale-lock', path, ino: lock.ino },
      });
      return;
    }
    default: {
      const never: never = h;
      add('repo.lock', 'warn', `unexpected ${JSON.stringify(never)}`);
    }
  }
}

function launchdChecks(j: JobFacts, f: DoctorFacts, add: Add): void {
  const dom = f.domains[j.domain];
  if (j.domainKind === 'gui') {
    if (dom === undefined || dom.kind === 'unknown') add('launchd.domain', 'warn', `cannot tell whether ${j.domain} exists${dom?.kind === 'unknown' ? `: ${dom.why}` : ''}`);
    else if (dom.kind === 'missing') add('launchd.domain', 'fail', `${j.domain} does not exist: nobody is logged in at the console as uid ${j.domain.split('/')[1]} (${dom.message})`, { fix: 'log in at the console (or turn on automatic login), or use domain: user in lotus.yaml for a Mac you reach only over SSH' });
    else add('launchd.domain', 'ok', `${j.domain} exists (a console login session)`);
  }
  const l = j.launchd;
  if (l.kind === 'unknown') {
    add('launchd.loaded', l.code === 'launchctl.no-gui-domain' ? 'fail' : 'warn', `launchd's state is unknown: ${l.reason}`, l.code === 'launchctl.no-gui-domain' ? { fix: 'see launchd.domain above' } : {});
    return;
  }
  const loaded = l.kind === 'loaded';
  if (j.desired === 'running') {
    if (loaded) add('launchd.loaded', 'ok', `loaded in ${j.domain}`);
    else if (j.loadedElsewhere.length > 0) add('launchd.loaded', 'fail', `not loaded in ${j.domain}, but loaded in ${j.loadedElsewhere.join(', ')}`, { fix: `launchctl bootout ${j.loadedElsewhere[0]}/${j.label}, then lotusctl apply` });
    else if (j.disabled === true) add('launchd.loaded', 'fail', `not loaded, and disabled in ${j.domain} (launchctl print-disabled): it will not load at login`, { fix: 'lotusctl apply (it enables and loads it)' });
    else add('launchd.loaded', 'fail', `not loaded in ${j.domain}`, { fix: 'lotusctl apply' });
  } else {
    if (loaded) add('launchd.loaded', 'warn', `loaded in ${j.domain}, but lotus.yaml wants it ${j.desired === 'stopped' ? 'stopped' : 'absent'}`, { fix: 'lotusctl apply (it unloads it)' });
    else add('launchd.loaded', 'ok', `not loaded, as lotus.yaml wants`);
  }
  if (!loaded) return;
  if (j.desired === 'running') {
    if (l.pid !== undefined) add('launchd.running', 'ok', `running as pid ${l.pid}${l.runs !== undefined ? ` (started ${l.runs} time${l.runs === 1 ? '' : 's'} since it was loaded)` : ''}`);
    else add('launchd.running', 'fail', `loaded but not running (state ${l.state ?? 'unknown'}): see the last exit below`, { fix: `lotusctl logs ${j.name}` });
  }
  const e = l.lastExit;
  const tail = Array.isArray(j.stderrTail) ? (j.stderrTail as readonly string[]) : undefined;
  const tailErr = j.stderrTail !== undefined && !Array.isArray(j.stderrTail) ? (j.stderrTail as { error: string }).error : undefined;
  const details = tail && tail.length > 0 ? [`last lines of ${j.logs.find((x) => x.stream === 'stderr')?.path ?? 'the stderr log'}:`, ...tail.map((x) => `  ${x}`)] : tailErr ? [`stderr log unreadable: ${tailErr}`] : [];
  if (e.kind === 'unknown') add('launchd.last-exit', 'warn', explainExit(e));
  else if (cleanExit(e)) add('launchd.last-exit', 'ok', `${shortExit(e)}: ${explainExit(e)}`);
  else {
    const ex78 = e.kind === 'code' && e.code === 78 ? ' The program, folder, quarantine and privacy checks above show which cause applies.' : '';
    // specs/launchd-behaviour.md §9: a job that keeps exiting is respawned no faster than ThrottleInterval, and may end with 78 too.
    const loop = l.pid === undefined && (l.runs ?? 0) >= 3 ? ` launchd has started it ${l.runs} times since it was loaded: it is crash-looping (each restart waits out ThrottleInterval).` : '';
    add('launchd.last-exit', l.pid !== undefined ? 'warn' : 'fail', `${shortExit(e)}: ${explainExit(e)}${ex78}${loop}${l.pid !== undefined ? ' It is running again now.' : ''}`, {
      fix: `lotusctl logs ${j.name} --stderr -n 100`, ...(details.length > 0 ? { details } : {}),
    });
  }
}

function openFilesCheck(j: JobFacts, f: DoctorFacts, add: Add): void {
  const target = j.openFiles.lotusFdMax ?? LOTUS_OPEN_FILES;
  const mfpp = f.maxFilesPerProc;
  const fix = `set limits: { open_files: { soft: ${target}, hard: ${target} } } under services.${j.name} (at most kern.maxfilesperproc), then lotusctl apply`;
  if (j.openFiles.soft !== undefined && mfpp.kind === 'known' && j.openFiles.soft > mfpp.value) {
    add('limits.open-files', 'fail', `lotus.yaml asks for ${j.openFiles.soft} open files, above kern.maxfilesperproc ${mfpp.value}: the limit cannot be applied (lotus#3937)`, { fix: `lower limits.open_files to ${mfpp.value} or raise kern.maxfilesperproc` });
    return;
  }
  if (j.launchd.kind !== 'loaded') {
    add('limits.open-files', 'skip', 'not loaded: launchd shows the limits in effect only for a loaded job');
    return;
  }
  const soft = j.launchd.resourceLimits?.['maxfiles (soft)'];
  const hard = j.launchd.resourceLimits?.['maxfiles (hard)'];
  const ctx = mfpp.kind === 'known' ? `kern.maxfilesperproc ${mfpp.value}` : `kern.maxfilesperproc unknown (${mfpp.why})`;
  if (soft !== undefined) {
    if (soft >= target) add('limits.open-files', 'ok', `soft limit ${soft}${hard !== undefined ? `, hard ${hard}` : ''} (Lotus asks for ${target})`);
    else if (hard !== undefined && hard >= target && mfpp.kind === 'known' && mfpp.value >= target) add('limits.open-files', 'warn', `soft limit ${soft} < ${target}; Lotus raises it itself at start (hard ${hard}, ${ctx})`, { fix });
    else add('limits.open-files', 'fail', `soft limit ${soft} < the ${target} Lotus asks for${hard !== undefined ? ` (hard ${hard})` : ''}; badger fails with "too many open files"`, { fix });
    return;
  }
  // No limit in the plist: the job gets launchd's default (soft 256 on macOS, specs/lotus-operations.md §4) and lotus raises it itself.
  if (mfpp.kind === 'known' && mfpp.value < target) add('limits.open-files', 'fail', `no open-files limit in the plist (launchd's default soft 256), and ${ctx} is below ${target}: Lotus cannot raise it ("setting file descriptor limit")`, { fix });
  else add('limits.open-files', 'warn', `no open-files limit in the plist: the job starts with launchd's default (soft 256) and relies on Lotus raising it to ${target} (${ctx})`, { fix });
}

function clockCheck(j: JobFacts, f: DoctorFacts, add: Add): void {
  const api = j.api;
  if (api === undefined || api.kind === 'off') {
    add('clock', 'skip', jobPid(j) === undefined ? 'the node is not running' : 'no health API to ask for the chain head');
    return;
  }
  if (api.kind === 'unreachable') {
    add('clock', 'skip', `the API did not answer (${api.error})`);
    return;
  }
  const now = f.now / 1000;
  const ahead = api.headTimestamp - now;
  const fix = 'turn on "Set time and date automatically" (or sudo sntp -sS time.apple.com)';
  // A head is at most one epoch (30 s) old when synced; a head from the future means this clock is behind.
  if (ahead > 30) add('clock', 'fail', `this Mac's clock is ${Math.round(ahead)} s behind the chain head's timestamp: Lotus rejects blocks "from the future" (lotus#967)`, { fix });
  else if (-ahead <= 90) add('clock', 'ok', `agrees with the chain head (head ${Math.max(0, Math.round(-ahead))} s old, height ${api.height})`);
  else add('clock', 'warn', `the chain head is ${formatAge(-ahead * 1000)} older than this clock: the node is behind, or this clock is ahead`, { fix: `check lotusctl status ${j.name}; if the node is synced, ${fix}` });
}

function monitorChecks(j: JobFacts, f: DoctorFacts, add: Add): void {
  const m = f.monitor;
  if (m === undefined || !m.enabled) return;
  if (m.stateProblem) add('monitor.state', 'warn', m.stateProblem);
  const unreadable = m.samplesUnreadable.length > 0 ? ` (unreadable: ${m.samplesUnreadable.join(', ')})` : '';
  if (m.lastSampleAt === undefined) {
    add('monitor.ticking', 'fail', `no samples in the last 24 h${unreadable}: the monitor has not completed a round`, { fix: 'lotusctl logs --monitor shows why (an invalid lotus.yaml, launchctl errors)' });
    return;
  }
  const age = f.now - m.lastSampleAt;
  if (age > staleAfterMs(m.intervalMs)) add('monitor.ticking', 'fail', `last sample ${formatAge(age)} ago, but the schedule is ${m.schedule}: the monitor is not ticking${unreadable}`, { fix: 'lotusctl logs --monitor, and lotusctl status monitor' });
  else add('monitor.ticking', 'ok', `last sample ${formatAge(age)} ago (schedule ${m.schedule})`);
}

/** 0 when every check is ok or skipped, 2 when the worst is a warning, 1 when any failed. */
export function doctorExitCode(results: readonly CheckResult[]): number {
  if (results.some((r) => r.level === 'fail')) return 1;
  return results.some((r) => r.level === 'warn') ? 2 : 0;
}
