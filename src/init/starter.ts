/**
 * The starter pipeline `dagrun init` writes into an empty folder: one target of each kind, on
 * the embedded DuckDB warehouse, over the last week, that builds as soon as it is written.
 *
 *   exchange_rates (source) ──┐
 *                             ├─► daily_revenue (SQL, with a check)
 *   orders (command → CSV) ───┘
 */
import type { ProjectFiles } from './files.js';
import type { SchemaLinks } from './schema-links.js';

/** The starter's files, and what `dagrun init` must do in the warehouse for it to build. */
export interface StarterPipeline {
  readonly files: ProjectFiles;
  /** The window written into dag.json5 (inclusive ISO dates). */
  readonly window: { readonly start: string; readonly end: string };
  /** The source target's table, which `STARTER_SEED_SQL` fills for the window. */
  readonly seedTable: string;
  /** One line per file for the summary `dagrun init` prints. */
  readonly summary: readonly (readonly [file: string, what: string])[];
}

/**
 * Sample rows for the source target (a table that something other than dagrun loads): without
 * them the source would be missing and nothing downstream could build. Runs with the window as
 * `@start_date`/`@end_date`.
 */
export const STARTER_SEED_SQL = `
CREATE TABLE IF NOT EXISTS raw.exchange_rates (event_date DATE, currency VARCHAR, usd_per_unit DOUBLE);
DELETE FROM raw.exchange_rates WHERE event_date BETWEEN @start_date AND @end_date;
INSERT INTO raw.exchange_rates
SELECT CAST(s.d AS DATE), c.currency, c.rate + 0.001 * dayofmonth(s.d)
FROM generate_series(CAST(@start_date AS TIMESTAMP), CAST(@end_date AS TIMESTAMP), INTERVAL 1 DAY) AS s(d),
     (VALUES ('EUR', 1.08), ('GBP', 1.27)) AS c(currency, rate);
`;

const isoDay = (date: Date): string => date.toISOString().slice(0, 10);

/** The last seven days before `now` (UTC), yesterday included. */
function lastWeek(now: Date): { start: string; end: string } {
  const day = 86_400_000;
  const today = Math.floor(now.getTime() / day) * day;
  return { start: isoDay(new Date(today - 7 * day)), end: isoDay(new Date(today - day)) };
}

function dagFile(links: SchemaLinks, window: { start: string; end: string }): string {
  return `// The pipeline: where the tables live, which dates they should have, where the targets are.
// Written by \`dagrun init\`. Build it with \`npx dagrun\`; \`npx dagrun --status\` says what is fresh.
{
  $schema: '${links.dag}',
  // An embedded DuckDB file: nothing to set up. For BigQuery:
  // warehouse: { type: 'bigquery', project: 'my-project', location: 'US', maximumBytesBilled: '10GB' },
  warehouse: { type: 'duckdb', path: '.dagrun/warehouse.duckdb' },
  // The dates every table should have: each day of the window. end: 'yesterday' follows the clock.
  window: { start: '${window.start}', end: '${window.end}' },
  calendar: { every: 'day' },
  defaults: { dateColumn: 'event_date', threshold: 1 },
  concurrency: 4,
  targets: ['targets/**/*.json5'],
}
`;
}

function sourceFile(links: SchemaLinks): string {
  return `// raw.exchange_rates: loaded by something other than dagrun (an ingestion tool, another team).
// dagrun never builds a source; it checks that its dates are there before building what reads it.
// \`dagrun init\` put sample rows for the window into the warehouse.
{
  $schema: '${links.target('targets/raw')}',
  table: 'raw.exchange_rates',
  source: true,
}
`;
}

function commandFile(links: SchemaLinks): string {
  return `// raw.orders: extracted by a program. It writes the rows of the dates it is given to the CSV
// file named by {output} (also $DAGRUN_OUTPUT): a header row, and event_date in every row. dagrun
// then replaces exactly those dates of raw.orders with them, in one transaction.
{
  $schema: '${links.target('targets/raw')}',
  table: 'raw.orders',
  build: {
    command: ['node', 'scripts/extract_orders.mjs', '--start', '{start}', '--end', '{end}', '--output', '{output}'],
    output: 'csv',
  },
}
`;
}

function sqlTargetFile(links: SchemaLinks): string {
  return `// marts.daily_revenue: revenue per day in US dollars, from the orders and that day's rates.
{
  $schema: '${links.target('targets/marts')}',
  table: 'marts.daily_revenue',
  deps: ['orders', 'exchange_rates'],
  build: { sql: 'daily_revenue.sql' },
  checks: [
    // a table can have every date and still be wrong: every day has some revenue
    {
      name: 'revenue_every_day',
      sql: 'SELECT coalesce(avg(CASE WHEN revenue_usd > 0 THEN 1 ELSE 0 END), 0) FROM marts.daily_revenue',
      min: 1,
    },
  ],
}
`;
}

const SQL_BUILD = `-- marts.daily_revenue, run by dagrun once per range of dates to build, with @start_date,
-- @end_date and @dates (every date of the range that needs building): it replaces those dates.
CREATE TABLE IF NOT EXISTS marts.daily_revenue (event_date DATE, orders BIGINT, revenue_usd DOUBLE);

DELETE FROM marts.daily_revenue WHERE event_date IN (SELECT unnest(@dates));

INSERT INTO marts.daily_revenue
SELECT o.event_date, count(*), round(sum(o.amount * r.usd_per_unit), 2)
FROM raw.orders AS o
JOIN raw.exchange_rates AS r ON r.event_date = o.event_date AND r.currency = o.currency
WHERE o.event_date IN (SELECT unnest(@dates))
GROUP BY o.event_date;
`;

const EXTRACT_SCRIPT = `#!/usr/bin/env node
// Stands in for an extract job (an API, a file drop): writes the orders of the dates dagrun asks
// for to the CSV file it names. dagrun passes the range as arguments (--start, --end), every date
// to write in $DAGRUN_DATES (comma-separated) and the file as --output (also $DAGRUN_OUTPUT).
// Any language works the same way: read the dates, write the rows, exit 0.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { start: { type: 'string' }, end: { type: 'string' }, output: { type: 'string' } } });
const dates = (process.env.DAGRUN_DATES ?? '').split(',').filter(Boolean);
const rows = ['event_date,order_id,currency,amount'];
for (const date of dates) {
  const day = Number(date.slice(8, 10));
  for (let i = 1; i <= 3; i++) rows.push(\`\${date},\${date.replaceAll('-', '')}-\${i},\${i % 2 ? 'EUR' : 'GBP'},\${(10 * i + day).toFixed(2)}\`);
}
writeFileSync(values.output ?? process.env.DAGRUN_OUTPUT, rows.join('\\n') + '\\n');
console.log(\`\${values.start}..\${values.end}: wrote \${rows.length - 1} orders for \${dates.length} date(s)\`);
`;

/** The starter pipeline for a project whose clock says `now`. */
export function starterPipeline(links: SchemaLinks, now: Date): StarterPipeline {
  const window = lastWeek(now);
  const files = new Map([
    ['dag.json5', dagFile(links, window)],
    ['targets/raw/exchange_rates.json5', sourceFile(links)],
    ['targets/raw/orders.json5', commandFile(links)],
    ['targets/marts/daily_revenue.json5', sqlTargetFile(links)],
    ['targets/marts/daily_revenue.sql', SQL_BUILD],
    ['scripts/extract_orders.mjs', EXTRACT_SCRIPT],
  ]);
  const summary = [
    ['dag.json5', `DuckDB warehouse in .dagrun/warehouse.duckdb, every day of ${window.start}..${window.end}`],
    ['targets/raw/exchange_rates.json5', 'a source (loaded elsewhere; sample rows put in the warehouse)'],
    ['targets/raw/orders.json5', 'a command that hands its rows over as CSV (scripts/extract_orders.mjs)'],
    ['targets/marts/daily_revenue.json5', 'SQL (daily_revenue.sql) over both, with a check'],
  ] as const;
  return { files, window, seedTable: 'raw.exchange_rates', summary };
}
