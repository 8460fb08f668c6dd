/**
 * What the HTML report draws, as plain data, built either from a `--status` measurement or
 * from a finished run. Keeping this apart lets the SVG renderers stay pure and testable.
 */
import type { CheckResult, Freshness } from '../freshness/assess.js';
import type { TargetGraph } from '../graph/build.js';
import type { Day } from '../intervals/day.js';
import type { DayRange } from '../intervals/interval.js';
import type { DayWindow } from '../intervals/interval.js';
import type { TargetOutcome } from '../executor/events.js';
import { formatPercent } from './format.js';
import type { RunModel } from './run-model.js';
import type { StatusDocument } from './status-document.js';
import type { StatusChanges } from './status-snapshot.js';
import { describeFailure } from './failure-text.js';

/** The colour a graph node gets. */
export type NodeState =
  /** Fresh and not touched by this run. */
  | 'fresh'
  /** Needs building. */
  | 'stale'
  /** Cannot be made fresh because something upstream cannot. */
  | 'blocked'
  /** Built in this run and passed its gate. */
  | 'built'
  /** Its build or its gate failed in this run. */
  | 'failed'
  /** Not run because something upstream failed (or the run was interrupted). */
  | 'skipped';

/** One target as the report shows it. */
export interface HtmlTarget {
  readonly name: string;
  readonly table: string;
  readonly group: string | undefined;
  readonly source: boolean;
  readonly state: NodeState;
  readonly coverage: number;
  readonly threshold: number;
  readonly present: number;
  readonly expectedCount: number;
  /** Expected days; undefined when unknown (then every non-missing day counts as present). */
  readonly expected: readonly Day[] | undefined;
  readonly missing: readonly Day[];
  /** Missing days as ranges over the calendar. */
  readonly missingRanges: readonly DayRange[];
  readonly outdated: readonly Day[];
  /** One line under the name: why it is in this state. */
  readonly note: string;
  /** Its checks with values and bounds (per-date checks: the failing dates). */
  readonly checks: readonly CheckResult[];
}

/** A dependency edge between two shown targets. */
export interface HtmlEdge {
  readonly upstream: string;
  readonly dependent: string;
  readonly calendarOnly: boolean;
}

/** Everything on the page. */
export interface HtmlReportInput {
  readonly title: string;
  /** Short facts under the title (window, command, duration…). */
  readonly facts: readonly string[];
  readonly window: DayWindow;
  /** Targets in dependency order. */
  readonly targets: readonly HtmlTarget[];
  readonly edges: readonly HtmlEdge[];
  /** What changed since the last report (status pages only). */
  readonly changes?: StatusChanges;
  /** Whether the page ends with a sign-off block (the validation document). */
  readonly signOff?: boolean;
}

function edgesAmong(graph: TargetGraph, names: readonly string[]): HtmlEdge[] {
  const shown = new Set(names);
  return names.flatMap((name) =>
    graph
      .upstreamEdges(name)
      .filter((e) => shown.has(e.upstream))
      .map((e) => ({ upstream: e.upstream, dependent: name, calendarOnly: e.kind === 'calendar' })),
  );
}

function fromFreshness(graph: TargetGraph, f: Freshness, state: NodeState, note: string, expected: readonly Day[] | undefined): HtmlTarget {
  const target = graph.target(f.name);
  return {
    name: f.name, table: target.table, group: target.group, source: target.source, state, coverage: f.coverage, threshold: f.threshold,
    present: f.present, expectedCount: f.expected, expected, missing: f.missing, missingRanges: f.missingRanges, outdated: f.outdated, note, checks: f.checks,
  };
}

/** The page for `dagrun --status --html FILE`. */
export function htmlInputFromStatus(
  graph: TargetGraph,
  window: DayWindow,
  rows: readonly Freshness[],
  expected: ReadonlyMap<string, readonly Day[]>,
  facts: readonly string[],
  doc?: StatusDocument,
): HtmlReportInput {
  const targets = rows.map((f) => fromFreshness(graph, f, f.state, f.reasons[0] ?? `${formatPercent(f.coverage)} covered`, expected.get(f.name)));
  const extras = doc ? { changes: doc.changes, signOff: true, title: 'dagrun validation document' } : {};
  return { title: 'dagrun status', facts, window, targets, edges: edgesAmong(graph, rows.map((r) => r.name)), ...extras };
}

function runState(o: TargetOutcome): NodeState {
  switch (o.status) {
    case 'done':
      return 'built';
    case 'failed':
      return 'failed';
    case 'skipped':
    case 'waiting':
    case 'resolving':
    case 'active':
    case 'gating':
      return 'skipped';
  }
}

/** The page for `dagrun --html FILE` after a build: built targets by outcome, the rest as measured before. */
export function htmlInputFromRun(model: RunModel, graph: TargetGraph, facts: readonly string[]): HtmlReportInput {
  const outcomes = new Map(model.outcomes.map((o) => [o.target, o]));
  const names = [...new Set([...model.plan.steps.map((s) => s.target), ...model.plan.omitted.map((o) => o.target), ...outcomes.keys()])];
  const order = new Map(graph.topologicalOrder().map((n, i) => [n, i]));
  const targets: HtmlTarget[] = [];
  for (const name of names.filter((n) => graph.has(n))) {
    const outcome = outcomes.get(name);
    const freshness = outcome?.after ?? outcome?.before ?? model.measured?.freshness.get(name);
    if (!freshness) continue;
    const state = outcome ? runState(outcome) : freshness.state;
    const note = outcome ? (describeFailure(outcome.failure) ?? model.gates.get(name)?.message ?? '') : (freshness.reasons[0] ?? 'fresh');
    targets.push(fromFreshness(graph, freshness, state, note, model.measured?.expected.get(name)));
  }
  targets.sort((a, b) => (order.get(a.name) ?? 0) - (order.get(b.name) ?? 0));
  return { title: `dagrun run ${model.runId}`, facts, window: model.plan.window, targets, edges: edgesAmong(graph, targets.map((t) => t.name)), changes: model.changes };
}
