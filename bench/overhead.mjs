/**
 * (a) Overhead per command: N trivial commands at -j 8 through the real CLI, against the
 * same commands in a Makefile run by `make -j8`. One target, `ranges: 'per-date'` over N
 * every-day dates, on a table that already holds every date (a command that exits 0 must
 * leave its dates in the table, and dagrun checks that after each one), `-B` to hand over
 * every date, `opensWarehouse: false` so commands run in parallel.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { addDaysIso, CLI, duckdbExec, tempDir, writeProject } from './lib/project.mjs';
import { timeCommand } from './lib/timing.mjs';

const START = '2020-01-01';

/** Writes the dagrun pipeline and the Makefile for `count` runs of `command` (argv). */
export async function makeOverheadProject(label, command, count) {
  const dir = tempDir(`overhead-${label}`);
  const recipe = command.join(' ');
  const names = Array.from({ length: count }, (_, i) => `t${i}`);
  writeProject(dir, {
    'dag.json5': {
      warehouse: { type: 'duckdb', path: '.dagrun/warehouse.duckdb' },
      window: { start: START, end: addDaysIso(START, count - 1) },
      calendar: { every: 'day' },
      defaults: { dateColumn: 'd', threshold: 0 },
      concurrency: 8,
      targets: ['targets/*.json5'],
    },
    'targets/noop.json5': { table: 'bench.noop', build: { command, ranges: 'per-date', parallel: 8, opensWarehouse: false } },
    Makefile: `.PHONY: all ${names.join(' ')}\nall: ${names.join(' ')}\n${names.join(' ')}:\n\t@${recipe}\n`,
  });
  // Every date already present: a command that exits 0 must leave its dates in the table
  // (dagrun checks after each one), and /bin/true writes nothing.
  await duckdbExec(path.join(dir, '.dagrun/warehouse.duckdb'), [
    'CREATE SCHEMA bench',
    `CREATE TABLE bench.noop AS SELECT DATE '${START}' + CAST(x AS INTEGER) AS d FROM range(${count}) t(x)`,
  ]);
  return dir;
}

/** Whether GNU make is installed. */
function hasMake() {
  return spawnSync('make', ['--version'], { stdio: 'ignore' }).status === 0;
}

/**
 * Runs the overhead benchmark for one command; returns rows for the table.
 * `floorMs` is the lower bound of the wall time (0 for /bin/true).
 */
export async function benchOverhead({ label, command, count, runs, floorMs, cli = CLI, makeMs }) {
  const dir = await makeOverheadProject(label, command, count);
  const dagrun = timeCommand(['node', cli, '-B', '-j', '8'], { cwd: dir, runs, warmup: 1 });
  // The same run over one date: start-up, measuring, the gate — what is not per command.
  const fixed = timeCommand(['node', cli, '-B', '-j', '8', '--start', START, '--end', START], { cwd: dir, runs, warmup: 1 });
  // make is timed once per command kind; a variant reuses that figure (`makeMs`)
  const make = makeMs === undefined && hasMake() ? timeCommand(['make', '-s', '-j8', 'all'], { cwd: dir, runs, warmup: 1 }).medianMs : makeMs;
  return { dir, dagrunMs: dagrun.medianMs, fixedMs: fixed.medianMs, makeMs: make, floorMs, count, tool: dagrun.tool };
}

/** Milliseconds of a `node -e ''` start, to subtract from the CLI's wall time. */
export function nodeStartMs(runs) {
  return timeCommand(['node', '-e', ''], { cwd: process.cwd(), runs, warmup: 1 }).medianMs;
}

/**
 * The commands' own time at -j 8: ceil(count / 8) rounds of one command, as long as a shell
 * takes to run it (`rounds` of them back to back, timed together: a lean parent, as make is).
 * No tool that starts the commands can end sooner; make, starting its first at once, nearly does.
 */
export function commandsFloorMs(command, count, { jobs = 8, rounds = 40 } = {}) {
  const loop = `i=0; while [ $i -lt ${rounds} ]; do ${command.join(' ')}; i=$((i+1)); done`;
  const { medianMs } = timeCommand(['sh', '-c', loop], { cwd: process.cwd(), runs: 3, warmup: 1 });
  return Math.ceil(count / jobs) * (medianMs / rounds);
}
