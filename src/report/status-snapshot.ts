/**
 * "What changed since the last report": each validation document leaves a small snapshot in
 * `.dagrun/last-status.json` (state/last-status-file.ts: per target its window, present dates
 * as ranges over its calendar, coverage and check values), and the next one compares against
 * it. A date that was present and is now missing is flagged, as is coverage that went down and
 * a check that stopped passing.
 */
import { formatDay, parseDay, type Day } from '../intervals/day.js';
import { dayRanges } from '../intervals/describe.js';
import { rangesToIso, type DayRange } from '../intervals/interval.js';
import type { SnapshotTarget, StatusSnapshot } from '../state/last-status-file.js';
import type { DocumentTarget } from './status-document.js';

/** What changed for one target. */
export interface TargetChange {
  readonly target: string;
  /** Dates present at the last report and missing now: data lost. */
  readonly disappeared: readonly DayRange[];
  readonly disappearedCount: number;
  /** Dates missing at the last report and present now. */
  readonly appeared: number;
  readonly coverageBefore: number;
  readonly coverageNow: number;
  /** Checks that passed then and fail now, with both values. */
  readonly checksBroken: readonly { readonly name: string; readonly before: number | null; readonly now: number | null }[];
  /** Checks that failed then and pass now. */
  readonly checksFixed: readonly string[];
}

/** The comparison with the last report. */
export interface StatusChanges {
  /** When the last report was measured; undefined when there was none (this one is the baseline). */
  readonly since: string | undefined;
  /** Targets with any change, in document order. */
  readonly targets: readonly TargetChange[];
  /** Targets the last report did not have. */
  readonly added: readonly string[];
}

/** Present expected days of a target: its expected days less the missing ones. */
function presentDays(t: DocumentTarget): Day[] {
  const missing = new Set<number>(t.freshness.missing);
  return (t.expected ?? []).filter((d) => !missing.has(d));
}

/** The snapshot entry of a document target. */
export function snapshotTarget(t: DocumentTarget, window: { first: Day; last: Day }): SnapshotTarget {
  const checks: Record<string, { value: number | null; passed: boolean }> = {};
  for (const c of t.freshness.checks) checks[c.name] = { value: c.value, passed: c.passed };
  return {
    window: [formatDay(window.first), formatDay(window.last)], expected: t.freshness.expected, present: t.freshness.present, coverage: t.freshness.coverage,
    presentRanges: rangesToIso(dayRanges(presentDays(t), t.expected)), checks,
  };
}

/** The new snapshot: the old one with this document's targets replaced (targets not measured now keep their entry). */
export function nextSnapshot(old: StatusSnapshot | undefined, targets: readonly DocumentTarget[], window: { first: Day; last: Day }, measuredAt: string): StatusSnapshot {
  const entries: Record<string, SnapshotTarget> = { ...(old?.targets ?? {}) };
  for (const t of targets) entries[t.name] = snapshotTarget(t, window);
  return { version: 1, measuredAt, targets: entries };
}

/** Whether `day` lies in one of the sorted inclusive `ranges`. */
function within(ranges: readonly (readonly [Day, Day])[], day: Day): boolean {
  let lo = 0;
  let hi = ranges.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const [first, last] = ranges[mid]!;
    if (day < first) hi = mid - 1;
    else if (day > last) lo = mid + 1;
    else return true;
  }
  return false;
}

/** Compares one target with its entry in the last snapshot. */
export function compareTarget(t: DocumentTarget, before: SnapshotTarget): TargetChange | undefined {
  const ranges = before.presentRanges.map(([a, b]) => [parseDay(a)!, parseDay(b)!] as [Day, Day]).filter(([a, b]) => a !== undefined && b !== undefined);
  const [first, last] = [parseDay(before.window[0]), parseDay(before.window[1])];
  const inOldWindow = (d: Day) => first !== undefined && last !== undefined && d >= first && d <= last;
  const gone = t.freshness.missing.filter((d) => inOldWindow(d) && within(ranges, d));
  const present = presentDays(t);
  const appeared = present.filter((d) => inOldWindow(d) && !within(ranges, d)).length;
  const checksBroken: TargetChange['checksBroken'][number][] = [];
  const checksFixed: string[] = [];
  for (const c of t.freshness.checks) {
    const old = before.checks[c.name];
    if (old?.passed && !c.passed) checksBroken.push({ name: c.name, before: old.value, now: c.value });
    if (old && !old.passed && c.passed) checksFixed.push(c.name);
  }
  const coverageDown = t.freshness.coverage < before.coverage - 1e-9;
  if (gone.length === 0 && appeared === 0 && checksBroken.length === 0 && checksFixed.length === 0 && !coverageDown && t.freshness.coverage === before.coverage) return undefined;
  return {
    target: t.name, disappeared: dayRanges(gone, t.expected), disappearedCount: gone.length, appeared,
    coverageBefore: before.coverage, coverageNow: t.freshness.coverage, checksBroken, checksFixed,
  };
}

/** Compares the document's targets with the last snapshot (none: this document is the baseline). */
export function compareWithSnapshot(old: StatusSnapshot | undefined, targets: readonly DocumentTarget[]): StatusChanges {
  if (!old) return { since: undefined, targets: [], added: [] };
  const changes: TargetChange[] = [];
  const added: string[] = [];
  for (const t of targets) {
    const before = old.targets[t.name];
    if (!before) added.push(t.name);
    else {
      const change = compareTarget(t, before);
      if (change) changes.push(change);
    }
  }
  return { since: old.measuredAt, targets: changes, added };
}

/** Whether a change is a regression a reviewer must look at: lost dates, lower coverage, a broken check. */
export function isRegression(change: TargetChange): boolean {
  return change.disappearedCount > 0 || change.coverageNow < change.coverageBefore - 1e-9 || change.checksBroken.length > 0;
}
