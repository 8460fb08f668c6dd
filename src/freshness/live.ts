/**
 * A target's freshness while a build runs (what `--status` shows during a build): the
 * measurement taken before the run, updated by each range that finished since. Pure: no
 * I/O, no clock. The gate's measurement replaces it once the target's ranges are done.
 */
import { formatPercent, formatThreshold } from '../core/format.js';
import { missingRanges } from '../intervals/coverage.js';
import type { Day } from '../intervals/day.js';
import { daysWithin } from '../intervals/day-ranges.js';
import type { DayRange } from '../intervals/interval.js';
import { countDates, describeDays } from '../intervals/describe.js';
import type { Freshness } from './assess.js';

/** The reason of a target whose every reason a finished range resolved, until its gate measures it. */
export const NOT_MEASURED_YET = 'built in this run; not measured again yet';

/** `days` without the members of `built`. */
function without(days: readonly Day[], built: ReadonlySet<number>): Day[] {
  return days.filter((d) => !built.has(d));
}

/**
 * `f` after a range that built `built` finished successfully: those days are no longer
 * missing or outdated, coverage and the missing ranges are recomputed over `expected` (the
 * target's calendar in the window), and so are the reasons they change. Checks are not run
 * again until the gate, so their results stay as measured. A target that was not fresh stays
 * stale until its gate, if only because it has `NOT_MEASURED_YET`.
 */
export function withBuiltDays(f: Freshness, expected: readonly Day[], built: readonly Day[]): Freshness {
  if (built.length === 0) return f;
  const builtSet = new Set<number>(built);
  const missing = without(f.missing, builtSet);
  const outdated = without(f.outdated, builtSet);
  const present = f.present + (f.missing.length - missing.length);
  const coverage = f.expected === 0 ? 1 : present / f.expected;
  const exists = f.exists || present > 0;

  // what building settles is said again; the rest (blocked upstream, a pending calendar, failed checks) stays
  const settled = f.settledByBuilding;
  const coverageReason =
    coverage >= f.threshold ? undefined
    : exists ? `${missing.length} of ${f.expected} expected dates missing (${formatPercent(coverage)} < ${formatThreshold(f.threshold)})`
    : settled.coverage ?? `0 of ${f.expected} expected dates present`;
  const outdatedReasons =
    outdated.length === f.outdated.length ? settled.outdated
    : outdated.length > 0 ? [`${countDates(outdated.length)} outdated (${describeDays(outdated, expected)}): not rebuilt yet in this run`]
    : [];
  const standing = f.reasons.filter((r) => r !== settled.coverage && !settled.outdated.includes(r));
  const reasons = [...(coverageReason ? [coverageReason] : []), ...outdatedReasons, ...standing];
  if (reasons.length === 0 && f.state !== 'fresh') reasons.push(NOT_MEASURED_YET);

  return {
    ...f,
    state: f.state === 'blocked' ? 'blocked' : reasons.length === 0 ? 'fresh' : 'stale',
    exists,
    present,
    missing,
    outdated,
    coverage,
    missingRanges: missingRanges(missing, expected),
    reasons,
    settledByBuilding: { coverage: coverageReason, outdated: outdatedReasons },
  };
}

/**
 * `f` at the start of a run whose plan rebuilds `days` of it (`why`: the plan's reason): the
 * present ones are outdated until rebuilt, so a fresh target that this run rewrites (forced,
 * or reading dates an upstream step rewrites) shows stale until its gate measures it again.
 */
export function withPlannedDays(f: Freshness, expected: readonly Day[], days: readonly DayRange[], why: string): Freshness {
  if (days.length === 0 || f.state === 'blocked') return f;
  const notPresent = new Set<number>([...f.missing, ...f.outdated]);
  const added = daysWithin(expected, days).filter((d) => !notPresent.has(d));
  if (added.length === 0) return f;
  const planned = `${countDates(added.length)} outdated (${describeDays(added, expected)}): this run rebuilds them (${why})`;
  return {
    ...f,
    state: 'stale',
    outdated: [...f.outdated, ...added].sort((a, b) => a - b),
    reasons: [...f.reasons, planned],
    settledByBuilding: { ...f.settledByBuilding, outdated: [...f.settledByBuilding.outdated, planned] },
  };
}
