/**
 * A bounded run history: after each build, the oldest run folders under `.dagrun/runs/` go
 * until at most `keepRuns` remain and they hold at most `maxBytes` together. The run that
 * prunes, and any run still going, are never removed; a run that had nothing to do is kept
 * only until the next run, so a frequent no-op cron does not push real builds out.
 */
import { lstatSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { processAlive } from '../core/process.js';
import { listRunDirs } from './run-history.js';
import { runRecordFile } from './paths.js';
import { readRunStatus, type RunStatus } from './run-record.js';

/** How much run history to keep (dag.json5 `history`). */
export interface HistoryLimits {
  /** At most this many run folders (the current one included). */
  readonly keepRuns: number;
  /** At most this many bytes of run folders together; the current run is kept even if it alone is bigger. */
  readonly maxBytes: number;
}

/** The history kept when dag.json5 says nothing: 50 runs, 500 MB. */
export const DEFAULT_HISTORY: HistoryLimits = { keepRuns: 50, maxBytes: 500 * 1024 * 1024 };

/** What pruning removed. */
export interface Pruned {
  readonly runs: readonly string[];
  readonly bytes: number;
}

/** Bytes of the files under `dir` (links not followed). */
export function folderBytes(dir: string): number {
  let total = 0;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const entry of entries) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) total += folderBytes(file);
    else {
      try {
        total += lstatSync(file).size;
      } catch {
        // removed meanwhile
      }
    }
  }
  return total;
}

/** A run that may be going on: its record says unfinished and its process lives. */
function mayBeRunning(record: RunStatus | undefined): boolean {
  if (record === undefined) return false; // no record: a crash left the folder before its first write
  if (record.finished !== false) return false;
  return record.pid !== undefined && processAlive(record.pid);
}

/** A finished run that had nothing to do. */
function nothingDone(record: RunStatus | undefined): boolean {
  return record !== undefined && record.finished === true && record.ok === true && record.outcomes === 0;
}

/**
 * Removes the oldest run folders beyond `limits`, never `currentRunId` nor a run still going.
 * Failures to remove are ignored: the next build tries again.
 */
export function pruneRunHistory(stateDir: string, limits: HistoryLimits, currentRunId: string): Pruned {
  const removed: string[] = [];
  let removedBytes = 0;
  let kept = 0;
  let keptBytes = 0;
  let newest = true;
  for (const dir of listRunDirs(stateDir)) {
    const id = path.basename(dir);
    const bytes = folderBytes(dir);
    // records are read only when their answer matters: a kept run's, to know whether it did
    // nothing (only a small record can say so), one beyond the limits', to know whether it still runs
    let read: RunStatus | undefined | null = null;
    const record = () => (read === null ? (read = readRunStatus(dir)) : read);
    const stale = !newest && recordBytes(dir) <= NOTHING_DONE_MAX_BYTES && nothingDone(record());
    newest = false;
    const fits = !stale && kept + 1 <= limits.keepRuns && keptBytes + bytes <= limits.maxBytes;
    // a damaged record is no evidence of a run going on: its folder is pruned like any other
    if (id === currentRunId || fits || mayBeRunning(record())) {
      kept++;
      keptBytes += bytes;
      continue;
    }
    try {
      rmSync(dir, { recursive: true, force: true });
      removed.push(id);
      removedBytes += bytes;
    } catch {
      // a file we cannot remove: the next build tries again
    }
  }
  return { runs: removed, bytes: removedBytes };
}

/**
 * The most a record of a run that did nothing takes: its few fields and the command line, with
 * no outcome. A bigger record lists outcomes, so it is not read to find out (a command line
 * longer than this only keeps such a run a while longer).
 */
const NOTHING_DONE_MAX_BYTES = 16 * 1024;

/** Bytes of a run's record; 0 when there is none (a crash before the first write). */
function recordBytes(dir: string): number {
  return statSync(runRecordFile(dir), { throwIfNoEntry: false })?.size ?? 0;
}
