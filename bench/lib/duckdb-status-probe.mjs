/**
 * An experiment, not part of `npm run bench`: the DuckDB statements of a status run
 * (src/warehouse/duckdb.ts) replayed alone against a generated pipeline's file
 * (bench/status-duckdb.mjs), with the knobs the adapter could turn, to see where DuckDB's
 * time and memory go. One variant per process, so each starts cold and its peak RSS is its own.
 *
 *   node bench/lib/duckdb-status-probe.mjs <dir> [key=value …]
 *     batch=100 parallel=4      tables per present-dates statement, statements at once
 *     threads=N memory_limit=X  DuckDB settings of the instance (default: DuckDB's)
 *     catalog=information_schema|duckdb_tables   how existing tables are listed
 *     present=list|minmax|islands|islands-union|bits|none  list(DISTINCT day) per table, min/max/count only,
 *                               runs of consecutive days as ranges (gaps-and-islands per table, or over
 *                               the statement's union partitioned by table), a bitstring of the window's
 *                               days per table (bitstring_agg, no hash table), or skip
 *     writes=groups|islands|ranges|none   the grouped write-records query over per-date records, its days as
 *                               ranges (gaps-and-islands), the stored ranges (`_dagrun.write_ranges`), or skip
 *     checks=N|each             a count(*) of every tenth table, N per statement or one each (c)'s checks)
 *     sizes=1                   every table's row count from the catalog (duckdb_tables().estimated_size)
 *     limit=N                   only the first N tables
 *     explain=1                 EXPLAIN ANALYZE the first present-dates statement: DuckDB's total vs the wall time
 *
 * Prints one JSON line: milliseconds per phase, rows, peak RSS in MB.
 */
import path from 'node:path';
import { DuckDBInstance, dateValue, listValue } from '@duckdb/node-api';
import { readFileSync } from 'node:fs';

const [dir, ...rest] = process.argv.slice(2);
const opt = { batch: '100', parallel: '4', catalog: 'information_schema', present: 'list', writes: 'groups', ...Object.fromEntries(rest.map((kv) => kv.split('='))) };
const config = JSON.parse(readFileSync(path.join(dir, 'dag.json5'), 'utf8'));
const EPOCH = "DATE '1970-01-01'";
const { count } = JSON.parse(readFileSync(path.join(dir, 'generated.json'), 'utf8'));
const tables = Array.from({ length: Math.min(count, Number(opt.limit ?? count)) }, (_, i) => `ds.t${String(i).padStart(4, '0')}`);

const settings = {};
if (opt.threads) settings.threads = opt.threads;
if (opt.memory_limit) settings.memory_limit = opt.memory_limit;
const windowDays = { first: Math.round(Date.parse(config.window.start) / 86_400_000), last: Math.round(Date.parse(config.window.end) / 86_400_000) };
const window = { first: dateValue(Math.round(Date.parse(config.window.start) / 86_400_000)), last: dateValue(Math.round(Date.parse(config.window.end) / 86_400_000)) };
const t = {};
let mark = performance.now();
const lap = (name) => {
  const now = performance.now();
  t[name] = +(now - mark).toFixed(1);
  mark = now;
};

const instance = await DuckDBInstance.create(path.join(dir, config.warehouse.path), settings);
const first = await instance.connect();
lap('openMs');
const names = listValue(tables.map((s) => s.toLowerCase()));
const catalog =
  opt.catalog === 'duckdb_tables'
    ? `SELECT schema_name || '.' || table_name FROM duckdb_tables() WHERE list_contains($names, lower(schema_name || '.' || table_name))`
    : `SELECT table_schema || '.' || table_name FROM information_schema.tables WHERE list_contains($names, lower(table_schema || '.' || table_name))`;
const existing = (await first.runAndReadAll(catalog, { names })).getRows().length;
lap('catalogMs');

let days = 0;
if (opt.present !== 'none') {
  const batch = Number(opt.batch);
  const batches = [];
  for (let i = 0; i < tables.length; i += batch) batches.push(tables.slice(i, i + batch));
  const day = `CAST(CAST(d AS DATE) - ${EPOCH} AS INTEGER)`;
  const select = (table, k) =>
    opt.present === 'islands'
      ? `SELECT ${k} AS k, min(x) AS lo, max(x) AS hi FROM (SELECT x, x - row_number() OVER (ORDER BY x) AS g FROM (SELECT DISTINCT ${day} AS x FROM ${table} WHERE CAST(d AS DATE) BETWEEN $first AND $last)) GROUP BY g`
      : opt.present === 'islands-union'
      ? `SELECT DISTINCT ${k} AS k, ${day} AS x FROM ${table} WHERE CAST(d AS DATE) BETWEEN $first AND $last`
      : opt.present === 'bits'
      ? `SELECT ${k} AS k, bitstring_agg(${day}, ${windowDays.first}, ${windowDays.last}) AS present FROM ${table} WHERE CAST(d AS DATE) BETWEEN $first AND $last`
      : opt.present === 'minmax'
      ? `SELECT ${k} AS k, min(d) AS lo, max(d) AS hi, count(DISTINCT d) AS n FROM ${table} WHERE d BETWEEN $first AND $last`
      : `SELECT ${k} AS k, list(DISTINCT CAST(CAST(d AS DATE) - ${EPOCH} AS INTEGER)) AS days FROM ${table} WHERE CAST(d AS DATE) BETWEEN $first AND $last`;
  if (opt.explain) {
    const sql = `EXPLAIN ANALYZE ${batches[0].map(select).join('\nUNION ALL\n')}`;
    const rows = (await first.runAndReadAll(sql, window)).getRows();
    // DuckDB's own time for the statement (execution), beside the wall time of running it
    t.explainTotalS = Number(/Total Time: ([\d.]+)s/.exec(String(rows[0][1]))?.[1]);
    lap('explainWallMs');
  }
  let next = 0;
  const lane = async () => {
    while (next < batches.length) {
      const mine = batches[next++];
      const connection = await instance.connect();
      const union = mine.map(select).join('\nUNION ALL\n');
      const sql = opt.present === 'islands-union'
        ? `SELECT k, min(x), max(x) FROM (SELECT k, x, x - row_number() OVER (PARTITION BY k ORDER BY x) AS g FROM (${union})) GROUP BY k, g`
        : union;
      const rows = (await connection.runAndReadAll(sql, window)).getRows();
      for (const row of rows) days += opt.present === 'bits' ? (row[1] === null ? 0 : row[1].toString().replaceAll('0', '').length) : opt.present === 'minmax' ? Number(row[3]) : opt.present.startsWith('islands') ? Number(row[2]) - Number(row[1]) + 1 : row[1].items.length;
      connection.closeSync();
    }
  };
  await Promise.all(Array.from({ length: Number(opt.parallel) }, lane));
  lap('presentMs');
}
let groups = 0;
if (opt.writes !== 'none') {
  // groups: as the adapter reads them (a list of days and one of times per target and
  // definition); islands: runs of consecutive days with one definition, as ranges
  // (gaps-and-islands in SQL: what issue 19 item 1 would read)
  const sql =
    opt.writes === 'ranges'
      ? `SELECT target, first_day, last_day, written_at, fingerprint, run_id FROM _dagrun.write_ranges
         WHERE list_contains($targets, target) AND first_day <= $last AND last_day >= $first ORDER BY target, first_day`
      : opt.writes === 'islands'
      ? `SELECT target, fingerprint, min(day), max(day), count(*), max(written_at) FROM (
           SELECT target, fingerprint, day, written_at,
             CAST(day - ${EPOCH} AS INTEGER) - row_number() OVER (PARTITION BY target, fingerprint ORDER BY day) AS island
           FROM _dagrun.writes WHERE list_contains($targets, target) AND day BETWEEN $first AND $last)
         GROUP BY target, fingerprint, island`
      : `SELECT target, fingerprint, list(CAST(day - ${EPOCH} AS INTEGER)), list(written_at), max(run_id) FROM _dagrun.writes
         WHERE list_contains($targets, target) AND day BETWEEN $first AND $last GROUP BY target, fingerprint`;
  const rows = await first.runAndReadAll(sql, { targets: listValue(tables.map((s) => s.split('.')[1])), ...window });
  groups = rows.getRows().length;
  lap('writesMs');
}
if (opt.checks) {
  // a count(*) of every tenth table (c)'s checks) as scalar subqueries of one row, as
  // checksInOneRow, `checks` of them per statement (DuckDB refuses 1000: its expression depth
  // limit), or `checks=each`: a statement per check, the adapter's fallback
  const checked = tables.filter((_, i) => i % 10 === 5);
  const size = opt.checks === 'each' ? 1 : Number(opt.checks);
  for (let i = 0; i < checked.length; i += size) {
    await first.runAndReadAll(`SELECT ${checked.slice(i, i + size).map((table) => `(SELECT count(*) FROM ${table})`).join(', ')}`);
  }
  t.checks = checked.length;
  lap('checksMs');
}
if (opt.sizes) {
  // the catalog's row count of every table, no scan
  const rows = (await first.runAndReadAll(`SELECT schema_name, table_name, estimated_size FROM duckdb_tables() WHERE schema_name = 'ds'`)).getRows();
  t.sizesRows = rows.length;
  lap('sizesMs');
}
first.closeSync();
instance.closeSync();
lap('closeMs');
console.log(JSON.stringify({ ...opt, existing, days, groups, ...t, maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024) }));
