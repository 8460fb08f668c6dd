/** The layout of `.dagrun/` is what older and newer dagruns share on one machine: every name pinned. */
import { describe, expect, it } from 'vitest';
import * as paths from './paths.js';

describe('state paths', () => {
  it('lays out .dagrun/ as it always has', () => {
    const state = paths.stateDirOf('/p');
    const run = paths.runDir(state, '20240101T120000Z-ab12');
    const stem = paths.attemptStem(0, '2024-01-01', '2024-01-07', 2);
    expect({
      state, project: paths.projectDirOf(state), runs: paths.runsDir(state), run,
      record: paths.runRecordFile(run), report: paths.reportFile(run), rangeLog: paths.rangeLogFile(run),
      log: paths.attemptLogFile(run, 'orders', stem), rows: paths.attemptOutputFile(run, 'orders', stem, 'ndjson'),
      durations: paths.durationsFile(state), live: paths.liveFile(state), lastStatus: paths.lastStatusFile(state),
      lock: paths.lockDir(state), owner: paths.lockOwnerFile(paths.lockDir(state)),
    }).toEqual({
      state: '/p/.dagrun', project: '/p', runs: '/p/.dagrun/runs', run: '/p/.dagrun/runs/20240101T120000Z-ab12',
      record: `${run}/run.json`, report: `${run}/report.md`, rangeLog: `${run}/ranges.json`,
      log: `${run}/orders/0001-2024-01-01_2024-01-07-attempt2.log`, rows: `${run}/orders/0001-2024-01-01_2024-01-07-attempt2.ndjson`,
      durations: '/p/.dagrun/durations.json', live: '/p/.dagrun/live.json', lastStatus: '/p/.dagrun/last-status.json',
      lock: '/p/.dagrun/lock', owner: '/p/.dagrun/lock/owner.json',
    });
  });
});
