// The shape of the CLI for shell completion, read from commander's own definitions so that a new command or flag is
// completed as soon as it is declared in program.ts. What a value completes to is derived from its name:
//   choices declared with commander's .choices()       -> those words
//   an option or argument named like service / target  -> the service names of lotus.yaml (`lotusctl __complete services`)
//   ... like dir                                       -> folders
//   ... like file / path / out / planfile              -> files
//   anything else                                      -> nothing suggested
import type { Argument, Command, Option } from 'commander';

/** "service", "file", "dir", "any" or "choices:a b c". */
export type ValueKind = string;

export interface CompletionOption {
  readonly short?: string;
  readonly long?: string;
  readonly description: string;
  /** Absent for a flag that takes no value. */
  readonly value?: ValueKind;
}

export interface CompletionCommand {
  /** Words from the program to this command: [] for lotusctl itself, ['monitor', 'run'] for `lotusctl monitor run`. */
  readonly path: readonly string[];
  readonly description: string;
  readonly options: readonly CompletionOption[];
  /** What each positional argument completes to; the last repeats when `variadic`. */
  readonly args: readonly ValueKind[];
  readonly variadic: boolean;
  readonly subcommands: readonly CompletionCommand[];
}

function kindFromName(name: string, choices: readonly string[] | undefined): ValueKind {
  if (choices && choices.length > 0) return `choices:${choices.join(' ')}`;
  const n = name.toLowerCase();
  if (/service|target/.test(n)) return 'service';
  if (/dir$|directory|folder/.test(n)) return 'dir';
  if (/file|path|out$/.test(n)) return 'file';
  return 'any';
}

function optionModel(o: Option): CompletionOption {
  const takesValue = o.required || o.optional;
  // The placeholder (`<service>` in `--target <service>`) says more than the flag's name when it is specific.
  const placeholder = /[<[]([^>\]]+)[>\]]/.exec(o.flags)?.[1] ?? '';
  const byPlaceholder = kindFromName(placeholder, o.argChoices);
  const value = byPlaceholder !== 'any' ? byPlaceholder : kindFromName(o.long?.replace(/^--/, '') ?? '', o.argChoices);
  return {
    ...(o.short ? { short: o.short } : {}),
    ...(o.long ? { long: o.long } : {}),
    description: o.description,
    ...(takesValue ? { value } : {}),
  };
}

function argKind(a: Argument): ValueKind {
  return kindFromName(a.name(), a.argChoices);
}

/** The completion model of `program` and every visible (non-hidden) subcommand. */
export function completionModel(program: Command): CompletionCommand {
  const help = program.createHelp();
  const globals = help.visibleOptions(program).filter((o) => !['-V', '--version', '-h', '--help'].includes(o.short ?? o.long ?? ''));
  const walk = (cmd: Command, path: readonly string[]): CompletionCommand => {
    const own = help.visibleOptions(cmd);
    // commander reads the program's options after a subcommand too (lotusctl plan --debug).
    const options = (path.length === 0 ? own : [...own, ...globals.filter((g) => !own.some((o) => o.long === g.long))]).map(optionModel);
    const args = cmd.registeredArguments;
    return {
      path,
      description: cmd.description(),
      options,
      args: args.map(argKind),
      variadic: args.at(-1)?.variadic ?? false,
      subcommands: help.visibleCommands(cmd).filter((c) => c.name() !== 'help').map((c) => walk(c, [...path, c.name()])),
    };
  };
  return walk(program, []);
}

/** Every command of the model, depth first, the program first. */
export function allCommands(root: CompletionCommand): CompletionCommand[] {
  return [root, ...root.subcommands.flatMap(allCommands)];
}
