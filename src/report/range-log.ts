/**
 * What each range of a run did, kept beside its record (`runs/<id>/ranges.json`, the file in
 * state/range-log-file.ts): made with the run's reports, from the same events (errors already
 * masked), and printed by `dagrun logs` for a target whose commands printed nothing.
 */
import path from 'node:path';
import pc from 'picocolors';
import type { TargetGraph } from '../graph/build.js';
import { formatDay } from '../intervals/day.js';
import { formatRange } from '../intervals/interval.js';
import { writeRangeLogFile, type LoggedTarget, type RangeLog } from '../state/range-log-file.js';
import { formatDuration } from './format.js';
import { rangesOf, type RunModel } from './run-model.js';

/** The range log of a run, from its model. */
export function rangeLogOf(model: RunModel, graph: TargetGraph, projectDir: string): RangeLog {
  const targets: Record<string, LoggedTarget> = {};
  for (const step of model.plan.steps) {
    const action = graph.has(step.target) ? graph.target(step.target).build?.action : undefined;
    const ranges = rangesOf(model, step.target).map((r) => ({
      range: formatRange(r), start: formatDay(r.first), end: formatDay(r.last), dates: r.dates, ok: r.ok, attempts: r.attempts, durationMs: Math.round(r.durationMs),
      ...(r.error !== undefined && { error: r.error }),
    }));
    targets[step.target] = action?.kind === 'sql' ? { sqlFile: path.relative(projectDir, action.file), sql: action.sql, ranges } : { ranges };
  }
  return { version: 1, runId: model.runId, targets };
}

/** Writes the range log of a run that had something to do (throws a `DagrunError` naming the file when it cannot). */
export function writeRangeLog(stateDir: string, model: RunModel, graph: TargetGraph, projectDir: string): void {
  if (model.plan.steps.length === 0) return;
  writeRangeLogFile(stateDir, rangeLogOf(model, graph, projectDir));
}

/** What `dagrun logs` prints for a target with no command output: the SQL it ran, then each range with its outcome and error. */
export function renderRangeLog(runId: string, target: string, entry: LoggedTarget): string {
  const lines: string[] = [];
  if (entry.sql !== undefined) {
    lines.push(pc.bold(`==> run ${runId} · ${target} · SQL ${entry.sqlFile ?? ''} (run once per range) <==`), entry.sql.trim(), '');
  }
  lines.push(pc.bold(`==> run ${runId} · ${target} · ranges <==`));
  if (entry.ranges.length === 0) lines.push('no range ran (the run stopped before it)');
  for (const r of entry.ranges) {
    const attempts = r.attempts > 1 ? `, ${r.attempts} attempts` : '';
    const verdict = r.ok ? pc.green('ok') : pc.red('failed');
    lines.push(`${r.range} (${r.dates} date${r.dates === 1 ? '' : 's'}): ${verdict} in ${formatDuration(r.durationMs)}${attempts}`);
    if (entry.sql !== undefined) lines.push(pc.dim(`    @start_date = ${r.start}, @end_date = ${r.end}, @dates = the ${r.dates} date${r.dates === 1 ? '' : 's'} of the range`));
    if (r.error !== undefined) lines.push(...r.error.split('\n').map((l) => `    ${pc.red('│')} ${l}`));
  }
  return lines.join('\n') + '\n';
}
