/**
 * Earlier runs, from the run records under `.dagrun/runs/<id>/run.json`: the list that
 * `dagrun runs` prints, and the per-target pace the progress view's first ETAs use (range
 * durations for the plan's priority are read in durations.ts).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { writePrivateFileAtomic } from '../state/disk.js';
import { addRange, type Pace } from './eta.js';

/** One target's line in a run record (see the run record written by the run command). */
export interface RecordedOutcome {
  readonly target: string;
  readonly status: string;
  readonly reason?: string;
  readonly batches?: number;
  readonly batchesDone?: number;
  readonly dates?: number;
  readonly durationMs?: number;
  readonly coverageBefore?: number;
  readonly coverageAfter?: number;
  /** Its successful ranges in that run (records from before they were kept lack them). */
  readonly ranges?: readonly RecordedRange[];
  /** Bytes its ranges' warehouse jobs billed in all (BigQuery), when they said. */
  readonly bytesBilled?: number;
  /** The ms per range the plan expected from earlier runs; absent when it had no history. */
  readonly estimatedMsPerRange?: number;
}

/** One successful range as the run record keeps it. */
export interface RecordedRange {
  /** Inclusive dates, `2024-01-01..2024-01-07` or one date. */
  readonly range: string;
  readonly dates: number;
  /** Wall time of the attempt that succeeded. */
  readonly durationMs: number;
  /** Bytes its warehouse job billed (BigQuery), when known. */
  readonly bytesBilled?: number;
}

/** A run record as read back; fields are optional because older records may lack them. */
export interface RunRecord {
  readonly runId: string;
  readonly dir: string;
  readonly commandLine?: string;
  readonly startedAt?: string;
  readonly durationMs?: number;
  readonly ok?: boolean;
  readonly interrupted?: boolean;
  /** False in the record written when the run starts; a run that dies keeps it so. */
  readonly finished?: boolean;
  /** The process of the run (to tell a run still going from one that died). */
  readonly pid?: number;
  readonly outcomes: readonly RecordedOutcome[];
}

/** The runs folder of a pipeline's state folder. */
export function runsDir(stateDir: string): string {
  return path.join(stateDir, 'runs');
}

/** The run record in a run folder, if it has a readable one. */
export function readRunRecord(dir: string): RunRecord | undefined {
  try {
    const raw = JSON.parse(readFileSync(path.join(dir, 'run.json'), 'utf8')) as Partial<RunRecord>;
    return { ...raw, runId: raw.runId ?? path.basename(dir), dir, outcomes: Array.isArray(raw.outcomes) ? raw.outcomes : [] };
  } catch {
    // A run still going (no record yet) or a damaged file: not a finished run.
    return undefined;
  }
}

/**
 * Writes a run's record (`runs/<id>/run.json`, private to the user), whole or not at all: a
 * crash leaves the old record or the new one. A record that cannot be written (a full disk)
 * throws a `DagrunError` naming the file and the problem.
 */
export function writeRunRecord(stateDir: string, runId: string, text: string): void {
  writePrivateFileAtomic(path.join(runsDir(stateDir), runId, 'run.json'), text, stateDir);
}

/** Run folders, newest first (ids start with the UTC start time; ties by modification time). */
export function listRunDirs(stateDir: string): string[] {
  const root = runsDir(stateDir);
  if (!existsSync(root)) return [];
  const dirs = readdirSync(root, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => path.join(root, e.name));
  // a folder pruned meanwhile (by a build finishing now) sorts last instead of failing the listing
  const mtime = (dir: string) => statSync(dir, { throwIfNoEntry: false })?.mtimeMs ?? 0;
  return dirs.sort((a, b) => path.basename(b).slice(0, 16).localeCompare(path.basename(a).slice(0, 16)) || mtime(b) - mtime(a));
}

/** Finished runs with a record, newest first. */
export function listRuns(stateDir: string, limit = Infinity): RunRecord[] {
  const runs: RunRecord[] = [];
  for (const dir of listRunDirs(stateDir)) {
    if (runs.length >= limit) break;
    const record = readRunRecord(dir);
    if (record) runs.push(record);
  }
  return runs;
}

/** Per-target pace from the most recent successful build of each target in the last `runs` runs. */
export function paceFromHistory(stateDir: string | undefined, runs = 20): Map<string, Pace> {
  const paces = new Map<string, Pace>();
  if (!stateDir) return paces;
  for (const record of listRuns(stateDir, runs)) {
    for (const o of record.outcomes) {
      if (paces.has(o.target) || o.status !== 'done' || !o.dates || o.durationMs === undefined) continue;
      paces.set(o.target, addRange(undefined, o.durationMs, o.dates));
    }
  }
  return paces;
}
