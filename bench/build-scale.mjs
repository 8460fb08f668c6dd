/**
 * (h) A first build of many small targets on a real DuckDB file: `count` SQL targets of one
 * date each, every target after the one ten before it (chains ten wide), -j 8. What grows with
 * the number of targets shows as milliseconds per target growing: before issue 19's fixes each
 * gate scanned the whole catalog and the plan scanned every target per range (3,000 targets
 * took 66.8 s, 22 ms a target, against 11 ms at 500).
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { CLI, tempDir, writeProject } from './lib/project.mjs';
import { timeChild } from './status-duckdb.mjs';

/** The pipeline of `count` one-date SQL targets, in a new temp folder. */
export function makeBuildScaleProject(count) {
  const dir = tempDir(`build-scale-${count}`);
  const files = {
    'dag.json5': {
      warehouse: { type: 'duckdb', path: '.dagrun/warehouse.duckdb' },
      window: { start: '2024-01-01', end: '2024-01-01' },
      calendar: { every: 'day' },
      defaults: { dateColumn: 'd', threshold: 1 },
      concurrency: 8,
      targets: ['targets/*.json5'],
    },
  };
  for (let i = 0; i < count; i++) {
    const name = `t${String(i).padStart(5, '0')}`;
    const deps = i >= 10 ? [`t${String(i - 10).padStart(5, '0')}`] : [];
    files[`targets/${name}.json5`] = { table: `s.${name}`, deps, build: { sql: `${name}.sql` } };
    files[`targets/${name}.sql`] =
      `CREATE SCHEMA IF NOT EXISTS s; CREATE TABLE IF NOT EXISTS s.${name} (d DATE);\n` +
      `DELETE FROM s.${name} WHERE d IN (SELECT unnest(@dates)); INSERT INTO s.${name} SELECT unnest(@dates);\n`;
  }
  writeProject(dir, files);
  return dir;
}

/** Times one first build (from no warehouse) of `count` targets; the folder is removed after. */
export function benchBuildScale(count) {
  const dir = makeBuildScaleProject(count);
  try {
    const timed = timeChild(['node', CLI], { cwd: dir, okCodes: [0] });
    return { count, ...timed, msPerTarget: timed.wallMs / count };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
