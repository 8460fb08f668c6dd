/**
 * Where everything under `.dagrun/` lives: one function per file or folder, so that the layout
 * of the state folder is spelled here and nowhere else. The layout is what older and newer
 * dagruns share on one machine, so a name here never changes lightly.
 *
 * ```
 * .dagrun/                     stateDir (next to dag.json5)
 *   durations.json             latest range durations per target (durations-file.ts)
 *   live.json                  the live state of a build going on (live-file.ts)
 *   last-status.json           what the last validation document saw (last-status-file.ts)
 *   read-cache.json            answers of the DuckDB file as it last was (read-cache-file.ts)
 *   pipeline-cache.json        the pipeline as last loaded, with its inputs' stamps (pipeline-cache-file.ts)
 *   lock/owner.json            the pipeline lock and its holder (lock.ts)
 *   runs/<run-id>/             one folder per run (run-history.ts)
 *     run.json                 its record (run-record.ts)
 *     report.md                its Markdown report
 *     ranges.json              what each range did (range-log-file.ts)
 *     <target>/<attempt>.log   what a command printed; `.csv` etc.: the rows it handed over
 * ```
 */
import path from 'node:path';

/** The name of the state folder, next to dag.json5. */
export const STATE_DIR_NAME = '.dagrun';

/** The state folder of the pipeline whose dag.json5 is in `projectDir`. */
export function stateDirOf(projectDir: string): string {
  return path.join(projectDir, STATE_DIR_NAME);
}

/** The folder of dag.json5, from its state folder. */
export function projectDirOf(stateDir: string): string {
  return path.dirname(stateDir);
}

/** Reads of the DuckDB warehouse kept for its file as it last was. */
export function readCacheFile(stateDir: string): string {
  return path.join(stateDir, 'read-cache.json');
}

/** The pipeline as last loaded, with the stamps of what it was read from. */
export function pipelineCacheFile(stateDir: string): string {
  return path.join(stateDir, 'pipeline-cache.json');
}

/** The folder holding one folder per run. */
export function runsDir(stateDir: string): string {
  return path.join(stateDir, 'runs');
}

/** The folder of one run: its record, reports and command logs. */
export function runDir(stateDir: string, runId: string): string {
  return path.join(runsDir(stateDir), runId);
}

/** The record of a run, in its folder. */
export function runRecordFile(runFolder: string): string {
  return path.join(runFolder, 'run.json');
}

/** The Markdown report of a run, in its folder. */
export function reportFile(runFolder: string): string {
  return path.join(runFolder, 'report.md');
}

/** What each range of a run did, in its folder. */
export function rangeLogFile(runFolder: string): string {
  return path.join(runFolder, 'ranges.json');
}

/** The folder of a target's command logs (and handed-over rows) in a run's folder. */
export function targetLogDir(runFolder: string, target: string): string {
  return path.join(runFolder, target);
}

/** The name shared by one attempt's log and rows: `0001-2024-01-01_2024-01-07-attempt1`, so `ls` lists them in range order. */
export function attemptStem(rangeIndex: number, start: string, end: string, attempt: number): string {
  return `${String(rangeIndex + 1).padStart(4, '0')}-${start}_${end}-attempt${attempt}`;
}

/** The extension of command logs, by which `dagrun logs` finds them. */
export const LOG_EXTENSION = '.log';

/** What one attempt of a command printed. */
export function attemptLogFile(runFolder: string, target: string, stem: string): string {
  return path.join(targetLogDir(runFolder, target), `${stem}${LOG_EXTENSION}`);
}

/** The file an attempt hands its rows over in (`csv`, `ndjson`, `parquet`), beside its log. */
export function attemptOutputFile(runFolder: string, target: string, stem: string, extension: string): string {
  return path.join(targetLogDir(runFolder, target), `${stem}.${extension}`);
}

/** The latest range durations per target, for the next plan's priorities. */
export function durationsFile(stateDir: string): string {
  return path.join(stateDir, 'durations.json');
}

/** The live state of the build going on, for `--status` during it. */
export function liveFile(stateDir: string): string {
  return path.join(stateDir, 'live.json');
}

/** What the last validation document saw, for "what changed since the last report". */
export function lastStatusFile(stateDir: string): string {
  return path.join(stateDir, 'last-status.json');
}

/** The pipeline lock: a folder, because `mkdir` is atomic. */
export function lockDir(stateDir: string): string {
  return path.join(stateDir, 'lock');
}

/** Who holds the lock, inside its folder. */
export function lockOwnerFile(lock: string): string {
  return path.join(lock, 'owner.json');
}
