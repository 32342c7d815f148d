import { describe, expect, it } from 'vitest';
import { parseServicePrint, type ServicePrint } from '../../src/launchd/parse-service-print.js';
import { readFixture } from '../helpers/fixtures.js';

const BASE_ENV = { PATH: '/usr/bin:/bin:/usr/sbin:/sbin' };

// Whole-result pins: every field the parser reads from each real capture, checked by hand against the file.
const PINS: Array<[string, ServicePrint]> = [
  [
    'print-service-system-never-run-rpmuxd-macos26.txt',
    {
      target: 'system/com.apple.rpmuxd',
      label: 'com.apple.rpmuxd',
      activeCount: 0,
      path: '/Library/Apple/System/Library/LaunchDaemons/com.apple.rpmuxd.plist',
      type: 'LaunchDaemon',
      state: 'not running',
      program: '/Library/Apple/usr/libexec/rpmuxd',
      arguments: ['/usr/libexec/rpmuxd'],
      defaultEnvironment: BASE_ENV,
      environment: { OSLogRateLimit: '64', XPC_SERVICE_NAME: 'com.apple.rpmuxd' },
      domain: 'system',
      minimumRuntime: 10,
      baseMinimumRuntime: 10,
      exitTimeout: 5,
      runs: 0,
      lastExit: { kind: 'never' },
      spawnType: { name: 'daemon', code: 3 },
      properties: ['partial import', 'inferred program', 'system service', 'exponential throttling', 'tle system'],
    },
  ],
  [
    'print-service-system-running-never-exited-runningboardd-macos26.txt',
    {
      target: 'system/com.apple.runningboardd',
      label: 'com.apple.runningboardd',
      activeCount: 3,
      path: '/System/Library/LaunchDaemons/com.apple.runningboardd.plist',
      type: 'LaunchDaemon',
      state: 'running',
      program: '/usr/libexec/runningboardd',
      defaultEnvironment: BASE_ENV,
      environment: { OSLogRateLimit: '64', MallocSpaceEfficient: '1', XPC_SERVICE_NAME: 'com.apple.runningboardd' },
      domain: 'system',
      minimumRuntime: 1,
      baseMinimumRuntime: 1,
      exitTimeout: 5,
      runs: 1,
      pid: 625,
      immediateReason: 'ipc (mach)',
      forks: 0,
      execs: 1,
      lastExit: { kind: 'never' },
      spawnType: { name: 'adaptive', code: 6 },
      jobState: 'running',
      properties: ['supports transactions', 'supports pressured exit', 'system service', 'exponential throttling', 'tle system'],
    },
  ],
  [
    'print-service-system-exit1-semaphore-wifiFirmwareLoader-macos26.txt',
    {
      target: 'system/com.apple.wifiFirmwareLoader',
      label: 'com.apple.wifiFirmwareLoader',
      activeCount: 0,
      path: '/System/Library/LaunchDaemons/com.apple.wifiFirmwareLoader.plist',
      type: 'LaunchDaemon',
      state: 'not running',
      program: '/usr/libexec/wifiFirmwareLoader',
      arguments: ['/usr/libexec/wifiFirmwareLoader'],
      defaultEnvironment: BASE_ENV,
      environment: { OSLogRateLimit: '64', MallocSpaceEfficient: '1', XPC_SERVICE_NAME: 'com.apple.wifiFirmwareLoader' },
      domain: 'system',
      umask: '22',
      minimumRuntime: 10,
      baseMinimumRuntime: 10,
      exitTimeout: 5,
      runs: 1,
      lastExit: { kind: 'code', code: 1 },
      semaphores: { 'after crash': 1 },
      spawnType: { name: 'interactive', code: 4 },
      properties: ['runatload', 'inferred program', 'system service', 'exponential throttling', 'tle system'],
    },
  ],
  [
    'print-service-system-signal-killed9-kerberos-digest-macos26.txt',
    {
      target: 'system/com.apple.Kerberos.digest-service',
      label: 'com.apple.Kerberos.digest-service',
      activeCount: 0,
      path: '/System/Library/LaunchDaemons/com.apple.Kerberos.digest-service.plist',
      type: 'LaunchDaemon',
      state: 'not running',
      program: '/System/Library/PrivateFrameworks/Heimdal.framework/Helpers/digest-service',
      arguments: ['/System/Library/PrivateFrameworks/Heimdal.framework/Helpers/digest-service'],
      defaultEnvironment: BASE_ENV,
      environment: { OSLogRateLimit: '64', MallocSpaceEfficient: '1', XPC_SERVICE_NAME: 'com.apple.Kerberos.digest-service' },
      domain: 'system',
      minimumRuntime: 10,
      baseMinimumRuntime: 10,
      exitTimeout: 5,
      runs: 1,
      lastExit: { kind: 'signal', signal: 9, name: 'Killed' },
      spawnType: { name: 'daemon', code: 3 },
      properties: ['supports transactions', 'inferred program', 'system service', 'exponential throttling', 'tle system'],
    },
  ],
  [
    'print-service-gui-runatload-exit0-parentalcontrols-check-macos26.txt',
    {
      target: 'gui/501/com.apple.parentalcontrols.check',
      label: 'com.apple.parentalcontrols.check',
      activeCount: 0,
      path: '/System/Library/LaunchAgents/com.apple.parentalcontrols.check.plist',
      type: 'LaunchAgent',
      state: 'not running',
      program: '/System/Library/PrivateFrameworks/FamilyControls.framework/Resources/pcdCheck',
      inheritedEnvironment: { SSH_AUTH_SOCK: '/private/tmp/com.apple.launchd.MmgQO3qMuh/Listeners' },
      defaultEnvironment: BASE_ENV,
      environment: { OSLogRateLimit: '64', MallocSpaceEfficient: '1', XPC_SERVICE_NAME: 'com.apple.parentalcontrols.check' },
      domain: 'gui/501',
      asid: 100017,
      minimumRuntime: 10,
      baseMinimumRuntime: 10,
      exitTimeout: 5,
      runs: 1,
      lastExit: { kind: 'code', code: 0 },
      spawnType: { name: 'daemon', code: 3 },
      properties: ['runatload', 'system service', 'exponential throttling', 'tle system'],
    },
  ],
  [
    'print-service-system-running-akd-macos13or14.txt',
    {
      target: 'system/com.apple.akd',
      label: 'com.apple.akd',
      activeCount: 7,
      path: '/System/Library/LaunchDaemons/com.apple.akd.plist',
      type: 'LaunchDaemon',
      state: 'running',
      program: '/System/Library/PrivateFrameworks/AuthKit.framework/Versions/A/Support/akd',
      arguments: ['/System/Library/PrivateFrameworks/AuthKit.framework/Versions/A/Support/akd'],
      defaultEnvironment: BASE_ENV,
      environment: { MallocSpaceEfficient: '1', XPC_SERVICE_NAME: 'com.apple.akd' },
      domain: 'system',
      minimumRuntime: 10,
      baseMinimumRuntime: 10,
      exitTimeout: 5,
      runs: 1,
      pid: 928,
      immediateReason: 'ipc (mach)',
      forks: 0,
      execs: 1,
      lastExit: { kind: 'never' },
      spawnType: { name: 'adaptive', code: 6 },
      jobState: 'running',
      properties: ['supports transactions', 'supports pressured exit', 'inferred program', 'system service', 'exponential throttling'],
    },
  ],
  [
    'print-service-gui-submitted-loginitem-exited0-macos13or14.txt',
    {
      target: 'gui/501/com.vendor.helper',
      label: 'com.vendor.helper',
      activeCount: 0,
      path: '(submitted by smd.500)',
      type: 'Submitted',
      state: 'not running',
      inheritedEnvironment: { SSH_AUTH_SOCK: '/private/tmp/com.apple.launchd.jAKz5dz9eY/Listeners' },
      defaultEnvironment: BASE_ENV,
      environment: { XPC_SERVICE_NAME: 'com.vendor.helper' },
      domain: 'gui/501',
      asid: 100015,
      minimumRuntime: 10,
      exitTimeout: 5,
      runs: 1,
      lastExit: { kind: 'code', code: 0 },
      semaphores: { 'successful exit': 0 },
      spawnType: { name: 'interactive', code: 4 },
      jobState: 'exited',
      properties: ['supports transactions', 'resolve program', 'has LWCR'],
    },
  ],
  [
    'print-service-system-running-yosemite-truncated.txt',
    {
      truncated: true,
      target: 'dev.mysql',
      label: 'dev.mysql',
      activeCount: 1,
      path: '/Library/LaunchDaemons/dev.mysql.plist',
      state: 'running',
      program: '/opt/boxen/homebrew/bin/mysqld_safe',
      arguments: ['/opt/boxen/homebrew/bin/mysqld_safe', '--defaults-file=/opt/boxen/config/mysql/my.cnf'],
      workingDirectory: '/opt/boxen/data/mysql',
      stdoutPath: '/opt/boxen/log/mysql/console.log',
      stderrPath: '/opt/boxen/log/mysql/console.log',
      globalEnvironment: BASE_ENV,
      environment: { XPC_SERVICE_NAME: 'dev.mysql' },
      domain: 'com.apple.xpc.launchd.domain.system',
      username: 'dgoodlad',
      minimumRuntime: 10,
      exitTimeout: 1,
      runs: 2,
      successiveCrashes: 0,
      pid: 24784,
      immediateReason: 'inefficient',
      forks: 51,
      execs: 1,
      // A KeepAlive job keeps the previous run's exit code while the new instance runs (§5).
      lastExit: { kind: 'code', code: 1 },
      // Cut off before the `properties` line.
      properties: [],
    },
  ],
];

describe('parseServicePrint on real captures', () => {
  it.each(PINS)('%s', (file, want) => {
    expect(parseServicePrint(readFixture(file))).toEqual(want);
  });

  it.each(PINS)('%s reads the same with tabs and with 4-space indentation', (file) => {
    const text = readFixture(file);
    const tabs = text.replace(/^(?: {4})+/gm, (s) => '\t'.repeat(s.length / 4));
    const spaces = text.replace(/^\t+/gm, (t) => '    '.repeat(t.length));
    expect(parseServicePrint(tabs)).toEqual(parseServicePrint(spaces));
  });
});

/** A gui/501 service print with the given top-level lines, tab-indented like launchctl. */
function svc(...lines: string[]): string {
  return `gui/501/com.example.lotus = {\n${lines.map((l) => `\t${l}`).join('\n')}\n}\n`;
}

describe('exit information with no real sample (built from specs/launchd-behaviour.md §5-§7)', () => {
  it.each<[string, string, ServicePrint['lastExit']]>([
    [
      'pressured exit: only `last exit reason` => reclaimed',
      svc('state = not running', 'runs = 3', 'last exit reason = JETSAM_REASON_MEMORY_IDLE_EXIT'),
      { kind: 'reclaimed', reason: 'JETSAM_REASON_MEMORY_IDLE_EXIT' },
    ],
    ['segfault', svc('state = not running', 'last terminating signal = Segmentation fault: 11'), { kind: 'signal', signal: 11, name: 'Segmentation fault' }],
    ['hangup', svc('last terminating signal = Hangup: 1'), { kind: 'signal', signal: 1, name: 'Hangup' }],
    ['EX_CONFIG', svc('state = spawn scheduled', 'runs = 40', 'last exit code = 78: EX_CONFIG'), { kind: 'code', code: 78, name: 'EX_CONFIG' }],
    ['plain code', svc('last exit code = 2'), { kind: 'code', code: 2 }],
    ['never exited', svc('runs = 0', 'last exit code = (never exited)'), { kind: 'never' }],
    ['no exit line at all', svc('state = not running', 'runs = 1'), { kind: 'unknown' }],
    ['two exit-code lines (malformed)', svc('last exit code = 0', 'last exit code = 1'), { kind: 'unknown' }],
    ['the same exit-code line twice (malformed)', svc('last exit code = 0', 'last exit code = 0'), { kind: 'unknown' }],
    ['exit code and signal together (malformed)', svc('last exit code = 0', 'last terminating signal = Killed: 9'), { kind: 'unknown' }],
    ['unreadable code', svc('last exit code = banana'), { kind: 'unknown' }],
    ['code out of range', svc('last exit code = 300'), { kind: 'unknown' }],
    ['negative code', svc('last exit code = -9'), { kind: 'unknown' }],
    ['signal without number', svc('last terminating signal = Killed'), { kind: 'unknown' }],
    ['signal zero', svc('last terminating signal = Nothing: 0'), { kind: 'unknown' }],
    ['a non-jetsam reason alone is not understood', svc('last exit reason = OS_REASON_SOMETHING'), { kind: 'unknown' }],
    ['two different jetsam reasons', svc('last exit reason = JETSAM_A', 'last exit reason = JETSAM_B'), { kind: 'unknown' }],
    // §5 says at most one line; if a code line ever comes with a reason, the code is the explicit fact.
    ['code line wins over a reason line', svc('last exit code = 0', 'last exit reason = JETSAM_REASON_MEMORY_IDLE_EXIT'), { kind: 'code', code: 0 }],
  ])('%s', (_name, text, want) => {
    expect(parseServicePrint(text).lastExit).toEqual(want);
  });

  it('keeps the reason text next to a reclaimed exit', () => {
    const p = parseServicePrint(svc('last exit reason = JETSAM_REASON_MEMORY_IDLE_EXIT'));
    expect(p.lastExitReason).toBe('JETSAM_REASON_MEMORY_IDLE_EXIT');
    expect(parseServicePrint(svc('last exit reason = OS_REASON_SOMETHING')).lastExitReason).toBe('OS_REASON_SOMETHING');
  });

  it('reads `Terminated: 15` while a new instance runs (kickstart -k)', () => {
    const p = parseServicePrint(
      svc('state = running', 'runs = 2', 'pid = 4242', 'immediate reason = non-ipc demand', 'last terminating signal = Terminated: 15', 'job state = running'),
    );
    expect(p).toMatchObject({ state: 'running', pid: 4242, runs: 2, jobState: 'running', lastExit: { kind: 'signal', signal: 15, name: 'Terminated' } });
  });

  it.each(['', '   \n\n', 'garbage', '}}}{{{', 'Could not find service "x" in domain for user gui: 501', '\u0000\u0001binary'])(
    'garbage %j gives unknown and no fields',
    (text) => {
      expect(parseServicePrint(text)).toEqual({ properties: [], lastExit: { kind: 'unknown' } });
    },
  );
});

describe('fields that cannot be read are absent, never guessed', () => {
  it.each<[string, string, keyof ServicePrint]>([
    ['pid = abc', 'pid = abc', 'pid'],
    ['pid = 0', 'pid = 0', 'pid'],
    ['pid = -1', 'pid = -1', 'pid'],
    ['runs = -1', 'runs = -1', 'runs'],
    ['exit timeout = 5s', 'exit timeout = 5s', 'exitTimeout'],
    ['minimum runtime = ', 'minimum runtime = ', 'minimumRuntime'],
    ['umask = 9x', 'umask = 9x', 'umask'],
    ['state = ', 'state = ', 'state'],
    ['run interval = often', 'run interval = often', 'runInterval'],
  ])('%s', (_name, line, field) => {
    const p = parseServicePrint(svc(line));
    expect(p).not.toHaveProperty(field);
  });

  it('drops a field printed twice with different values', () => {
    const p = parseServicePrint(svc('pid = 10', 'pid = 11', 'runs = 2'));
    expect(p.pid).toBeUndefined();
    expect(p.runs).toBe(2);
  });

  it('drops a cut-off arguments or environment block instead of reading half of it', () => {
    const p = parseServicePrint('gui/501/x = {\n\tprogram = /bin/x\n\targuments = {\n\t\t/bin/x\n\t\t--flag\n');
    expect(p).toEqual({ target: 'gui/501/x', label: 'x', program: '/bin/x', properties: [], lastExit: { kind: 'unknown' }, truncated: true });
  });

  it('refuses an asid that disagrees with the domain bracket', () => {
    expect(parseServicePrint(svc('domain = gui/501 [100017]', 'asid = 5')).asid).toBeUndefined();
    expect(parseServicePrint(svc('domain = gui/501 [100017]')).asid).toBe(100017);
  });
});

describe('other fields from the reference text', () => {
  it('reads run interval, resource limits, user/group, nice and unknown sections', () => {
    const p = parseServicePrint(
      svc(
        'working directory = /Users/me/lotus',
        'stdout path = /Users/me/Library/Logs/lotus/out.log',
        'stderr path = /Users/me/Library/Logs/lotus/err.log',
        'username = lotus',
        'group = staff',
        'umask = 77',
        'nice = -5',
        'run interval = 43200 seconds',
        'resource limits = {',
        '\tmaxfiles (soft) => 10240',
        '\tmaxfiles (hard) => 20480',
        '\tcore => (unlimited)',
        '}',
        'some future section = {',
        '\tnested thing = {',
        '\t\ta = b',
        '\t}',
        '\tbare flag',
        '}',
        'panic on consecutive crashes (0)',
        'spawn type = app',
        'properties = ',
      ),
    );
    expect(p).toMatchObject({
      workingDirectory: '/Users/me/lotus',
      stdoutPath: '/Users/me/Library/Logs/lotus/out.log',
      stderrPath: '/Users/me/Library/Logs/lotus/err.log',
      username: 'lotus',
      group: 'staff',
      umask: '77',
      nice: -5,
      runInterval: 43200,
      resourceLimits: { 'maxfiles (soft)': 10240, 'maxfiles (hard)': 20480 },
      spawnType: { name: 'app' },
      properties: [],
    });
  });

  it('keeps argv lines verbatim, including ones that look like grammar', () => {
    const p = parseServicePrint(svc('arguments = {', '\t/usr/local/bin/lotus', '\tdaemon', '\t--api = 1234', '\t--x => y', '\t{', '\t]', '}', 'pid = 9'));
    expect(p.arguments).toEqual(['/usr/local/bin/lotus', 'daemon', '--api = 1234', '--x => y', '{', ']']);
    expect(p.pid).toBe(9);
  });

  it('takes the label from XPC_SERVICE_NAME only when the header does not name it', () => {
    const body = ['\tenvironment = {', '\t\tXPC_SERVICE_NAME => com.example.lotus', '\t}', '}'].join('\n');
    expect(parseServicePrint(`weird/shape/here/x = {\n${body}`).label).toBe('com.example.lotus');
    expect(parseServicePrint(`user/501/com.example.a = {\n${body}`).label).toBe('com.example.a');
    expect(parseServicePrint(`login/100017/com.example.b = {\n${body}`).label).toBe('com.example.b');
  });
});
