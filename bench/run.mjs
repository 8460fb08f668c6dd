#!/usr/bin/env node
/**
 * `npm run bench`: builds dagrun (tsc), then measures it against make and against lower
 * bounds, printing one table of medians and ratios from this one run. No benchmark is a
 * test; nothing here asserts a time.
 *
 *   node bench/run.mjs [--quick] [--only a,b,c,d,e,f,g,h,i] [--json FILE] [--keep] [--no-10k] [--goal-shape] [--no-build]
 *
 * Sections: a) overhead per command vs make, b) scheduling vs the lower bound, c) status of a
 * 1000-target pipeline from an in-memory warehouse, d) the demo's no-op build and --status,
 * e) scattered holes: repair vs full build, f) warehouse round trips of a status run,
 * g) status of big pipelines on a real DuckDB file, beside c)'s in-memory figure and floors
 * (generated once under $TMPDIR/dagrun-bench-cache; `--no-10k` leaves out 10,000 × 365,
 * `--goal-shape` adds issue 19's 10,000 × 3,650), h) a first build of many one-date SQL targets
 * on a real DuckDB file (ms per target, at two sizes), i) the first write on a file of per-date
 * write records, which folds what a rebuild hid (at two sizes).
 * Set BENCH_NO_HYPERFINE=1 to time with spawnSync even where hyperfine is installed.
 */
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { benchOverhead, commandsFloorMs, nodeStartMs } from './overhead.mjs';
import { benchSpawnFloor } from './lib/spawn-floor.mjs';
import { benchSchedule, SHAPES } from './schedule.mjs';
import { planMicrosPerUnit } from './plan-overhead.mjs';
import { benchFold } from './fold-records.mjs';
import { benchBuildScale } from './build-scale.mjs';
import { benchDemoCommands, benchDemoMakespan, benchHoles, benchImports, countStatusQueries, prepareDemo } from './demo.mjs';
import { countBigQueryStatus } from './bigquery-count.mjs';
import { duckdbCommands, prepareDuckdbPipeline, timeChild, timeRuns } from './status-duckdb.mjs';
import { ROOT, removeTempDirs, tempDir } from './lib/project.mjs';
import { hasHyperfine, loadAverage, median, runChecked } from './lib/timing.mjs';
import { printTable } from './lib/table.mjs';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const onlyArg = args.includes('--only') ? args[args.indexOf('--only') + 1] : 'a,b,c,d,e,f,g,h,i';
const only = new Set(onlyArg.split(','));
const jsonOut = args.includes('--json') ? args[args.indexOf('--json') + 1] : undefined;
const RUNS = quick ? 2 : 3;
const COUNT = quick ? 300 : 1000;

const rows = [];
/** Adds a row: `ratio` is value / reference (make, the bound, or the goal). */
function row(section, what, value, unit, { goal = '', reference, referenceName = '', note = '' } = {}) {
  const ratio = reference ? value / reference : undefined;
  rows.push({ section, what, value, unit, goal, ratio, referenceName, note, load: loadAverage() });
  process.stderr.write(`  ${section} ${what}: ${typeof value === 'number' ? value.toFixed(value < 10 ? 2 : 0) : value} ${unit}${ratio ? ` (${ratio.toFixed(2)}× ${referenceName})` : ''}\n`);
}

function section(name, title) {
  if (!only.has(name)) return false;
  process.stderr.write(`\n${name}) ${title}  [load ${loadAverage().toFixed(1)}]\n`);
  return true;
}

// --no-build measures dist/ as it is (another change half-made in the tree need not stop a run)
if (!args.includes('--no-build')) {
  process.stderr.write('building dagrun (npm run build: tsc, then the bundle bin/dagrun.js runs)…\n');
  runChecked(['npm', 'run', '--silent', 'build'], { cwd: ROOT });
}
const started = performance.now();

if (section('a', `overhead per command: ${COUNT} commands at -j 8`)) {
  const micro = (variant, command) => {
    const out = runChecked(['node', path.join(ROOT, 'bench/runner-micro.mjs'), variant, String(COUNT), '8', ...command], { cwd: ROOT });
    return JSON.parse(out).perCommandMs;
  };
  for (const variant of ['spawn', 'spawn+duckdb', 'spawn-pipes', 'execa-default', 'spawn-runner', 'spawn-runner+duckdb', 'spawner+duckdb', 'native+duckdb']) {
    row('a', `layer: ${variant} (/bin/true, in-process loop)`, micro(variant, ['/bin/true']), 'ms/cmd', { note: 'no dagrun around it' });
  }
  // The floor: make, C posix_spawn and fork loops, Node's spawn, a Node → C posix_spawn helper (needs gcc; an experiment only).
  for (const r of benchSpawnFloor({ count: COUNT, rounds: RUNS })) {
    row('a', `floor: ${r.label} (/bin/true), CPU`, r.cpuMs / COUNT, 'ms/cmd', { note: `wall ${(r.wallMs / COUNT).toFixed(2)} ms/cmd` });
  }
  for (const [label, command] of [['true', ['/bin/true']], ['sleep10ms', ['sleep', '0.01']]]) {
    // /bin/true is all start-up: its floor is the CPU rows above
    const floorMs = label === 'true' ? 0 : commandsFloorMs(command, COUNT);
    const r = await benchOverhead({ label, command, count: COUNT, runs: RUNS, floorMs });
    const what = `${COUNT}× ${command.join(' ')}`;
    if (floorMs) row('a', `${what}: the commands' own time (${Math.ceil(COUNT / 8)} rounds of one, as long as sh takes to run it)`, floorMs, 'ms', { note: 'no tool that starts them ends sooner' });
    if (r.makeMs) row('a', `${what}: make -j8`, r.makeMs, 'ms', { reference: floorMs || undefined, referenceName: 'floor' });
    row('a', `${what}: dagrun`, r.dagrunMs, 'ms', { goal: label === 'true' ? '' : '≤1.3× make', reference: r.makeMs, referenceName: 'make' });
    row('a', `  the same over 1 date (start-up, measuring, gate, record)`, r.fixedMs, 'ms');
    if (label === 'true') {
      const perCommand = (r.dagrunMs - r.fixedMs) / (COUNT - 1);
      row('a', `  per command (wall − 1-command run) / ${COUNT - 1}`, perCommand, 'ms/cmd', { goal: '≤1.5 ms', reference: r.makeMs / COUNT, referenceName: 'make/cmd' });
    }
  }
}

if (section('b', 'scheduling: sleep pipelines vs the lower bound and the optimum')) {
  for (const name of Object.keys(SHAPES)) {
    const r = await benchSchedule(name, { runs: quick ? 1 : RUNS });
    const vsBound = { reference: r.boundS, referenceName: 'bound' };
    const vsOptimum = (s) => `(${(s / r.optimumS).toFixed(2)}× optimum)`;
    row('b', `${name}: lower bound`, r.boundS, 's');
    row('b', `${name}: optimum (exhaustive search)`, r.optimumS, 's', vsBound);
    row('b', `${name}: Plan simulated, shape priority ${vsOptimum(r.simulatedS)}`, r.simulatedS, 's', { goal: '≤1.1× bound', ...vsBound });
    row('b', `${name}: Plan simulated with estimates ${vsOptimum(r.simulatedWithEstimateS)}`, r.simulatedWithEstimateS, 's', { goal: '≤1.1× bound', ...vsBound });
    row('b', `${name}:   the same, critical path alone ${vsOptimum(r.simulatedCriticalPathS)}`, r.simulatedCriticalPathS, 's', vsBound);
    row('b', `${name}: dagrun (real, -B, estimates from the warm-up run)`, r.realS, 's', { goal: '≤1.1× bound', ...vsBound });
  }
  // what choosing the next unit costs, without commands: flat in the number of targets
  for (const [count, batches] of [[1000, 10], [10_000, 10]]) {
    row('b', `the plan alone, ${count} targets × ${batches} ranges (in process, no commands)`, await planMicrosPerUnit(count, batches), 'µs/unit');
  }
}

if (section('c', 'status of 1000 targets × 1500 dates, warehouse in memory')) {
  const dir = tempDir('big');
  runChecked(['node', path.join(ROOT, 'bench/status-big.mjs'), 'make', dir, '1000', '1500']);
  const bigPass = (...how) => JSON.parse(runChecked(['node', path.join(ROOT, 'bench/status-big.mjs'), 'run', dir, '1000', '1500', ...how]));
  // present dates and write records as ranges, as both engines read them; then a single
  // pass of a history of one run per date (a range per target-date)
  const passes = Array.from({ length: quick ? 1 : RUNS }, () => bigPass('one-run'));
  const daily = bigPass('daily');
  const times = (p) => `--status ${p.statusMs.toFixed(0)} ms, -n ${p.dryRunMs.toFixed(0)} ms`;
  const m = (key) => median(passes.map((p) => p[key]));
  row('c', '--status (load config + measure + assess + render)', m('statusMs'), 'ms', { goal: '<1000 ms', reference: 1000, referenceName: 'goal' });
  row('c', '-n (load config + measure + assess + plan + render)', m('dryRunMs'), 'ms', { goal: '<1000 ms', reference: 1000, referenceName: 'goal' });
  row('c', '  --status, CPU time (not stretched by the load)', m('statusCpuMs'), 'ms');
  row('c', '  -n, CPU time', m('dryRunCpuMs'), 'ms');
  for (const key of ['loadConfigMs', 'measureAssessMs', 'renderStatusMs', 'computePlanMs', 'renderPlanMs', 'importMs']) row('c', `  phase ${key.replace(/Ms$/, '')}`, m(key), 'ms');
  row('c', 'peak resident memory, write records as ranges (incl. the fake’s)', m('maxRssMb'), 'MB', { goal: '<300 MB', reference: 300, referenceName: 'goal' });
  row('c', '  each date written by a run of its own (a range per date)', daily.maxRssMb, 'MB', { goal: '<300 MB', reference: 300, referenceName: 'goal', note: times(daily) });
  row('c', 'warehouse calls of one status run', Object.values(passes[0].warehouseCalls).reduce((a, b) => a + b, 0), 'calls', { note: JSON.stringify(passes[0].warehouseCalls) });
}

let demo;
if (['d', 'e', 'f'].some((s) => only.has(s))) {
  process.stderr.write('\nbuilding the demo in a temp copy…\n');
  demo = await prepareDemo();
  row('d', 'demo: first full build (dagrun ml_feature_store_v2)', demo.buildMs, 'ms', { note: demo.dir });
}

if (section('d', 'the demo from empty: makespan vs the lower bound of its own ranges')) {
  const bound = (r) => ({ reference: r.boundMs, referenceName: 'bound' });
  row('d', `demo: lower bound of the first build (${demo.first.ranges} ranges as they took, -j and groups)`, demo.first.boundMs, 'ms');
  row('d', 'demo: first build from empty, no durations yet (wall)', demo.first.wallMs, 'ms', { goal: '≤1.2× bound', ...bound(demo.first) });
  row('d', '  the same, the run record’s duration (after start-up)', demo.first.runMs, 'ms', bound(demo.first));
  row('d', '  the optimum of those ranges (each target’s median duration; exhaustive search)', demo.first.optimumMs, 'ms', bound(demo.first));
  row('d', '  the run record’s duration against that optimum', demo.first.runMs / demo.first.optimumMs, '×');
  const again = await benchDemoMakespan(demo.dir, { runs: quick ? 1 : 2 });
  for (const [i, r] of again.entries()) {
    row('d', `demo: build ${i + 2} from empty, durations of earlier runs: lower bound`, r.boundMs, 'ms');
    row('d', `demo: build ${i + 2} from empty (wall; CPU ${(r.cpuMs / 1000).toFixed(1)} s = ${(r.cpuMs / os.cpus().length / 1000).toFixed(1)} s on ${os.cpus().length} cores)`, r.wallMs, 'ms', { goal: '≤1.2× bound', ...bound(r) });
    row('d', '  the same, the run record’s duration (after start-up)', r.runMs, 'ms', bound(r));
  }
}

if (section('d', 'the demo with real DuckDB: no-op build and --status')) {
  const r = benchDemoCommands(demo.dir, { runs: quick ? 3 : 5 });
  row('d', 'node -e "" (Node start-up alone)', r.nodeMs, 'ms');
  row('d', `node -e "require('@duckdb/node-api')" (the floor of issue 19)`, r.nodeDuckdbMs, 'ms');
  row('d', '  the same + opening the demo’s file', r.nodeDuckdbOpenMs, 'ms');
  const floor = { goal: '≤1.5× floor', reference: r.nodeDuckdbMs, referenceName: 'floor' };
  row('d', 'no-op dagrun ml_feature_store_v2', r.noopMs, 'ms', floor);
  row('d', 'dagrun --status', r.statusMs, 'ms', floor);
  row('d', '  no-op vs the older goal', r.noopMs, 'ms', { goal: '<500 ms', reference: 500, referenceName: 'goal' });
  row('d', '  --status vs the older goal', r.statusMs, 'ms', { goal: '<500 ms', reference: 500, referenceName: 'goal' });
  for (const [spec, ms] of Object.entries(benchImports({ runs: quick ? 2 : 3, cwd: ROOT }))) row('d', `  import ${spec}`, ms, 'ms', { note: 'fresh process, import() alone' });
}

if (section('e', 'scattered holes: repair vs full build of two analytics tables')) {
  const r = await benchHoles(demo.dir, { runs: quick ? 1 : RUNS });
  row('e', 'full build -B (player_game_summary, team_offense_game_summary)', r.fullMs, 'ms');
  row('e', 'repair: 10% of dates missing spread out + every other date', r.repairMs, 'ms', { goal: '≤ full build', reference: r.fullMs, referenceName: 'full' });
}

if (section('f', 'warehouse round trips of a status run')) {
  const all = await countStatusQueries(demo.dir);
  const one = await countStatusQueries(demo.dir, ['--only', 'schedule']);
  row('f', 'demo --status, 15 targets (DuckDB statements)', all.total, 'queries', { goal: 'constant', note: JSON.stringify(all.byKind) });
  row('f', 'demo --status --only schedule (DuckDB statements)', one.total, 'queries', { note: 'the difference: one statement per check' });
  // the first keeps what the file answers (once it is 2 s old), the second reads none of it
  await new Promise((resolve) => setTimeout(resolve, 2_200));
  await countStatusQueries(demo.dir, [], { keptReads: true });
  const kept = await countStatusQueries(demo.dir, [], { keptReads: true });
  row('f', 'demo --status again, the file unchanged: kept reads (DuckDB statements)', kept.total, 'queries', { note: 'the engine is not even loaded' });
  // the fake BigQuery follows the engine's code as it changes: a failure here is reported, not fatal
  const bq = await countBigQueryStatus({ targets: [30, 60] }).catch((error) => {
    process.stderr.write(`  f fake BigQuery --status failed, left out: ${String(error.message).split('\n').find((l) => l.startsWith('dagrun:')) ?? error.message}\n`);
    return undefined;
  });
  if (bq) for (const r of bq) row('f', `fake BigQuery --status, ${r.targets} targets in 3 datasets, with write records (jobs.query)`, r.jobs, 'queries', { goal: 'constant per dataset', note: JSON.stringify(r.calls) });
}

if (section('g', 'status of big pipelines on a real DuckDB file (one table per target), beside the in-memory figure and floors')) {
  // --goal-shape adds issue 19's 10,000 × 3,650 (generated in ~2 min, a 3.1 GB file; ~1 min a pass)
  const shapes = [[1000, 1500], [3000, 1500], ...(args.includes('--no-10k') ? [] : [[10_000, 365]]), ...(args.includes('--goal-shape') ? [[10_000, 3650]] : [])];
  const range = (s, digits = 0) => `${s.min.toFixed(digits)}–${s.max.toFixed(digits)}`;
  for (const [count, days] of quick ? shapes.slice(0, 1) : shapes) {
    const shape = `${count} × ${days}`;
    const { dir, generatedMs } = await prepareDuckdbPipeline(count, days, { log: (text) => process.stderr.write(text) });
    if (generatedMs) row('g', `${shape}: generating the pipeline and its DuckDB file (once; cached)`, generatedMs, 'ms', { note: dir });
    // big shapes: fewer runs and no warm-up of their own (the reads pass before them has read
    // every table, so the file is in the page cache); -n at 10,000 once
    const runs = count * days > 10_000_000 ? 1 : count >= 3000 ? 2 : 3;
    const warmup = count >= 3000 ? 0 : 1;
    const commands = duckdbCommands(dir);
    const memory = JSON.parse(runChecked(['node', path.join(ROOT, 'bench/status-big.mjs'), 'run', dir, String(count), String(days)]));
    const floor = timeRuns(commands.nodeDuckdb, { cwd: dir, runs: 3, okCodes: [0] });
    const open = timeRuns(commands.nodeDuckdbOpen, { cwd: dir, runs: 3, okCodes: [0] });
    const reads = JSON.parse(runChecked(commands.reads, { cwd: ROOT }));
    // every table read (no kept reads: the first status after a change from outside dagrun)
    const cold = { DAGRUN_READ_CACHE: 'off' };
    const status = timeRuns(commands.status, { cwd: dir, runs, warmup, env: cold });
    // the same pipeline with its write records one row per date, as an older dagrun left them (read as they are until the first build)
    const perDate = await prepareDuckdbPipeline(count, days, { log: (text) => process.stderr.write(text), layout: 'per-date' });
    const statusPerDate = timeRuns(duckdbCommands(perDate.dir).status, { cwd: perDate.dir, runs: 1, warmup: 0, env: cold });
    const dryRun = timeRuns(commands.dryRun, { cwd: dir, runs: count >= 10_000 ? 1 : runs, warmup, okCodes: [0], env: cold });
    // kept reads (run/read-cache.ts): a first status reads every table and keeps the answers; the next ones, the file unchanged, read none
    rmSync(path.join(dir, '.dagrun/read-cache.json'), { force: true });
    const keeping = timeChild(commands.status, { cwd: dir });
    const warm = timeRuns(commands.status, { cwd: dir, runs: 3, warmup: 0 });
    const warmDryRun = timeRuns(commands.dryRun, { cwd: dir, runs: 3, warmup: 0, okCodes: [0] });
    const goal = count >= 10_000 ? { goal: '<2000 ms at 3,650 dates', reference: 2000, referenceName: 'goal' } : {};
    row('g', `${shape}: node -e "require('@duckdb/node-api')" (floor; ${floor.rssMb.median.toFixed(0)} MB)`, floor.wallMs.median, 'ms');
    row('g', `${shape}:   the same + opening the file (floor; ${open.rssMb.median.toFixed(0)} MB)`, open.wallMs.median, 'ms');
    row('g', `${shape}:   the adapter's reads in-process: open ${reads.openMs.toFixed(0)}, present dates ${reads.presentMs.toFixed(0)} (${reads.ranges} ranges), write records ${reads.writesMs.toFixed(0)} ms (${reads.writeRanges} ranges; ${reads.maxRssMb.toFixed(0)} MB)`, reads.openMs + reads.presentMs + reads.writesMs, 'ms');
    row('g', `${shape}: --status, warehouse in memory (c's pure part, one pass; CPU ${memory.statusCpuMs.toFixed(0)} ms; ${memory.maxRssMb.toFixed(0)} MB)`, memory.statusMs, 'ms');
    row('g', `${shape}: --status, real DuckDB, every table read (${range(status.wallMs)} ms; CPU ${status.cpuMs.median.toFixed(0)} ms)`, status.wallMs.median, 'ms', goal);
    row('g', `${shape}:   the same, write records per date (an older dagrun's file; CPU ${statusPerDate.cpuMs.median.toFixed(0)} ms, ${statusPerDate.rssMb.median.toFixed(0)} MB)`, statusPerDate.wallMs.median, 'ms');
    row('g', `${shape}:   vs the in-memory pure part (CPU: ${(status.cpuMs.median / memory.statusCpuMs).toFixed(1)}×)`, status.wallMs.median / memory.statusMs, '×');
    row('g', `${shape}:   vs Node + DuckDB + opening the file`, status.wallMs.median / open.wallMs.median, '×');
    row('g', `${shape}:   peak resident memory (${range(status.rssMb)} MB)`, status.rssMb.median, 'MB', count >= 10_000 ? { goal: '<500 MB', reference: 500, referenceName: 'goal' } : {});
    row('g', `${shape}: -n, real DuckDB (${range(dryRun.wallMs)} ms; CPU ${dryRun.cpuMs.median.toFixed(0)} ms; in memory ${memory.dryRunMs.toFixed(0)} ms)`, dryRun.wallMs.median, 'ms', { reference: memory.dryRunMs, referenceName: 'in memory' });
    row('g', `${shape}:   peak resident memory (${range(dryRun.rssMb)} MB)`, dryRun.rssMb.median, 'MB');
    row('g', `${shape}: --status keeping its reads (the first after a change; CPU ${keeping.cpuMs.toFixed(0)} ms, ${keeping.rssMb.toFixed(0)} MB)`, keeping.wallMs, 'ms');
    row('g', `${shape}: --status, the file unchanged since: kept reads (${range(warm.wallMs)} ms; CPU ${warm.cpuMs.median.toFixed(0)} ms)`, warm.wallMs.median, 'ms', goal);
    row('g', `${shape}:   peak resident memory (${range(warm.rssMb)} MB)`, warm.rssMb.median, 'MB', count >= 10_000 ? { goal: '<500 MB', reference: 500, referenceName: 'goal' } : {});
    row('g', `${shape}:   vs Node + DuckDB + opening the file (which it does not)`, warm.wallMs.median / open.wallMs.median, '×');
    row('g', `${shape}: -n, kept reads (${range(warmDryRun.wallMs)} ms; CPU ${warmDryRun.cpuMs.median.toFixed(0)} ms, ${warmDryRun.rssMb.median.toFixed(0)} MB)`, warmDryRun.wallMs.median, 'ms');
    if (count * days <= 1_500_000) {
      // every date written by a range of its own (per-date builds): a write record per target-date
      const { dir: perDateDir } = await prepareDuckdbPipeline(count, days, { log: (text) => process.stderr.write(text), layout: 'range-per-date' });
      const perDateStatus = duckdbCommands(perDateDir).status;
      const perDateCold = timeRuns(perDateStatus, { cwd: perDateDir, runs, warmup, env: cold });
      rmSync(path.join(perDateDir, '.dagrun/read-cache.json'), { force: true });
      timeChild(perDateStatus, { cwd: perDateDir }); // keeps its reads
      const perDateWarm = timeRuns(perDateStatus, { cwd: perDateDir, runs: 3, warmup: 0 });
      row('g', `${shape}, a write record per target-date (~${((count * days) / 1e6).toFixed(1)} million): --status, every table read (${range(perDateCold.wallMs)} ms; CPU ${perDateCold.cpuMs.median.toFixed(0)} ms, ${perDateCold.rssMb.median.toFixed(0)} MB)`, perDateCold.wallMs.median, 'ms');
      row('g', `${shape}, a write record per target-date: --status, kept reads (${range(perDateWarm.wallMs)} ms; CPU ${perDateWarm.cpuMs.median.toFixed(0)} ms, ${perDateWarm.rssMb.median.toFixed(0)} MB)`, perDateWarm.wallMs.median, 'ms');
    }
  }
}

if (section('h', 'a first build of many one-date SQL targets on a real DuckDB file')) {
  const sizes = quick ? [300, 1200] : [500, 2000];
  const [small, big] = sizes.map((count) => benchBuildScale(count));
  for (const r of [small, big]) row('h', `${r.count} targets: first build (wall; CPU ${(r.cpuMs / 1000).toFixed(1)} s, ${r.rssMb.toFixed(0)} MB)`, r.msPerTarget, 'ms/target');
  row('h', `  ms per target at ${big.count} against ${small.count}`, big.msPerTarget / small.msPerTarget, '×', { goal: '≈1 (linear)' });
}

if (section('i', 'the first write on a file of per-date write records (folding what a rebuild hid)')) {
  // rows per target grow 4×: a fold that grew faster than a target's rows would show it here
  const targets = quick ? 10 : 30;
  const results = [];
  for (const days of [912, 3650]) results.push(await benchFold(targets, days, { runs: quick ? 1 : RUNS }));
  // every per-date row hidden by one range: the fold deletes them all
  results.push(await benchFold(targets, 3650, { runs: quick ? 1 : RUNS, rebuild: 'full' }));
  for (const r of results) row('i', `${r.targets} targets × ${r.days} per-date rows, ${r.rebuild === 'full' ? 'all rebuilt in one range' : '3 rebuilt each'}: the next first write (real DuckDB, in process; ${((r.ms * 1000) / r.rows).toFixed(2)} µs a row)`, r.ms, 'ms');
  row('i', `  ms per row at ${results[1].rows} rows against ${results[0].rows}`, results[1].ms / results[1].rows / (results[0].ms / results[0].rows), '×', { goal: '≈1 (linear)' });
}

const meta = {
  date: new Date().toISOString(),
  nproc: os.cpus().length,
  cpu: os.cpus()[0]?.model,
  node: process.version,
  make: spawnSync('make', ['--version'], { encoding: 'utf8' }).stdout?.split('\n')[0],
  timing: hasHyperfine() ? 'hyperfine' : 'spawnSync',
  quick,
  load: os.loadavg().map((l) => +l.toFixed(2)),
  totalS: +((performance.now() - started) / 1000).toFixed(0),
};
printTable(rows, meta);
if (jsonOut) writeFileSync(jsonOut, JSON.stringify({ meta, rows }, null, 2));
// --keep leaves the generated pipelines (and the demo copy) in the temp folder, to look into
if (!args.includes('--keep')) removeTempDirs();
process.exit(0);
