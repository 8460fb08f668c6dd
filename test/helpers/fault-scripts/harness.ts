/**
 * What the fault-injection suites share: a project whose targets run `fault.mjs`, polling for
 * files a command writes (never sleeping to guess), and checks that processes are gone.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import type { ResultPromise } from 'execa';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as delay } from 'node:timers/promises';
import { dagJson, ProjectRig } from '../rig.js';

/** The misbehaving command. */
export const FAULT_SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fault.mjs');
/** A script that holds a DuckDB file open. */
export const HOLD_SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'hold-warehouse.mjs');

/**
 * Writes dag.json5 (2024-01-01..06, every-day calendar) and one target `a` (table `s.a`)
 * running `fault.mjs <mode>` in ranges of 2 days; `build` overrides build keys.
 */
export function faultProject(rig: ProjectRig, mode: string, build: Record<string, unknown> = {}): void {
  rig.write({
    'dag.json5': dagJson({ window: { start: '2024-01-01', end: '2024-01-06' } }),
    'targets/a.json5': JSON.stringify({ table: 's.a', build: { command: ['node', FAULT_SCRIPT, mode], ranges: 'contiguous', maxDays: 2, ...build } }),
  });
}

/** Resolves once `file` exists; fails after `timeoutMs` (something is wrong, not slow). */
export async function waitForFile(file: string, timeoutMs = 30_000): Promise<void> {
  for (const end = Date.now() + timeoutMs; !existsSync(file); ) {
    if (Date.now() > end) throw new Error(`${file} did not appear within ${timeoutMs} ms`);
    await delay(20);
  }
}

/** Every pid recorded in `<dir>/*.pid` (command and grandchild) and in invocations.log. */
export function recordedPids(dir: string): number[] {
  if (!existsSync(dir)) return [];
  const fromPidFiles = readdirSync(dir)
    .filter((f) => f.endsWith('.pid'))
    .flatMap((f) => readFileSync(path.join(dir, f), 'utf8').split('\n').filter(Boolean).map(Number));
  return [...new Set([...fromPidFiles, ...invocations(dir).map((i) => i.pid)])];
}

/** Whether a process runs: a zombie (dead, waiting to be reaped by init) does not. */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/s.test(readFileSync(`/proc/${pid}/stat`, 'latin1'));
  } catch {
    return false;
  }
}

/** The pids still running among `pids` once the kernel has delivered the kills (a bounded wait, then the answer). */
export async function stillRunning(pids: readonly number[]): Promise<number[]> {
  for (let i = 0; i < 100 && pids.some(isRunning); i++) await delay(20);
  return pids.filter(isRunning);
}

/** One line of invocations.log. */
export interface Invocation {
  readonly event: 'start' | 'end';
  readonly pid: number;
  readonly start: string;
  readonly end: string;
}

/** The command starts and ends, in order. */
export function invocations(dir: string): Invocation[] {
  const file = path.join(dir, 'invocations.log');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [event, pid, start, end] = line.split(' ');
      return { event: event as 'start' | 'end', pid: Number(pid), start: start!, end: end! };
    });
}

/** The most commands that ever ran at the same time, per invocations.log. */
export function maxOverlap(dir: string): number {
  let running = 0;
  let most = 0;
  for (const i of invocations(dir)) {
    running += i.event === 'start' ? 1 : -1;
    most = Math.max(most, running);
  }
  return most;
}

/** Distinct dates of a table, sorted ISO strings; [] when it does not exist. */
export async function tableDates(rig: ProjectRig, table = 's.a'): Promise<string[]> {
  const exists = await rig.query(`SELECT count(*)::INT AS n FROM information_schema.tables WHERE table_schema || '.' || table_name = '${table}'`);
  if (exists[0]!.n === 0) return [];
  const rows = await rig.query(`SELECT DISTINCT strftime(d, '%Y-%m-%d') AS d FROM ${table} ORDER BY 1`);
  return rows.map((r) => String(r.d));
}

/** ISO dates first..last, inclusive. */
export function isoDays(first: string, last: string): string[] {
  const out: string[] = [];
  for (let d = new Date(`${first}T00:00:00Z`); d.toISOString().slice(0, 10) <= last; d.setUTCDate(d.getUTCDate() + 1)) out.push(d.toISOString().slice(0, 10));
  return out;
}

/** No stack trace in a message meant for users. */
export function hasStackTrace(text: string): boolean {
  return /\n\s+at .+:\d+:\d+/.test(text) || text.includes('Internal error');
}

/** Collects what a spawned dagrun prints, so a test can wait for a line. */
export function captureOutput(child: ResultPromise<{ reject: false; all: true }>): () => string {
  let text = '';
  child.all?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return () => text;
}

/** Resolves once `read()` contains `needle`; fails after `timeoutMs`. */
export async function waitForText(read: () => string, needle: string, timeoutMs = 30_000): Promise<void> {
  for (const end = Date.now() + timeoutMs; !read().includes(needle); ) {
    if (Date.now() > end) throw new Error(`"${needle}" was not printed within ${timeoutMs} ms; got:\n${read()}`);
    await delay(20);
  }
}

/** A fresh temp project and the folder where fault commands record what they did. */
export function newFaultProject(): { rig: ProjectRig; faultDir: string } {
  const rig = new ProjectRig();
  const faultDir = path.join(rig.dir, 'fault');
  mkdirSync(faultDir);
  return { rig, faultDir };
}

/** Ends whatever a failed assertion left running (our own children, by pid), then removes the project. */
export function endFaultProject(rig: ProjectRig, faultDir: string, alsoKill: readonly number[] = []): void {
  for (const pid of [...recordedPids(faultDir), ...alsoKill]) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone, as it should be
    }
  }
  rig.cleanup();
}
