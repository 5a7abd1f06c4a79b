/**
 * `--json`, `--ndjson` and `--csv` take an optional field list, so the word
 * after them is ambiguous: `obs trace --json a79b034c` means the trace, and
 * `obs sql --json 'select 1'` the query. Before commander parses, the word is
 * kept as the field list only when it can be one and cannot be what the
 * command expects there: a subcommand, or a positional argument of a command
 * that takes one (unless every name is a field of that command's document).
 * Otherwise the flag becomes `--json=` (every field) and the word stays an
 * argument. `--json=a,b` is never ambiguous.
 */
import type { Command } from 'commander';
import { FIELD_LIST } from '../../output/fields.js';

const FIELD_FLAGS = new Set(['--json', '--ndjson', '--csv']);
const declared = new WeakMap<Command, readonly string[]>();

/** Declares the top-level fields of a command's JSON document, which `--json a,b` may name before its argument. */
export function documentFields(cmd: Command, fields: readonly string[]): Command {
  declared.set(cmd, fields);
  return cmd;
}

function subcommand(cmd: Command, word: string): Command | undefined {
  return cmd.commands.find((c) => c.name() === word || c.aliases().includes(word));
}

/** Whether `word`, after a field flag of `cmd`, is the field list. */
function isFieldList(cmd: Command, word: string): boolean {
  if (!FIELD_LIST.test(word) || subcommand(cmd, word) !== undefined) return false;
  if (cmd.registeredArguments.length === 0) return true;
  const known = declared.get(cmd);
  return known !== undefined && word.split(',').every((f) => known.includes(f));
}

export function separateFieldLists(program: Command, argv: readonly string[]): string[] {
  const out: string[] = [];
  let cmd = program;
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i] as string;
    if (word === '--') {
      out.push(...argv.slice(i));
      break;
    }
    const sub = word.startsWith('-') ? undefined : subcommand(cmd, word);
    if (sub !== undefined) cmd = sub;
    const next = argv[i + 1];
    if (FIELD_FLAGS.has(word) && next !== undefined && !next.startsWith('-') && !isFieldList(cmd, next)) {
      out.push(`${word}=`);
      continue;
    }
    out.push(word);
  }
  return out;
}
