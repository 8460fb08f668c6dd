/** Truth table for the live freshness of a target being built: finished ranges against the measurement before the run. */
import { describe, expect, it } from 'vitest';
import { testTarget } from '../../test/helpers/targets.js';
import type { Check, Target } from '../config/types.js';
import { buildGraph } from '../graph/build.js';
import { dayOf, daysBetween, formatDay, type Day } from '../intervals/day.js';
import { rangesToIso } from '../intervals/interval.js';
import type { CheckOutcome, PresentDates, WriteRecord } from '../warehouse/warehouse.js';
import { assessTargets, type Freshness } from './assess.js';
import { NOT_MEASURED_YET, withBuiltDays, withPlannedDays } from './live.js';
import { checkKey, type MeasuredState } from './state.js';

const d = (iso: string): Day => dayOf(iso);
const ALL = daysBetween(d('2024-01-01'), d('2024-01-10'));
const iso = (days: readonly Day[]) => days.map(formatDay);

/** Present days per target; null: the table does not exist. Targets not named hold every expected day. */
type Present = Record<string, readonly Day[] | null>;

/** Assesses `targets` over 2024-01-01..10 with the given present days, write records (days, time, fingerprint) and check values. */
function assess(
  targets: readonly Target[],
  options: { present?: Present; writes?: Record<string, [readonly Day[], number][]>; checks?: Record<string, number>; expected?: readonly Day[] } = {},
): Map<string, Freshness> {
  const graph = buildGraph(new Map(targets.map((t) => [t.name, t])));
  const expected = options.expected ?? ALL;
  const present = new Map<string, PresentDates>();
  for (const t of targets) {
    const days = options.present?.[t.name];
    present.set(t.name, days === null ? { exists: false, days: [] } : { exists: true, days: days ?? expected });
  }
  const writes = new Map<string, Map<Day, WriteRecord>>();
  for (const [name, list] of Object.entries(options.writes ?? {})) {
    const map = new Map<Day, WriteRecord>();
    for (const [days, writtenAt] of list) for (const day of days) map.set(day, { target: name, day, writtenAt, fingerprint: 'f1', runId: 'r' });
    writes.set(name, map);
  }
  const checks = new Map<string, CheckOutcome>(Object.entries(options.checks ?? {}).map(([key, value]) => [key, { ok: true, value }]));
  const state: MeasuredState = {
    window: { first: ALL[0]!, last: ALL[ALL.length - 1]! }, expected: new Map(targets.map((t) => [t.name, expected])), calendarPending: new Map(),
    present, writes, checks, fingerprints: new Map(targets.map((t) => [t.name, 'f1'])),
  };
  return assessTargets(graph, state, targets.map((t) => t.name));
}

describe('withBuiltDays: missing dates', () => {
  const t = testTarget('t', [], { threshold: 0.95 });

  it('a finished range of a missing table: its days count as present, coverage and missing ranges recomputed, worded as a measurement', () => {
    const before = assess([t], { present: { t: null } }).get('t')!;
    expect(before.reasons).toEqual(['table s.t does not exist yet (0 of 10 expected dates)']);
    const live = withBuiltDays(before, ALL, daysBetween(d('2024-01-01'), d('2024-01-03')));
    expect(live).toMatchObject({ state: 'stale', exists: true, present: 3, expected: 10, coverage: 0.3 });
    expect(iso(live.missing)).toEqual(iso(daysBetween(d('2024-01-04'), d('2024-01-10'))));
    expect(rangesToIso(live.missingRanges)).toEqual([['2024-01-04', '2024-01-10']]);
    // what measuring the warehouse would say with those three dates present
    const measured = assess([t], { present: { t: daysBetween(d('2024-01-01'), d('2024-01-03')) } }).get('t')!;
    expect(live.reasons).toEqual(measured.reasons);
  });

  it('ranges finishing one after another add up; once nothing is missing the target waits for its gate, still stale', () => {
    let live = assess([t], { present: { t: null } }).get('t')!;
    live = withBuiltDays(live, ALL, daysBetween(d('2024-01-01'), d('2024-01-05')));
    live = withBuiltDays(live, ALL, daysBetween(d('2024-01-08'), d('2024-01-10')));
    expect(rangesToIso(live.missingRanges)).toEqual([['2024-01-06', '2024-01-07']]);
    expect(live.reasons).toEqual(['2 of 10 expected dates missing (80.0% < 95%)']);
    live = withBuiltDays(live, ALL, [d('2024-01-06'), d('2024-01-07')]);
    expect(live).toMatchObject({ state: 'stale', present: 10, coverage: 1, missing: [], missingRanges: [], reasons: [NOT_MEASURED_YET] });
  });

  it('days that were already present (a forced rebuild) change nothing, and a fresh target stays fresh', () => {
    const before = assess([t]).get('t')!;
    expect(before.state).toBe('fresh');
    const live = withBuiltDays(before, ALL, daysBetween(d('2024-01-01'), d('2024-01-04')));
    expect(live).toMatchObject({ state: 'fresh', present: 10, coverage: 1, reasons: [] });
  });

  it('missing ranges run over the calendar: a day with no game does not split them', () => {
    const calendar = ALL.filter((day) => day !== d('2024-01-06'));
    const before = assess([t], { present: { t: [] }, expected: calendar }).get('t')!;
    const live = withBuiltDays(before, calendar, daysBetween(d('2024-01-01'), d('2024-01-03')));
    expect(rangesToIso(live.missingRanges)).toEqual([['2024-01-04', '2024-01-10']]);
    expect(live).toMatchObject({ present: 3, expected: 9 });
  });

  it('an empty range changes nothing', () => {
    const before = assess([t], { present: { t: [] } }).get('t')!;
    expect(withBuiltDays(before, ALL, [])).toBe(before);
  });
});

describe('withBuiltDays: outdated dates, checks and blocked targets', () => {
  const up = testTarget('up');
  const t = testTarget('t', ['up']);
  const rewritten = daysBetween(d('2024-01-04'), d('2024-01-06'));
  const outdatedState = () => assess([up, t], { writes: { up: [[ALL, 100], [rewritten, 300]], t: [[ALL, 200]] } }).get('t')!;

  it('rebuilt outdated dates are no longer outdated; the rest are named', () => {
    const before = outdatedState();
    expect(iso(before.outdated)).toEqual(iso(rewritten));
    const live = withBuiltDays(before, ALL, [d('2024-01-04')]);
    expect(iso(live.outdated)).toEqual(['2024-01-05', '2024-01-06']);
    expect(live.reasons).toEqual(['2 dates outdated (2024-01-05..2024-01-06): not rebuilt yet in this run']);
    expect(live.state).toBe('stale');
  });

  it('ranges one after another: one reason for the outdated dates left', () => {
    let live = withBuiltDays(outdatedState(), ALL, [d('2024-01-04')]);
    live = withBuiltDays(live, ALL, [d('2024-01-05')]);
    expect(live.reasons).toEqual(['1 date outdated (2024-01-06): not rebuilt yet in this run']);
  });

  it('a range that touches no outdated date keeps the measured reason as it was', () => {
    const before = outdatedState();
    expect(withBuiltDays(before, ALL, [d('2024-01-09')]).reasons).toEqual(before.reasons);
  });

  it('all outdated dates rebuilt: not measured again yet', () => {
    const live = withBuiltDays(outdatedState(), ALL, rewritten);
    expect(live).toMatchObject({ state: 'stale', outdated: [], reasons: [NOT_MEASURED_YET] });
  });

  it('a failed check stays as measured until the gate runs it again', () => {
    const check: Check = { name: 'rows', sql: 'SELECT 1', perDate: false, min: 1, max: undefined };
    const c = testTarget('c', [], { checks: [check] });
    const before = assess([c], { present: { c: daysBetween(d('2024-01-01'), d('2024-01-08')) }, checks: { [checkKey('c', 'rows')]: 0 } }).get('c')!;
    const live = withBuiltDays(before, ALL, [d('2024-01-09'), d('2024-01-10')]);
    expect(live.reasons).toEqual(['check rows failed: 0 < min 1']);
    expect(live.coverage).toBe(1);
  });

  it('a blocked target stays blocked, with its upstream named', () => {
    const src = testTarget('src', [], { source: true, build: undefined });
    const b = testTarget('b', ['src']);
    const before = assess([src, b], { present: { src: [], b: [] } }).get('b')!;
    expect(before.state).toBe('blocked');
    const live = withBuiltDays(before, ALL, ALL);
    expect(live.state).toBe('blocked');
    expect(live.reasons[0]).toBe('upstream source src below its threshold or failing its checks');
  });
});

describe('withPlannedDays: dates this run rebuilds', () => {
  const t = testTarget('t', [], { threshold: 0.5 });

  it('a fresh target the run rewrites is stale, its present planned dates outdated, until they are built and it is measured', () => {
    const before = assess([t], { present: { t: daysBetween(d('2024-01-01'), d('2024-01-08')) } }).get('t')!;
    expect(before.state).toBe('fresh');
    const planned = withPlannedDays(before, ALL, [{ first: d('2024-01-03'), last: d('2024-01-10') }], 'up rewrites 2024-01-03..2024-01-08 in this run');
    expect(iso(planned.outdated)).toEqual(iso(daysBetween(d('2024-01-03'), d('2024-01-08'))));
    expect(planned).toMatchObject({ state: 'stale', present: 8, coverage: 0.8 });
    expect(planned.reasons).toEqual(['6 dates outdated (2024-01-03..2024-01-08): this run rebuilds them (up rewrites 2024-01-03..2024-01-08 in this run)']);
    const half = withBuiltDays(planned, ALL, daysBetween(d('2024-01-03'), d('2024-01-05')));
    expect(half.reasons).toEqual(['3 dates outdated (2024-01-06..2024-01-08): not rebuilt yet in this run']);
    const all = withBuiltDays(half, ALL, daysBetween(d('2024-01-06'), d('2024-01-10')));
    expect(all).toMatchObject({ state: 'stale', present: 10, outdated: [], reasons: [NOT_MEASURED_YET] });
  });

  it('missing or already outdated dates add nothing; a blocked target stays as it is', () => {
    const before = assess([t], { present: { t: daysBetween(d('2024-01-01'), d('2024-01-08')) } }).get('t')!;
    expect(withPlannedDays(before, ALL, [{ first: d('2024-01-09'), last: d('2024-01-10') }], 'missing')).toBe(before);
    const src = testTarget('src', [], { source: true, build: undefined });
    const blocked = assess([src, testTarget('b', ['src'])], { present: { src: [] } }).get('b')!;
    expect(withPlannedDays(blocked, ALL, [{ first: ALL[0]!, last: ALL[ALL.length - 1]! }], 'forced')).toBe(blocked);
  });
});

describe('withBuiltDays: reasons by kind, not by their words', () => {
  it('keeps a standing reason worded like an outdated one while ranges settle the outdated dates', () => {
    const up = testTarget('up', []);
    const t = testTarget('t', ['up']);
    const before = assess([up, t], { writes: { t: [[ALL, 1]], up: [[[d('2024-01-03'), d('2024-01-04'), d('2024-01-05')], 2]] } }).get('t')!;
    expect(iso(before.outdated)).toEqual(['2024-01-03', '2024-01-04', '2024-01-05']);
    // a reason building does not settle (a pending calendar, a check) may read like anything
    const standing = '2 dates outdated (by a calendar not built yet)';
    const f: Freshness = { ...before, reasons: [...before.reasons, standing] };
    const live = withBuiltDays(f, ALL, [d('2024-01-03')]);
    expect(live.reasons).toEqual(['2 dates outdated (2024-01-04..2024-01-05): not rebuilt yet in this run', standing]);
    expect(live.settledByBuilding).toEqual({ coverage: undefined, outdated: ['2 dates outdated (2024-01-04..2024-01-05): not rebuilt yet in this run'] });
  });
});
