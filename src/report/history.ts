/**
 * The per-target pace the progress view's first ETAs use, from the run records of earlier runs
 * (read in state/run-history.ts; range durations for the plan's priority are in durations.ts).
 */
import { listRuns } from '../state/run-history.js';
import { addRange, type Pace } from './eta.js';

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
