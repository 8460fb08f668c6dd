// Shared helpers for the demo's raw "scraper" scripts (command targets).
//
// Contract (set by dagrun): DAGRUN_START / DAGRUN_END (ISO dates, inclusive), DAGRUN_DATES
// (comma-separated ISO dates to build; may be scattered), DAGRUN_TARGET, DAGRUN_RUN_ID and
// DAGRUN_WAREHOUSE = {"type":"duckdb","path":"/abs/.dagrun/warehouse.duckdb"}.
// Each script replaces exactly the dates it is given, in one transaction (idempotent).
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
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

/** Opens the DuckDB warehouse named by DAGRUN_WAREHOUSE: { con, close }. */
export async function openWarehouse(env = process.env) {
  let wh;
  try {
    wh = JSON.parse(env.DAGRUN_WAREHOUSE ?? '');
  } catch {
    fail(`DAGRUN_WAREHOUSE must be JSON like {"type":"duckdb","path":"..."}, got ${JSON.stringify(env.DAGRUN_WAREHOUSE)}`);
  }
  if (wh?.type !== 'duckdb' || typeof wh.path !== 'string') fail('the demo scripts need a duckdb warehouse with a path');
  try {
    mkdirSync(dirname(wh.path), { recursive: true });
    const instance = await DuckDBInstance.create(wh.path);
    const con = await instance.connect();
    return { con, close: () => { con.closeSync(); instance.closeSync(); } };
  } catch (err) {
    console.error(`${process.env.DAGRUN_TARGET ?? 'demo'}: cannot open ${wh.path}: ${err.message}`);
    process.exit(1);
  }
}

/** SQL for a one-column temp table `build_dates(game_date DATE)` holding the given (validated) dates. */
export function buildDatesTable(dates) {
  const values = dates.length ? dates.map((d) => `(DATE '${d}')`).join(',') : '(NULL::DATE)';
  return `CREATE OR REPLACE TEMP TABLE build_dates AS SELECT * FROM (VALUES ${values}) v(game_date) WHERE game_date IS NOT NULL`;
}

/**
 * Replaces the given dates of `table` with the rows of `selectSql` (which may read build_dates),
 * in one transaction. `ddl` is the CREATE TABLE IF NOT EXISTS statement.
 */
export async function replaceDates({ table, ddl, selectSql, dates, setup = [] }) {
  const t0 = Date.now();
  const { con, close } = await openWarehouse();
  try {
    await con.run(buildDatesTable(dates));
    for (const sql of setup) await con.run(sql);
    await con.run('BEGIN TRANSACTION');
    await con.run(`CREATE SCHEMA IF NOT EXISTS ${table.split('.')[0]}`);
    await con.run(ddl);
    await con.run(`DELETE FROM ${table} WHERE game_date IN (SELECT game_date FROM build_dates)`);
    await con.run(`INSERT INTO ${table} ${selectSql}`);
    const n = (await con.runAndReadAll(`SELECT count(*)::INTEGER FROM ${table} WHERE game_date IN (SELECT game_date FROM build_dates)`)).getRows()[0][0];
    await con.run('COMMIT');
    console.log(`${table}: ${dates.length} date${dates.length === 1 ? '' : 's'} (${dates[0] ?? '-'} .. ${dates.at(-1) ?? '-'}), ${n} rows, ${Date.now() - t0} ms`);
  } catch (err) {
    await con.run('ROLLBACK').catch(() => {});
    console.error(`${table}: ${err.message}`);
    process.exitCode = 1;
  } finally {
    close();
  }
}
