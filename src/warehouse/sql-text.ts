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
 * Returns the rewritten text and the parameter names it found.
 */
export function rewriteNamedParameters(sql: string, prefix: string): { sql: string; names: Set<string> } {
  const names = new Set<string>();
  let out = '';
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i]!;
    const next = sql[i + 1];
    let end = i + 1;
    if (ch === "'" || ch === '"' || ch === '`') {
      end = sql.indexOf(ch, i + 1);
      while (end !== -1 && sql[end + 1] === ch) end = sql.indexOf(ch, end + 2);
      end = end === -1 ? sql.length : end + 1;
    } else if (ch === '-' && next === '-') {
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
