/**
 * How a command's argv element reads: text and `{name}` placeholders, with `{{` and `}}`
 * for literal braces (`awk '{{print $1}}'`). Config validates with it and the executor
 * substitutes with it, so both read an argument the same way.
 */

/** A piece of an argv element. */
export type ArgPart =
  /** Literal text, escapes already resolved (`{{` is `{` here). */
  | { readonly kind: 'text'; readonly text: string }
  /** `{name}`: replaced by the range's value of `name`. */
  | { readonly kind: 'placeholder'; readonly name: string };

/**
 * Splits an argv element into text and placeholders. `{{` and `}}` are one literal brace;
 * `{x}` (no brace inside) is a placeholder; any other lone brace is literal.
 */
export function parseArg(arg: string): ArgPart[] {
  const parts: ArgPart[] = [];
  let text = '';
  let i = 0;
  while (i < arg.length) {
    const ch = arg[i]!;
    if ((ch === '{' || ch === '}') && arg[i + 1] === ch) {
      text += ch;
      i += 2;
      continue;
    }
    const placeholder = ch === '{' ? /^\{([^{}]*)\}/.exec(arg.slice(i)) : null;
    if (placeholder) {
      if (text !== '') parts.push({ kind: 'text', text });
      parts.push({ kind: 'placeholder', name: placeholder[1]! });
      text = '';
      i += placeholder[0].length;
    } else {
      text += ch;
      i += 1;
    }
  }
  if (text !== '') parts.push({ kind: 'text', text });
  return parts;
}
