// The loaded job against its plist, over real `launchctl print` captures: what launchd adds is never a difference,
// what print does not show is unknown, and a real difference is named without its value.
import { describe, expect, it } from 'vitest';
import { limitsInEffectDiffer, loadedDifferences } from '../../src/launchd/loaded-definition.js';
import { parseServicePrint } from '../../src/launchd/parsers.js';
import { readFixture } from '../helpers/fixtures.js';

const akd = parseServicePrint(readFixture('print-service-system-running-akd-macos13or14.txt'));
const check = parseServicePrint(readFixture('print-service-gui-runatload-exit0-parentalcontrols-check-macos26.txt'));

describe('loadedDifferences', () => {
  it('launchd\'s own environment (XPC_SERVICE_NAME, OSLogRateLimit, MallocSpaceEfficient) is no difference', () => {
    expect(akd.environment).toMatchObject({ MallocSpaceEfficient: '1', XPC_SERVICE_NAME: 'com.apple.akd' });
    expect(loadedDifferences({ Label: 'com.apple.akd', ProgramArguments: akd.arguments ?? [] }, akd)).toEqual([]);
    expect(loadedDifferences({ Label: 'x', ProgramArguments: check.arguments ?? [] }, check)).toEqual([]);
  });

  it('names changed arguments and environment variables, never their values', () => {
    const def = { arguments: ['/opt/homebrew/bin/lotus', 'daemon'], environment: { GOLOG_LOG_LEVEL: 'info', TOKEN: 'old-secret', XPC_SERVICE_NAME: 'l' } };
    const out = loadedDifferences({ ProgramArguments: ['/opt/homebrew/bin/lotus', 'daemon', '--lite'], EnvironmentVariables: { GOLOG_LOG_LEVEL: 'info', TOKEN: 'new-secret', EXTRA: '1' } }, def);
    expect(out).toEqual(['ProgramArguments', 'EnvironmentVariables.EXTRA', 'EnvironmentVariables.TOKEN']);
    expect(out.join(' ')).not.toMatch(/secret/);
  });

  it('what print does not show is unknown, not different', () => {
    expect(loadedDifferences({ ProgramArguments: ['/bin/x'], WorkingDirectory: '/w', ExitTimeOut: 30, Umask: 18 }, {})).toEqual([]);
    expect(loadedDifferences({ ProgramArguments: ['/bin/x'] }, undefined)).toEqual([]);
  });

  it('paths, numbers and the plist it was loaded from', () => {
    const def = { path: '/a/x.plist', workingDirectory: '/old', stdoutPath: '/log/out', exitTimeout: 5, minimumRuntime: 10, umask: '22', nice: 0 };
    expect(loadedDifferences({ WorkingDirectory: '/old', StandardOutPath: '/log/out', ExitTimeOut: 5, Umask: 18, Nice: 0 }, def, { plistPath: '/a/x.plist' })).toEqual([]);
    expect(loadedDifferences({ ExitTimeOut: 120, ThrottleInterval: 2, Umask: '077' }, def, { plistPath: '/b/x.plist' }))
      .toEqual(['loaded from /a/x.plist', 'WorkingDirectory', 'StandardOutPath', 'ExitTimeOut', 'ThrottleInterval', 'Umask']);
  });

  it('UserName and GroupName count only in the system domain (launchd ignores them for agents)', () => {
    expect(loadedDifferences({ UserName: 'lotus' }, { username: 'root' })).toEqual([]);
    expect(loadedDifferences({ UserName: 'lotus' }, { username: 'root' }, { system: true })).toEqual(['UserName']);
  });
});

describe('limitsInEffectDiffer', () => {
  it('compares maxfiles, the one limit a capture names', () => {
    expect(limitsInEffectDiffer({ SoftResourceLimits: { NumberOfFiles: 16384 } }, { 'maxfiles (soft)': 256 })).toEqual(['maxfiles (soft) is 256, the plist says 16384']);
    expect(limitsInEffectDiffer({ SoftResourceLimits: { NumberOfFiles: 16384 } }, undefined)).toEqual([]);
  });
});
