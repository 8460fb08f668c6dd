#!/usr/bin/env node
/**
 * `npm run bench`: builds dagrun (tsc), then measures it against make and against lower
 * bounds, printing one table of medians and ratios from this one run. No benchmark is a
 * test; nothing here asserts a time.
 *
 *   node bench/run.mjs [--quick] [--only a,b,c,d,e,f] [--json FILE] [--keep]
 *
 * Sections: a) overhead per command vs make, b) scheduling vs the lower bound, c) status of a
 * 1000-target pipeline from an in-memory warehouse, d) the demo's no-op build and --status,
 * e) scattered holes: repair vs full build, f) warehouse round trips of a status run.
 * Set BENCH_NO_HYPERFINE=1 to time with spawnSync even where hyperfine is installed.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { benchOverhead, nodeStartMs } from './overhead.mjs';
import { benchSpawnFloor } from './lib/spawn-floor.mjs';
import { benchSchedule, SHAPES } from './schedule.mjs';
import { benchDemoCommands, benchHoles, benchImports, countStatusQueries, prepareDemo } from './demo.mjs';
import { countBigQueryStatus } from './bigquery-count.mjs';
import { ROOT, removeTempDirs, tempDir } from './lib/project.mjs';
import { hasHyperfine, loadAverage, median, runChecked } from './lib/timing.mjs';
import { printTable } from './lib/table.mjs';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const onlyArg = args.includes('--only') ? args[args.indexOf('--only') + 1] : 'a,b,c,d,e,f';
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

process.stderr.write('building dagrun (npm run build: tsc, then the bundle bin/dagrun.js runs)…\n');
runChecked(['npm', 'run', '--silent', 'build'], { cwd: ROOT });
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
  for (const [label, command, floorMs] of [['true', ['/bin/true'], 0], ['sleep10ms', ['sleep', '0.01'], (COUNT * 10) / 8]]) {
    const r = await benchOverhead({ label, command, count: COUNT, runs: RUNS, floorMs });
    const what = `${COUNT}× ${command.join(' ')}`;
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
}

if (section('c', 'status of 1000 targets × 1500 dates, warehouse in memory')) {
  const dir = tempDir('big');
  runChecked(['node', path.join(ROOT, 'bench/status-big.mjs'), 'make', dir, '1000', '1500']);
  const bigPass = (...how) => JSON.parse(runChecked(['node', path.join(ROOT, 'bench/status-big.mjs'), 'run', dir, '1000', '1500', ...how]));
  // write records grouped per definition (readWriteGroups), as both engines read them; then
  // single passes for comparison: one object per date, and a history of one run per date
  // (grouped per definition as the engines now do, and per run as they did before issue 9)
  const passes = Array.from({ length: quick ? 1 : RUNS }, () => bigPass('groups'));
  const perRecord = bigPass('records');
  const daily = bigPass('groups', 'daily');
  const dailyByRun = bigPass('run-groups', 'daily');
  const times = (p) => `--status ${p.statusMs.toFixed(0)} ms, -n ${p.dryRunMs.toFixed(0)} ms`;
  const m = (key) => median(passes.map((p) => p[key]));
  row('c', '--status (load config + measure + assess + render)', m('statusMs'), 'ms', { goal: '<1000 ms', reference: 1000, referenceName: 'goal' });
  row('c', '-n (load config + measure + assess + plan + render)', m('dryRunMs'), 'ms', { goal: '<1000 ms', reference: 1000, referenceName: 'goal' });
  row('c', '  --status, CPU time (not stretched by the load)', m('statusCpuMs'), 'ms');
  row('c', '  -n, CPU time', m('dryRunCpuMs'), 'ms');
  for (const key of ['loadConfigMs', 'measureAssessMs', 'renderStatusMs', 'computePlanMs', 'renderPlanMs', 'importMs']) row('c', `  phase ${key.replace(/Ms$/, '')}`, m(key), 'ms');
  row('c', 'peak resident memory, grouped write records (incl. the fake’s)', m('maxRssMb'), 'MB', { goal: '<300 MB', reference: 300, referenceName: 'goal' });
  row('c', '  the same, one write record object per date (readWrites)', perRecord.maxRssMb, 'MB', { note: times(perRecord) });
  row('c', '  each date written by a run of its own, grouped per definition (as the engines)', daily.maxRssMb, 'MB', { goal: '<300 MB', reference: 300, referenceName: 'goal', note: times(daily) });
  row('c', '  the same, grouped per run (before issue 9)', dailyByRun.maxRssMb, 'MB', { note: times(dailyByRun) });
  row('c', 'warehouse calls of one status run', Object.values(passes[0].warehouseCalls).reduce((a, b) => a + b, 0), 'calls', { note: JSON.stringify(passes[0].warehouseCalls) });
}

let demo;
if (['d', 'e', 'f'].some((s) => only.has(s))) {
  process.stderr.write('\nbuilding the demo in a temp copy…\n');
  demo = prepareDemo();
  row('d', 'demo: first full build (dagrun ml_feature_store_v2)', demo.buildMs, 'ms', { note: demo.dir });
}

if (section('d', 'the demo with real DuckDB: no-op build and --status')) {
  const r = benchDemoCommands(demo.dir, { runs: quick ? 3 : 5 });
  row('d', 'node -e "" (Node start-up alone)', r.nodeMs, 'ms');
  row('d', 'no-op dagrun ml_feature_store_v2', r.noopMs, 'ms', { goal: '<500 ms', reference: 500, referenceName: 'goal' });
  row('d', 'dagrun --status', r.statusMs, 'ms', { goal: '<500 ms', reference: 500, referenceName: 'goal' });
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
  const bq = await countBigQueryStatus({ targets: [30, 60] });
  if (bq) for (const r of bq) row('f', `fake BigQuery --status, ${r.targets} targets in 3 datasets, with write records (jobs.query)`, r.jobs, 'queries', { goal: 'constant per dataset', note: JSON.stringify(r.calls) });
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
