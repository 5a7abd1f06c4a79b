/**
 * The zsh completion script: the same walk as bash's, with descriptions for
 * commands and flags (_describe), file completion for file flags (_files),
 * and the choices of flags that have them. Works from a file named _obs on
 * $fpath (autoloaded by compinit) and when sourced.
 */
import { allCommands, type CompletionCommand } from './tree.js';
import { bashQuote } from './bash.js';

/** A word for zsh (single quotes, as in bash). */
const quote = bashQuote;

/** A "name:description" entry of _describe, whose name may not hold an unescaped colon. */
function described(name: string, description: string): string {
  return quote(`${name.replaceAll(':', '\\:')}:${description.replace(/\s+/g, ' ')}`);
}

function list(items: string[], indent: string): string {
  return items.length === 0 ? '()' : `(\n${items.map((i) => `${indent}  ${i}`).join('\n')}\n${indent})`;
}

function specCase(c: CompletionCommand): string {
  const indent = '      ';
  const subs = c.commands.map((s) => described(s.path[s.path.length - 1] ?? '', s.description));
  const subNames = c.commands.map((s) => quote(s.path[s.path.length - 1] ?? ''));
  const flags = c.flags.flatMap((f) => f.names.map((n) => described(n, f.description)));
  const valued = c.flags.filter((f) => f.takesValue).flatMap((f) => f.names.map(quote));
  return (
    `    (${quote(c.path.join(' '))})\n` +
    `${indent}_obs_subs=${list(subs, indent)}\n` +
    `${indent}_obs_subnames=(${subNames.join(' ')})\n` +
    `${indent}_obs_flags=${list(flags, indent)}\n` +
    `${indent}_obs_valued=(${valued.join(' ')})\n` +
    `${indent}_obs_args=(${(c.argumentChoices ?? []).map(quote).join(' ')}) ;;`
  );
}

function valueCases(c: CompletionCommand): string[] {
  const key = c.path.join(' ');
  return c.flags
    .filter((f) => f.takesValue && (f.files || f.choices !== null))
    .map((f) => {
      const words = f.files ? ['@files'] : (f.choices ?? []);
      return `    (${f.names.map((n) => quote(`${key} ${n}`)).join('|')}) _obs_words=(${words.map(quote).join(' ')}) ;;`;
    });
}

export function zshScript(root: CompletionCommand, version: string): string {
  const commands = allCommands(root);
  return `#compdef obs
# zsh completion for obs ${version}, printed by \`obs completion zsh\`.
# In this shell (after compinit):  source <(obs completion zsh)
# In every shell:  obs completion zsh > ~/.zfunc/_obs
#                  with  fpath=(~/.zfunc $fpath)  before compinit in ~/.zshrc

# What the command named by the words in $1 offers: its subcommands (with
# descriptions, and their names), its flags, the flags that take a value,
# and the choices of its argument.
_obs_spec() {
  case $1 in
${commands.map(specCase).join('\n')}
    (*) _obs_subs=() _obs_subnames=() _obs_flags=() _obs_valued=() _obs_args=() ;;
  esac
}

# The values of flag $2 of command $1: a list of words, @files, or nothing.
_obs_values() {
  case "$1 $2" in
${commands.flatMap(valueCases).join('\n')}
    (*) _obs_words=() ;;
  esac
}

_obs() {
  local -a _obs_subs _obs_subnames _obs_flags _obs_valued _obs_args _obs_words
  local cmd=obs word flag='' prev=\${words[CURRENT-1]} cur=\${words[CURRENT]}
  local -i i skip=0
  # The command being completed: the subcommand names among the words before
  # the cursor, passing over flags and the values of those that take one.
  for (( i = 2; i < CURRENT; i++ )); do
    word=\${words[i]}
    if (( skip )); then
      skip=0
      continue
    fi
    _obs_spec $cmd
    case $word in
      (--*=*) ;;
      (-*) (( \${_obs_valued[(Ie)$word]} )) && skip=1 ;;
      (*) (( \${_obs_subnames[(Ie)$word]} )) && cmd="$cmd $word" ;;
    esac
  done
  _obs_spec $cmd
  if [[ $cur == --*=* ]]; then
    flag=\${cur%%=*}
    compset -P '*='
  elif [[ $prev == -* ]] && (( \${_obs_valued[(Ie)$prev]} )); then
    flag=$prev
  fi
  if [[ -n $flag ]]; then
    (( \${_obs_valued[(Ie)$flag]} )) || return 1
    _obs_values $cmd $flag
    if [[ \${_obs_words[1]} == @files ]]; then
      _files
    elif (( \${#_obs_words} )); then
      compadd -- $_obs_words
    else
      _message "value of $flag"
    fi
    return
  fi
  if [[ $cur == -* ]]; then
    _describe -t options 'option' _obs_flags
  else
    (( \${#_obs_subs} )) && _describe -t commands 'command' _obs_subs
    (( \${#_obs_args} )) && compadd -- $_obs_args
  fi
  return 0
}

if [[ \${zsh_eval_context[-1]} == loadautofunc ]]; then
  _obs "$@"
else
  compdef _obs obs
fi
`;
}
