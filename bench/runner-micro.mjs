/**
 * (a) The layers of the per-command cost, each measured in a fresh Node process:
 *   node runner-micro.mjs <variant> <count> <jobs> <command...>
 * prints one JSON line `{ variant, count, wallMs, perCommandMs }`.
 *
 * Variants (each adds one layer to the previous where it can):
 *   spawn            bare child_process.spawn, stdio ignored
 *   spawn-pipes      … with stdout and stderr piped and read (what capturing output costs)
 *   execa-default    execa(file, args) with its default options
 *   spawn-runner     dagrun's SpawnRunner in-process (process groups, listeners, lazy log file)
 *   +duckdb          any of the above with @duckdb/node-api loaded and a file open in the
 *                    parent first, as in a real run (e.g. `spawn-runner+duckdb`)
 *   spawner          dagrun's SpawnerRunner (commands started by small child processes);
 *                    BENCH_SPAWNER_EXEC_ARGV (e.g. "--cpu-prof --cpu-prof-dir=/tmp/p") and
 *                    BENCH_SPAWNER_PROCESSES set its spawners' Node options and count
 *   native           dagrun's NativeRunner (commands started by the posix_spawn helper,
 *                    dist/native/spawn-helper: `node scripts/build-native.mjs` builds it)
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DIST } from './lib/project.mjs';

const [variantArg, countArg, jobsArg, ...command] = process.argv.slice(2);
const count = Number(countArg);
const jobs = Number(jobsArg);
const withDuckdb = variantArg.endsWith('+duckdb');
const variant = variantArg.replace(/\+duckdb$/, '');
const logDir = mkdtempSync(path.join(os.tmpdir(), 'dagrun-bench-micro-'));

let keepAlive;
if (withDuckdb) {
  // What a dagrun run holds while commands run: the library and an open database.
  const { DuckDBInstance } = await import('@duckdb/node-api');
  keepAlive = await DuckDBInstance.create(path.join(logDir, 'w.duckdb'));
  const connection = await keepAlive.connect();
  await connection.run('CREATE TABLE t AS SELECT range AS i FROM range(100000)');
  connection.closeSync();
}

const load = (file) => import(pathToFileURL(path.join(DIST, file)).href);

async function makeRun() {
  switch (variant) {
    case 'spawn':
      return () =>
        new Promise((resolve, reject) => {
          const child = spawn(command[0], command.slice(1), { stdio: 'ignore' });
          child.on('error', reject);
          child.on('close', resolve);
        });
    case 'spawn-pipes':
      return () =>
        new Promise((resolve, reject) => {
          const child = spawn(command[0], command.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
          child.stdout.on('data', () => undefined);
          child.stderr.on('data', () => undefined);
          child.on('error', reject);
          child.on('close', resolve);
        });
    case 'execa-default': {
      const { execa } = await import('execa');
      return () => execa(command[0], command.slice(1));
    }
    case 'spawn-runner':
    case 'native':
    case 'spawner': {
      const runner =
        variant === 'native'
          ? await makeNativeRunner()
          : variant === 'spawner'
          ? new (await load('executor/spawner-runner.js')).SpawnerRunner({
              execArgv: process.env.BENCH_SPAWNER_EXEC_ARGV?.split(' ').filter(Boolean),
              processes: process.env.BENCH_SPAWNER_PROCESSES ? Number(process.env.BENCH_SPAWNER_PROCESSES) : undefined,
            })
          : new (await load('executor/spawn-runner.js')).SpawnRunner();
      const signal = new AbortController().signal;
      let n = 0;
      const run = async () => {
        const result = await runner.run({ argv: command, cwd: process.cwd(), env: { DAGRUN_TARGET: 'x' }, timeoutMs: 60_000, logFile: path.join(logDir, `${n++}.log`), signal });
        if (result.failure) throw new Error(result.failure);
      };
      run.close = () => runner.close?.();
      return run;
    }
    default:
      throw new Error(`unknown variant ${variantArg}`);
  }
}

/** The native runner, refusing to measure the spawners under its name when the helper is missing. */
async function makeNativeRunner() {
  const { NativeRunner } = await load('executor/native-runner.js');
  const { NATIVE_HELPER_FILE } = await load('executor/native-select.js');
  const fallback = () => {
    throw new Error(`the native helper did not start (${NATIVE_HELPER_FILE}); run node scripts/build-native.mjs`);
  };
  return new NativeRunner({ helperFile: NATIVE_HELPER_FILE, fallback });
}

const run = await makeRun();
await run(); // start-up costs (a spawner's child, execa's first import) are not per command
const started = performance.now();
let next = 0;
await Promise.all(
  Array.from({ length: jobs }, async () => {
    while (next < count) {
      next++;
      await run();
    }
  }),
);
const wallMs = performance.now() - started;
await run.close?.();
keepAlive?.closeSync();
rmSync(logDir, { recursive: true, force: true });
console.log(JSON.stringify({ variant: variantArg, count, jobs, wallMs: +wallMs.toFixed(1), perCommandMs: +(wallMs / count).toFixed(3) }));
