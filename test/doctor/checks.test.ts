import { describe, expect, it } from 'vitest';
import { doctorExitCode, privacyFolder, runChecks, type CheckResult } from '../../src/doctor/checks.js';
import type { DoctorFacts, JobFacts, PathFact, RepoFact } from '../../src/doctor/facts.js';

const NOW = Date.parse('2026-08-06T10:00:00Z');
const HOME = '/Users/ann';
const file = (over: Partial<Extract<PathFact, { exists: true }>> = {}): PathFact => ({ exists: true, kind: 'file', mode: 0o644, uid: 501, size: 10, ino: 7, ...over });
const dir = (over: Partial<Extract<PathFact, { exists: true }>> = {}): PathFact => ({ exists: true, kind: 'dir', mode: 0o755, uid: 501, size: 4096, ino: 8, ...over });
const missing: PathFact = { exists: false };

function repo(over: Partial<RepoFact> = {}): RepoFact {
  return {
    path: `${HOME}/.lotus`, stat: dir(), volume: { kind: 'boot' },
    free: { checked: `${HOME}/.lotus`, availableBytes: 500 * 1024 ** 3, totalBytes: 1000 * 1024 ** 3 },
    lock: { kind: 'present', size: 0, ino: 99, holder: { kind: 'held', pid: 4242, via: 'proc-locks' }, holderAncestry: [{ pid: 4242, ppid: 1, command: 'lotus daemon' }] },
    ...over,
  };
}

function job(over: Partial<JobFacts> = {}): JobFacts {
  return {
    name: 'daemon', kind: 'service', label: 'com.lotusctl.daemon', domain: 'gui/501', domainKind: 'gui', desired: 'running',
    plistPath: `${HOME}/Library/LaunchAgents/com.lotusctl.daemon.plist`, plistStat: file(), plistFormat: 'xml', plistMatchesSpec: true,
    plistMode: 0o644, plistOwnerUid: 501, jobUid: 501,
    program: { path: '/opt/homebrew/bin/lotus', stat: file({ mode: 0o755, uid: 0 }), quarantine: { kind: 'clear' }, version: { kind: 'ok', output: 'lotus version 1.36.2' } },
    logs: [
      { stream: 'stdout', path: `${HOME}/Library/Logs/lotus/daemon.out.log`, dir: `${HOME}/Library/Logs/lotus`, dirStat: dir(), fileStat: file() },
      { stream: 'stderr', path: `${HOME}/Library/Logs/lotus/daemon.err.log`, dir: `${HOME}/Library/Logs/lotus`, dirStat: dir(), fileStat: file() },
    ],
    repo: repo(),
    launchd: { kind: 'loaded', pid: 4242, state: 'running', runs: 1, lastExit: { kind: 'never' }, resourceLimits: { 'maxfiles (soft)': 16384, 'maxfiles (hard)': 65536 } },
    loadedElsewhere: [], disabled: undefined,
    api: { kind: 'ok', height: 100, headTimestamp: NOW / 1000 - 10, peers: 8 },
    openFiles: { soft: 16384, hard: 65536 }, lite: false, duplicates: [],
    ...over,
  };
}

function facts(jobs: JobFacts[], over: Partial<DoctorFacts> = {}): DoctorFacts {
  return {
    now: NOW, platform: 'darwin', uid: 501, home: HOME, specFile: 'lotus.yaml', jobs,
    domains: { 'gui/501': { kind: 'present' } }, maxFilesPerProc: { kind: 'known', value: 245760 },
    monitor: { enabled: true, schedule: '30s', intervalMs: 30_000, lastSampleAt: NOW - 10_000, samplesUnreadable: [] },
    ...over,
  };
}

const find = (rs: CheckResult[], id: string, group = 'daemon'): CheckResult => {
  const r = rs.find((x) => x.id === id && x.group === group);
  if (!r) throw new Error(`no ${group} ${id} in ${rs.map((x) => `${x.group}/${x.id}`).join(', ')}`);
  return r;
};

describe('doctor checks', () => {
  it('a healthy node passes every check', () => {
    const rs = runChecks(facts([job()]));
    expect(rs.filter((r) => r.level !== 'ok').map((r) => `${r.id}: ${r.message}`)).toEqual([]);
    expect(doctorExitCode(rs)).toBe(0);
    expect(find(rs, 'repo.lock').message).toContain('held by pid 4242, the job itself');
  });

  it.each<[string, Partial<JobFacts>, string, CheckResult['level'], RegExp, CheckResult['autofix'] | undefined]>([
    ['plist missing', { plistStat: missing, plistFormat: undefined, plistMatchesSpec: undefined }, 'plist.exists', 'fail', /does not exist/, undefined],
    ['plist unreadable plist', { plistFormat: 'invalid' }, 'plist.parses', 'fail', /not a readable plist/, undefined],
    ['plist owned by someone else', { plistStat: file({ uid: 502 }) }, 'plist.owner', 'fail', /owned by uid 502/, { kind: 'chown', path: `${HOME}/Library/LaunchAgents/com.lotusctl.daemon.plist`, uid: 501 }],
    ['plist owned by root is fine for an agent', { plistStat: file({ uid: 0 }) }, 'plist.owner', 'ok', /uid 0/, undefined],
    ['group-writable plist', { plistStat: file({ mode: 0o664 }) }, 'plist.mode', 'fail', /group\/world-writable/, { kind: 'chmod', path: `${HOME}/Library/LaunchAgents/com.lotusctl.daemon.plist`, mode: 0o644 }],
    ['plist edited by hand', { plistMatchesSpec: false }, 'plist.matches-spec', 'warn', /lotusctl plan/, undefined],
    ['bare program name', { program: { path: 'lotus', stat: missing } }, 'program.path', 'fail', /not an absolute path.*78/, undefined],
    ['program missing', { program: { path: '/opt/homebrew/bin/lotus', stat: missing } }, 'program.path', 'fail', /does not exist.*78/, undefined],
    ['program not executable', { program: { path: '/opt/homebrew/bin/lotus', stat: file({ mode: 0o644 }) } }, 'program.path', 'fail', /not executable/, undefined],
    ['quarantined program', { program: { path: '/opt/homebrew/bin/lotus', stat: file({ mode: 0o755 }), quarantine: { kind: 'set', value: '0081;6650;Safari;' } } }, 'program.quarantine', 'fail', /com\.apple\.quarantine/, undefined],
    ['quarantine unknown off macOS is a warning, never ok', { program: { path: '/opt/homebrew/bin/lotus', stat: file({ mode: 0o755 }), quarantine: { kind: 'unknown', why: 'not available on linux' } } }, 'program.quarantine', 'warn', /unknown \(not available on linux\)/, undefined],
    ['lotus --version fails', { program: { path: '/opt/homebrew/bin/lotus', stat: file({ mode: 0o755 }), quarantine: { kind: 'clear' }, version: { kind: 'failed', error: 'exit 1: dyld: Library not loaded: hwloc' } } }, 'program.version', 'fail', /hwloc/, undefined],
    ['working directory missing', { workingDirectory: { path: '/srv/lotus', stat: missing } }, 'working-directory', 'fail', /78/, { kind: 'mkdir', path: '/srv/lotus' }],
    ['log folder missing', { logs: [{ stream: 'stderr', path: `${HOME}/L/x.err`, dir: `${HOME}/L`, dirStat: missing, fileStat: missing }] }, 'logs.folder', 'fail', /does not exist.*78/, { kind: 'mkdir', path: `${HOME}/L` }],
    ['log file owned by root 0600', { logs: [{ stream: 'stderr', path: `${HOME}/L/x.err`, dir: `${HOME}/L`, dirStat: dir(), fileStat: file({ uid: 0, mode: 0o600 }) }] }, 'logs.stderr', 'fail', /owned by uid 0.*cannot open it/, undefined],
    ['no logs configured', { logs: [] }, 'logs', 'warn', /discards/, undefined],
    ['log in ~/Documents', { logs: [{ stream: 'stderr', path: `${HOME}/Documents/lotus.err`, dir: `${HOME}/Documents`, dirStat: dir(), fileStat: missing }] }, 'paths.privacy', 'fail', /in ~\/Documents/, undefined],
    ['repo in ~/Desktop', { repo: repo({ path: `${HOME}/Desktop/lotus` }) }, 'paths.privacy', 'fail', /repo .* is in ~\/Desktop/, undefined],
    ['repo owned by another user', { repo: repo({ stat: dir({ uid: 0 }) }) }, 'repo.owner', 'fail', /owned by uid 0.*runs as uid 501/, undefined],
    ['repo on an unmounted volume', { repo: repo({ path: '/Volumes/Chain/lotus', volume: { kind: 'not-mounted', volume: '/Volumes/Chain', exists: true } }) }, 'repo.volume', 'fail', /not mounted: .*plain folder/, undefined],
    ['repo missing', { repo: repo({ stat: missing }) }, 'repo.exists', 'warn', /creates it on its first start/, undefined],
    ['lock held by a child of the job', { repo: repo({ lock: { kind: 'present', size: 0, ino: 9, holder: { kind: 'held', pid: 5000, via: 'proc-locks' }, holderAncestry: [{ pid: 5000, ppid: 4242, command: 'python3' }, { pid: 4242, ppid: 1, command: 'lotus' }] } }) }, 'repo.lock', 'ok', /pid 5000 \(python3\), a child of the job \(pid 4242\)/, undefined],
    ['lock held by another process', { launchd: { kind: 'not-loaded' }, repo: repo({ lock: { kind: 'present', size: 0, ino: 9, holder: { kind: 'held', pid: 777, via: 'lsof' }, holderAncestry: [{ pid: 777, ppid: 1, command: 'lotus daemon --repo x' }] } }) }, 'repo.lock', 'fail', /held by pid 777 \(lotus daemon --repo x\), which is not this job.*never delete/s, undefined],
    ['lock left over, job stopped', { launchd: { kind: 'not-loaded' }, repo: repo({ lock: { kind: 'present', size: 0, ino: 9, holder: { kind: 'free', via: 'proc-locks' } } }) }, 'repo.lock', 'warn', /leftover.*harmless/, { kind: 'remove-stale-lock', path: `${HOME}/.lotus/repo.lock`, ino: 9 }],
    ['unheld lock while the job runs is left alone', { repo: repo({ lock: { kind: 'present', size: 0, ino: 9, holder: { kind: 'free', via: 'proc-locks' } } }) }, 'repo.lock', 'warn', /may still be starting/, undefined],
    ['unheld as far as a non-root lsof sees', { launchd: { kind: 'not-loaded' }, repo: repo({ lock: { kind: 'present', size: 0, ino: 9, holder: { kind: 'free', via: 'lsof', scope: 'lsof run as uid 501 sees only that user\'s processes' } } }) }, 'repo.lock', 'warn', /as far as can be seen/, undefined],
    ['holder unknown', { launchd: { kind: 'not-loaded' }, repo: repo({ lock: { kind: 'present', size: 0, ino: 9, holder: { kind: 'unknown', why: 'lsof is not available here' } } }) }, 'repo.lock', 'warn', /unknown \(lsof is not available here\)/, undefined],
    ['non-empty lock', { launchd: { kind: 'not-loaded' }, repo: repo({ lock: { kind: 'present', size: 12, ino: 9, holder: { kind: 'free', via: 'proc-locks' } } }) }, 'repo.lock', 'fail', /non-zero size/, undefined],
    ['little free space', { repo: repo({ free: { checked: '/', availableBytes: 5 * 1024 ** 3, totalBytes: 500 * 1024 ** 3 } }) }, 'repo.free-space', 'fail', /only 5\.0 GiB free/, undefined],
    ['a lite node needs little', { lite: true, repo: repo({ free: { checked: '/', availableBytes: 50 * 1024 ** 3, totalBytes: 500 * 1024 ** 3 } }) }, 'repo.free-space', 'ok', /50 GiB free/, undefined],
    ['not loaded', { launchd: { kind: 'not-loaded' } }, 'launchd.loaded', 'fail', /not loaded in gui\/501/, undefined],
    ['loaded in the wrong domain', { launchd: { kind: 'not-loaded' }, loadedElsewhere: ['user/501'] }, 'launchd.loaded', 'fail', /loaded in user\/501/, undefined],
    ['disabled', { launchd: { kind: 'not-loaded' }, disabled: true }, 'launchd.loaded', 'fail', /disabled/, undefined],
    ['loaded but not running', { launchd: { kind: 'loaded', state: 'not running', lastExit: { kind: 'code', code: 1 } } }, 'launchd.running', 'fail', /not running/, undefined],
    ['soft limit below 16384 and no way up', { launchd: { kind: 'loaded', pid: 1, lastExit: { kind: 'never' }, resourceLimits: { 'maxfiles (soft)': 256, 'maxfiles (hard)': 256 } } }, 'limits.open-files', 'fail', /256 < the 16384/, undefined],
    ['limit above kern.maxfilesperproc', { openFiles: { soft: 500_000 } }, 'limits.open-files', 'fail', /above kern\.maxfilesperproc 245760/, undefined],
    ['clock behind the chain', { api: { kind: 'ok', height: 1, headTimestamp: NOW / 1000 + 600, peers: 3 } }, 'clock', 'fail', /600 s behind/, undefined],
    ['chain head far older than the clock', { api: { kind: 'ok', height: 1, headTimestamp: NOW / 1000 - 3600, peers: 3 } }, 'clock', 'warn', /1h older/, undefined],
    ['API down: clock not judged', { api: { kind: 'unreachable', error: 'connection refused' } }, 'clock', 'skip', /connection refused/, undefined],
    ['a second plist on the same repo', { duplicates: [{ path: `${HOME}/Library/LaunchAgents/io.filecoin.lotus.plist`, label: 'io.filecoin.lotus', disabled: false }] }, 'duplicates', 'fail', /io\.filecoin\.lotus.*fight over repo\.lock/, undefined],
    ['a disabled second plist', { duplicates: [{ path: '/Library/LaunchDaemons/x.plist', disabled: true }] }, 'duplicates', 'warn', /\[Disabled\]/, undefined],
  ])('%s', (_name, over, id, level, message, autofix) => {
    const r = find(runChecks(facts([job(over)])), id);
    expect(r.level).toBe(level);
    expect(r.message + (r.fix ? ` | ${r.fix}` : '')).toMatch(message);
    expect(r.autofix).toEqual(autofix);
    if (level === 'fail' || level === 'warn') expect(r.fix ?? (level === 'warn' ? 'n/a' : undefined)).toBeDefined();
  });

  it('last exit: 78 is explained, with the last lines of the stderr log; a job running again only warns', () => {
    const dead = find(runChecks(facts([job({ launchd: { kind: 'loaded', state: 'not running', lastExit: { kind: 'code', code: 78, name: 'EX_CONFIG' } }, stderrTail: ['ERROR: boom', ''] })])), 'launchd.last-exit');
    expect(dead.level).toBe('fail');
    expect(dead.message).toMatch(/^78 EX_CONFIG: .*launchd could not set the job up.*checks above/);
    expect(dead.message).not.toMatch(/crash-looping/);
    const looping = find(runChecks(facts([job({ launchd: { kind: 'loaded', state: 'spawn scheduled', runs: 41, lastExit: { kind: 'code', code: 1 } } })])), 'launchd.last-exit');
    expect(looping.message).toMatch(/started it 41 times since it was loaded: it is crash-looping/);
    expect(dead.details).toEqual([`last lines of ${HOME}/Library/Logs/lotus/daemon.err.log:`, '  ERROR: boom', '  ']);
    const again = find(runChecks(facts([job({ launchd: { kind: 'loaded', pid: 9, lastExit: { kind: 'signal', signal: 11 } } })])), 'launchd.last-exit');
    expect(again.level).toBe('warn');
    expect(again.message).toMatch(/crashed.*running again now/);
    expect(find(runChecks(facts([job({ launchd: { kind: 'loaded', pid: 9, lastExit: { kind: 'signal', signal: 15 } } })])), 'launchd.last-exit').level).toBe('ok');
  });

  it('open files without a limit in the plist: it depends on kern.maxfilesperproc, and unknown is never ok', () => {
    const noLimit = job({ launchd: { kind: 'loaded', pid: 1, lastExit: { kind: 'never' } }, openFiles: {} });
    const at = (maxFilesPerProc: DoctorFacts['maxFilesPerProc']) => find(runChecks(facts([noLimit], { maxFilesPerProc })), 'limits.open-files');
    expect(at({ kind: 'known', value: 10240 })).toMatchObject({ level: 'fail', message: expect.stringMatching(/10240 is below 16384: Lotus cannot raise it/) });
    expect(at({ kind: 'known', value: 245760 }).level).toBe('warn');
    expect(at({ kind: 'unknown', why: 'not available on linux' })).toMatchObject({ level: 'warn', message: expect.stringMatching(/unknown \(not available on linux\)/) });
  });

  it('a missing GUI session fails the domain check and the loaded check', () => {
    const rs = runChecks(facts([job({ launchd: { kind: 'unknown', reason: 'Could not find domain for user gui: 501', code: 'launchctl.no-gui-domain' } })], {
      domains: { 'gui/501': { kind: 'missing', message: 'Could not find domain for user gui: 501' } },
    }));
    expect(find(rs, 'launchd.domain')).toMatchObject({ level: 'fail', fix: expect.stringMatching(/domain: user/) });
    expect(find(rs, 'launchd.loaded').level).toBe('fail');
  });

  it('the monitor: ticking, stale, never sampled, or not configured at all', () => {
    const mon = job({ name: 'monitor', kind: 'monitor', label: 'com.lotusctl.monitor', program: { path: '/usr/local/bin/node', stat: file({ mode: 0o755 }) }, repo: undefined, api: undefined, openFiles: {} });
    const at = (lastSampleAt: number | undefined) => find(runChecks(facts([mon], { monitor: { enabled: true, schedule: '30s', intervalMs: 30_000, ...(lastSampleAt !== undefined ? { lastSampleAt } : {}), samplesUnreadable: [] } })), 'monitor.ticking', 'monitor');
    expect(at(NOW - 20_000).level).toBe('ok');
    expect(at(NOW - 10 * 60_000)).toMatchObject({ level: 'fail', message: expect.stringMatching(/last sample 10m ago, but the schedule is 30s/) });
    expect(at(undefined).level).toBe('fail');
    const none = runChecks(facts([job()], { monitor: undefined }));
    expect(find(none, 'monitor.configured', 'machine').level).toBe('warn');
  });

  it('exit codes: 0 all ok (skips too), 2 warnings only, 1 any failure', () => {
    const r = (level: CheckResult['level']): CheckResult => ({ group: 'g', id: 'x', level, message: '' });
    expect(doctorExitCode([r('ok'), r('skip')])).toBe(0);
    expect(doctorExitCode([r('ok'), r('warn')])).toBe(2);
    expect(doctorExitCode([r('warn'), r('fail')])).toBe(1);
  });

  it('privacy folders are matched by path, not by prefix', () => {
    expect(privacyFolder(`${HOME}/Documents`, HOME)).toBe('~/Documents');
    expect(privacyFolder(`${HOME}/Downloads/lotus`, HOME)).toBe('~/Downloads');
    expect(privacyFolder(`${HOME}/Documentsx/lotus`, HOME)).toBeUndefined();
    expect(privacyFolder(`${HOME}/Library/Mobile Documents/com~apple~CloudDocs/x`, HOME)).toBe('~/Library/Mobile Documents');
  });
});
