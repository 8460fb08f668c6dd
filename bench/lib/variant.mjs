/**
 * Variant builds: a copy of dist/ in a temp folder with textual patches applied, so that a
 * proposed change to a file the benchmark does not own can be measured before anyone makes
 * it. Every patch must match exactly once, so a variant fails loudly when the code moved on
 * (then update or drop the patch: the change may have landed).
 */
import { cpSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DIST, ROOT, tempDir } from './project.mjs';

/** The patches of each proposed change, by name. Files are relative to dist/. */
const LAZY = (name, file) => ({
  file: 'cli/main.js',
  from: `import { ${name} } from './commands/${file}';`,
  to: `const ${name} = async (...args) => (await import('./commands/${file}')).${name}(...args);`,
});

export const PROPOSALS = {
  /**
   * duckdb.ts recordWrites: one INSERT for all the write records of a flush (parallel lists,
   * unnested), not one per batch: a 1000-range target's gate spent ~2.5 s in 1000 statements.
   */
  oneStatementWrites: [
    {
      file: 'warehouse/duckdb.js',
      from: `                    for (const batch of batches) {
                        await connection.run(\`INSERT OR REPLACE INTO _dagrun.writes SELECT $target, unnest($days), $at, $fingerprint, $run\`, { target: batch.target, days: dayList(batch.days), at: batch.writtenAt, fingerprint: batch.fingerprint, run: batch.runId });
                    }`,
      to: `                    const rows = new Map();
                    for (const batch of batches) for (const day of batch.days) rows.set(\`\${batch.target}\\0\${day}\`, [batch, day]);
                    const all = [...rows.values()];
                    await connection.run(\`INSERT OR REPLACE INTO _dagrun.writes SELECT unnest($targets), unnest($days), unnest($ats), unnest($fingerprints), unnest($runs)\`, { targets: listValue(all.map(([b]) => b.target)), days: dayList(all.map(([, d]) => d)), ats: listValue(all.map(([b]) => b.writtenAt)), fingerprints: listValue(all.map(([b]) => b.fingerprint)), runs: listValue(all.map(([b]) => b.runId)) });`,
    },
  ],
  /** main.ts + warehouse/open.ts: load each command's module, and DuckDB, only when that command runs. */
  lazyImports: [
    LAZY('runCommand', 'run.js'),
    LAZY('statusCommand', 'status.js'),
    LAZY('statusHtmlCommand', 'report.js'),
    LAZY('checkCommand', 'check.js'),
    { file: 'cli/main.js', from: "import { watchCommand, withoutWatchOptions } from './commands/watch.js';", to: '' },
    {
      file: 'cli/main.js',
      from: 'code = await watchCommand({ config: args.config, buildArgs: withoutWatchOptions(argv), debounceMs: args.debounce }, out);',
      to: "{ const w = await import('./commands/watch.js'); code = await w.watchCommand({ config: args.config, buildArgs: w.withoutWatchOptions(argv), debounceMs: args.debounce }, out); }",
    },
    { file: 'warehouse/open.js', from: "import { DuckDbWarehouse } from './duckdb.js';", to: '' },
    { file: 'warehouse/open.js', from: 'new DuckDbWarehouse(', to: "new (await import('./duckdb.js')).DuckDbWarehouse(" },
  ],
  /** duckdb.ts readWrites: one row per written batch (its days as a list), not one per day: far fewer strings to decode. */
  groupedWrites: [
    {
      file: 'warehouse/duckdb.js',
      from: "`SELECT target, CAST(day - ${EPOCH} AS INTEGER), written_at, fingerprint, run_id FROM _dagrun.writes\n         WHERE list_contains($targets, target) AND day BETWEEN $first AND $last`",
      to: "`SELECT target, list(CAST(day - ${EPOCH} AS INTEGER)), written_at, fingerprint, run_id FROM _dagrun.writes\n         WHERE list_contains($targets, target) AND day BETWEEN $first AND $last GROUP BY target, written_at, fingerprint, run_id`",
    },
    {
      file: 'warehouse/duckdb.js',
      from: `            return reader.getRows().map((row) => ({
                target: String(row[0]),
                day: Number(row[1]),
                writtenAt: Number(row[2]),
                fingerprint: String(row[3]),
                runId: String(row[4]),
            }));`,
      to: `            return reader.getRows().flatMap((row) => {
                const target = String(row[0]), writtenAt = Number(row[2]), fingerprint = String(row[3]), runId = String(row[4]);
                return row[1].items.map((day) => ({ target, day: Number(day), writtenAt, fingerprint, runId }));
            });`,
    },
  ],
};

/**
 * Builds a variant with the named proposals applied; returns the path of its CLI launcher.
 * node_modules is linked, not copied.
 */
export function makeVariant(label, proposalNames) {
  const dir = tempDir(`variant-${label}`);
  cpSync(DIST, path.join(dir, 'dist'), { recursive: true });
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  writeFileSync(path.join(dir, 'package.json'), readFileSync(path.join(ROOT, 'package.json')));
  mkdirSync(path.join(dir, 'bin'));
  writeFileSync(path.join(dir, 'bin/dagrun.js'), readFileSync(path.join(ROOT, 'bin/dagrun.js')));
  for (const name of proposalNames) {
    for (const patch of PROPOSALS[name]) {
      const file = path.join(dir, 'dist', patch.file);
      const text = readFileSync(file, 'utf8');
      const count = text.split(patch.from).length - 1;
      if (count !== 1) throw new Error(`variant ${label}: patch "${name}" matches ${count} times in dist/${patch.file} (the code changed; update bench/lib/variant.mjs)`);
      writeFileSync(file, text.replace(patch.from, patch.to));
    }
  }
  return path.join(dir, 'bin/dagrun.js');
}
