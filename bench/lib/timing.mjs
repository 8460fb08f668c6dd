/**
 * Timing commands: a warm-up, then N runs, reporting the median wall time. Uses hyperfine
 * when it is installed (it corrects nothing here: shell spawning is off), else times each
 * run with spawnSync. Either way every run's exit code is checked, so a benchmark that
 * silently failed never prints a figure.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

let hyperfineFound;
/** Whether hyperfine is on the PATH (and not disabled with BENCH_NO_HYPERFINE=1). */
export function hasHyperfine() {
  if (process.env.BENCH_NO_HYPERFINE === '1') return false;
  hyperfineFound ??= spawnSync('hyperfine', ['--version'], { stdio: 'ignore' }).status === 0;
  return hyperfineFound;
}

/** The median of numbers. */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Quotes an argv element for hyperfine's `-N` (no shell) command line. */
function quote(arg) {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`;
}

/**
 * Times `argv` in `cwd`: `warmup` untimed runs, then `runs` timed ones; `prepare` (argv) runs
 * before each. Resolves to `{ medianMs, runsMs, tool }`. Throws when a run exits non-zero
 * (unless `okCodes` lists its code).
 */
export function timeCommand(argv, { cwd, runs = 5, warmup = 1, prepare, env, okCodes = [0] }) {
  const fullEnv = { ...process.env, CI: '1', ...env };
  if (hasHyperfine() && okCodes.length === 1 && okCodes[0] === 0) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'dagrun-bench-hf-'));
    const out = path.join(dir, 'result.json');
    const args = ['-N', '--style', 'none', '--warmup', String(warmup), '--runs', String(runs), '--export-json', out];
    if (prepare) args.push('--prepare', prepare.map(quote).join(' '));
    args.push(argv.map(quote).join(' '));
    const result = spawnSync('hyperfine', args, { cwd, env: fullEnv, encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`hyperfine failed for ${argv.join(' ')} in ${cwd}:\n${result.stderr}${result.stdout}`);
    const times = JSON.parse(readFileSync(out, 'utf8')).results[0].times.map((s) => s * 1000);
    rmSync(dir, { recursive: true, force: true });
    return { medianMs: median(times), runsMs: times, tool: 'hyperfine' };
  }
  const times = [];
  for (let i = 0; i < warmup + runs; i++) {
    if (prepare) runChecked(prepare, { cwd, env: fullEnv });
    const started = process.hrtime.bigint();
    const result = spawnSync(argv[0], argv.slice(1), { cwd, env: fullEnv, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (!okCodes.includes(result.status)) throw new Error(`${argv.join(' ')} exited ${result.status} in ${cwd}:\n${result.stderr}`);
    if (i >= warmup) times.push(ms);
  }
  return { medianMs: median(times), runsMs: times, tool: 'spawnSync' };
}

/** Runs argv and throws with its output when it fails; returns stdout. */
export function runChecked(argv, { cwd, env, okCodes = [0] } = {}) {
  const result = spawnSync(argv[0], argv.slice(1), { cwd, env: { ...process.env, CI: '1', ...env }, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (!okCodes.includes(result.status)) throw new Error(`${argv.join(' ')} exited ${result.status} in ${cwd}:\n${result.stderr}\n${result.stdout.slice(-2000)}`);
  return result.stdout;
}

/** Times an async function in-process: warm-up, then runs; median milliseconds. */
export async function timeFunction(fn, { runs = 5, warmup = 1 } = {}) {
  const times = [];
  for (let i = 0; i < warmup + runs; i++) {
    const started = performance.now();
    await fn();
    if (i >= warmup) times.push(performance.now() - started);
  }
  return { medianMs: median(times), runsMs: times };
}

/** The 1-minute load average, for the table (the machine is shared). */
export function loadAverage() {
  return os.loadavg()[0];
}
