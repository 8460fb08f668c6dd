/**
 * (d) the demo with real DuckDB: no-op build and --status, Node start-up included, and the
 * import cost of each heavy module; (e) scattered holes: repair vs full rebuild of two
 * analytics tables; (f) warehouse round trips of a status run, counted at the DuckDB
 * connection.
 */
import { copyFileSync, existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildDemo, copyDemo, demoWarehouse } from './lib/demo.mjs';
import { CLI, DIST, ROOT, duckdbExec } from './lib/project.mjs';
import { median, runChecked, timeCommand } from './lib/timing.mjs';
import { optimalSchedule } from './lib/optimal-schedule.mjs';
import { lowerBound } from './schedule.mjs';
import { timeChild } from './status-duckdb.mjs';

/** Builds a demo copy; returns its folder, the build time, and the build's makespan against its bound. */
export async function prepareDemo() {
  const dir = copyDemo('demo');
  const buildMs = buildDemo(dir);
  return { dir, buildMs, first: { wallMs: buildMs, ...(await demoBound(dir)) } };
}

/**
 * The lower bound of the demo's latest build (bench/schedule.mjs `lowerBound`), from the
 * durations its own ranges took (`.dagrun/runs/<latest>/run.json`) and the pipeline's limits:
 * no schedule of those ranges within -j, the groups and each target's `parallel` ends sooner.
 * The durations were measured inside that run, slowed by what ran beside them.
 */
export async function demoBound(dir) {
  const runsDir = path.join(dir, '.dagrun/runs');
  const latest = readdirSync(runsDir).filter((n) => existsSync(path.join(runsDir, n, 'run.json'))).sort().at(-1);
  const record = JSON.parse(readFileSync(path.join(runsDir, latest, 'run.json'), 'utf8'));
  const { openSession } = await import(pathToFileURL(path.join(DIST, 'run/session.js')).href);
  const { config } = openSession({ config: path.join(dir, 'dag.json5'), targets: [] });
  const built = new Map(record.outcomes.filter((o) => o.ranges?.length).map((o) => [o.target, o]));
  const targets = {};
  for (const [name, outcome] of built) {
    const target = config.targets.get(name);
    targets[name] = {
      deps: target.deps.map((d) => d.target).filter((d) => built.has(d)),
      group: target.group,
      parallel: target.build?.parallel ?? 0,
      durations: outcome.ranges.map((r) => r.durationMs / 1000),
      batches: outcome.ranges.length,
    };
  }
  const shape = { jobs: config.concurrency, groups: Object.fromEntries([...config.groups].map(([g, { concurrency }]) => [g, concurrency])), targets };
  return { boundMs: lowerBound(shape) * 1000, optimumMs: optimumOfMedians(shape) * 1000, runMs: record.durationMs, ranges: [...built.values()].reduce((n, o) => n + o.ranges.length, 0) };
}

/**
 * The shortest schedule of the run's ranges (bench/lib/optimal-schedule.mjs), each target's
 * ranges taken as long as the median of its own: what any policy could reach, where the bound
 * above is not reachable (groups and dependencies leave slots idle whatever the order).
 */
function optimumOfMedians(shape) {
  const median = (list) => [...list].sort((a, b) => a - b)[list.length >> 1];
  const targets = Object.fromEntries(
    Object.entries(shape.targets).map(([name, t]) => [name, { ...t, durations: undefined, seconds: Math.round(median(t.durations) * 1000) / 1000 }]),
  );
  const uniform = { ...shape, targets };
  return optimalSchedule(uniform, { atLeastS: lowerBound(uniform) }).makespanS;
}

/**
 * The demo built from empty again `runs` times (the warehouse file deleted, the durations of
 * earlier runs kept, as a rebuild on a machine that built it before): wall time, CPU, and
 * each run's bound. Leaves the demo built.
 */
export async function benchDemoMakespan(dir, { runs }) {
  const out = [];
  for (let i = 0; i < runs; i++) {
    for (const f of [demoWarehouse(dir), `${demoWarehouse(dir)}.wal`]) rmSync(f, { force: true });
    const timed = timeChild(['node', CLI, 'ml_feature_store_v2'], { cwd: dir, okCodes: [0] });
    out.push({ ...timed, ...(await demoBound(dir)) });
  }
  return out;
}

/** (d) Median wall times of a no-op build and of --status on the built demo, of `node -e ''`, and of Node loading DuckDB (and opening the file). */
export function benchDemoCommands(dir, { runs, cli = CLI }) {
  const api = JSON.stringify(path.join(ROOT, 'node_modules/@duckdb/node-api'));
  return {
    // the floor of issue 19: Node, loading DuckDB, and (second) opening the demo's file
    nodeDuckdbMs: timeCommand(['node', '-e', `require(${api})`], { cwd: dir, runs, warmup: 1 }).medianMs,
    nodeDuckdbOpenMs: timeCommand(['node', '-e', `require(${api}).DuckDBInstance.create(${JSON.stringify(demoWarehouse(dir))}).then(async (i) => { (await i.connect()).closeSync(); i.closeSync(); })`], { cwd: dir, runs, warmup: 1 }).medianMs,
    noopMs: timeCommand(['node', cli, 'ml_feature_store_v2'], { cwd: dir, runs, warmup: 1 }).medianMs,
    statusMs: timeCommand(['node', cli, '--status'], { cwd: dir, runs, warmup: 1 }).medianMs,
    nodeMs: timeCommand(['node', '-e', ''], { cwd: dir, runs, warmup: 1 }).medianMs,
  };
}

/** What `dagrun` imports at start, heaviest first; each timed alone in a fresh process. */
export const IMPORTED = ['@duckdb/node-api', 'yargs', 'execa', 'cli-table3', 'json5', 'tinyglobby', 'log-update', 'picocolors', 'dist/config/load.js', 'dist/cli/main.js'];

/** (d) Median milliseconds to import each module in a fresh Node process. */
export function benchImports({ runs, cwd }) {
  const out = {};
  for (const spec of IMPORTED) {
    const target = spec.startsWith('dist/') ? pathToFileURL(path.join(DIST, spec.slice(5))).href : spec;
    const code = `const t = performance.now(); await import(${JSON.stringify(target)}); console.log(performance.now() - t)`;
    const times = [];
    for (let i = 0; i < runs; i++) times.push(Number(runChecked(['node', '--input-type=module', '-e', code], { cwd })));
    out[spec] = median(times);
  }
  return out;
}

/** Makes scattered holes in a copy of the built demo's warehouse; returns the holed file. */
export async function makeHoledWarehouse(dir) {
  const holed = path.join(dir, 'holed.duckdb');
  copyFileSync(demoWarehouse(dir), holed);
  const holes = (table, every) =>
    `DELETE FROM ${table} WHERE game_date IN (SELECT game_date FROM (SELECT DISTINCT game_date FROM ${table}) QUALIFY row_number() OVER (ORDER BY game_date) % ${every} = 0)`;
  await duckdbExec(holed, [holes('nba_analytics.player_game_summary', 10), holes('nba_analytics.team_offense_game_summary', 2), 'CHECKPOINT']);
  return holed;
}

/** (e) Repairing the holes vs rebuilding both tables whole (-B), each from a fresh copy of the holed file. */
export async function benchHoles(dir, { runs, cli = CLI }) {
  const holed = await makeHoledWarehouse(dir);
  const prepare = ['cp', holed, demoWarehouse(dir)];
  const targets = ['--only', 'player_game_summary', 'team_offense_game_summary'];
  const repair = timeCommand(['node', cli, ...targets], { cwd: dir, runs, warmup: 1, prepare });
  const full = timeCommand(['node', cli, '-B', ...targets], { cwd: dir, runs, warmup: 1, prepare });
  runChecked(prepare, { cwd: dir });
  runChecked(['node', cli, ...targets], { cwd: dir }); // leave the copy whole for later benchmarks
  return { repairMs: repair.medianMs, fullMs: full.medianMs };
}

/**
 * (f) Statements sent to DuckDB by one `--status` run, in-process through the CLI's own
 * `run()`, counted by wrapping the connection and prepared-statement methods.
 */
export async function countStatusQueries(dir, targets = [], { keptReads = false } = {}) {
  const api = await import('@duckdb/node-api');
  const counts = new Map();
  // Every statement ends in exactly one execution: a connection.run without parameters, or a
  // prepared statement's run (parameterised runs and runAndReadAll go through it).
  const wrap = (proto, method, label, counts_) => {
    const original = proto[method];
    proto[method] = function (...args) {
      if (counts_(args)) counts.set(label, (counts.get(label) ?? 0) + 1);
      return original.apply(this, args);
    };
    return () => (proto[method] = original);
  };
  const undo = [
    wrap(api.DuckDBConnection.prototype, 'run', 'unprepared', (args) => args[1] === undefined),
    wrap(api.DuckDBPreparedStatement.prototype, 'run', 'prepared', () => true),
  ];
  const cwd = process.cwd();
  const cache = process.env.DAGRUN_READ_CACHE;
  // every statement of a status that reads the file (not the reads kept for it), unless asked
  if (!keptReads) process.env.DAGRUN_READ_CACHE = 'off';
  process.chdir(dir);
  try {
    const { run } = await import(pathToFileURL(path.join(DIST, 'cli/main.js')).href);
    const sink = { stdout: () => undefined, stderr: () => undefined };
    await run(['--status', ...targets], sink);
  } finally {
    process.chdir(cwd);
    if (cache === undefined) delete process.env.DAGRUN_READ_CACHE;
    else process.env.DAGRUN_READ_CACHE = cache;
    undo.forEach((f) => f());
  }
  return { total: [...counts.values()].reduce((a, b) => a + b, 0), byKind: Object.fromEntries(counts) };
}
