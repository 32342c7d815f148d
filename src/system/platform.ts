// Which launchctl binary to run: the real one on macOS, or a test double named by LOTUSCTL_LAUNCHCTL.
import { LotusctlError } from '../model/errors.js';

/** The real binary's path on macOS. */
export const SYSTEM_LAUNCHCTL = '/bin/launchctl';

/**
 * `LOTUSCTL_LAUNCHCTL` when set (non-empty), else `/bin/launchctl` on darwin.
 * Throws `launchd.unsupported-platform` anywhere else: lotusctl never pretends to drive launchd off macOS.
 */
export function resolveLaunchctlBinary(env: Readonly<Record<string, string | undefined>>, platform: string): string {
  const override = env['LOTUSCTL_LAUNCHCTL'];
  if (override !== undefined && override !== '') return override;
  if (platform === 'darwin') return SYSTEM_LAUNCHCTL;
  throw new LotusctlError('launchd.unsupported-platform', `launchd is macOS-only; this machine runs ${platform}`, {
    hint: 'Set LOTUSCTL_LAUNCHCTL to the launchctl test double (test/fakes/bin/launchctl), or run `npm run demo`, which uses the sandbox.',
  });
}
