/**
 * (i) The first write of a process on a file of per-date write records: every date of each
 * target written by a range of its own (its own write time, as `ranges: 'per-date'` leaves
 * them), then the last 3 dates of each rebuilt (a nightly run), or all of them in one range. The next process's first write
 * folds what those hide (`foldHiddenRows`, src/warehouse/duckdb-writes.ts): ~0.6 µs a row since
 * 8a677f8 (a self-join of each target's rows took ~20 µs before). Real DuckDB, dagrun's adapter
 * from dist/, in this process.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from './lib/project.mjs';

const FIRST_DAY = 18_262; // 2020-01-01

/**
 * Milliseconds of the folding first write over `targets` × `days` per-date rows (median of
 * `runs` files), after a `rebuild` of each target's last 3 dates ('nightly') or of all of them
 * in one range ('full': every per-date row is hidden and deleted).
 */
export async function benchFold(targets, days, { runs = 1, rebuild = 'nightly' } = {}) {
  const { DuckDbWarehouse } = await import(pathToFileURL(path.join(ROOT, 'dist/warehouse/duckdb.js')).href);
  const times = [];
  for (let run = 0; run < runs; run++) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'dagrun-bench-fold-'));
    const file = path.join(dir, 'w.duckdb');
    const open = () => new DuckDbWarehouse({ path: file, searchPath: dir });
    try {
      let warehouse = open();
      const perDate = [];
      for (let t = 0; t < targets; t++) for (let d = 0; d < days; d++) perDate.push({ target: `t${t}`, days: [FIRST_DAY + d], writtenAt: 1000 + d, fingerprint: 'f', runId: 'r1' });
      await warehouse.recordWrites(perDate);
      await warehouse.close();
      warehouse = open();
      const rebuilt = rebuild === 'full' ? Array.from({ length: days }, (_, d) => FIRST_DAY + d) : [FIRST_DAY + days - 3, FIRST_DAY + days - 2, FIRST_DAY + days - 1];
      await warehouse.recordWrites(Array.from({ length: targets }, (_, t) => ({ target: `t${t}`, days: rebuilt, writtenAt: 9000, fingerprint: 'f', runId: 'r2' })));
      await warehouse.close();
      warehouse = open();
      const started = performance.now();
      await warehouse.recordWrites([{ target: 'another', days: [FIRST_DAY], writtenAt: 9999, fingerprint: 'f', runId: 'r3' }]);
      times.push(performance.now() - started);
      await warehouse.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  times.sort((a, b) => a - b);
  return { targets, days, rebuild, rows: targets * days, ms: times[times.length >> 1] };
}
