/**
 * Generated pipelines in temp folders: writing the files, preparing their DuckDB warehouse,
 * and the paths of the built CLI.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** The built CLI launcher. */
export const CLI = path.join(ROOT, 'bin/dagrun.js');
/** The compiled modules (for in-process benchmarks). */
export const DIST = path.join(ROOT, 'dist');

const made = [];

/** A fresh temp folder for one benchmark; `removeTempDirs()` deletes them all. */
export function tempDir(label) {
  const dir = mkdtempSync(path.join(os.tmpdir(), `dagrun-bench-${label}-`));
  made.push(dir);
  return dir;
}

/** Deletes every folder `tempDir` made in this process (links such as node_modules are removed, not followed). */
export function removeTempDirs() {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** Writes `files` (relative path → text or JSON-able value) under `dir`. */
export function writeProject(dir, files) {
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(dir, name);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  }
  return dir;
}

/** ISO date `n` days after `start`. */
export function addDaysIso(start, n) {
  const d = new Date(`${start}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** Runs SQL statements against a DuckDB file (creating it), then closes it. */
export async function duckdbExec(file, statements) {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  mkdirSync(path.dirname(file), { recursive: true });
  const instance = await DuckDBInstance.create(file);
  const connection = await instance.connect();
  const results = [];
  try {
    for (const sql of statements) results.push((await connection.runAndReadAll(sql)).getRows());
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
  return results;
}
