import { allCommands, type CompletionCommand } from './model.js';

const q = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** fish's test that the command line is at `path` (and no deeper when the command has subcommands). */
function at(c: CompletionCommand): string {
  if (c.path.length === 0) return '__fish_use_subcommand';
  const seen = c.path.map((w) => `__fish_seen_subcommand_from ${w}`);
  const deeper = c.subcommands.length > 0 ? [`not __fish_seen_subcommand_from ${c.subcommands.map((s) => s.path.at(-1)).join(' ')}`] : [];
  return [...seen, ...deeper].join('; and ');
}

function values(kind: string): string {
  if (kind === 'service') return `-f -a '(__lotusctl_services)'`;
  if (kind === 'file') return '-F';
  if (kind === 'dir') return `-f -a '(__fish_complete_directories)'`;
  if (kind.startsWith('choices:')) return `-f -a ${q(kind.slice('choices:'.length))}`;
  return '-f';
}

/** `lotusctl completion fish`: save it as ~/.config/fish/completions/lotusctl.fish. */
export function fishCompletion(root: CompletionCommand): string {
  // Commands where -f is --file (for `logs`, -f is --follow).
  const shortFile = allCommands(root).filter((c) => c.options.some((o) => o.short === '-f' && o.long === '--file')).map((c) => c.path.join(' '));
  const lines: string[] = [];
  for (const c of allCommands(root)) {
    const cond = at(c);
    for (const s of c.subcommands) lines.push(`complete -c lotusctl -n ${q(cond)} -f -a ${q(s.path.at(-1) as string)} -d ${q(s.description.split('\n')[0] ?? '')}`);
    for (const o of c.options) {
      const flags = [o.short ? `-s ${o.short.replace(/^-/, '')}` : '', o.long ? `-l ${o.long.replace(/^--/, '')}` : ''].filter(Boolean).join(' ');
      const value = o.value === undefined ? '' : ` -r ${values(o.value)}`;
      lines.push(`complete -c lotusctl -n ${q(c.path.length === 0 ? '__fish_use_subcommand' : at(c))} ${flags}${value} -d ${q(o.description)}`);
    }
    // Positional arguments (fish does not count them; every position gets the first argument's kind, which fits
    // every command lotusctl has: at most one kind of positional argument each).
    const kind = c.args[0];
    if (kind !== undefined && kind !== 'any') lines.push(`complete -c lotusctl -n ${q(cond)} ${values(kind)}`);
  }
  return `# fish completion for lotusctl. Install it:  lotusctl completion fish > ~/.config/fish/completions/lotusctl.fish
# Service names come from lotus.yaml (or the file after -f/--file) through \`lotusctl __complete services\`.

function __lotusctl_services
    set -l tokens (commandline -opc)
    set -l file
    set -l short_file ${shortFile.map((c) => q(c)).join(' ')}
    set -l command (string join ' ' -- (string match -v -- '-*' $tokens[2..-1])[1..2])
    for i in (seq (count $tokens))
        set -l flag $tokens[$i]
        if test "$flag" = -f; and not contains -- "$command" $short_file; and not contains -- (string split ' ' -- "$command")[1] $short_file
            continue
        end
        switch $flag
            case -f --file
                set -l next (math $i + 1)
                test $next -le (count $tokens); and set file $tokens[$next]
            case '--file=*'
                set file (string replace -- '--file=' '' $tokens[$i])
        end
    end
    set -l cli $tokens[1]
    if test -n "$file"
        $cli __complete services --file $file 2>/dev/null
    else
        $cli __complete services 2>/dev/null
    end
end

complete -c lotusctl -f
${lines.join('\n')}
`;
}
