/**
 * (g) `--status` and `-n` of big pipelines on a **real DuckDB file**, beside the in-memory
 * figure of the same shape (bench/status-big.mjs) and beside floors: Node with DuckDB loaded,
 * the same with the file opened, and the adapter's own reads alone (what the warehouse must
 * answer, without dagrun's config, assessment and rendering around it).
 *
 *   node bench/status-duckdb.mjs make <targets> <days> [per-date|range-per-date]   generates (or reuses) the pipeline; prints its folder
 *   node bench/status-duckdb.mjs reads <dir>                        one cold pass of the adapter's reads; prints JSON
 *
 * The pipeline is bench/status-big.mjs's shape (the same targets, deps, groups, checks and
 * holes), with its warehouse made real: one table `ds.tNNNN (d DATE)` per target holding
 * every date the in-memory warehouse serves, and the write records of every target-date with
 * the same times and the current fingerprints, as builds by dagrun would leave them: in
 * `_dagrun.write_ranges`, one row per run of consecutive dates (one per target, ten per year
 * for the holed ones), or with `per-date` as dagrun wrote them before ranges, one row per
 * target-date in the table `_dagrun.writes` (what a warehouse of an older dagrun holds, read
 * as it is until the first build turns it into ranges), or with `range-per-date` one row of
 * `_dagrun.write_ranges` per target-date, each date its own time (what per-date builds leave). Generating takes one DuckDB session
 * (10,000 × 365: ~30 s); the folder is kept under `$TMPDIR/dagrun-bench-cache/` and reused
 * while dagrun's fingerprints of it are unchanged (`rm -r` it to start over). Its file is
 * large: 10,000 tables are 2.7 GB.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { makeBigProject, START } from './status-big.mjs';
import { CLI, DIST, ROOT } from './lib/project.mjs';
import { median } from './lib/timing.mjs';

/** Where generated warehouses are kept between runs of the bench. */
export const CACHE = path.join(os.tmpdir(), 'dagrun-bench-cache');
/** Bump when the generated data changes shape (per-date folders keep 1: they are what older benches made). */
const GENERATOR = { ranges: 3, 'per-date': 1, 'range-per-date': 1 };
/** The cache folder of each layout. */
const FOLDER = { ranges: 'status-ranges', 'per-date': 'status', 'range-per-date': 'status-range-per-date' };
const WAREHOUSE = '.dagrun/warehouse.duckdb';

const load = (file) => import(pathToFileURL(path.join(DIST, file)).href);

/** The current fingerprints of the pipeline in `dir`, per target, and a digest of them all. */
async function fingerprintsOf(dir) {
  const { openSession } = await load('run/session.js');
  const { fingerprintAll } = await load('freshness/fingerprint.js');
  const session = openSession({ config: path.join(dir, 'dag.json5'), targets: [], now: '2026-01-01T00:00:00Z' });
  const fingerprints = fingerprintAll(session.config);
  const digest = createHash('sha1').update(JSON.stringify([...fingerprints].sort())).digest('hex');
  return { session, fingerprints, digest };
}

/**
 * The pipeline folder of `count` targets × `days` dates with its DuckDB warehouse, generated
 * unless the cache holds one that matches. Returns `{ dir, generatedMs }` (0 when reused).
 */
export async function prepareDuckdbPipeline(count, days, { log = () => undefined, layout = 'ranges' } = {}) {
  const dir = path.join(CACHE, `${FOLDER[layout]}-${count}x${days}`);
  const stamp = path.join(dir, 'generated.json');
  if (existsSync(stamp)) {
    const { digest } = await fingerprintsOf(dir);
    const saved = JSON.parse(readFileSync(stamp, 'utf8'));
    if (saved.generator === GENERATOR[layout] && saved.digest === digest) return { dir, generatedMs: 0 };
    log(`  ${dir}: fingerprints changed, generating again\n`);
  }
  const started = performance.now();
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  makeBigProject(dir, count, days, { warehousePath: WAREHOUSE });
  // in a child process: the generator's DuckDB memory is not this process's
  const out = spawnSync(process.execPath, [path.join(ROOT, 'bench/status-duckdb.mjs'), 'fill', dir, layout], { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
  if (out.status !== 0) throw new Error(`generating ${dir} failed (exit ${out.status})`);
  const generatedMs = performance.now() - started;
  writeFileSync(stamp, JSON.stringify({ generator: GENERATOR[layout], digest: JSON.parse(out.stdout).digest, count, days, generatedMs }));
  return { dir, generatedMs };
}

/**
 * Fills the warehouse of a generated pipeline: the tables in one transaction (every date of
 * the window, but every tenth date missing where bench/status-big.mjs's warehouse has holes),
 * then the write records in one statement, one per target-date; for the `ranges` layout,
 * dagrun's own `prepareWriteRanges` then turns them into ranges, as it does to an older file.
 */
async function fill(dir, layout) {
  const { session, fingerprints, digest } = await fingerprintsOf(dir);
  const names = [...session.config.targets.keys()].sort();
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const file = path.join(dir, WAREHOUSE);
  mkdirSync(path.dirname(file), { recursive: true });
  const instance = await DuckDBInstance.create(file);
  const connection = await instance.connect();
  const days = session.window.last - session.window.first + 1;
  const t0 = performance.now();
  await connection.run('CREATE SCHEMA ds');
  await connection.run('BEGIN TRANSACTION');
  const holed = (index, name) => index % 20 === 7 && !session.config.targets.get(name).source;
  for (const [index, name] of names.entries()) {
    // d % 10 = 0 in epoch days: the memory warehouse's holes
    const where = holed(index, name) ? `WHERE (${session.window.first} + x) % 10 <> 0` : '';
    await connection.run(`CREATE TABLE ${session.config.targets.get(name).table} AS SELECT DATE '${START}' + CAST(x AS INTEGER) AS d FROM range(${days}) t(x) ${where}`);
  }
  await connection.run('COMMIT');
  const t1 = performance.now();
  // the write records: dagrun's own table, filled in one statement (through the adapter's
  // recordWrites it took 37 s for 1000 × 1500); a changed layout fails here, loudly
  const { CREATE_LEGACY_WRITES_TABLE, prepareWriteRanges } = await load('warehouse/duckdb-writes.js');
  await connection.run('CREATE SCHEMA IF NOT EXISTS _dagrun');
  await connection.run(CREATE_LEGACY_WRITES_TABLE);
  const base = Date.UTC(2024, 0, 1);
  const { listValue } = await import('@duckdb/node-api');
  await connection.run(
    `INSERT INTO _dagrun.writes (target, day, written_at, fingerprint, run_id)
     SELECT target, DATE '${START}' + CAST(x AS INTEGER), written_at + x * $step, fingerprint, 'r1'
     FROM (SELECT unnest($targets) AS target, unnest($fingerprints) AS fingerprint, unnest($ats) AS written_at, unnest($holed) AS holed), range(${days}) t(x)
     WHERE NOT holed OR (${session.window.first} + x) % 10 <> 0
     ORDER BY target, x`,
    {
      targets: listValue(names),
      fingerprints: listValue(names.map((n) => fingerprints.get(n))),
      // upstream written before downstream (index order is a topological order), except a few
      ats: listValue(names.map((_, index) => (index % 97 === 3 ? base - 1 : base + index * 1000) + 0.5)),
      // range-per-date: every date its own write (a microsecond apart), as per-date builds leave them
      step: layout === 'range-per-date' ? 0.001 : 0,
      holed: listValue(names.map((name, index) => holed(index, name))),
    },
  );
  if (layout !== 'per-date') await prepareWriteRanges(connection);
  await connection.run('CHECKPOINT');
  connection.closeSync();
  instance.closeSync();
  process.stderr.write(`  generated ${dir}: ${names.length} tables in ${((t1 - t0) / 1000).toFixed(1)} s, write records in ${((performance.now() - t1) / 1000).toFixed(1)} s\n`);
  console.log(JSON.stringify({ digest }));
}

/** One cold pass of the adapter's reads of a status run (tables, present dates, write records), as dagrun asks them. */
async function reads(dir) {
  const t0 = performance.now();
  const { openSession } = await load('run/session.js');
  const { DuckDbWarehouse } = await load('warehouse/duckdb.js');
  const session = openSession({ config: path.join(dir, 'dag.json5'), targets: [], now: '2026-01-01T00:00:00Z' });
  const probes = [...session.config.targets.values()].map((t) => ({ table: t.table, dateColumn: t.dateColumn }));
  const names = [...session.config.targets.keys()];
  const warehouse = new DuckDbWarehouse({ path: path.join(dir, WAREHOUSE), searchPath: dir });
  const t1 = performance.now();
  await warehouse.open();
  const t2 = performance.now();
  const present = await warehouse.presentRanges(probes, session.window);
  const t3 = performance.now();
  const writes = await warehouse.readWriteRanges(names, session.window);
  const t4 = performance.now();
  await warehouse.close();
  let [days, ranges] = [0, 0];
  for (const p of present.values()) for (const r of p.ranges) [days, ranges] = [days + r.last - r.first + 1, ranges + 1];
  return { setupMs: t1 - t0, openMs: t2 - t1, presentMs: t3 - t2, writesMs: t4 - t3, days, ranges, writeRanges: writes.length, maxRssMb: process.resourceUsage().maxRSS / 1024 };
}

/**
 * Runs `argv` in `cwd` under /usr/bin/time; returns wall ms, peak RSS MB, CPU ms of the child.
 * Throws on an exit code outside `okCodes`.
 */
export function timeChild(argv, { cwd, okCodes = [0, 1], env } = {}) {
  const result = spawnSync('/usr/bin/time', ['-f', '@@time %e %M %U %S', ...argv], {
    cwd, env: { ...process.env, CI: '1', ...env }, encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 64 * 1024 * 1024,
  });
  const line = result.stderr.split('\n').find((l) => l.startsWith('@@time '));
  if (!line || !okCodes.includes(result.status)) throw new Error(`${argv.join(' ')} exited ${result.status} in ${cwd}:\n${result.stderr.slice(-2000)}`);
  const [wall, rssKb, user, sys] = line.slice(7).split(' ').map(Number);
  return { wallMs: wall * 1000, rssMb: rssKb / 1024, cpuMs: (user + sys) * 1000 };
}

/** Median and range of `runs` timed runs after `warmup` untimed ones. */
export function timeRuns(argv, { cwd, runs, okCodes, env, warmup = 1 }) {
  for (let i = 0; i < warmup; i++) timeChild(argv, { cwd, okCodes, env });
  const all = Array.from({ length: runs }, () => timeChild(argv, { cwd, okCodes, env }));
  const summary = (key) => ({ median: median(all.map((r) => r[key])), min: Math.min(...all.map((r) => r[key])), max: Math.max(...all.map((r) => r[key])) });
  return { wallMs: summary('wallMs'), rssMb: summary('rssMb'), cpuMs: summary('cpuMs') };
}

/** The commands measured for one shape, and their floors. */
export function duckdbCommands(dir) {
  const self = path.join(ROOT, 'bench/status-duckdb.mjs');
  const api = path.join(ROOT, 'node_modules/@duckdb/node-api');
  return {
    status: ['node', CLI, '--status'],
    dryRun: ['node', CLI, '-n'],
    nodeDuckdb: ['node', '-e', `require(${JSON.stringify(api)})`],
    nodeDuckdbOpen: ['node', '-e', `require(${JSON.stringify(api)}).DuckDBInstance.create(${JSON.stringify(path.join(dir, WAREHOUSE))}).then(async (i) => { (await i.connect()).closeSync(); i.closeSync(); })`],
    reads: ['node', self, 'reads', dir],
  };
}

const [mode, arg1, arg2, arg3] = process.argv.slice(2);
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const layoutOf = (name) => (Object.hasOwn(FOLDER, name ?? '') ? name : 'ranges');
  if (mode === 'make') console.log((await prepareDuckdbPipeline(Number(arg1), Number(arg2), { log: (s) => process.stderr.write(s), layout: layoutOf(arg3) })).dir);
  else if (mode === 'fill') await fill(arg1, layoutOf(arg2));
  else if (mode === 'reads') console.log(JSON.stringify(await reads(arg1)));
  else throw new Error(`usage: status-duckdb.mjs make <targets> <days> [per-date|range-per-date] | reads <dir> (got ${process.argv.slice(2).join(' ')})`);
}
