// Shared helpers for the demo's raw "scraper" scripts (command targets).
//
// Contract (set by dagrun): DAGRUN_START / DAGRUN_END (ISO dates, inclusive), DAGRUN_DATES
// (comma-separated ISO dates to build; may be scattered), DAGRUN_TARGET, DAGRUN_RUN_ID and
// DAGRUN_OUTPUT (the file to write the rows of exactly those dates to; dagrun loads it).
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';

const ISO = /^\d{4}-\d{2}-\d{2}$/;

export function fail(message) {
  console.error(`${process.env.DAGRUN_TARGET ?? 'demo'}: ${message}`);
  process.exit(2);
}

function isoDate(name, value) {
  if (!ISO.test(value ?? '')) fail(`${name} must be an ISO date (YYYY-MM-DD), got ${JSON.stringify(value)}`);
  if (new Date(`${value}T00:00:00Z`).toISOString().slice(0, 10) !== value) fail(`${name}: ${value} is not a calendar date`);
  return value;
}

/** The dates to build: DAGRUN_DATES, or every day of DAGRUN_START..DAGRUN_END when it is unset. */
export function buildDates(env = process.env) {
  const start = isoDate('DAGRUN_START', env.DAGRUN_START);
  const end = isoDate('DAGRUN_END', env.DAGRUN_END);
  if (start > end) fail(`DAGRUN_START ${start} is after DAGRUN_END ${end}`);
  let dates;
  if (env.DAGRUN_DATES === undefined) {
    dates = [];
    for (let d = new Date(`${start}T00:00:00Z`); d.toISOString().slice(0, 10) <= end; d.setUTCDate(d.getUTCDate() + 1)) {
      dates.push(d.toISOString().slice(0, 10));
    }
  } else {
    dates = env.DAGRUN_DATES.split(',').map((s) => s.trim()).filter(Boolean).map((d) => isoDate('DAGRUN_DATES', d));
    const outside = dates.find((d) => d < start || d > end);
    if (outside) fail(`DAGRUN_DATES contains ${outside}, outside ${start}..${end}`);
  }
  return [...new Set(dates)].sort();
}

const SCHEDULE_CSV = fileURLToPath(new URL('../../data/schedule.csv', import.meta.url));

/** SQL for a one-column temp table `build_dates(game_date DATE)` holding the given (validated) dates. */
export function buildDatesTable(dates) {
  const values = dates.length ? dates.map((d) => `(DATE '${d}')`).join(',') : '(NULL::DATE)';
  return `CREATE OR REPLACE TEMP TABLE build_dates AS SELECT * FROM (VALUES ${values}) v(game_date) WHERE game_date IS NOT NULL`;
}

const quote = (text) => `'${text.replace(/'/g, "''")}'`;

/**
 * Computes the rows of the given dates and hands them to dagrun: `selectSql` (which may read
 * build_dates and nba_raw.schedule) fills `table` as declared by `ddl` in an in-memory DuckDB,
 * and the result goes to the Parquet file named by DAGRUN_OUTPUT. The warehouse itself is
 * never opened: dagrun loads the file, replacing exactly these dates, in one transaction with
 * its write records, so any number of these processes can run at once.
 */
export async function writeRows({ table, ddl, selectSql, dates, setup = [] }) {
  const t0 = Date.now();
  const output = process.env.DAGRUN_OUTPUT;
  if (!output) fail('DAGRUN_OUTPUT is not set: this processor hands its rows to dagrun (build.output: "parquet")');
  const instance = await DuckDBInstance.create(':memory:');
  const con = await instance.connect();
  try {
    // the schedule the scrapers would fetch: the shipped CSV, as nba_raw.schedule
    await con.run('CREATE SCHEMA nba_raw');
    await con.run(`CREATE TABLE nba_raw.schedule AS SELECT * FROM read_csv(${quote(SCHEDULE_CSV)}, header = true, columns = {
      'game_id': 'VARCHAR', 'season': 'VARCHAR', 'game_date': 'DATE', 'home_team': 'VARCHAR', 'away_team': 'VARCHAR'})`);
    await con.run(buildDatesTable(dates));
    for (const sql of setup) await con.run(sql);
    if (table !== 'nba_raw.schedule') await con.run(ddl);
    await con.run(`INSERT INTO ${table} ${selectSql}`);
    const n = (await con.runAndReadAll(`SELECT count(*)::INTEGER FROM ${table}`)).getRows()[0][0];
    await con.run(`COPY ${table} TO ${quote(output)} (FORMAT parquet)`);
    console.log(`${table}: ${dates.length} date${dates.length === 1 ? '' : 's'} (${dates[0] ?? '-'} .. ${dates.at(-1) ?? '-'}), ${n} rows, ${Date.now() - t0} ms`);
  } catch (err) {
    console.error(`${table}: ${err.message}`);
    process.exitCode = 1;
  } finally {
    con.closeSync();
    instance.closeSync();
  }
}
