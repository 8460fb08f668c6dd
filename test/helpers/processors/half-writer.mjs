#!/usr/bin/env node
// A command that writes its table itself, badly: for each date it handed over it deletes the
// date and inserts ROWS rows in two transactions, with HOLD_MS between them and a marker file
// `$FAULT_DIR/<date>.half` once the first half is in. Killed between the two, it leaves a
// half-written date that looks present: what dagrun must never trust. Rows carry VERSION.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

const rows = Number(process.env.ROWS ?? 4);
const hold = Number(process.env.HOLD_MS ?? 0);
const version = Number(process.env.VERSION ?? 1);
const dir = process.env.FAULT_DIR;
mkdirSync(dir, { recursive: true });
const { path: file } = JSON.parse(process.env.DAGRUN_WAREHOUSE);
const instance = await DuckDBInstance.create(file);
const c = await instance.connect();
await c.run('CREATE SCHEMA IF NOT EXISTS s; CREATE TABLE IF NOT EXISTS s.d (d DATE, version INTEGER, k INTEGER)');
const insert = (date, from, to) =>
  c.run(`INSERT INTO s.d SELECT DATE '${date}', ${version}, k FROM range(${from}, ${to}) t(k)`);
for (const date of process.env.DAGRUN_DATES.split(',')) {
  await c.run(`BEGIN; DELETE FROM s.d WHERE d = DATE '${date}'`);
  await insert(date, 0, rows / 2);
  await c.run('COMMIT');
  writeFileSync(path.join(dir, `${date}.half`), String(process.pid));
  await new Promise((resolve) => setTimeout(resolve, hold));
  await insert(date, rows / 2, rows);
}
c.closeSync();
instance.closeSync();
