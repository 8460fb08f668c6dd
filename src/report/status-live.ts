/**
 * `dagrun --status` during a build: the status table or JSON of the build's live state
 * (live-state.ts) instead of a measurement, with what it is and what runs now.
 */
import { pushTo } from '../core/lists-by-key.js';
import pc from 'picocolors';
import type { Freshness } from '../freshness/assess.js';
import type { TargetGraph } from '../graph/build.js';
import { formatDay } from '../intervals/day.js';
import { formatRange } from '../intervals/interval.js';
import type { LiveRange, LiveView } from '../state/live-file.js';
import { formatDuration } from './format.js';
import { freshnessJson, windowJson } from './status-json.js';
import { renderStatusTable } from './status-table.js';

/** The selected targets the build knows (in selection order), and those it does not build or measure. */
export interface LiveSelection {
  readonly rows: readonly Freshness[];
  readonly notInBuild: readonly string[];
}

/** Picks the selection out of the live state. */
export function selectLive(view: LiveView, selected: readonly string[]): LiveSelection {
  const rows: Freshness[] = [];
  const notInBuild: string[] = [];
  for (const name of selected) {
    const target = view.targets.get(name);
    if (target) rows.push(target.freshness);
    else notInBuild.push(name);
  }
  return { rows, notInBuild };
}

/** `--status` exit code on the live state: 0 only when every selected target is known and fresh. */
export function liveExitCode(selection: LiveSelection): number {
  return selection.notInBuild.length === 0 && selection.rows.every((r) => r.state === 'fresh') ? 0 : 1;
}

const clockTime = (iso: string) => `${iso.slice(11, 19)} UTC`;
const ago = (iso: string, now: Date) => formatDuration(Math.max(0, now.getTime() - Date.parse(iso)));

/** How many ranges of one target the running line names before it counts the rest. */
const RANGES_NAMED = 2;

function describeRange(r: LiveRange, now: Date): string {
  const attempt = r.attempt > 1 ? `, attempt ${r.attempt}` : '';
  return `${formatRange(r)} (${r.waitingFor === undefined ? `for ${ago(r.since, now)}` : `waiting for ${r.waitingFor}`}${attempt})`;
}

/** "a 2024-01-01..2024-01-02 (for 3.1s), 2024-01-03 (for 1.0s) +4 more; b …": per target, the first few ranges. */
function describeRanges(ranges: readonly LiveRange[], now: Date): string {
  const byTarget = new Map<string, LiveRange[]>();
  for (const r of ranges) pushTo(byTarget, r.target, r);
  return [...byTarget]
    .map(([target, list]) => {
      const more = list.length > RANGES_NAMED ? ` +${list.length - RANGES_NAMED} more` : '';
      return `${target} ${list.slice(0, RANGES_NAMED).map((r) => describeRange(r, now)).join(', ')}${more}`;
    })
    .join('; ');
}

/** What runs now, in one line: running ranges first, then those queued. */
export function describeRunning(view: LiveView, now: Date): string {
  const running = view.running.filter((r) => r.waitingFor === undefined);
  const waiting = view.running.filter((r) => r.waitingFor !== undefined);
  if (running.length === 0 && waiting.length === 0) return 'Running: nothing at this moment (measuring, or between ranges)';
  return [running.length > 0 && `Running: ${describeRanges(running, now)}`, waiting.length > 0 && `Queued: ${describeRanges(waiting, now)}`].filter(Boolean).join('. ');
}

/** The lines above the table: whose state this is, as of when, and what runs. */
function liveHeader(view: LiveView, selection: LiveSelection, now: Date): string {
  const lines = [
    pc.bold(`Live state of build ${view.runId}`) +
      ` (pid ${view.pid}, \`${view.commandLine}\`, started ${clockTime(view.startedAt)}) as of ${clockTime(view.asOf)} (${ago(view.asOf, now)} ago): ` +
      `${view.rangesDone} of ${view.rangesPlanned} ranges done`,
    pc.dim('Coverage counts the ranges finished so far; a target is measured again once all its ranges are done.'),
    describeRunning(view, now),
  ];
  if (selection.notInBuild.length > 0) lines.push(`Not in this build, so not shown until it ends: ${selection.notInBuild.join(', ')}`);
  return lines.join('\n') + '\n\n';
}

/** The status table of the live state, with the header lines above it. */
export function renderLiveStatus(graph: TargetGraph, view: LiveView, selection: LiveSelection, now: Date): string {
  return liveHeader(view, selection, now) + renderStatusTable(graph, view.window, selection.rows);
}

/** `--status --json` of the live state: SPEC's shape, plus a `live` member saying whose state it is. */
export function liveStatusJson(graph: TargetGraph, view: LiveView, selection: LiveSelection): string {
  const live = {
    runId: view.runId,
    pid: view.pid,
    commandLine: view.commandLine,
    startedAt: view.startedAt,
    asOf: view.asOf,
    ranges: { done: view.rangesDone, planned: view.rangesPlanned },
    running: view.running.map((r) => ({
      target: r.target, range: [formatDay(r.first), formatDay(r.last)], dates: r.dates, attempt: r.attempt, since: r.since,
      ...(r.waitingFor !== undefined && { waitingFor: r.waitingFor }),
    })),
    notInBuild: selection.notInBuild,
  };
  return JSON.stringify({ window: windowJson(view.window), targets: selection.rows.map((f) => freshnessJson(graph, f)), live }, null, 2);
}
