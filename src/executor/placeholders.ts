/** Placeholder substitution in a command's argv: `{start}` → the range's first date, `{{`/`}}` → literal braces. */
import { parseArg } from '../core/placeholder-text.js';

/**
 * Substitutes `{name}` in each argv element by `values[name]`, and `{{`/`}}` by `{`/`}`.
 * A name with no value stays as written (config rules refuse unknown names before any run).
 * Nothing goes through a shell: each element stays one argument, whatever the values hold.
 */
export function substitute(argv: readonly string[], values: Record<string, string>): string[] {
  return argv.map((arg) => {
    // Most arguments hold no brace at all: keep them as they are, without parsing.
    if (!arg.includes('{') && !arg.includes('}')) return arg;
    let out = '';
    for (const part of parseArg(arg)) {
      if (part.kind === 'text') out += part.text;
      else out += Object.hasOwn(values, part.name) ? values[part.name] : `{${part.name}}`;
    }
    return out;
  });
}
