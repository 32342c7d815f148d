import { allCommands, type CompletionCommand } from './model.js';

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
const key = (c: CompletionCommand) => c.path.join(' ');
// _describe takes "word:description"; a colon inside the word must be escaped.
const described = (word: string, description: string) => q(`${word.replace(/:/g, '\\:')}:${description.split('\n')[0]}`);

/** `lotusctl completion zsh`: an autoloadable `_lotusctl` (in $fpath) that also works when sourced after compinit. */
export function zshCompletion(root: CompletionCommand): string {
  const cmds = allCommands(root);
  return `#compdef lotusctl
# zsh completion for lotusctl. Install it:  lotusctl completion zsh > "\${fpath[1]}/_lotusctl"  (then restart zsh)
# or load it after compinit:  source <(lotusctl completion zsh)
# Service names come from lotus.yaml (or the file after -f/--file) through \`lotusctl __complete services\`.

_lotusctl_subcommands() {
  case "$1" in
${cmds.filter((c) => c.subcommands.length > 0).map((c) => `    ${q(key(c))}) print -rl -- ${c.subcommands.map((s) => described(s.path.at(-1) as string, s.description)).join(' ')};;`).join('\n')}
  esac
}

_lotusctl_options() {
  case "$1" in
${cmds.map((c) => `    ${q(key(c))}) print -rl -- ${c.options.flatMap((o) => [o.short, o.long].filter((f): f is string => f !== undefined).map((f) => described(f, o.description))).join(' ')};;`).join('\n')}
  esac
}

_lotusctl_option_kind() {
  case "$1|$2" in
${cmds.flatMap((c) => c.options.filter((o) => o.value !== undefined).map((o) => `    ${[o.short, o.long].filter((f): f is string => f !== undefined).map((f) => q(`${key(c)}|${f}`)).join('|')}) print -r -- ${q(o.value as string)};;`)).join('\n')}
    *) return 1;;
  esac
}

_lotusctl_arg_kind() {
  case "$1|$2" in
${cmds.flatMap((c) => [
    ...c.args.map((k, i) => `    ${q(`${key(c)}|${i}`)}) print -r -- ${q(k)};;`),
    ...(c.variadic && c.args.length > 0 ? [`    ${q(`${key(c)}|`)}*) print -r -- ${q(c.args.at(-1) as string)};;`] : []),
  ]).join('\n')}
    *) return 1;;
  esac
}

_lotusctl_values() {
  local kind=$1 file=\${2/#\\~/$HOME} cli=\${words[1]/#\\~/$HOME}
  local -a names
  case $kind in
    service)
      if [[ -n $file ]]; then names=( \${(f)"$("$cli" __complete services --file "$file" 2>/dev/null)"} )
      else names=( \${(f)"$("$cli" __complete services 2>/dev/null)"} ); fi
      compadd -- $names ;;
    file) _files ;;
    dir) _files -/ ;;
    choices:*) compadd -- \${=kind#choices:} ;;
  esac
}

_lotusctl() {
  local cur=\${words[CURRENT]} prev=\${words[CURRENT-1]}
  local cmdpath="" file="" pending="" kind w
  local -i nargs=0 i
  local -a subs opts
  for (( i = 2; i < CURRENT; i++ )); do
    w=\${words[i]}
    if [[ -n $pending ]]; then
      [[ $pending == -f || $pending == --file ]] && file=$w
      pending=""
      continue
    fi
    if [[ $w == --*=* ]]; then
      [[ \${w%%=*} == --file ]] && file=\${w#*=}
      continue
    fi
    if [[ $w == -* ]]; then
      _lotusctl_option_kind "$cmdpath" "$w" >/dev/null && pending=$w
      continue
    fi
    subs=( \${(f)"$(_lotusctl_subcommands "$cmdpath")"} )
    if (( nargs == 0 )) && (( \${subs[(I)\${w}:*]} )); then cmdpath=\${cmdpath:+$cmdpath }$w; else nargs+=1; fi
  done
  if [[ $cur == --*=* ]] && kind=$(_lotusctl_option_kind "$cmdpath" "\${cur%%=*}"); then
    compset -P '*='
    _lotusctl_values "$kind" "$file"
    return
  fi
  if [[ $prev == -* ]] && kind=$(_lotusctl_option_kind "$cmdpath" "$prev"); then
    _lotusctl_values "$kind" "$file"
    return
  fi
  if [[ $cur == -* ]]; then
    opts=( \${(f)"$(_lotusctl_options "$cmdpath")"} )
    _describe -t options 'option' opts
    return
  fi
  subs=( \${(f)"$(_lotusctl_subcommands "$cmdpath")"} )
  if (( \${#subs} > 0 && nargs == 0 )); then
    _describe -t commands 'command' subs
    return
  fi
  kind=$(_lotusctl_arg_kind "$cmdpath" $nargs) && _lotusctl_values "$kind" "$file"
}

if [[ \${funcstack[1]} == _lotusctl ]]; then
  _lotusctl "$@"
else
  compdef _lotusctl lotusctl
fi
`;
}
