/** Truth tables for outdated days (same-date and lookback), definition changes and their reasons, on in-memory state. */
import { describe, expect, it } from 'vitest';
import { testTarget } from '../../test/helpers/targets.js';
import type { Target } from '../config/types.js';
import { buildGraph } from '../graph/build.js';
import { dayOf, daysBetween, formatDay, type Day } from '../intervals/day.js';
import type { PresentDates, WriteRecord } from '../warehouse/warehouse.js';
import { assessTarget, describeCheckFailure, judgeCheck } from './assess.js';
import type { MeasuredState } from './state.js';

const FIRST = dayOf('2024-01-01');
const LAST = dayOf('2024-01-10');
const ALL = daysBetween(FIRST, LAST);
const d = (iso: string): Day => dayOf(iso);

const target = testTarget;

/** An in-memory warehouse state: every target present on `expected`, written at `at` with fingerprint `f1`. */
class FakeState {
  readonly #targets = new Map<string, Target>();
  readonly #writes = new Map<string, Map<Day, WriteRecord>>();
  readonly #present = new Map<string, PresentDates>();
  readonly #expected = new Map<string, Day[]>();
  readonly #fingerprints = new Map<string, string>();

  add(t: Target, options: { expected?: Day[]; writtenAt?: number; present?: Day[] } = {}): this {
    this.#targets.set(t.name, t);
    const expected = options.expected ?? ALL;
    this.#expected.set(t.name, expected);
    this.#present.set(t.name, { exists: true, days: options.present ?? expected });
    this.#fingerprints.set(t.name, 'f1');
    if (options.writtenAt !== undefined) this.write(t.name, options.present ?? expected, options.writtenAt);
    return this;
  }

  write(name: string, days: readonly Day[], writtenAt: number, fingerprint = 'f1'): this {
    const map = this.#writes.get(name) ?? new Map<Day, WriteRecord>();
    for (const day of days) map.set(day, { target: name, day, writtenAt, fingerprint, runId: 'r' });
    this.#writes.set(name, map);
    return this;
  }

  /** Marks a table as not built yet. */
  missing(name: string): this {
    this.#present.set(name, { exists: false, days: [] });
    return this;
  }

  modified(name: string, at: ReadonlyMap<Day, number>): this {
    this.#present.set(name, { ...this.#present.get(name)!, modifiedAt: at });
    return this;
  }

  fingerprint(name: string, value: string): this {
    this.#fingerprints.set(name, value);
    return this;
  }

  assess(name: string) {
    const graph = buildGraph(this.#targets);
    const state: MeasuredState = {
      window: { first: FIRST, last: LAST }, expected: this.#expected, calendarPending: new Map(), present: this.#present,
      writes: this.#writes, checks: new Map(), fingerprints: this.#fingerprints,
    };
    return assessTarget(graph, state, graph.target(name));
  }
}

const iso = (days: readonly Day[]) => days.map(formatDay);

describe('outdated days from upstream write times', () => {
  it('a same-date dependency outdates exactly the rewritten dates, and the reason names the upstream and dates', () => {
    const f = new FakeState().add(target('up'), { writtenAt: 100 }).add(target('t', ['up']), { writtenAt: 200 })
      .write('up', [d('2024-01-05')], 300).assess('t');
    expect(iso(f.outdated)).toEqual(['2024-01-05']);
    expect(f.state).toBe('stale');
    expect(f.reasons).toEqual(['1 date outdated (2024-01-05): up rewrote 2024-01-05 after they were built']);
  });

  it('a lookback of 2 outdates c..c+2 (within the target calendar), not c-1 or c+3', () => {
    const calendar = ALL.filter((day) => day !== d('2024-01-06')); // no game on the 6th
    const f = new FakeState().add(target('up'), { writtenAt: 100 })
      .add(target('t', [{ target: 'up', lookback: 2 }]), { writtenAt: 200, expected: calendar })
      .write('up', [d('2024-01-05')], 300).assess('t');
    expect(iso(f.outdated)).toEqual(['2024-01-05', '2024-01-07']);
    expect(f.reasons[0]).toBe('2 dates outdated (2024-01-05..2024-01-07): up rewrote 2024-01-05 after they were built (lookback 2 days)');
  });

  it('an upstream rewrite before the window outdates the first dates that look back at it', () => {
    const f = new FakeState().add(target('up'), { writtenAt: 100 })
      .add(target('t', [{ target: 'up', lookback: 3 }]), { writtenAt: 200 })
      .write('up', [d('2023-12-30')], 300).assess('t');
    expect(iso(f.outdated)).toEqual(['2024-01-01', '2024-01-02']);
  });

  it('dates the target has no write record for are not outdated (nothing to compare), and older upstream writes do not count', () => {
    const f = new FakeState().add(target('up'), { writtenAt: 300 }).add(target('t', ['up'])).assess('t');
    expect(f.outdated).toEqual([]);
    const g = new FakeState().add(target('up'), { writtenAt: 100 }).add(target('t', ['up']), { writtenAt: 200 }).assess('t');
    expect(g.state).toBe('fresh');
  });

  it("uses an upstream's partition modification time when dagrun did not write it", () => {
    const f = new FakeState().add(target('raw', [], { source: true, build: undefined }))
      .modified('raw', new Map([[d('2024-01-03'), 500]]))
      .add(target('t', ['raw']), { writtenAt: 200 }).assess('t');
    expect(iso(f.outdated)).toEqual(['2024-01-03']);
  });
});

describe('definition changes', () => {
  it("onChange 'rebuild': every date built under another fingerprint is outdated, with the reason", () => {
    const f = new FakeState().add(target('t'), { writtenAt: 100 }).write('t', [d('2024-01-10')], 150, 'f2').fingerprint('t', 'f2').assess('t');
    expect(f.state).toBe('stale');
    expect(f.definitionChanged).toBe(true);
    expect(f.outdated.length).toBe(9);
    expect(f.reasons).toEqual(['definition changed since last build (fingerprint f1 → f2; 9 dates built under the old definition)']);
  });

  it("onChange 'warn': stays fresh and says so in the warnings", () => {
    const f = new FakeState().add(target('t', [], { onChange: 'warn' }), { writtenAt: 100 }).fingerprint('t', 'f2').assess('t');
    expect(f.state).toBe('fresh');
    expect(f.outdated).toEqual([]);
    expect(f.warnings[0]).toMatch(/^definition changed since last build .*onChange: warn, so not rebuilt$/);
  });
});

describe('a table that does not exist yet', () => {
  it('is stale with coverage 0 under a positive threshold', () => {
    const f = new FakeState().add(target('t', [], { threshold: 0.95 })).missing('t').assess('t');
    expect(f.state).toBe('stale');
    expect(f.coverage).toBe(0);
    expect(f.reasons).toEqual(['table s.t does not exist yet (0 of 10 expected dates)']);
  });

  it('is fresh under a threshold of 0 (coverage 0 >= 0), with a warning instead of a reason', () => {
    const f = new FakeState().add(target('t', [], { threshold: 0 })).missing('t').assess('t');
    expect(f.state).toBe('fresh');
    expect(f.reasons).toEqual([]);
    expect(f.warnings).toEqual(['table s.t does not exist yet (threshold 0%: nothing is required)']);
  });
});

describe('judgeCheck per date', () => {
  const check = (bounds: { min?: number; max?: number }) => ({ name: 'c', sql: 'SELECT d, v', perDate: true, min: bounds.min, max: bounds.max });
  const days = ['2024-01-01', '2024-01-02', '2024-01-03', '2024-01-09'].map(dayOf);
  const perDay = { days, values: [1, 0.5, null, 0] };

  it('fails exactly the present dates whose value is out of bounds or NULL; absent dates are not judged', () => {
    const result = judgeCheck(check({ min: 1 }), { ok: true, value: null, perDay }, days.slice(0, 3));
    expect(result).toMatchObject({ passed: false, value: 0.5, datesJudged: 3, failingDays: [dayOf('2024-01-02'), dayOf('2024-01-03')] });
    expect(describeCheckFailure(result)).toBe('check c failed on 2 dates of 3 (2024-01-02..2024-01-03): worst 0.5, min 1');
  });

  it('under a max, the worst value is the highest', () => {
    const result = judgeCheck(check({ max: 0.6 }), { ok: true, value: null, perDay }, days);
    expect(result).toMatchObject({ passed: false, value: 1, failingDays: [dayOf('2024-01-01'), dayOf('2024-01-03')] });
  });

  it('passes when every judged date passes', () => {
    expect(judgeCheck(check({ min: 0 }), { ok: true, value: null, perDay: { days: days.slice(0, 2), values: [1, 0.5] } }, days)).toMatchObject({ passed: true, failingDays: [] });
  });
});
