import { describe, expect, it } from 'vitest';
import { isLotusctlError } from '../../src/model/errors.js';
import { resolveLaunchctlBinary } from '../../src/system/platform.js';

describe('resolveLaunchctlBinary', () => {
  it.each<[string, Record<string, string | undefined>, string, string]>([
    ['darwin default', {}, 'darwin', '/bin/launchctl'],
    ['override on darwin', { LOTUSCTL_LAUNCHCTL: '/opt/fake/launchctl' }, 'darwin', '/opt/fake/launchctl'],
    ['override on linux', { LOTUSCTL_LAUNCHCTL: 'test/fakes/bin/launchctl' }, 'linux', 'test/fakes/bin/launchctl'],
    ['empty override ignored on darwin', { LOTUSCTL_LAUNCHCTL: '' }, 'darwin', '/bin/launchctl'],
  ])('%s', (_name, env, platform, want) => {
    expect(resolveLaunchctlBinary(env, platform)).toBe(want);
  });

  it.each([
    ['linux', {}],
    ['win32', { LOTUSCTL_LAUNCHCTL: '' }],
  ])('refuses %s without an override and says how to proceed', (platform, env) => {
    let err: unknown;
    try {
      resolveLaunchctlBinary(env, platform);
    } catch (e) {
      err = e;
    }
    expect(isLotusctlError(err) && err.code).toBe('launchd.unsupported-platform');
    expect(isLotusctlError(err) && err.message).toContain('macOS-only');
    expect(isLotusctlError(err) && err.hint).toContain('LOTUSCTL_LAUNCHCTL');
    expect(isLotusctlError(err) && err.hint).toContain('test/fakes/bin/launchctl');
    expect(isLotusctlError(err) && err.hint).toContain('npm run demo');
  });
});
