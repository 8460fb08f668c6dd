/**
 * (a) The floor of starting commands from Node, beside make and C: what a Node process that
 * starts commands with libuv's fork() can reach, and what a posix_spawn helper would add.
 * An experiment only: `spawn-floor.c` is compiled with gcc into a temp folder here, never part
 * of dagrun, never needed by npm install or the tests. Without gcc, `benchSpawnFloor` returns
 * no rows.
 *
 *   node bench/lib/spawn-floor.mjs [count] [rounds] [cmd...]     (default 1000 3 /bin/true)
 *
 * Each variant runs `count` commands at most 8 at once, in rounds that alternate the variants
 * (the machine is shared: compare within one run). Wall and CPU (user + sys of the whole
 * process tree, from bash's `time`) are medians.
 *
 *   make -j8                  GNU make (posix_spawn: vfork-like, no page tables copied)
 *   C posix_spawn             the same start in a 30-line loop: the machine's floor
 *   C fork                    fork + exec from a small C process
 *   C fork, 50 MB             fork + exec from a process holding 50 MB, writing 256 KB of it
 *                             between starts: what libuv does from a Node-sized process
 *   node spawn                child_process.spawn in a bare Node process (bench/runner-micro.mjs)
 *   node spawner              dagrun's SpawnerRunner (two small spawner processes)
 *   node → C helper           Node hands each command to a posix_spawn helper over a pipe,
 *                             one line each way: what a native helper would give dagrun
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from './timing.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const MICRO = path.join(HERE, '../runner-micro.mjs');

/** Compiles spawn-floor.c into `dir`; the binary's path, or undefined without gcc. */
export function compileFloor(dir) {
  const binary = path.join(dir, 'spawn-floor');
  const result = spawnSync('gcc', ['-O2', '-o', binary, path.join(HERE, 'spawn-floor.c')], { encoding: 'utf8' });
  return result.status === 0 ? binary : undefined;
}

/** Runs argv under bash's `time`: wall and CPU (user + sys of it and all its children) in ms. */
function timed(argv, cwd) {
  const quoted = argv.map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ');
  const result = spawnSync('bash', ['-c', `TIMEFORMAT='%R %U %S'; time ${quoted} >/dev/null`], { cwd, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${argv.join(' ')} failed:\n${result.stderr}`);
  const [real, user, sys] = result.stderr.trim().split('\n').at(-1).split(' ').map(Number);
  return { wallMs: real * 1000, cpuMs: (user + sys) * 1000 };
}

/** The Node → helper driver, run as its own process (so its start-up is timed like the others). */
const HELPER_DRIVER = `
const { spawn } = require('node:child_process');
const [helper, count, jobs, ...command] = process.argv.slice(1);
const child = spawn(helper, ['helper'], { stdio: ['pipe', 'pipe', 'inherit'] });
let started = 0, ended = 0, buffered = '';
const line = command.join('\\t');
const startMore = (running) => { let out = ''; while (running < +jobs && started < +count) { out += started++ + '\\t' + line + '\\n'; running++; } if (out) child.stdin.write(out); };
child.stdout.on('data', (chunk) => {
  buffered += chunk; const lines = buffered.split('\\n'); buffered = lines.pop();
  for (const l of lines) if (l.split('\\t')[1] !== '0') throw new Error('command failed: ' + l);
  ended += lines.length;
  if (ended === +count) child.stdin.end(); else startMore(started - ended);
});
startMore(0);
`;

/** The variants: label → argv, given the compiled binary and a folder with the Makefile. */
function variants(binary, count, jobs, command) {
  const n = String(count);
  const j = String(jobs);
  const list = [
    ['make -j8', ['make', '-s', `-j${jobs}`, 'all']],
    ['C posix_spawn loop', [binary, 'loop', 'posix', n, j, '0', '0', ...command]],
    ['C fork loop', [binary, 'loop', 'fork', n, j, '0', '0', ...command]],
    ['C fork loop, 50 MB resident, 256 KB written per start', [binary, 'loop', 'fork', n, j, '50', '256', ...command]],
    ['node: child_process.spawn', ['node', MICRO, 'spawn', n, j, ...command]],
    ['node: dagrun SpawnerRunner', ['node', MICRO, 'spawner', n, j, ...command]],
    ['node → C posix_spawn helper', ['node', '-e', HELPER_DRIVER, binary, n, j, ...command]],
  ];
  return list.filter(([label]) => label !== 'make -j8' || spawnSync('make', ['--version'], { stdio: 'ignore' }).status === 0);
}

/** Measures every variant in alternating rounds; rows `{ label, wallMs, cpuMs }` (medians), or [] without gcc. */
export function benchSpawnFloor({ count = 1000, jobs = 8, rounds = 3, command = ['/bin/true'] } = {}) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'dagrun-bench-floor-'));
  try {
    const binary = compileFloor(dir);
    if (!binary) return [];
    const names = Array.from({ length: count }, (_, i) => `t${i}`);
    writeFileSync(path.join(dir, 'Makefile'), `.PHONY: all ${names.join(' ')}\nall: ${names.join(' ')}\n${names.join(' ')}:\n\t@${command.join(' ')}\n`);
    const list = variants(binary, count, jobs, command);
    const samples = new Map(list.map(([label]) => [label, []]));
    for (let round = 0; round < rounds + 1; round++) {
      for (const [label, argv] of list) {
        const sample = timed(argv, dir);
        if (round > 0) samples.get(label).push(sample); // round 0 warms the caches
      }
    }
    return list.map(([label]) => {
      const all = samples.get(label);
      return { label, wallMs: median(all.map((s) => s.wallMs)), cpuMs: median(all.map((s) => s.cpuMs)) };
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [countArg = '1000', roundsArg = '3', ...command] = process.argv.slice(2);
  const count = Number(countArg);
  const rows = benchSpawnFloor({ count, rounds: Number(roundsArg), command: command.length ? command : ['/bin/true'] });
  if (rows.length === 0) console.log('gcc not found: nothing measured');
  for (const r of rows) {
    console.log(`${r.label.padEnd(56)} wall ${String(Math.round(r.wallMs)).padStart(6)} ms  ${(r.wallMs / count).toFixed(2)} ms/cmd   CPU ${String(Math.round(r.cpuMs)).padStart(6)} ms  ${(r.cpuMs / count).toFixed(2)} ms/cmd`);
  }
  console.log(`load average ${os.loadavg()[0].toFixed(1)}`);
}
