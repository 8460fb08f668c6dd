/** Small, engine-neutral helpers for SQL text: identifier quoting and parameter spelling. */

// Plain names are checked by config too, which must not import from warehouse/: they live in core/.
export { isIdentifier, isTableName } from '../core/sql-text.js';

/** The parts of a validated table name. */
export function tableParts(table: string): { project?: string; dataset: string; name: string } {
  const parts = table.split('.');
  if (parts.length === 3) return { project: parts[0]!, dataset: parts[1]!, name: parts[2]! };
  return { dataset: parts[0]!, name: parts[1]! };
}

/**
 * Rewrites `@name` parameters to `<prefix>name`, leaving strings, quoted identifiers and
 * comments alone (DuckDB spells named parameters `$name`; BigQuery keeps `@name`).
 * Returns the rewritten text and the parameter names it found. In BigQuery's dialect a
 * string may hold backslash escapes (`'it\'s'`) or be triple-quoted, and `#` starts a comment.
 */
export function rewriteNamedParameters(sql: string, prefix: string, dialect: 'duckdb' | 'bigquery' = 'duckdb'): { sql: string; names: Set<string> } {
  const bigquery = dialect === 'bigquery';
  const names = new Set<string>();
  let out = '';
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i]!;
    const next = sql[i + 1];
    let end = i + 1;
    if (ch === "'" || ch === '"' || ch === '`') {
      end = bigquery ? bigQueryQuoteEnd(sql, i) : duckQuoteEnd(sql, i);
    } else if ((ch === '-' && next === '-') || (bigquery && ch === '#')) {
      end = sql.indexOf('\n', i);
      end = end === -1 ? sql.length : end;
    } else if (ch === '/' && next === '*') {
      end = sql.indexOf('*/', i + 2);
      end = end === -1 ? sql.length : end + 2;
    } else if (ch === '@') {
      const match = /^[A-Za-z_][A-Za-z0-9_]*/.exec(sql.slice(i + 1));
      if (match) {
        names.add(match[0]);
        out += prefix + match[0];
        i += 1 + match[0].length;
        continue;
      }
    }
    out += sql.slice(i, end);
    i = end;
  }
  return { sql: out, names };
}

/** Index just past a DuckDB quoted text starting at `i` (a doubled quote stays inside). */
function duckQuoteEnd(sql: string, i: number): number {
  const ch = sql[i]!;
  let end = sql.indexOf(ch, i + 1);
  while (end !== -1 && sql[end + 1] === ch) end = sql.indexOf(ch, end + 2);
  return end === -1 ? sql.length : end + 1;
}

/** Index just past a BigQuery quoted text starting at `i`: backslash escapes, triple quotes. */
function bigQueryQuoteEnd(sql: string, i: number): number {
  const ch = sql[i]!;
  const close = ch !== '`' && sql.startsWith(ch.repeat(3), i) ? ch.repeat(3) : ch;
  let j = i + close.length;
  while (j < sql.length) {
    if (sql[j] === '\\') j += 2;
    else if (sql.startsWith(close, j)) return j + close.length;
    else j++;
  }
  return sql.length;
}
