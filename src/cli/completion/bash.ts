import { allCommands, type CompletionCommand } from './model.js';

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
const key = (c: CompletionCommand) => c.path.join(' ');

/** Case branches `"<command path>|<flag>") echo <kind>;;` for every option that takes a value. */
function optionKinds(cmds: CompletionCommand[]): string[] {
  return cmds.flatMap((c) => c.options.filter((o) => o.value !== undefined).map((o) => {
    const flags = [o.short, o.long].filter((f): f is string => f !== undefined).map((f) => `${q(`${key(c)}|${f}`)}`);
    return `    ${flags.join('|')}) echo ${q(o.value as string)};;`;
  }));
}

function argKinds(cmds: CompletionCommand[]): string[] {
  return cmds.flatMap((c) => [
    ...c.args.map((k, i) => `    ${q(`${key(c)}|${i}`)}) echo ${q(k)};;`),
    ...(c.variadic && c.args.length > 0 ? [`    ${q(`${key(c)}|`)}*) echo ${q(c.args.at(-1) as string)};;`] : []),
  ]);
}

/** `lotusctl completion bash`: a completion function for bash 4+ (source it, or drop it in bash_completion.d). */
export function bashCompletion(root: CompletionCommand): string {
  const cmds = allCommands(root);
  const words = (c: CompletionCommand) => c.options.flatMap((o) => [o.short, o.long].filter((f): f is string => f !== undefined)).join(' ');
  return `# bash completion for lotusctl. Load it with:  source <(lotusctl completion bash)
# or install it:  lotusctl completion bash > "$(brew --prefix)/etc/bash_completion.d/lotusctl"
# Service names come from lotus.yaml (or the file after -f/--file) through \`lotusctl __complete services\`.

_lotusctl_subcommands() {
  case "$1" in
${cmds.filter((c) => c.subcommands.length > 0).map((c) => `    ${q(key(c))}) echo ${q(c.subcommands.map((s) => s.path.at(-1)).join(' '))};;`).join('\n')}
  esac
}

_lotusctl_options() {
  case "$1" in
${cmds.map((c) => `    ${q(key(c))}) echo ${q(words(c))};;`).join('\n')}
  esac
}

_lotusctl_option_kind() {
  case "$1|$2" in
${optionKinds(cmds).join('\n')}
    *) return 1;;
  esac
}

_lotusctl_arg_kind() {
  case "$1|$2" in
${argKinds(cmds).join('\n')}
    *) return 1;;
  esac
}

_lotusctl_services() {
  local cli=\${1/#\\~/$HOME} file=\${2/#\\~/$HOME}
  if [[ -n $file ]]; then
    "$cli" __complete services --file "$file" 2>/dev/null
  else
    "$cli" __complete services 2>/dev/null
  fi
}

_lotusctl_values() {
  local kind=$1 file=$2 cur=$3
  case "$kind" in
    service) COMPREPLY=( $(compgen -W "$(_lotusctl_services "\${COMP_WORDS[0]}" "$file")" -- "$cur") ) ;;
    file) compopt -o filenames 2>/dev/null; COMPREPLY=( $(compgen -f -- "$cur") ) ;;
    dir) compopt -o filenames 2>/dev/null; COMPREPLY=( $(compgen -d -- "$cur") ) ;;
    choices:*) COMPREPLY=( $(compgen -W "\${kind#choices:}" -- "$cur") ) ;;
    *) COMPREPLY=() ;;
  esac
}

_lotusctl() {
  local cur=\${COMP_WORDS[COMP_CWORD]} prev=\${COMP_WORDS[COMP_CWORD-1]}
  local cmdpath="" file="" pending="" nargs=0 i w kind subs
  # "--target=x": bash splits at "=", so the option is two words back.
  if [[ $cur == "=" ]]; then prev=\${COMP_WORDS[COMP_CWORD-1]}; cur=""; elif [[ $prev == "=" ]]; then prev=\${COMP_WORDS[COMP_CWORD-2]}; fi
  for (( i = 1; i < COMP_CWORD; i++ )); do
    w=\${COMP_WORDS[i]}
    [[ $w == "=" ]] && continue
    if [[ -n $pending ]]; then
      [[ $pending == -f || $pending == --file ]] && file=$w
      pending=""
      continue
    fi
    if [[ $w == -* ]]; then
      if _lotusctl_option_kind "$cmdpath" "$w" >/dev/null; then pending=$w; fi
      continue
    fi
    subs=" $(_lotusctl_subcommands "$cmdpath") "
    if (( nargs == 0 )) && [[ $subs == *" $w "* ]]; then cmdpath=\${cmdpath:+$cmdpath }$w; else nargs=$(( nargs + 1 )); fi
  done
  if [[ $prev == -* ]] && kind=$(_lotusctl_option_kind "$cmdpath" "$prev"); then
    _lotusctl_values "$kind" "$file" "$cur"
    return 0
  fi
  if [[ $cur == -* ]]; then
    COMPREPLY=( $(compgen -W "$(_lotusctl_options "$cmdpath")" -- "$cur") )
    return 0
  fi
  subs=$(_lotusctl_subcommands "$cmdpath")
  if [[ -n $subs ]] && (( nargs == 0 )); then
    COMPREPLY=( $(compgen -W "$subs" -- "$cur") )
    return 0
  fi
  if kind=$(_lotusctl_arg_kind "$cmdpath" "$nargs"); then _lotusctl_values "$kind" "$file" "$cur"; else COMPREPLY=(); fi
  return 0
}

complete -F _lotusctl lotusctl
`;
}
