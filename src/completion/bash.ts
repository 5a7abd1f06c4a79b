/**
 * The bash completion script: the command tree as two case statements (what
 * each command offers, and the values of each flag), and one function that
 * walks the words before the cursor to find the command being completed.
 */
import { allCommands, type CompletionCommand } from './tree.js';

/** A bash single-quoted word. */
export function bashQuote(text: string): string {
  return `'${text.replaceAll("'", "'\\''")}'`;
}

function specCase(c: CompletionCommand): string {
  const subs = c.commands.map((s) => s.path[s.path.length - 1]);
  const flags = c.flags.flatMap((f) => f.names);
  const valued = c.flags.filter((f) => f.takesValue).flatMap((f) => f.names);
  return (
    `    ${bashQuote(c.path.join(' '))})\n` +
    `      _obs_subs=${bashQuote(subs.join(' '))}\n` +
    `      _obs_flags=${bashQuote(flags.join(' '))}\n` +
    `      _obs_valued=${bashQuote(valued.join(' '))}\n` +
    `      _obs_args=${bashQuote((c.argumentChoices ?? []).join(' '))} ;;`
  );
}

function valueCases(c: CompletionCommand): string[] {
  const key = c.path.join(' ');
  return c.flags
    .filter((f) => f.takesValue && (f.files || f.choices !== null))
    .map((f) => {
      const words = f.files ? '@files' : (f.choices ?? []).join(' ');
      return `    ${f.names.map((n) => bashQuote(`${key} ${n}`)).join('|')}) _obs_words=${bashQuote(words)} ;;`;
    });
}

export function bashScript(root: CompletionCommand, version: string): string {
  const commands = allCommands(root);
  return `# bash completion for obs ${version}, printed by \`obs completion bash\`.
# In this shell:   source <(obs completion bash)
# In every shell:  obs completion bash > ~/.local/share/bash-completion/completions/obs
#                  (or add the first line to ~/.bashrc)

# What the command named by the words in $1 offers: its subcommands, its flags,
# the flags that take a value, and the choices of its argument.
_obs_spec() {
  case $1 in
${commands.map(specCase).join('\n')}
    *) _obs_subs='' _obs_flags='' _obs_valued='' _obs_args='' ;;
  esac
}

# The values of flag $2 of command $1: a list of words, @files, or nothing.
_obs_values() {
  case "$1 $2" in
${commands.flatMap(valueCases).join('\n')}
    *) _obs_words='' ;;
  esac
}

_obs() {
  local _obs_subs _obs_flags _obs_valued _obs_args _obs_words
  local cur=\${COMP_WORDS[COMP_CWORD]} prev='' cmd=obs word flag='' prefix='' i skip=0
  COMPREPLY=()
  # The command being completed: the subcommand names among the words before
  # the cursor, passing over flags and the values of those that take one.
  for ((i = 1; i < COMP_CWORD; i++)); do
    word=\${COMP_WORDS[i]}
    if ((skip)); then
      skip=0
      continue
    fi
    _obs_spec "$cmd"
    case $word in
      --*=*) ;;
      -*) [[ " $_obs_valued " == *" $word "* ]] && skip=1 ;;
      *) [[ " $_obs_subs " == *" $word "* ]] && cmd="$cmd $word" ;;
    esac
  done
  _obs_spec "$cmd"
  ((COMP_CWORD > 0)) && prev=\${COMP_WORDS[COMP_CWORD - 1]}
  # A flag's value: "--output json", "--output=json" (bash splits words at "=").
  if [[ $cur == = ]]; then
    flag=$prev
    cur=''
  elif [[ $prev == = ]] && ((COMP_CWORD > 1)); then
    flag=\${COMP_WORDS[COMP_CWORD - 2]}
  elif [[ $cur == --*=* ]]; then
    flag=\${cur%%=*}
    prefix="$flag="
    cur=\${cur#*=}
  elif [[ $prev == -* && " $_obs_valued " == *" $prev "* ]]; then
    flag=$prev
  fi
  if [[ -n $flag ]]; then
    [[ " $_obs_valued " == *" $flag "* ]] || return 0
    _obs_values "$cmd" "$flag"
    if [[ $_obs_words == @files ]]; then
      compopt -o filenames 2>/dev/null
      COMPREPLY=($(compgen -f -- "$cur"))
    elif [[ -n $_obs_words ]]; then
      COMPREPLY=($(compgen -W "$_obs_words" -- "$cur"))
    fi
    [[ -n $prefix ]] && COMPREPLY=("\${COMPREPLY[@]/#/$prefix}")
    return 0
  fi
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$_obs_flags" -- "$cur"))
  else
    COMPREPLY=($(compgen -W "$_obs_subs $_obs_args" -- "$cur"))
  fi
  return 0
}

complete -F _obs obs
`;
}
