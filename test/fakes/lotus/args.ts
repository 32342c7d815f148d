// Go `flag`-style parsing as urfave/cli does it: -x/--x, --x=v, --x v; stops at the first positional argument.

/** One flag: canonical name, aliases, and whether it takes a value. */
export interface FlagSpec {
  name: string;
  aliases?: readonly string[];
  kind: 'bool' | 'string';
}

/** Parsed flags (by canonical name) and the remaining arguments. */
export interface ParsedArgs {
  flags: Map<string, string | boolean>;
  rest: string[];
}

/** A usage error; the text is what Go's flag package reports. */
export class UsageError extends Error {}

/** Parses leading flags of `args` against `specs`. */
export function parseFlags(args: readonly string[], specs: readonly FlagSpec[]): ParsedArgs {
  const flags = new Map<string, string | boolean>();
  const byName = new Map<string, FlagSpec>();
  for (const s of specs) for (const n of [s.name, ...(s.aliases ?? [])]) byName.set(n, s);
  let i = 0;
  for (; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--') {
      i += 1;
      break;
    }
    if (!arg.startsWith('-') || arg === '-') break;
    const body = arg.replace(/^--?/, '');
    const eq = body.indexOf('=');
    const name = eq < 0 ? body : body.slice(0, eq);
    const spec = byName.get(name);
    if (!spec) throw new UsageError(`flag provided but not defined: -${name}`);
    if (spec.kind === 'bool') {
      if (eq < 0) flags.set(spec.name, true);
      else {
        const v = body.slice(eq + 1);
        if (!['true', 'false', '1', '0', 't', 'f', 'TRUE', 'FALSE', 'True', 'False'].includes(v)) {
          throw new UsageError(`invalid boolean value "${v}" for -${name}: parse error`);
        }
        flags.set(spec.name, ['true', '1', 't', 'TRUE', 'True'].includes(v));
      }
    } else if (eq >= 0) flags.set(spec.name, body.slice(eq + 1));
    else {
      const v = args[i + 1];
      if (v === undefined) throw new UsageError(`flag needs an argument: -${name}`);
      flags.set(spec.name, v);
      i += 1;
    }
  }
  return { flags, rest: args.slice(i) };
}

/** String flag value, if set. */
export function str(p: ParsedArgs, name: string): string | undefined {
  const v = p.flags.get(name);
  return typeof v === 'string' ? v : undefined;
}

/** Bool flag value with a default. */
export function bool(p: ParsedArgs, name: string, fallback = false): boolean {
  const v = p.flags.get(name);
  return typeof v === 'boolean' ? v : fallback;
}

/** Global `lotus` flags (before the command). */
export const GLOBAL_FLAGS: readonly FlagSpec[] = [
  { name: 'repo', kind: 'string' },
  { name: 'interactive', kind: 'bool' },
  { name: 'force-send', kind: 'bool' },
  { name: 'vv', kind: 'bool' },
  { name: 'panic-reports', kind: 'string' },
  { name: 'version', aliases: ['v'], kind: 'bool' },
  { name: 'help', aliases: ['h'], kind: 'bool' },
];

/** `lotus daemon` flags (specs/lotus-operations.md §1). */
export const DAEMON_FLAGS: readonly FlagSpec[] = [
  { name: 'api', kind: 'string' },
  { name: 'genesis', kind: 'string' },
  { name: 'bootstrap', kind: 'bool' },
  { name: 'import-chain', kind: 'string' },
  { name: 'import-snapshot', kind: 'string' },
  { name: 'remove-existing-chain', kind: 'bool' },
  { name: 'halt-after-import', kind: 'bool' },
  { name: 'lite', kind: 'bool' },
  { name: 'pprof', kind: 'string' },
  { name: 'profile', kind: 'string' },
  { name: 'manage-fdlimit', kind: 'bool' },
  { name: 'config', kind: 'string' },
  { name: 'api-max-req-size', kind: 'string' },
  { name: 'restore', kind: 'string' },
  { name: 'restore-config', kind: 'string' },
  { name: 'help', aliases: ['h'], kind: 'bool' },
];
