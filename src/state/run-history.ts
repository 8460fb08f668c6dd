/**
 * The run folders under `.dagrun/runs/`: naming a new run, listing the runs newest first with
 * their records, and finding the logs a target's commands left in one.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { LOG_EXTENSION, runsDir, targetLogDir } from './paths.js';
import { readRunRecord, type FoundRunRecord, type RunRecordRead } from './run-record.js';

/** Length of the UTC start time that begins every run id: `20240101T120000Z`. */
const STAMP_LENGTH = 16;

/**
 * A new run's id (and folder name): its UTC start time, then a few random characters so that two
 * runs started in one second differ. Starting with the time, ids sort in the order runs began.
 */
export function newRunId(now: Date): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${randomBytes(2).toString('hex')}`;
}

/** Run folders, newest first (ids start with the UTC start time; ties by modification time). */
export function listRunDirs(stateDir: string): string[] {
  const root = runsDir(stateDir);
  if (!existsSync(root)) return [];
  const dirs = readdirSync(root, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => path.join(root, e.name));
  // a folder pruned meanwhile (by a build finishing now) sorts last instead of failing the listing
  const mtime = (dir: string) => statSync(dir, { throwIfNoEntry: false })?.mtimeMs ?? 0;
  const stamp = (dir: string) => path.basename(dir).slice(0, STAMP_LENGTH);
  return dirs.sort((a, b) => stamp(b).localeCompare(stamp(a)) || mtime(b) - mtime(a));
}

/** A record that could not be trusted, as `listRuns` reports it. */
export type DamagedRunRecord = Extract<RunRecordRead, { kind: 'damaged' }>;

/**
 * Runs with a record, newest first, at most `limit`. Folders without a record are passed over;
 * a damaged record is passed over too, and handed to `onDamaged` so that the caller can say so.
 */
export function listRuns(stateDir: string, limit = Infinity, onDamaged?: (damaged: DamagedRunRecord) => void): FoundRunRecord[] {
  const runs: FoundRunRecord[] = [];
  for (const dir of listRunDirs(stateDir)) {
    if (runs.length >= limit) break;
    const read = readRunRecord(dir);
    if (read.kind === 'found') runs.push(read.record);
    else if (read.kind === 'damaged') onDamaged?.(read);
  }
  return runs;
}

/** The logs a target's commands left in a run's folder, in range and attempt order. */
export function commandLogFiles(runFolder: string, target: string): string[] {
  const dir = targetLogDir(runFolder, target);
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => f.endsWith(LOG_EXTENSION)).sort().map((f) => path.join(dir, f));
}
