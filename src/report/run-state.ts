/**
 * A run with nothing to build that was asked for a report (`dagrun --report F`, a nightly
 * cron) reports the state it found like `--status --report` does, what changed since the
 * last report included; and its state becomes the one the next report compares with.
 */
import type { TargetGraph } from '../graph/build.js';
import type { ReportFiles } from './report-files.js';
import type { RunModel } from './run-model.js';
import { documentTargets } from './status-document.js';
import { readSnapshot, writeSnapshot } from '../state/last-status-file.js';
import { compareWithSnapshot, nextSnapshot } from './status-snapshot.js';

/** Whether the run's reports show its state: nothing built, all well, a report asked for. */
function reportsState(model: RunModel, files: ReportFiles): boolean {
  return model.outcomes.length === 0 && model.ok && model.measured !== undefined && (files.markdown !== undefined || files.junit !== undefined || files.html !== undefined);
}

/**
 * The model with `changes` when it reports its state, and a function that keeps its state
 * for the next comparison (call it once the reports are written); otherwise the model as it is.
 */
export function withStateChanges(model: RunModel, graph: TargetGraph, stateDir: string, files: ReportFiles): { model: RunModel; keep: () => void } {
  const measured = model.measured;
  if (!reportsState(model, files) || !measured) return { model, keep: () => undefined };
  const rows = [...measured.freshness.values()].filter((f) => graph.has(f.name));
  const targets = documentTargets(graph, rows, measured.expected, undefined);
  const old = readSnapshot(stateDir);
  const measuredAt = model.startedAt.toISOString();
  return {
    model: { ...model, changes: compareWithSnapshot(old, targets) },
    keep: () => writeSnapshot(stateDir, nextSnapshot(old, targets, model.plan.window, measuredAt)),
  };
}
