/**
 * Engine-neutral reading of SQL text, with no I/O: plain names, and statements split into
 * tokens with strings, quoted names and comments set aside, so that config rules can ask
 * what a statement *is* (its leading keywords) without being fooled by `'COMMIT'` in a
 * string or `-- DELETE` in a comment.
 */

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const TABLE_NAME = /^[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z_][A-Za-z0-9_]*){1,2}$/;

/** True for a plain identifier: letters, digits and underscores, not starting with a digit. */
export function isIdentifier(text: string): boolean {
  return IDENTIFIER.test(text);
}

/** True for `dataset.table` or `project.dataset.table` made of plain identifiers (projects may hold dashes). */
export function isTableName(text: string): boolean {
  return TABLE_NAME.test(text);
}

/** Whose lexical rules apply: BigQuery has `#` comments, backslash escapes and triple quotes; DuckDB has `$$` strings. */
export type SqlDialect = 'duckdb' | 'bigquery';

/** One statement of a script: its tokens and where it starts. */
export interface SqlStatement {
  /**
   * Words upper-cased (`SELECT`), punctuation as itself (`(`, `)`, `,`, `.`), and every
   * string or quoted name as the one token `'…'`, so no keyword can hide inside them.
   */
  readonly tokens: readonly string[];
  /** 1-based line of its first token in the script. */
  readonly line: number;
}

/** The token that stands for any string literal or quoted name. */
export const QUOTED = "'…'";

/** The end (exclusive) of a quoted run starting at `i`, `quote` being its delimiter. */
function quotedEnd(sql: string, i: number, quote: string, backslash: boolean): number {
  let j = i + quote.length;
  while (j < sql.length) {
    if (backslash && sql[j] === '\\') j += 2;
    else if (sql.startsWith(quote, j)) {
      // A doubled one-character quote is the quote itself ('it''s'), except where backslashes escape.
      if (!backslash && quote.length === 1 && sql[j + 1] === quote) j += 2;
      else return j + quote.length;
    } else j += 1;
  }
  return sql.length;
}

/** The end (exclusive) of a comment starting at `i`, or undefined when none starts there. */
function commentEnd(sql: string, i: number, dialect: SqlDialect): number | undefined {
  const [ch, next] = [sql[i], sql[i + 1]];
  if ((ch === '-' && next === '-') || (dialect === 'bigquery' && ch === '#')) {
    const end = sql.indexOf('\n', i);
    return end === -1 ? sql.length : end;
  }
  if (ch === '/' && next === '*') {
    const end = sql.indexOf('*/', i + 2);
    return end === -1 ? sql.length : end + 2;
  }
  return undefined;
}

/** The delimiter of a quoted run starting at `i` (`'`, `"""`, `` ` ``, `$tag$`), or undefined. */
function quoteAt(sql: string, i: number, dialect: SqlDialect): string | undefined {
  const ch = sql[i]!;
  if (ch === "'" || ch === '"') return dialect === 'bigquery' && sql.startsWith(ch.repeat(3), i) ? ch.repeat(3) : ch;
  if (ch === '`') return ch;
  if (ch === '$' && dialect === 'duckdb') return /^\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i, i + 64))?.[0];
  return undefined;
}

/** Whether a quoted run escapes with backslashes: BigQuery's strings and names (not its r'…' raw strings), DuckDB's E'…' strings. */
function escapesWithBackslash(prefix: string, quote: string, dialect: SqlDialect): boolean {
  if (dialect === 'bigquery') return !/^(R|RB|BR)$/.test(prefix);
  return prefix === 'E' && quote === "'";
}

/** The letters right before `i` (a string prefix like `r` or `E`), upper-cased; '' when they end a longer word. */
function prefixBefore(sql: string, i: number): string {
  let j = i;
  while (j > i - 2 && j > 0 && /[A-Za-z]/.test(sql[j - 1]!)) j--;
  if (j > 0 && /[A-Za-z0-9_$]/.test(sql[j - 1]!)) return '';
  return sql.slice(j, i).toUpperCase();
}

/**
 * The end (exclusive) of the string, quoted name or comment starting at `i`, or `i` when none
 * starts there: for scanners that leave such runs alone (parameter rewriting, statement splitting).
 */
export function quotedOrCommentEnd(sql: string, i: number, dialect: SqlDialect): number {
  const comment = commentEnd(sql, i, dialect);
  if (comment !== undefined) return comment;
  const quote = quoteAt(sql, i, dialect);
  if (quote === undefined) return i;
  return quotedEnd(sql, i, quote, escapesWithBackslash(prefixBefore(sql, i), quote, dialect));
}

// Sticky: matched at an offset without slicing the script, which a big pipeline reads per .sql at every load.
const SPACE = /\s+/y;
const WORD = /[A-Za-z_][A-Za-z0-9_$]*|\d[\w.]*/y;

/** Splits a script into statements at `;` outside strings, quoted names and comments. */
export function sqlStatements(sql: string, dialect: SqlDialect): SqlStatement[] {
  const statements: SqlStatement[] = [];
  let tokens: string[] = [];
  let line = 1;
  let firstLine = 1;
  const push = (token: string) => {
    if (tokens.length === 0) firstLine = line;
    tokens.push(token);
  };
  const advance = (from: number, to: number) => {
    for (let k = from; k < to; k++) if (sql.charCodeAt(k) === 10) line += 1;
    return to;
  };
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i]!;
    const comment = commentEnd(sql, i, dialect);
    const quote = comment === undefined ? quoteAt(sql, i, dialect) : undefined;
    if (comment !== undefined) i = advance(i, comment);
    else if (quote !== undefined) {
      // A letter right before the quote is a prefix: BigQuery's r'…' raw strings keep their backslashes (its
      // other strings and names escape with them); DuckDB's E'…' strings escape with backslashes too.
      const prefix = /[A-Za-z]/.test(sql[i - 1] ?? '') ? (tokens.at(-1) ?? '') : '';
      const backslash = escapesWithBackslash(prefix, quote, dialect);
      // a prefix is part of the string, not a word of its own
      if (dialect === 'bigquery' ? !backslash : backslash) tokens.pop();
      push(QUOTED);
      i = advance(i, quotedEnd(sql, i, quote, backslash));
    } else if (ch === ';') {
      if (tokens.length > 0) statements.push({ tokens, line: firstLine });
      tokens = [];
      i += 1;
    } else {
      SPACE.lastIndex = i;
      if (SPACE.test(sql)) {
        i = advance(i, SPACE.lastIndex);
        continue;
      }
      WORD.lastIndex = i;
      const word = WORD.exec(sql)?.[0];
      push(word ? word.toUpperCase() : ch);
      i += word ? word.length : 1;
    }
  }
  if (tokens.length > 0) statements.push({ tokens, line: firstLine });
  return statements;
}
