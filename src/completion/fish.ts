/**
 * The fish completion script: one `complete` line per command and flag, each
 * under the condition that the command being completed is the one it belongs
 * to. A function walks the words before the cursor to find that command (the
 * subcommand names among them, passing over flags and their values), and
 * keeps the answer for the line, since fish asks every condition in turn.
 */
import { allCommands, type CompletionCommand } from './tree.js';

/** A fish single-quoted word. */
export function fishQuote(text: string): string {
  return `'${text.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function completeLines(c: CompletionCommand): string[] {
  const at = `-n ${fishQuote(`__obs_at ${fishQuote(c.path.join(' '))}`)}`;
  const lines = c.commands.map((s) => `complete -c obs ${at} -a ${fishQuote(s.path[s.path.length - 1] ?? '')} -d ${fishQuote(oneLine(s.description))}`);
  if (c.argumentChoices !== null) lines.push(`complete -c obs ${at} -a ${fishQuote(c.argumentChoices.join(' '))}`);
  for (const f of c.flags) {
    const names = f.names.map((n) => (n.startsWith('--') ? `-l ${fishQuote(n.slice(2))}` : `-s ${fishQuote(n.slice(1))}`)).join(' ');
    let value = '';
    if (f.files) value = ' -r -F';
    else if (f.choices !== null) value = ` -x -a ${fishQuote(f.choices.join(' '))}`;
    else if (f.takesValue) value = ' -x';
    lines.push(`complete -c obs ${at} ${names}${value} -d ${fishQuote(oneLine(f.description))}`);
  }
  return lines;
}

export function fishScript(root: CompletionCommand, version: string): string {
  const commands = allCommands(root);
  const valued = commands.flatMap((c) => c.flags.filter((f) => f.takesValue).flatMap((f) => f.names.map((n) => fishQuote(`${c.path.join(' ')} ${n}`))));
  return `# fish completion for obs ${version}, printed by \`obs completion fish\`.
# In this shell:   obs completion fish | source
# In every shell:  obs completion fish > ~/.config/fish/completions/obs.fish

# Whether "$argv[1] $argv[2]" is a flag of a command that takes a value.
function __obs_takes_value
    switch "$argv[1] $argv[2]"
        case ${valued.join(' ')}
            return 0
    end
    return 1
end

# Whether $argv[1] names a command: obs, obs errors, obs errors show, ...
function __obs_is_command
    switch $argv[1]
        case ${commands.map((c) => fishQuote(c.path.join(' '))).join(' ')}
            return 0
    end
    return 1
end

# The command being completed, e.g. "obs errors show".
function __obs_command
    set -l line (commandline -cp)
    if test "$line" = "$__obs_completed_line"
        echo $__obs_completed_command
        return
    end
    set -l words (commandline -opc)
    set -e words[1]
    set -l cmd obs
    set -l skip 0
    for word in $words
        if test $skip = 1
            set skip 0
            continue
        end
        switch $word
            case '--*=*'
            case '-*'
                __obs_takes_value $cmd $word; and set skip 1
            case '*'
                __obs_is_command "$cmd $word"; and set cmd "$cmd $word"
        end
    end
    set -g __obs_completed_line $line
    set -g __obs_completed_command $cmd
    echo $cmd
end

function __obs_at
    test (__obs_command) = $argv[1]
end

complete -c obs -f
${commands.flatMap(completeLines).join('\n')}
`;
}
