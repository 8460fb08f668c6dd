/**
 * Planning: from the graph, the measured freshness and the selection, the steps to run.
 * A pure function of its inputs, so `--dry-run` shows exactly what a build executes.
 */
import type { Target } from '../config/types.js';
import { formatPercent, formatThreshold } from '../core/format.js';
import type { Freshness, TargetToFreshness } from '../freshness/assess.js';
import type { MeasuredState } from '../freshness/state.js';
import type { TargetGraph } from '../graph/build.js';
import { batchRanges } from '../intervals/batches.js';
import type { Day } from '../intervals/day.js';
import { countDays, rangesOfDays } from '../intervals/day-ranges.js';
import { countDates, describeDays, describeRanges } from '../intervals/describe.js';
import type { Batch, DayRange, DayWindow } from '../intervals/interval.js';
import { calendarRuns, rangesInclude, rangesReading, unionRanges } from '../intervals/range-sets.js';

/** One target to build in this run. */
export interface Step {
  readonly target: string;
  readonly group: string | undefined;
  /** Every day handed over, as ranges of consecutive days (intervals/range-sets.ts). */
  readonly ranges: readonly DayRange[];
  /** How many days that is. */
  readonly dates: number;
  /** The days grouped per `build.ranges` and `maxDays`. */
  readonly batches: readonly Batch[];
  /** Why the step is in the plan. */
  readonly reasons: readonly string[];
  /** Targets with steps that this one waits for. */
  readonly after: readonly string[];
  /**
   * Set when the days cannot be known yet (the calendar table is built in this run):
   * the executor measures the target again once `after` is done.
   */
  readonly deferred: boolean;
}

/** Why a selected target has no step. */
export type OmissionKind =
  /** Fresh: nothing missing, outdated or failing. */
  | 'fresh'
  /** A source (never built by dagrun) that is fresh. */
  | 'source-fresh'
  /** A source below its threshold or failing its checks: dagrun cannot repair it. */
  | 'source-stale'
  /** Something upstream cannot be made fresh in this run. */
  | 'blocked'
  /** Stale, but no date of the window to hand over (e.g. only a warning-level problem). */
  | 'nothing-to-hand-over';

/** A selected target without a step: the kind, for code, and the words, for people. */
export interface Omission {
  readonly target: string;
  readonly kind: OmissionKind;
  readonly why: string;
}

/** Omissions that mean the selection cannot become fresh in this run. */
export function isUnbuildable(omission: Omission): boolean {
  return omission.kind === 'blocked' || omission.kind === 'source-stale';
}

/** The plan as data. */
export interface PlanData {
  readonly window: DayWindow;
  /** Steps in dependency order. */
  readonly steps: readonly Step[];
  /** Selected targets that get no step. */
  readonly omitted: readonly Omission[];
}

/** Inputs to `computePlan`. */
export interface PlanInput {
  readonly graph: TargetGraph;
  readonly state: MeasuredState;
  readonly freshness: TargetToFreshness;
  /** Selected names in dependency order. */
  readonly selected: readonly string[];
  /** Targets to rebuild over the whole window (`-B`). */
  readonly force: ReadonlySet<string>;
  /** `--fill`: also hand over the missing dates of targets at or above their threshold. */
  readonly fill?: boolean;
}

/** The whole calendar as ranges: one when it is every day, else a range per run of consecutive days. */
const wholeCalendar = (expected: readonly Day[]): readonly DayRange[] =>
  expected.length > 0 && expected[expected.length - 1]! - expected[0]! === expected.length - 1 ? [{ first: expected[0]!, last: expected[expected.length - 1]! }] : rangesOfDays(expected);

/** The days a target needs for itself (missing, outdated, or all when forced), and why. */
function ownDays(target: Target, f: Freshness, expected: readonly Day[], forced: boolean, fill: boolean): { days: readonly DayRange[]; reasons: string[] } {
  if (forced) return { days: wholeCalendar(expected), reasons: ['forced rebuild of the whole window (-B)'] };
  if (fill && f.state === 'fresh' && f.exists && f.missing.length > 0) {
    return { days: rangesOfDays(f.missing), reasons: [`--fill: ${countDates(f.missing.length)} missing (fresh at ${formatPercent(f.coverage)}): ${describeDays(f.missing, expected)}`] };
  }
  if (f.state !== 'stale') return { days: [], reasons: [] };
  const days = unionRanges(rangesOfDays(f.missing), rangesOfDays(f.outdated));
  if (days.length === 0 && f.checks.some((c) => !c.passed)) {
    return { days: wholeCalendar(expected), reasons: [...f.reasons, 'rebuilding every date to repair the failing check'] };
  }
  const reasons = [...f.reasons];
  // (a table that does not exist yet misses every date: its first reason says so)
  if (f.missing.length > 0 && f.exists) {
    const also = target.threshold < 1 && f.coverage >= target.threshold ? 'also filling ' : '';
    reasons.push(`${also}${countDates(f.missing.length)} missing: ${describeDays(f.missing, expected)}`);
  }
  return { days, reasons };
}

/**
 * The days of `name` that upstream steps rewrite (through each edge's lookback), and why.
 * An upstream whose dates only touch days already handed over for the target's own reasons
 * adds no reason: the own reason already explains them.
 */
function inheritedDays(
  graph: TargetGraph,
  name: string,
  context: { state: MeasuredState; steps: ReadonlyMap<string, Step>; own: readonly DayRange[]; described: Map<string, string> },
): { days: DayRange[][]; reasons: string[] } {
  const expected = context.state.expected.get(name) ?? [];
  const days: DayRange[][] = [];
  const reasons: string[] = [];
  for (const edge of graph.upstreamEdges(name)) {
    const upstream = context.steps.get(edge.upstream);
    if (!upstream || edge.kind !== 'data') continue;
    const touched = rangesReading(upstream.ranges, expected, edge.lookback);
    if (touched.length === 0) continue;
    days.push(touched);
    if (rangesInclude(context.own, touched)) continue;
    const how = edge.lookback > 0 ? `, lookback ${edge.lookback} days` : '';
    // every dependent of an upstream step names its days: describe them once
    let rewrites = context.described.get(edge.upstream);
    if (rewrites === undefined) {
      rewrites = describeRanges(upstream.ranges, context.state.expected.get(edge.upstream));
      context.described.set(edge.upstream, rewrites);
    }
    reasons.push(
      `${edge.upstream} rewrites ${rewrites} in this run: ` +
        `${countDates(countDays(touched))} read them (${describeRanges(touched, expected)}${how})`,
    );
  }
  return { days, reasons };
}

/** Computes the steps for the selected targets. */
export function computePlan(input: PlanInput): PlanData {
  const { graph, state, freshness } = input;
  const steps = new Map<string, Step>();
  const omitted: Omission[] = [];
  const described = new Map<string, string>();
  for (const name of input.selected) {
    const target = graph.target(name);
    const f = freshness.get(name);
    if (!f) continue;
    if (target.source) {
      omitted.push(
        f.state === 'fresh'
          ? { target: name, kind: 'source-fresh', why: 'source, fresh' }
          : { target: name, kind: 'source-stale', why: `source, not built by dagrun: ${f.reasons[0] ?? ''}` },
      );
      continue;
    }
    if (f.state === 'blocked') {
      omitted.push({ target: name, kind: 'blocked', why: `blocked: ${f.reasons[0]}` });
      continue;
    }
    const expected = state.expected.get(name) ?? [];
    const own = ownDays(target, f, expected, input.force.has(name), input.fill ?? false);
    const inherited = inheritedDays(graph, name, { state, steps, own: own.days, described });
    const reasons = [...own.reasons, ...inherited.reasons];
    const after = graph.upstream(name).filter((up) => steps.has(up));
    // days cannot be known before the calendar exists, or before a deferred upstream knows its own
    const deferred =
      state.calendarPending.has(name) ||
      graph.upstreamEdges(name).some((e) => steps.has(e.upstream) && (e.providesCalendar || steps.get(e.upstream)!.deferred));
    const days = unionRanges(own.days, ...inherited.days);
    if (days.length === 0 && !deferred) {
      omitted.push({ target: name, kind: f.state === 'fresh' ? 'fresh' : 'nothing-to-hand-over', why: freshWhy(f) });
      continue;
    }
    const build = target.build!;
    steps.set(name, {
      target: name,
      group: target.group,
      ranges: days,
      dates: countDays(days),
      batches: batchRanges(days, expected, build.ranges, build.maxDays),
      reasons: reasons.length > 0 ? reasons : ['its calendar is built in this run: dates are measured after it'],
      after: after.sort(),
      deferred,
    });
  }
  return { window: state.window, steps: [...steps.values()], omitted };
}

/** Why a selected, buildable target gets no step. */
function freshWhy(f: Freshness): string {
  const coverage = `${f.present}/${f.expected} dates (${formatPercent(f.coverage)})`;
  const note = f.warnings.length > 0 ? `; ${f.warnings.join('; ')}` : '';
  if (f.state !== 'fresh') return `stale, but no date of the window to hand over: ${f.reasons.join('; ')}${note}`;
  return `fresh: ${coverage} >= ${formatThreshold(f.threshold)}, nothing outdated, checks pass, no upstream step rewrites a date it reads${note}`;
}

/** Recomputes the batches of a deferred step from fresh measurements; `inherited` are the days upstream steps rewrite that it reads. */
export function resolveDeferredStep(step: Step, target: Target, f: Freshness, expected: readonly Day[], inherited: readonly DayRange[]): Step {
  const own = f.state === 'stale' ? unionRanges(rangesOfDays(f.missing), rangesOfDays(f.outdated)) : [];
  const days = unionRanges(own, calendarRuns(expected, inherited));
  const build = target.build!;
  return { ...step, ranges: days, dates: countDays(days), batches: batchRanges(days, expected, build.ranges, build.maxDays), deferred: false };
}
