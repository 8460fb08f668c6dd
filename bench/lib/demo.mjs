/**
 * A copy of the repository's demo pipeline in a temp folder (dag.json5, targets/, data/,
 * scripts/demo, node_modules linked), built once with the real CLI and DuckDB. Later
 * benchmarks copy its warehouse file rather than building again.
 */
import { cpSync, existsSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CLI, ROOT, tempDir } from './project.mjs';
import { runChecked } from './timing.mjs';

/** Copies the demo sources into a new temp folder; returns it. */
export function copyDemo(label = 'demo') {
  const dir = tempDir(label);
  for (const part of ['dag.json5', 'targets', 'data', 'scripts/demo']) cpSync(path.join(ROOT, part), path.join(dir, part), { recursive: true });
  writeFileSync(path.join(dir, 'package.json'), readFileSync(path.join(ROOT, 'package.json')));
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  return dir;
}

/** The warehouse file of a demo copy. */
export function demoWarehouse(dir) {
  return path.join(dir, '.dagrun/warehouse.duckdb');
}

/** Builds the demo copy; returns the wall time in ms. */
export function buildDemo(dir) {
  const started = performance.now();
  runChecked(['node', CLI, 'ml_feature_store_v2'], { cwd: dir });
  if (!existsSync(demoWarehouse(dir))) throw new Error(`the demo build left no warehouse in ${dir}`);
  return performance.now() - started;
}
