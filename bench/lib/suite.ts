// What a measurement module gives the runner (bench/run.ts). To add one: write bench/suites/<name>.ts exporting a
// Suite, and list it in bench/run.ts. Every command of every suite is timed in the same alternating rounds as
// `node -e 0`, so ratios compare runs made side by side under the same machine load.

/** One command line to time: a fresh process each run. */
export interface TimedCommand {
  /** Stable key in results.json, e.g. "version". */
  readonly id: string;
  /** What the table shows, e.g. "lotusctl --version". */
  readonly label: string;
  readonly argv: readonly string[];
  readonly cwd?: string;
  readonly env?: Readonly<Record<string, string>>;
  /** Exit codes that mean the run did what it should (default [0]); checked on the warm-up run. */
  readonly okCodes?: readonly number[];
  /** Run only every n-th round (default 1: every round), for commands that take seconds. */
  readonly every?: number;
  /** Run as this uid/gid (the operator, when the bench runs as root). */
  readonly runAs?: { readonly uid?: number; readonly gid?: number };
}

/** A ratio of two medians (`of` / `to`); `to: "node"` is `node -e 0`. */
export interface Ratio {
  readonly id: string;
  readonly label: string;
  readonly of: string;
  readonly to: string;
  /** The goal: the ratio must be at most this. */
  readonly target?: number;
  readonly note?: string;
}

export interface PreparedSuite {
  readonly commands: readonly TimedCommand[];
  readonly ratios: readonly Ratio[];
  /** Facts worth keeping next to the timings (call counts, sizes); written to results.json as they are. */
  readonly facts?: Readonly<Record<string, unknown>>;
  /** Undo what prepare did (stop the launchctl double, remove temporary folders). */
  close(): Promise<void>;
}

export interface Suite {
  readonly name: string;
  /** Set up what the commands need (a fake Mac, specs); runs before any timing. */
  prepare(ctx: BenchContext): Promise<PreparedSuite>;
}

export interface BenchContext {
  /** The repository root. */
  readonly root: string;
  /** The built CLI as users run it (package.json "bin"). */
  readonly cli: string;
  /** Progress for the person waiting (stderr). */
  log(message: string): void;
}
