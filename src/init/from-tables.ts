/**
 * `dagrun init --from WAREHOUSE`: from what a warehouse says about its tables (columns, and the
 * first and last dates of a date column), the files of a pipeline that checks them — a source
 * target per table with a date or timestamp column, the window from their dates and a calendar
 * suggestion — plus the lines that say what was found and what was skipped, and why. Pure: the
 * warehouse is read before (src/init/duckdb-tables.ts).
 */
import { RESERVED_NAMES } from '../config/rules.js';
import type { ProjectFiles } from './files.js';
import type { SchemaLinks } from './schema-links.js';

/** A column as the warehouse describes it. */
export interface ColumnInfo {
  readonly name: string;
  /** The warehouse's type name, e.g. DATE, TIMESTAMP, TIMESTAMP WITH TIME ZONE, DATETIME. */
  readonly type: string;
}

/** What the warehouse holds of one table. */
export interface TableFinding {
  /** `dataset.table` (BigQuery) or `schema.table` (DuckDB). */
  readonly table: string;
  /** The date column chosen for it (`chooseDateColumn`); undefined: none, the table is skipped. */
  readonly dateColumn?: string;
  /** Why the column was chosen, e.g. "partitioning column". */
  readonly why?: string;
  /** First and last date present, and how many distinct dates; undefined when it has no rows. */
  readonly dates?: { readonly first: string; readonly last: string; readonly count: number };
  /** When the dates could not be counted (BigQuery without a partition list): what is known. */
  readonly note?: string;
}

/** The pipeline written from a warehouse's tables. */
export interface PipelineFromTables {
  readonly files: ProjectFiles;
  /** Lines for the user: the window, the calendar, each table found and each skipped (with why). */
  readonly report: readonly string[];
  /** Tables that got a target file. */
  readonly found: number;
  /** Tables without a date column. */
  readonly skipped: number;
}

const DATE_TYPES = /^(DATE|DATETIME|TIMESTAMP(_S|_MS|_NS)?( WITH TIME ZONE)?|TIMESTAMPTZ)$/i;
const DATE_NAMES = /(^|_)(date|day|dt|ds)($|_)/i;

/** Whether a warehouse type is a date or timestamp type (DuckDB or BigQuery spelling). */
export function isDateType(type: string): boolean {
  return DATE_TYPES.test(type.trim());
}

/**
 * The column to measure a table by: the partitioning column when the warehouse has one, else
 * the first DATE column (a name like `*_date` first), else the first timestamp column.
 */
export function chooseDateColumn(columns: readonly ColumnInfo[], partitionColumn?: string): { column: string; why: string } | undefined {
  if (partitionColumn && columns.some((c) => c.name === partitionColumn)) return { column: partitionColumn, why: 'partitioning column' };
  const dated = columns.filter((c) => isDateType(c.type));
  const isDate = (c: ColumnInfo) => /^DATE$/i.test(c.type.trim());
  const pick = dated.find((c) => isDate(c) && DATE_NAMES.test(c.name)) ?? dated.find(isDate) ?? dated.find((c) => DATE_NAMES.test(c.name)) ?? dated[0];
  return pick && { column: pick.name, why: `${pick.type.toUpperCase()} column` };
}

/** Target names from table names: the bare name, or `schema_name` when it is taken, reserved or repeated. */
function targetNames(tables: readonly string[]): Map<string, string> {
  const bare = (table: string) => table.slice(table.lastIndexOf('.') + 1).replace(/[^A-Za-z0-9_]+/g, '_');
  const count = new Map<string, number>();
  for (const t of tables) count.set(bare(t).toLowerCase(), (count.get(bare(t).toLowerCase()) ?? 0) + 1);
  return new Map(
    tables.map((t) => {
      const name = bare(t);
      const clash = count.get(name.toLowerCase())! > 1 || RESERVED_NAMES.includes(name.toLowerCase());
      return [t, clash ? t.replace(/[^A-Za-z0-9_]+/g, '_') : name];
    }),
  );
}

const DAY_MS = 86_400_000;
const span = (first: string, last: string) => Math.round((Date.parse(last) - Date.parse(first)) / DAY_MS) + 1;
const quote = (text: string) => `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** The calendar suggestion: every day when the densest table has every day, else that table's dates. */
function suggestCalendar(dated: readonly TableFinding[]): { json5: string; why: string } {
  // ties: a DATE column (the table is kept by day) before a timestamp
  const byDay = (t: TableFinding) => (t.why === 'DATE column' || t.why === 'partitioning column' ? 0 : 1);
  const densest = [...dated].sort((a, b) => (b.dates?.count ?? 0) - (a.dates?.count ?? 0) || byDay(a) - byDay(b))[0];
  const d = densest?.dates;
  if (!densest || !d || d.count >= span(d.first, d.last)) {
    return { json5: `{ every: 'day' }`, why: d ? `every day (${densest!.table} has every day from ${d.first} to ${d.last})` : 'every day' };
  }
  return {
    json5: `{ table: ${quote(densest.table)}, dateColumn: ${quote(densest.dateColumn!)} }`,
    why: `the dates of ${densest.table} (${d.count} dates over ${span(d.first, d.last)} days: not every day)`,
  };
}

/** Options of `pipelineFromTables`. */
export interface FromTablesOptions {
  /** The `warehouse:` value for dag.json5, as JSON5 text. */
  readonly warehouse: string;
  readonly links: SchemaLinks;
  /** Where the tables came from, for the header comment, e.g. "duckdb:shop.duckdb". */
  readonly origin: string;
}

function targetFile(links: SchemaLinks, folder: string, t: TableFinding): string {
  const dates = t.dates ? `${t.dates.count} dates from ${t.dates.first} to ${t.dates.last} when \`dagrun init\` looked` : (t.note ?? 'no rows yet when `dagrun init` looked');
  const lines = [
    `// ${t.table}: ${dates}.`,
    `// A source: dagrun checks its dates and never builds it. To have dagrun build it, replace`,
    `// \`source: true\` with a build, e.g. build: { sql: '${t.table.slice(t.table.lastIndexOf('.') + 1)}.sql' }`,
    `// or build: { command: ['python3', 'load.py', '{start}', '{end}'] }.`,
    '{',
    `  $schema: ${quote(links.target(folder))},`,
    `  table: ${quote(t.table)},`,
  ];
  // written even when it is the default: the file says which column measures the table
  lines.push(`  dateColumn: ${quote(t.dateColumn!)},`);
  lines.push('  source: true,', '}', '');
  return lines.join('\n');
}

/** The files and the report for the tables a warehouse holds. */
export function pipelineFromTables(tables: readonly TableFinding[], options: FromTablesOptions): PipelineFromTables {
  const dated = tables.filter((t) => t.dateColumn !== undefined);
  const skipped = tables.filter((t) => t.dateColumn === undefined);
  const withDates = dated.filter((t) => t.dates);
  const start = withDates.map((t) => t.dates!.first).sort()[0];
  const end = withDates.map((t) => t.dates!.last).sort().at(-1);
  const columns = new Map<string, number>();
  for (const t of dated) columns.set(t.dateColumn!, (columns.get(t.dateColumn!) ?? 0) + 1);
  const defaultColumn = [...columns].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]?.[0] ?? 'date';
  const calendar = suggestCalendar(withDates);
  const names = targetNames(dated.map((t) => t.table));
  const files = new Map<string, string>();
  const report: string[] = [];
  const window = start && end ? { start, end } : undefined;
  files.set('dag.json5', [
    `// The pipeline, written by \`dagrun init --from ${options.origin}\` from the tables it found.`,
    '{',
    `  $schema: ${quote(options.links.dag)},`,
    `  warehouse: ${options.warehouse},`,
    window ? `  // the first and last dates of the tables` : `  // no table had any dates yet: set the window`,
    `  window: { start: ${quote(window?.start ?? '2025-01-01')}, end: ${quote(window?.end ?? 'yesterday')} },`,
    `  // suggested: ${calendar.why}`,
    `  calendar: ${calendar.json5},`,
    `  defaults: { dateColumn: ${quote(defaultColumn)}, threshold: 0.95 },`,
    '  concurrency: 4,',
    "  targets: ['targets/**/*.json5'],",
    '}',
    '',
  ].join('\n'));
  report.push(window ? `window ${window.start}..${window.end} (the first and last dates found)` : 'no table has dates yet: set the window in dag.json5');
  report.push(`calendar: ${calendar.why}`);
  for (const t of dated) {
    const folder = `targets/${t.table.includes('.') ? t.table.slice(0, t.table.lastIndexOf('.')).replace(/[^A-Za-z0-9_.-]+/g, '_') : 'main'}`;
    const file = `${folder}/${names.get(t.table)}.json5`;
    files.set(file, targetFile(options.links, folder, t));
    const dates = t.dates ? `${t.dates.count} dates, ${t.dates.first}..${t.dates.last}` : (t.note ?? 'no rows yet');
    report.push(`found   ${t.table}: ${t.dateColumn} (${t.why}), ${dates} → ${file}`);
  }
  for (const t of skipped) report.push(`skipped ${t.table}: no DATE or TIMESTAMP column`);
  return { files, report, found: dated.length, skipped: skipped.length };
}
