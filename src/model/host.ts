/** Why a secret file cannot be used; `detail` is a few words that never hold the file's content. */
export interface SecretProblem {
  readonly kind: 'missing' | 'not-regular' | 'too-large' | 'unreadable' | 'not-utf8';
  readonly detail: string;
}

/**
 * Facts about the machine that turn a spec into concrete plists. Gathered by src/system/host.ts,
 * passed into the pure core as data, so rendering is deterministic for a given host.
 */
/** What lotusctl knows about a volume: its file system (`apfs`, `hfs`, `exfat`, `msdos`, …), or why it cannot tell. */
export type VolumeFilesystem = { readonly fs: string } | { readonly unknown: string };

export interface HostFacts {
  /** Absolute home folder of the user lotusctl acts for (what `~` and `$HOME` expand to). */
  readonly home: string;
  /** The uid whose gui/ and user/ domains agents load into: the operator's, also under sudo (SUDO_UID). */
  readonly uid: number;
  /** That user's primary group (unknown in hand-made facts). */
  readonly gid?: number;
  /**
   * How lotusctl runs: `user` as the operator; `sudo` as root for the operator (SUDO_UID/SUDO_USER); `root` as root
   * with nobody to act for, where agents make no sense (gui/0 does not exist on a Mac, user/0 would run Lotus as root).
   * Missing means `user` (facts made by hand: tests, the bench).
   */
  readonly acting?: 'user' | 'sudo' | 'root';
  /** The operator's account name, when known (SUDO_USER under sudo). */
  readonly userName?: string;
  /** Absolute path of the spec file; relative paths in it resolve against its folder. */
  readonly specPath: string;
  /** Bare program names from the spec, resolved on the search path; null when not found. */
  readonly programs: Readonly<Record<string, string | null>>;
  /** Contents of secret_env files by absolute path (trailing newline trimmed); absent when unreadable. */
  readonly secrets: Readonly<Record<string, string>>;
  /** Why a secret file could not be used, by absolute path, in words that never hold its content ("too large (…)"). */
  readonly secretProblems?: Readonly<Record<string, SecretProblem>>;
  /** Permission bits of each secret file that was read (for the group/world-readable warning). */
  readonly secretModes?: Readonly<Record<string, number>>;
  /** Where LaunchDaemons live: /Library/LaunchDaemons on a Mac; a sandbox folder in tests and the demo. */
  readonly systemDaemonsDir: string;
  /**
   * How launchd should start `lotusctl monitor run`: the node binary and the CLI script, by paths that survive an
   * upgrade (Homebrew's opt/ links, the lotusctl bin on PATH) where lotusctl could find them.
   */
  readonly lotusctlCommand: readonly string[];
  /** Why lotusctlCommand still names a versioned or cached path that an upgrade or cache clean-up removes. */
  readonly lotusctlCommandWarning?: string;
  /** Where external volumes are mounted: /Volumes on a Mac; a sandbox folder (LOTUSCTL_VOLUMES_DIR) in tests. */
  readonly volumesDir?: string;
  /** The file system of each volume root (`/Volumes/<name>`) a spec path is on, or why it is not known. */
  readonly volumes?: Readonly<Record<string, VolumeFilesystem>>;
  /** The program that blocks until a path exists (/bin/wait4path on a Mac): jobs whose repo is on a volume start through it. */
  readonly wait4path?: string;
  /**
   * kern.maxfilesperproc, read when a service sets open_files: the most RLIMIT_NOFILE the kernel lets a process have.
   * `unknown` says why it could not be read (not macOS, sysctl failed): nothing is refused then.
   */
  readonly maxFilesPerProc?: number | { readonly unknown: string };
}
