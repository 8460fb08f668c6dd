/** `dagrun runs`: recent runs with their outcome, from the run records under `.dagrun/runs/`. */
import path from 'node:path';
import { renderRunList, runListJson } from '../../report/run-list.js';
import { resolveConfigFile } from '../../run/session.js';
import { stateDirOf } from '../../state/paths.js';
import { listRuns, type DamagedRunRecord } from '../../state/run-history.js';
import { runRecordWrittenAt, type FoundRunRecord } from '../../state/run-record.js';
import type { Output } from './shared.js';

/** Options of `dagrun runs`. */
export interface RunsOptions {
  readonly config?: string;
  readonly limit: number;
  readonly json: boolean;
}

/** The `.dagrun` folder of the pipeline, without loading (or validating) it. */
export function pipelineStateDir(configOption: string | undefined): string {
  return stateDirOf(path.dirname(resolveConfigFile(configOption)));
}

/** When a run's record was last written (its end, for a finished run): the wall time of records from before `wallMs` was kept. */
const recordWritten = (run: FoundRunRecord) => runRecordWrittenAt(run.dir);

/** Prints the recent runs; returns the exit code (0, also when there are none). */
export function runsCommand(options: RunsOptions, out: Output): number {
  // a damaged record is said, not listed: its fields cannot be trusted
  const sayDamaged = (damaged: DamagedRunRecord) => out.stderr(`dagrun: not listed: ${damaged.file} is damaged (${damaged.problem})\n`);
  const runs = listRuns(pipelineStateDir(options.config), options.limit, sayDamaged);
  out.stdout(options.json ? runListJson(runs, recordWritten) + '\n' : renderRunList(runs, recordWritten, Date.now()));
  return 0;
}
