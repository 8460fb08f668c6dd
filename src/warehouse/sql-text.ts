/** Small, engine-neutral helpers for SQL text: identifier quoting and parameter spelling. */

// Plain names are checked by config too, which must not import from warehouse/: they live in core/.
import { quotedOrCommentEnd, type SqlDialect } from '../core/sql-text.js';

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
export function rewriteNamedParameters(sql: string, prefix: string, dialect: SqlDialect = 'duckdb'): { sql: string; names: Set<string> } {
  const names = new Set<string>();
  let out = '';
  let i = 0;
  while (i < sql.length) {
    let end = quotedOrCommentEnd(sql, i, dialect);
    if (end === i && sql[i] === '@') {
      const match = /^[A-Za-z_][A-Za-z0-9_]*/.exec(sql.slice(i + 1));
      if (match) {
        names.add(match[0]);
        out += prefix + match[0];
        i += 1 + match[0].length;
        continue;
      }
    }
    if (end === i) end = i + 1;
    out += sql.slice(i, end);
    i = end;
  }
  return { sql: out, names };
}
