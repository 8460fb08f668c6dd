/**
 * The pure judgement of freshness (SPEC "Freshness"): coverage against the threshold,
 * outdated days from write times along dependency edges, definition changes, checks, and
 * blocked targets behind sources that cannot be made fresh. No I/O, no clock.
 */
import type { Check, Target } from '../config/types.js';
import { formatPercent, formatThreshold } from '../core/format.js';
import type { TargetGraph } from '../graph/build.js';
import { matchRanges, missingRanges, PresentExpected } from '../intervals/coverage.js';
import { formatDay, type Day } from '../intervals/day.js';
import type { DayRange } from '../intervals/interval.js';
import { countDates, describeDays } from '../intervals/describe.js';
import { checkKey, presentRangesOf, type MeasuredState } from './state.js';
import type { CheckOutcome, DayValues } from '../warehouse/warehouse.js';
import {
  compactWrites,
  latestWithin,
  NO_TIMES,
  rangesWrittenBefore,
  timeAt,
  timeRange,
  withFallback,
  type DayTimes,
  type TargetWrites,
} from './write-times.js';

/** A target's freshness state. */
export type FreshnessState =
  /** Coverage at or above the threshold, nothing outdated, checks pass. */
  | 'fresh'
  /** Needs building (or, for a source, cannot be built by dagrun). */
  | 'stale'
  /** Cannot be made fresh in this run because something upstream cannot. */
  | 'blocked';

/** The outcome of one check. */
export interface CheckResult {
  readonly name: string;
  readonly value: number | null;
  readonly passed: boolean;
  /** Set when the query itself failed. */
  readonly error: string | undefined;
  readonly min: number | undefined;
  readonly max: number | undefined;
  /** Per-date checks: the present dates whose value fails (sorted), and how many dates were judged. */
  readonly failingDays?: readonly Day[];
  readonly datesJudged?: number;
}

/** Everything known about one target's freshness. */
export interface Freshness {
  readonly name: string;
  readonly state: FreshnessState;
  readonly exists: boolean;
  readonly expected: number;
  readonly present: number;
  readonly missing: readonly Day[];
  /** Present days to rebuild: an upstream wrote them later, or the definition changed. */
  readonly outdated: readonly Day[];
  readonly coverage: number;
  readonly threshold: number;
  readonly missingRanges: readonly DayRange[];
  readonly checks: readonly CheckResult[];
  /** The definition changed since the last build of some present day. */
  readonly definitionChanged: boolean;
  /** Human-readable reasons, most important first; empty when fresh. */
  readonly reasons: readonly string[];
  /**
   * Which of `reasons` building dates settles: the one about coverage (a missing table, missing
   * dates) and those about present dates to rebuild. A build's live view says them again as its
   * ranges land (live.ts), without reading its own words back; the rest stay as they are.
   */
  readonly settledByBuilding: { readonly coverage: string | undefined; readonly outdated: readonly string[] };
  /** Notes that do not make the target stale (e.g. a changed definition with onChange: warn). */
  readonly warnings: readonly string[];
}

/** Freshness of every assessed target, by name. */
export type TargetToFreshness = Map<string, Freshness>;

/** Judges one check outcome against its bounds. */
export function judgeCheck(check: Check, outcome: CheckOutcome | undefined, presentDays: readonly Day[] = []): CheckResult {
  const base = { name: check.name, min: check.min, max: check.max };
  if (!outcome) return { ...base, value: null, passed: false, error: 'not evaluated (the table does not exist)' };
  if (!outcome.ok) return { ...base, value: null, passed: false, error: outcome.error };
  const within = (value: number | null) => value !== null && (check.min === undefined || value >= check.min) && (check.max === undefined || value <= check.max);
  if (check.perDate) return judgePerDate(check, outcome.perDay ?? { days: [], values: [] }, presentDays, within);
  const value = outcome.value;
  return { ...base, value, passed: within(value), error: undefined };
}

/**
 * A per-date check: each present date judged on its own value; its value is the worst one
 * (lowest under a min, else highest), and it fails on exactly the dates that fail. Dates the
 * query does not return are not judged.
 */
function judgePerDate(check: Check, rows: DayValues, presentDays: readonly Day[], within: (value: number | null) => boolean): CheckResult {
  const present = new Set<number>(presentDays);
  const failingDays: Day[] = [];
  let worst: number | null = null;
  let judged = 0;
  rows.days.forEach((day, i) => {
    if (!present.has(day)) return;
    const value = rows.values[i] ?? null;
    judged++;
    if (!within(value)) failingDays.push(day);
    if (value !== null && (worst === null || (check.min !== undefined ? value < worst : value > worst))) worst = value;
  });
  return { name: check.name, min: check.min, max: check.max, value: worst, passed: failingDays.length === 0, error: undefined, failingDays, datesJudged: judged };
}

/** A one-line description of a failed check. */
export function describeCheckFailure(result: CheckResult): string {
  if (result.error) return `check ${result.name} could not run: ${result.error}`;
  if (result.failingDays !== undefined) {
    const bound = result.min !== undefined ? `min ${result.min}` : `max ${result.max}`;
    const worst = result.value === null ? 'NULL' : round(result.value);
    return `check ${result.name} failed on ${countDates(result.failingDays.length)} of ${result.datesJudged} (${describeDays(result.failingDays)}): worst ${worst}, ${bound}`;
  }
  if (result.value === null) return `check ${result.name} returned NULL`;
  if (result.min !== undefined && result.value < result.min) return `check ${result.name} failed: ${round(result.value)} < min ${result.min}`;
  return `check ${result.name} failed: ${round(result.value)} > max ${result.max}`;
}

const round = (n: number) => +n.toFixed(4);

/** Per state (plain data, never changed once measured), each target's writes in the compact form. */
const compactByState = new WeakMap<MeasuredState, Map<string, { writes: TargetWrites | undefined; times: DayTimes }>>();

/**
 * A target's recorded writes (undefined when none), and its write time per day: dagrun's
 * record, else the engine's partition time. Computed once per state and target.
 */
function writesOf(state: MeasuredState, name: string): { writes: TargetWrites | undefined; times: DayTimes } {
  let cache = compactByState.get(state);
  if (!cache) compactByState.set(state, (cache = new Map()));
  let entry = cache.get(name);
  if (!entry) {
    const recorded = state.writes.get(name);
    const writes = recorded ? compactWrites(recorded) : undefined;
    const presence = state.present.get(name);
    const modified = presence && presentRangesOf(presence).modified;
    entry = { writes, times: modified ? withFallback(writes ?? NO_TIMES, modified) : (writes ?? NO_TIMES) };
    cache.set(name, entry);
  }
  return entry;
}

const writeTimes = (state: MeasuredState, name: string): DayTimes => writesOf(state, name).times;

/**
 * Present days of `target` that an upstream rewrote after them, with a reason per upstream
 * naming the upstream dates written later and the dates of `target` that read them. Day d
 * reads the upstream's d-lookback..d, so a rewrite of c outdates the built days in c..c+lookback:
 * day d is outdated when the latest upstream write over d-lookback..d is later than its own.
 */
function outdatedByUpstream(
  graph: TargetGraph,
  state: MeasuredState,
  target: Target,
  present: PresentExpected,
): { days: Set<Day>; reasons: string[] } {
  const days = new Set<Day>();
  const reasons: string[] = [];
  const calendar = state.expected.get(target.name) ?? [];
  const own = writeTimes(state, target.name);
  for (const edge of graph.upstreamEdges(target.name)) {
    if (edge.kind !== 'data') continue;
    const theirs = writeTimes(state, edge.upstream);
    if (timeRange(theirs).latest <= timeRange(own).earliest) continue;
    const hits = present.within(rangesWrittenBefore(own, latestWithin(theirs, edge.lookback)));
    if (hits.length === 0) continue;
    // the upstream dates behind the hits, for the reason (few: only outdated days get here)
    const newer = new Set<Day>();
    for (const day of hits) {
      const mine = timeAt(own, day);
      for (let d = day - edge.lookback; d <= day; d++) if (timeAt(theirs, d as Day) > mine) newer.add(d as Day);
    }
    for (const d of hits) days.add(d);
    const via = edge.lookback > 0 ? ` (lookback ${edge.lookback} days)` : '';
    reasons.push(
      `${countDates(hits.length)} outdated (${describeDays(hits, calendar)}): ${edge.upstream} rewrote ` +
        `${describeDays([...newer])} after they were built${via}`,
    );
  }
  return { days, reasons };
}

/** Present days written under another definition than the current one, and those definitions. */
function changedDefinitionDays(state: MeasuredState, target: Target, present: PresentExpected): { days: Day[]; before: string[] } {
  const current = state.fingerprints.get(target.name);
  const { writes } = writesOf(state, target.name);
  if (current === undefined || !writes) return { days: [], before: [] };
  const days: Day[] = [];
  const before = new Set<string>();
  for (const { range, fingerprint } of writes.writtenUnderOther(current)) {
    const hits = present.within([range]);
    if (hits.length > 0) before.add(fingerprint);
    for (let i = 0; i < hits.length; i++) days.push(hits[i]!);
  }
  return { days, before: [...before].sort() };
}

/** Present days handed to a command whose end was never recorded, and the runs that left them so. */
function unfinishedDays(state: MeasuredState, target: Target, present: PresentExpected): { days: readonly Day[]; runs: string[] } {
  const { writes } = writesOf(state, target.name);
  if (!writes) return { days: [], runs: [] };
  const days = present.within(writes.unfinished());
  const runs = writes.unfinishedRuns.map((r) => `run ${r}`);
  return { days, runs: days.length > 0 && runs.length === 0 ? ['an earlier run'] : runs };
}

/** "definition changed since last build (fingerprint a → b; 12 dates built under the old one)". */
function describeDefinitionChange(changed: { days: Day[]; before: string[] }, current: string | undefined): string {
  const shown = changed.before.slice(0, 3).join(', ') + (changed.before.length > 3 ? ', …' : '');
  return `definition changed since last build (fingerprint ${shown} → ${current}; ${countDates(changed.days.length)} built under the old definition)`;
}

/** "90 days", "36 hours": a partition expiration as set (days when whole). */
function describeExpiration(ms: number): string {
  const days = ms / 86_400_000;
  if (Number.isInteger(days)) return `${days} day${days === 1 ? '' : 's'}`;
  const hours = ms / 3_600_000;
  return Number.isInteger(hours) ? `${hours} hours` : `${Math.round(ms / 1000)} s`;
}

/** Assesses one target, ignoring its upstream's states (see `assessTargets`). */
export function assessTarget(graph: TargetGraph, state: MeasuredState, target: Target): Freshness {
  const expected = state.expected.get(target.name) ?? [];
  const measured = state.present.get(target.name);
  const present = measured ? presentRangesOf(measured) : { exists: false, ranges: [] };
  const coverage = matchRanges(expected, present.ranges);
  const presentExpected = new PresentExpected(expected, present.ranges);
  const reasons: string[] = [];
  const warnings: string[] = [];

  const pending = state.calendarPending.get(target.name);
  if (pending) reasons.push(pending);
  // partition expiration: measureState left the days it deletes out of the expected ones
  const expiry = present.partitionExpiry;
  if (expiry && state.window.first < expiry.firstKept) {
    warnings.push(
      `partitions of ${target.table} expire after ${describeExpiration(expiry.expirationMs)}: dates before ${formatDay(expiry.firstKept)} are not expected (rebuilt, they would expire again)`,
    );
  }
  // A missing table has coverage 0 (1 when nothing is expected, e.g. in a season break): it is
  // stale only below the threshold, so a threshold of 0 or an empty calendar leaves a warning.
  if (!present.exists && !pending && coverage.ratio >= target.threshold) {
    warnings.push(
      expected.length === 0
        ? `table ${target.table} does not exist yet, but no date is expected in the window`
        : `table ${target.table} does not exist yet (threshold ${formatThreshold(target.threshold)}: nothing is required)`,
    );
  }
  const coverageReason =
    coverage.ratio >= target.threshold ? undefined
    : !present.exists && !pending ? `table ${target.table} does not exist yet (0 of ${expected.length} expected dates)`
    : `${coverage.missing.length} of ${coverage.expected} expected dates missing (${formatPercent(coverage.ratio)} < ${formatThreshold(target.threshold)})`;
  if (coverageReason) reasons.push(coverageReason);
  const outdatedReasons: string[] = [];

  const upstream = outdatedByUpstream(graph, state, target, presentExpected);
  const changed = changedDefinitionDays(state, target, presentExpected);
  const outdated = new Set(upstream.days);
  if (changed.days.length > 0) {
    const why = describeDefinitionChange(changed, state.fingerprints.get(target.name));
    switch (target.onChange) {
      case 'rebuild':
        for (const d of changed.days) outdated.add(d);
        outdatedReasons.push(why);
        break;
      case 'warn':
        warnings.push(`${why}; onChange: warn, so not rebuilt`);
        break;
    }
  }
  outdatedReasons.push(...upstream.reasons);
  const unfinished = unfinishedDays(state, target, presentExpected);
  if (unfinished.days.length > 0) {
    for (const d of unfinished.days) outdated.add(d);
    outdatedReasons.push(
      `${countDates(unfinished.days.length)} outdated (${describeDays(unfinished.days, expected)}): a build of them by ${unfinished.runs.join(', ')} ` +
        'did not finish, so they may hold old or partial rows',
    );
  }
  reasons.push(...outdatedReasons);

  const checks = target.checks.map((check) =>
    judgeCheck(check, present.exists ? state.checks.get(checkKey(target.name, check.name)) : undefined, check.perDate ? presentExpected.days() : []),
  );
  for (const result of checks) if (!result.passed && present.exists) reasons.push(describeCheckFailure(result));
  // a per-date check names the dates to rebuild: only those, not the whole window
  for (const result of checks) for (const d of result.failingDays ?? []) outdated.add(d);

  return {
    name: target.name,
    state: reasons.length === 0 ? 'fresh' : 'stale',
    exists: present.exists,
    expected: coverage.expected,
    present: coverage.present,
    missing: coverage.missing,
    outdated: [...outdated].sort((a, b) => a - b),
    coverage: coverage.ratio,
    threshold: target.threshold,
    missingRanges: missingRanges(coverage.missing, expected),
    checks,
    definitionChanged: changed.days.length > 0,
    reasons,
    settledByBuilding: { coverage: coverageReason, outdated: outdatedReasons },
    warnings,
  };
}

/**
 * Assesses `names` (in dependency order) and marks as blocked every target downstream of a
 * source that is not fresh, or of another blocked target.
 */
export function assessTargets(graph: TargetGraph, state: MeasuredState, names: readonly string[]): TargetToFreshness {
  const result: TargetToFreshness = new Map();
  for (const name of names) {
    const own = assessTarget(graph, state, graph.target(name));
    const blockers = graph.upstream(name).flatMap((up) => {
      const f = result.get(up);
      if (!f) return [];
      if (f.state === 'blocked') return [`upstream ${up} is blocked`];
      if (graph.target(up).source && f.state === 'stale') return [`upstream source ${up} below its threshold or failing its checks`];
      return [];
    });
    result.set(name, blockers.length > 0 ? { ...own, state: 'blocked', reasons: [...blockers, ...own.reasons] } : own);
  }
  return result;
}
