/**
 * The few BigQuery-isms the fake understands, rewritten to DuckDB: backticked
 * `project.dataset.table` names (the dataset is a DuckDB schema), `@param`, `IN UNNEST(@x)`,
 * `UNNEST(@x) AS d`, BigQuery string literals and `#` comments, type names (`ARRAY<T>`),
 * `* EXCEPT (…)`, functions whose DuckDB namesakes differ (`DATE_SUB`, `DATE_ADD`, `DATE_DIFF`,
 * `COUNTIF`, `GREATEST`, `LEAST`: see rewriteCalls), a few others (the rest of those DuckDB
 * lacks are macros, see catalog.ts),
 * `PARTITION BY`/`CLUSTER BY`/`OPTIONS` on CREATE TABLE, and
 * `dataset.INFORMATION_SCHEMA.PARTITIONS` and `.COLUMNS`. It is deliberately an independent implementation
 * (it shares no parsing with the adapter), so a mistake on one side shows up in tests.
 */
import { rewriteNamedParameters } from '../../src/warehouse/sql-text.js';

/** What a statement does, as far as the fake's transaction and metadata rules care. */
export type StatementKind =
  | 'begin'
  | 'commit'
  | 'rollback'
  | 'select'
  | 'dml'
  /** DDL on a permanent entity: BigQuery refuses it inside a transaction. */
  | 'ddl'
  /** DDL on a temporary entity, allowed in a transaction. */
  | 'temp-ddl'
  /** Procedural statements the fake does not implement. */
  | 'unsupported';

/** One BigQuery statement, rewritten for DuckDB. */
export interface FakeStatement {
  readonly kind: StatementKind;
  readonly duck: string;
  /** Tables read or written, as lower-case `dataset.table`. */
  readonly tables: ReadonlySet<string>;
  /** The table a DML or CREATE TABLE statement writes. */
  readonly writes: string | undefined;
  /** The table a DROP TABLE removes. */
  readonly drops: string | undefined;
  /** For CREATE TABLE: the column of its `PARTITION BY`, or null when it has none. */
  readonly partitionBy: string | null | undefined;
  /** Datasets whose INFORMATION_SCHEMA (PARTITIONS, COLUMNS) is read. */
  readonly partitionsOf: ReadonlySet<string>;
}

/** The view that stands in for INFORMATION_SCHEMA.PARTITIONS (created by the engine). */
export const PARTITIONS_VIEW = '_fake_meta.all_partitions';
/** The view that stands in for INFORMATION_SCHEMA.COLUMNS. */
export const COLUMNS_VIEW = '_fake_meta.all_columns';
/** The INFORMATION_SCHEMA views the fake serves, by name. */
const INFORMATION_SCHEMA_VIEWS: Readonly<Record<string, string>> = { PARTITIONS: PARTITIONS_VIEW, COLUMNS: COLUMNS_VIEW };

interface Segment {
  readonly kind: 'code' | 'string' | 'quoted' | 'backtick' | 'comment';
  readonly text: string;
}

/** Splits SQL into code, string literals, quoted names, backticked names and comments. */
export function segments(sql: string): Segment[] {
  const out: Segment[] = [];
  let code = '';
  let i = 0;
  const flush = () => {
    if (code) out.push({ kind: 'code', text: code });
    code = '';
  };
  while (i < sql.length) {
    const ch = sql[i]!;
    const next = sql[i + 1];
    if (ch === "'" || ch === '"' || ch === '`') {
      let j = i + 1;
      while (j < sql.length && sql[j] !== ch) j += sql[j] === '\\' ? 2 : 1;
      flush();
      out.push({ kind: ch === '`' ? 'backtick' : 'string', text: sql.slice(i, j + 1) });
      i = j + 1;
    } else if ((ch === '-' && next === '-') || ch === '#') {
      const end = sql.indexOf('\n', i);
      flush();
      out.push({ kind: 'comment', text: sql.slice(i, end === -1 ? sql.length : end) });
      i = end === -1 ? sql.length : end;
    } else if (ch === '/' && next === '*') {
      const end = sql.indexOf('*/', i + 2);
      flush();
      out.push({ kind: 'comment', text: sql.slice(i, end === -1 ? sql.length : end + 2) });
      i = end === -1 ? sql.length : end + 2;
    } else {
      code += ch;
      i++;
    }
  }
  flush();
  return out;
}

/** Splits a script at semicolons outside strings and comments (procedural blocks are not supported). */
export function splitScript(sql: string): string[] {
  const out: string[] = [];
  let current = '';
  for (const segment of segments(sql)) {
    if (segment.kind !== 'code') {
      current += segment.text;
      continue;
    }
    const parts = segment.text.split(';');
    current += parts[0];
    for (const part of parts.slice(1)) {
      out.push(current);
      current = part;
    }
  }
  out.push(current);
  return out.filter((s) => segments(s).some((seg) => seg.kind !== 'comment' && seg.text.trim() !== ''));
}

const CODE_REWRITES: readonly [RegExp, string][] = [
  [/\bIN\s+UNNEST\s*\(\s*(@\w+)\s*\)/gi, 'IN (SELECT unnest($1))'],
  [/\bUNNEST\s*\(\s*(@\w+)\s*\)\s+AS\s+(\w+)/gi, 'unnest($1) AS _unnest_$2($2)'],
  [/\bFLOAT64\b/gi, 'DOUBLE'],
  // `ARRAY<FLOAT64>` as a column or CAST type (after the element type above is rewritten).
  [/\bARRAY\s*<\s*(\w+)\s*>/gi, '$1[]'],
  // `SELECT * EXCEPT (a, b)`: DuckDB spells it EXCLUDE.
  [/\*(\s*)EXCEPT\s*\(/gi, '*$1EXCLUDE ('],
  [/\b(BIG)?NUMERIC\b/gi, 'DECIMAL(38, 9)'],
  [/\bBYTES\b/gi, 'BLOB'],
  [/\bCURRENT_TIMESTAMP\s*\(\s*\)/gi, 'current_timestamp'],
  [/\bCURRENT_DATE\s*\(\s*\)/gi, 'current_date'],
  [/\bSAFE\.PARSE_DATE\s*\(/gi, 'safe_parse_date('],
  [/\bUNIX_MILLIS\s*\(/gi, 'epoch_ms('],
  [/\bUNIX_MICROS\s*\(/gi, 'epoch_us('],
  // BigQuery's FORMAT is printf-style; DuckDB's format() is fmt-style ({}), its printf() is this one.
  [/\bFORMAT\s*\(/gi, 'printf('],
  [/^(\s*)INSERT\s+(?!INTO\b)/i, '$1INSERT INTO '],
  [/^(\s*)DELETE\s+(?!FROM\b)/i, '$1DELETE FROM '],
];
const UNQUOTED_NAME = /\b(FROM|JOIN|INTO|UPDATE|TABLE|EXISTS)(\s+)([A-Za-z_]\w*)\.([A-Za-z_]\w*)(?:\.([A-Za-z_]\w*))?\b/gi;

/** Rewrites one BigQuery statement for DuckDB. */
export function translateStatement(statement: string): FakeStatement {
  const plain = segments(statement)
    .map((s) => (s.kind === 'comment' ? ' ' : s.kind === 'string' ? "''" : s.text))
    .join('')
    .trim();
  const words = plain.toUpperCase().split(/\s+/).slice(0, 6).join(' ');
  const kind = kindOf(words);
  const schemaContext = /^(CREATE|DROP) SCHEMA/.test(words);
  const tables = new Set<string>();
  const partitionsOf = new Set<string>();
  let duck = '';
  segments(statement).forEach((segment, index) => {
    switch (segment.kind) {
      case 'comment':
        duck += ' ';
        break;
      case 'string':
        duck += duckString(segment.text);
        break;
      case 'backtick':
        duck += duckName(segment.text.slice(1, -1), { schemaContext, tables, partitionsOf });
        break;
      default: {
        refuseDuckDbSyntax(segment.text);
        let code = segment.text;
        for (const [pattern, replacement] of CODE_REWRITES) {
          if (!pattern.source.startsWith('^') || index === 0) code = code.replace(pattern, replacement);
        }
        duck += code.replace(UNQUOTED_NAME, (_m, keyword: string, space: string, a: string, b: string, c?: string) => {
          const [dataset, table] = c ? [b, c] : [a, b];
          if (!schemaContext) tables.add(`${dataset}.${table}`.toLowerCase());
          return `${keyword}${space}"${dataset}"."${table}"`;
        });
      }
    }
  });
  duck = rewriteCalls(duck);
  duck = rewriteNamedParameters(duck, '$').sql;
  let partitionBy: string | null | undefined;
  if (/^CREATE (OR REPLACE )?TABLE/.test(words)) ({ sql: duck, partitionBy } = stripTableClauses(duck));
  if (schemaContext) duck = stripOptions(duck);
  return { kind, duck, tables, writes: writtenTable(duck), drops: droppedTable(duck), partitionBy, partitionsOf };
}

/**
 * BigQuery functions whose DuckDB namesakes differ, rewritten with their arguments:
 * `DATE_SUB`/`DATE_ADD(date, INTERVAL n unit)` return a DATE (DuckDB's date ± interval is a
 * TIMESTAMP, and its date_sub is a difference); `DATE_DIFF(a, b, DAY|MONTH|QUARTER|YEAR)` is
 * a − b in that part (DuckDB's date_diff takes the part first and the dates the other way
 * round; WEEK is refused: BigQuery's weeks start on Sunday); `GREATEST`/`LEAST` are NULL when
 * any argument is NULL (DuckDB's skip NULLs); `COUNTIF` is 0, never NULL, when no row is
 * TRUE (DuckDB's countif is NULL then).
 */
function rewriteCalls(sql: string): string {
  const calls = /\b(DATE_SUB|DATE_ADD|DATE_DIFF|GREATEST|LEAST|COUNTIF)\s*\(/gi;
  const found: { index: number; name: string; open: number }[] = [];
  for (let m = calls.exec(sql); m; m = calls.exec(sql)) {
    const before = sql[m.index - 1];
    if (before === '"' || before === '.') continue;
    found.push({ index: m.index, name: m[1]!.toUpperCase(), open: m.index + m[0].length - 1 });
  }
  let out = sql;
  // Right to left: an inner call is rewritten before the call around it.
  for (const call of found.reverse()) {
    const close = closingParen(out, call.open);
    if (close === -1) continue;
    const args = splitArgs(out.slice(call.open + 1, close));
    out = `${out.slice(0, call.index)}${rewriteCall(call.name, args)}${out.slice(close + 1)}`;
  }
  return out;
}

function rewriteCall(name: string, args: string[]): string {
  const wrong = (shape: string) => new Error(`No matching signature for function ${name}; expected ${shape}`);
  switch (name) {
    case 'DATE_SUB':
    case 'DATE_ADD': {
      if (args.length !== 2 || !/^\s*INTERVAL\b/i.test(args[1]!)) throw wrong(`${name}(DATE, INTERVAL INT64 date_part)`);
      return `CAST((${args[0]}) ${name === 'DATE_SUB' ? '-' : '+'} ${args[1]!.trim()} AS DATE)`;
    }
    case 'DATE_DIFF': {
      const part = args[2]?.trim().toUpperCase();
      if (args.length !== 3 || !part || !['DAY', 'MONTH', 'QUARTER', 'YEAR'].includes(part)) {
        throw wrong('DATE_DIFF(DATE, DATE, DAY|MONTH|QUARTER|YEAR) (the fake does not implement WEEK)');
      }
      return `datediff('${part.toLowerCase()}', CAST((${args[1]}) AS DATE), CAST((${args[0]}) AS DATE))`;
    }
    case 'COUNTIF': {
      if (args.length !== 1 || /^DISTINCT\b/i.test(args[0]!)) throw wrong('COUNTIF(BOOL) (the fake does not implement DISTINCT)');
      return `count(CASE WHEN (${args[0]}) THEN 1 END)`;
    }
    default: {
      if (args.length < 1) throw wrong(`${name}(T, ...)`);
      const anyNull = args.map((a) => `(${a}) IS NULL`).join(' OR ');
      return `(CASE WHEN ${anyNull} THEN NULL ELSE ${name.toLowerCase()}(${args.join(', ')}) END)`;
    }
  }
}

/** The index of the parenthesis closing the one at `open`, outside DuckDB quotes; -1 if none. */
function closingParen(sql: string, open: number): number {
  let depth = 0;
  let quote: string | undefined;
  for (let i = open; i < sql.length; i++) {
    const ch = sql[i]!;
    if (quote) {
      if (ch === quote) quote = undefined;
    } else if (ch === "'" || ch === '"') quote = ch;
    else if (ch === '(') depth++;
    else if (ch === ')' && --depth === 0) return i;
  }
  return -1;
}

/** Splits a call's argument text at its top-level commas. */
function splitArgs(text: string): string[] {
  const args: string[] = [];
  let depth = 0;
  let quote: string | undefined;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote) {
      if (ch === quote) quote = undefined;
    } else if (ch === "'" || ch === '"') quote = ch;
    else if (ch === '(' || ch === '[') depth++;
    else if (ch === ')' || ch === ']') depth--;
    else if (ch === ',' && depth === 0) {
      args.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  if (text.trim() !== '') args.push(text.slice(start).trim());
  return args;
}

/**
 * DuckDB spellings that BigQuery rejects as syntax errors, refused so that a port that kept
 * one fails here as it would there: `x::T` casts, aggregates with `FILTER (WHERE …)` (BigQuery
 * reads FILTER as an alias, then stops at the parenthesis) and `* EXCLUDE (…)` (EXCLUDE is
 * reserved; BigQuery writes `* EXCEPT (…)`).
 */
function refuseDuckDbSyntax(code: string): void {
  if (code.includes('::')) throw new Error('Syntax error: Unexpected ":" (BigQuery has no `::` casts: CAST(x AS T))');
  if (/\bFILTER\s*\(\s*WHERE\b/i.test(code)) throw new Error('Syntax error: Unexpected keyword WHERE (BigQuery has no aggregate FILTER: use IF(cond, x, NULL) or COUNTIF)');
  if (/\*\s*EXCLUDE\s*\(/i.test(code)) throw new Error('Syntax error: Unexpected keyword EXCLUDE (BigQuery writes * EXCEPT (…))');
}

function kindOf(words: string): StatementKind {
  if (/^BEGIN( TRANSACTION)?$/.test(words) || words === 'BEGIN TRANSACTION') return 'begin';
  if (/^COMMIT\b/.test(words)) return 'commit';
  if (/^ROLLBACK\b/.test(words)) return 'rollback';
  if (/^(DECLARE|SET|IF|LOOP|WHILE|REPEAT|FOR|BEGIN|CALL|EXECUTE|RAISE|RETURN)\b/.test(words)) return 'unsupported';
  if (/^(CREATE|DROP) (OR REPLACE )?(TEMP|TEMPORARY) /.test(words)) return 'temp-ddl';
  if (/^(CREATE|DROP|ALTER)\b/.test(words)) return 'ddl';
  if (/^(SELECT|WITH|VALUES|\()/.test(words)) return 'select';
  return 'dml';
}

/** A BigQuery string literal ('…' or "…", backslash escapes) as a DuckDB one. */
function duckString(literal: string): string {
  const body = literal.slice(1, -1).replace(/\\(.)/g, (_m, c: string) => ({ n: '\n', t: '\t', r: '\r' })[c] ?? c);
  return `'${body.replaceAll("'", "''")}'`;
}

/** A backticked name: `d.t`, `p.d.t`, a column, or a dataset's INFORMATION_SCHEMA.PARTITIONS or COLUMNS. */
function duckName(
  name: string,
  context: { schemaContext: boolean; tables: Set<string>; partitionsOf: Set<string> },
): string {
  const parts = name.split('.');
  const upper = parts.map((p) => p.toUpperCase());
  if (upper.length >= 3 && upper[upper.length - 2] === 'INFORMATION_SCHEMA') {
    const view = INFORMATION_SCHEMA_VIEWS[upper[upper.length - 1]!];
    if (view === undefined) throw new Error(`the fake serves INFORMATION_SCHEMA.PARTITIONS and COLUMNS only, not ${parts.at(-1)}`);
    const dataset = parts[parts.length - 3]!;
    context.partitionsOf.add(dataset.toLowerCase());
    return `(SELECT * FROM ${view} WHERE lower(table_schema) = '${dataset.toLowerCase()}')`;
  }
  if (context.schemaContext) return `"${parts[parts.length - 1]}"`;
  if (parts.length === 1) return `"${parts[0]}"`;
  const [dataset, table] = parts.slice(-2) as [string, string];
  context.tables.add(`${dataset}.${table}`.toLowerCase());
  return `"${dataset}"."${table}"`;
}

/** Removes `PARTITION BY`, `CLUSTER BY` and `OPTIONS(…)` from a CREATE TABLE, keeping the partition column. */
function stripTableClauses(sql: string): { sql: string; partitionBy: string | null } {
  let partitionBy: string | null = null;
  const clause = /\b(PARTITION\s+BY|CLUSTER\s+BY|OPTIONS\s*\()/gi;
  let out = sql;
  for (let match = nextAtDepthZero(out, clause, 0); match; match = nextAtDepthZero(out, clause, match.index)) {
    const end = clauseEnd(out, match.index + match[0].length, match[0].toUpperCase().startsWith('OPTIONS'));
    const text = out.slice(match.index, end);
    if (/^PARTITION/i.test(text)) {
      const column = /PARTITION\s+BY\s+(?:DATE\s*\(\s*)?(?:TIMESTAMP_TRUNC\s*\(\s*|DATE_TRUNC\s*\(\s*)?"?(\w+)"?/i.exec(text);
      partitionBy = column?.[1] ?? null;
    }
    out = `${out.slice(0, match.index)} ${out.slice(end)}`;
  }
  return { sql: out, partitionBy };
}

function stripOptions(sql: string): string {
  const match = nextAtDepthZero(sql, /\bOPTIONS\s*\(/gi, 0);
  return match ? `${sql.slice(0, match.index)} ${sql.slice(clauseEnd(sql, match.index + match[0].length, true))}` : sql;
}

/** The next match of `pattern` outside parentheses and quotes, from `from`. */
function nextAtDepthZero(sql: string, pattern: RegExp, from: number): RegExpExecArray | undefined {
  const depths = depthMap(sql);
  pattern.lastIndex = from;
  for (let m = pattern.exec(sql); m; m = pattern.exec(sql)) if (depths[m.index] === 0) return m;
  return undefined;
}

/** Where a clause ends: its parenthesis closes (OPTIONS), or the next depth-0 keyword or the end. */
function clauseEnd(sql: string, start: number, parenthesised: boolean): number {
  const depths = depthMap(sql);
  if (parenthesised) {
    let i = start;
    while (i < sql.length && !(sql[i] === ')' && depths[i] === 1)) i++;
    return Math.min(sql.length, i + 1);
  }
  const next = /\b(CLUSTER\s+BY|OPTIONS\s*\(|AS\s*(\(|SELECT|WITH)|PARTITION\s+BY)/gi;
  next.lastIndex = start;
  for (let m = next.exec(sql); m; m = next.exec(sql)) if (depths[m.index] === 0) return m.index;
  return sql.length;
}

/** Parenthesis depth at each character, ignoring those inside DuckDB quotes. */
function depthMap(sql: string): number[] {
  const depths: number[] = [];
  let depth = 0;
  let quote: string | undefined;
  for (let i = 0; i < sql.length; i++) {
    const ch = sql[i]!;
    if (quote) {
      if (ch === quote) quote = undefined;
    } else if (ch === "'" || ch === '"') quote = ch;
    else if (ch === '(') depth++;
    else if (ch === ')') depth--;
    depths.push(ch === ')' ? depth + 1 : depth);
  }
  return depths;
}

const NAME = String.raw`"([^"]+)"\."([^"]+)"`;
const WRITES = new RegExp(
  String.raw`^\s*(?:INSERT\s+INTO|DELETE\s+FROM|UPDATE|MERGE(?:\s+INTO)?|TRUNCATE(?:\s+TABLE)?|CREATE\s+(?:OR\s+REPLACE\s+)?TABLE(?:\s+IF\s+NOT\s+EXISTS)?)\s+${NAME}`,
  'i',
);
const DROPS = new RegExp(String.raw`^\s*DROP\s+TABLE(?:\s+IF\s+EXISTS)?\s+${NAME}`, 'i');

function writtenTable(duck: string): string | undefined {
  const m = WRITES.exec(duck);
  return m ? `${m[1]}.${m[2]}`.toLowerCase() : undefined;
}

function droppedTable(duck: string): string | undefined {
  const m = DROPS.exec(duck);
  return m ? `${m[1]}.${m[2]}`.toLowerCase() : undefined;
}
