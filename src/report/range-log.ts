/**
 * What each range of a run did, kept beside its record (`runs/<id>/ranges.json`): per target
 * the SQL it ran (SQL targets print nothing, so this is what `dagrun logs` shows for them),
 * and per range its dates, outcome, attempts, time and error. Written with the run's
 * reports, from the same events (errors already masked); private to the user.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import pc from 'picocolors';
import type { TargetGraph } from '../graph/build.js';
import { formatDay } from '../intervals/day.js';
import { formatRange } from '../intervals/interval.js';
import { writePrivateFileAtomic } from '../state/disk.js';
import { formatDuration } from './format.js';
import { rangesOf, type RunModel } from './run-model.js';

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

const FILE = 'ranges.json';

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
  writePrivateFileAtomic(path.join(stateDir, 'runs', model.runId, FILE), JSON.stringify(rangeLogOf(model, graph, projectDir), null, 1) + '\n', stateDir);
}

/** The range log in a run folder, if it has one. */
export function readRangeLog(runDir: string): RangeLog | undefined {
  try {
    const parsed = JSON.parse(readFileSync(path.join(runDir, FILE), 'utf8')) as Partial<RangeLog>;
    return parsed.version === 1 && typeof parsed.targets === 'object' && parsed.targets !== null ? (parsed as RangeLog) : undefined;
  } catch {
    return undefined;
  }
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
