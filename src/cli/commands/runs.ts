/** `dagrun runs`: recent runs with their outcome, from the run records under `.dagrun/runs/`. */
import { statSync } from 'node:fs';
import path from 'node:path';
import { renderRunList, runListJson } from '../../report/run-list.js';
import { listRuns, type RunRecord } from '../../report/history.js';
import { resolveConfigFile } from '../../run/session.js';
import type { Output } from './shared.js';

/** Options of `dagrun runs`. */
export interface RunsOptions {
  readonly config?: string;
  readonly limit: number;
  readonly json: boolean;
}

/** The `.dagrun` folder of the pipeline, without loading (or validating) it. */
export function stateDirOf(configOption: string | undefined): string {
  return path.join(path.dirname(resolveConfigFile(configOption)), '.dagrun');
}

/** When a run's record was last written (its end, for a finished run): the wall time of records from before `wallMs` was kept. */
function recordWritten(run: RunRecord): number | undefined {
  try {
    return statSync(path.join(run.dir, 'run.json')).mtimeMs;
  } catch {
    return undefined;
  }
}

/** Prints the recent runs; returns the exit code (0, also when there are none). */
export function runsCommand(options: RunsOptions, out: Output): number {
  const runs = listRuns(stateDirOf(options.config), options.limit);
  out.stdout(options.json ? runListJson(runs, recordWritten) + '\n' : renderRunList(runs, recordWritten, Date.now()));
  return 0;
}
