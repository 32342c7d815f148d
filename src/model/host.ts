/** Why a secret file cannot be used; `detail` is a few words that never hold the file's content. */
export interface SecretProblem {
  readonly kind: 'missing' | 'not-regular' | 'too-large' | 'unreadable' | 'not-utf8';
  readonly detail: string;
}

/**
 * Facts about the machine that turn a spec into concrete plists. Gathered by src/system/host.ts,
 * passed into the pure core as data, so rendering is deterministic for a given host.
 */
export interface HostFacts {
  /** Absolute home folder of the user lotusctl acts for (what `~` and `$HOME` expand to). */
  readonly home: string;
  readonly uid: number;
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
  /** How launchd should start `lotusctl monitor run`: the node binary and the CLI script. */
  readonly lotusctlCommand: readonly string[];
}
