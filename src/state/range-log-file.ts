/**
 * `runs/<id>/ranges.json`: what each range of a run did, per target the SQL it ran (SQL targets
 * print nothing, so this is what `dagrun logs` shows for them) and per range its dates, outcome,
 * attempts, time and error. report/range-log.ts makes it from the run's events; private to the user.
 */
import { readFileSync } from 'node:fs';
import { writePrivateFileAtomic } from './disk.js';
import { rangeLogFile, runDir } from './paths.js';

/** One range as the log keeps it. */
export interface LoggedRange {
  /** Inclusive dates, `2024-01-01..2024-01-07` or one date. */
  readonly range: string;
  readonly start: string;
  readonly end: string;
  readonly dates: number;
  readonly ok: boolean;
  readonly attempts: number;
  readonly durationMs: number;
  readonly error?: string;
}

/** One target of the log. */
export interface LoggedTarget {
  /** The SQL file and its text as the run read them (SQL targets). */
  readonly sqlFile?: string;
  readonly sql?: string;
  readonly ranges: readonly LoggedRange[];
}

/** The file `runs/<id>/ranges.json`. */
export interface RangeLog {
  readonly version: 1;
  readonly runId: string;
  readonly targets: Readonly<Record<string, LoggedTarget>>;
}

/** Writes a run's range log (throws a `DagrunError` naming the file when it cannot). */
export function writeRangeLogFile(stateDir: string, log: RangeLog): void {
  writePrivateFileAtomic(rangeLogFile(runDir(stateDir, log.runId)), JSON.stringify(log, null, 1) + '\n', stateDir);
}

/** The range log in a run folder, if it has one. */
export function readRangeLog(runFolder: string): RangeLog | undefined {
  try {
    const parsed = JSON.parse(readFileSync(rangeLogFile(runFolder), 'utf8')) as Partial<RangeLog>;
    return parsed.version === 1 && typeof parsed.targets === 'object' && parsed.targets !== null ? (parsed as RangeLog) : undefined;
  } catch {
    return undefined;
  }
}
