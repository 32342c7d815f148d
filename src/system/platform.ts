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

/** macOS programs lotusctl runs or writes into plists, each owned by one module of src/system. */
export const MACOS_TOOLS = {
  /** Directory Services: the sudo user's passwd entry (src/system/users.ts). */
  dscl: '/usr/bin/dscl',
  /** kern.maxfilesperproc (src/system/host.ts). */
  sysctl: '/usr/sbin/sysctl',
  /** The mount table: which file system a volume has, and whether it is local (src/system/volumes.ts). */
  mount: '/sbin/mount',
  /** Blocks until a path exists; jobs whose repo is on an external volume start through it (src/spec/desired.ts). */
  wait4path: '/bin/wait4path',
} as const;

export type MacosTool = keyof typeof MACOS_TOOLS;

/**
 * Where a macOS tool is: `$LOTUSCTL_MACOS_TOOLS/<name>` when set (the sandbox's doubles, like LOTUSCTL_LAUNCHCTL),
 * the real path on darwin, undefined elsewhere (callers then treat what the tool would tell as unknown).
 */
export function macosTool(name: MacosTool, env: Readonly<Record<string, string | undefined>>, platform: string = process.platform): string | undefined {
  const dir = env['LOTUSCTL_MACOS_TOOLS'];
  if (dir !== undefined && dir !== '') return `${dir.replace(/\/+$/, '')}/${name}`;
  return platform === 'darwin' ? MACOS_TOOLS[name] : undefined;
}
