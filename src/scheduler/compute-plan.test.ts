/** The planner on in-memory state: which dates each step gets, handed down same-date and lookback edges, and why. */
import { renderPlan } from '../report/plan-text.js';
import { planJson } from '../report/status-json.js';
import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { testTarget } from '../../test/helpers/targets.js';
import type { Target } from '../config/types.js';
import { assessTargets } from '../freshness/assess.js';
import type { MeasuredState } from '../freshness/state.js';
import { buildGraph } from '../graph/build.js';
import { dayOf, daysBetween, formatDay, type Day } from '../intervals/day.js';
import { daysOfRanges } from '../intervals/day-ranges.js';
import type { PresentDates, WriteRecord } from '../warehouse/warehouse.js';
import { computePlan, type PlanData } from './compute-plan.js';

const FIRST = dayOf('2024-01-01');
const LAST = dayOf('2024-01-10');
const ALL = daysBetween(FIRST, LAST);
const d = (iso: string): Day => dayOf(iso);

const target = testTarget;

/** A pipeline whose every target is fully built (written at time 100 with fingerprint f1) unless told otherwise. */
class FakeProject {
  readonly #targets = new Map<string, Target>();
  readonly #writes = new Map<string, Map<Day, WriteRecord>>();
  readonly #present = new Map<string, PresentDates>();
  readonly #expected = new Map<string, Day[]>();
  readonly #fingerprints = new Map<string, string>();

  add(t: Target, options: { expected?: Day[]; present?: Day[] } = {}): this {
    this.#targets.set(t.name, t);
    this.#expected.set(t.name, options.expected ?? ALL);
    const present = options.present ?? options.expected ?? ALL;
    this.#present.set(t.name, { exists: true, days: present });
    this.#fingerprints.set(t.name, 'f1');
    return this.write(t.name, present, 100);
  }

  write(name: string, days: readonly Day[], writtenAt: number, fingerprint = 'f1'): this {
    const map = this.#writes.get(name) ?? new Map<Day, WriteRecord>();
    for (const day of days) map.set(day, { target: name, day, writtenAt, fingerprint, runId: 'r' });
    this.#writes.set(name, map);
    return this;
  }

  fingerprint(name: string, value: string): this {
    this.#fingerprints.set(name, value);
    return this;
  }

  plan(selected?: string[], force: string[] = []): PlanData {
    const graph = buildGraph(this.#targets);
    const state: MeasuredState = {
      window: { first: FIRST, last: LAST }, expected: this.#expected, calendarPending: new Map(), present: this.#present,
      writes: this.#writes, checks: new Map(), fingerprints: this.#fingerprints,
    };
    const names = (selected ?? graph.topologicalOrder()).filter((n) => graph.has(n));
    const order = graph.topologicalOrder().filter((n) => names.includes(n));
    return computePlan({ graph, state, freshness: assessTargets(graph, state, order), selected: order, force: new Set(force) });
  }
}

/** The plan as `{target: ['first..last', …]}` over the days of each step. */
function daysOf(plan: PlanData): Record<string, string[]> {
  return Object.fromEntries(plan.steps.map((s) => [s.target, daysOfRanges(s.ranges).map(formatDay)]));
}

/** up → same (same date) → tail; up → roll (lookback 2) */
const chain = () =>
  new FakeProject()
    .add(target('up'))
    .add(target('same', ['up']))
    .add(target('roll', [{ target: 'up', lookback: 2 }]))
    .add(target('tail', ['same']));

describe('computePlan', () => {
  it('plans nothing when everything is fresh, and says why for each target', () => {
    const plan = chain().plan();
    expect(plan.steps).toEqual([]);
    expect(plan.omitted.map((o) => o.target)).toEqual(['up', 'roll', 'same', 'tail']);
    expect(plan.omitted[0]!.why).toMatch(/^fresh: 10\/10 dates \(100\.0%\) >= 100%, nothing outdated/);
  });

  it('an upstream date rewritten after the downstream outdates exactly that date (same-date) and c..c+2 (lookback 2)', () => {
    const plan = chain().write('up', [d('2024-01-05')], 200).plan();
    // tail is not outdated itself, but same is rebuilt in this run: the date is handed over
    expect(daysOf(plan)).toEqual({ roll: ['2024-01-05', '2024-01-06', '2024-01-07'], same: ['2024-01-05'], tail: ['2024-01-05'] });
    expect(plan.omitted.map((o) => o.target)).toEqual(['up']);
    expect(plan.steps.find((s) => s.target === 'tail')!.reasons).toEqual(['same rewrites 2024-01-05 in this run: 1 date read them (2024-01-05)']);
  });

  it('hands the dates an upstream step rewrites down the whole chain, through lookbacks, with reasons', () => {
    const plan = chain().add(target('up'), { present: ALL.filter((day) => day !== d('2024-01-04')) }).plan();
    expect(daysOf(plan)).toEqual({
      up: ['2024-01-04'],
      roll: ['2024-01-04', '2024-01-05', '2024-01-06'],
      same: ['2024-01-04'],
      tail: ['2024-01-04'],
    });
    const roll = plan.steps.find((s) => s.target === 'roll')!;
    expect(roll.reasons).toEqual(['up rewrites 2024-01-04 in this run: 3 dates read them (2024-01-04..2024-01-06, lookback 2 days)']);
    expect(roll.after).toEqual(['up']);
    expect(plan.steps.find((s) => s.target === 'up')!.reasons).toEqual([
      '1 of 10 expected dates missing (90.0% < 100%)',
      '1 date missing: 2024-01-04',
    ]);
  });

  it("hands lookback dates over within the downstream target's own calendar only", () => {
    const noGameOn5th = ALL.filter((day) => day !== d('2024-01-05'));
    const plan = new FakeProject()
      .add(target('up'), { present: ALL.filter((day) => day !== d('2024-01-04')) })
      .add(target('roll', [{ target: 'up', lookback: 2 }]), { expected: noGameOn5th })
      .plan();
    expect(daysOf(plan).roll).toEqual(['2024-01-04', '2024-01-06']);
  });

  it("a changed definition rebuilds the target's window and hands every date downstream", () => {
    const plan = chain().fingerprint('same', 'f2').plan();
    expect(Object.keys(daysOf(plan))).toEqual(['same', 'tail']);
    expect(daysOf(plan).tail).toHaveLength(10);
    expect(plan.steps[0]!.reasons[0]).toMatch(/^definition changed since last build \(fingerprint f1 → f2; 10 dates/);
  });

  it("onChange 'warn' plans nothing and explains the warning in the omission", () => {
    const project = chain().add(target('same', ['up'], { onChange: 'warn' })).fingerprint('same', 'f2');
    const plan = project.plan();
    expect(plan.steps).toEqual([]);
    expect(plan.omitted.find((o) => o.target === 'same')!.why).toMatch(/onChange: warn, so not rebuilt$/);
  });

  it('an unselected upstream step hands nothing over (the next run sees the outdated dates)', () => {
    const plan = chain().add(target('up'), { present: ALL.slice(1) }).plan(['same', 'tail']);
    expect(plan.steps).toEqual([]);
  });

  it('-B rebuilds the whole window of the forced target and its downstream gets every date', () => {
    const plan = chain().plan(undefined, ['up']);
    expect(daysOf(plan).up).toHaveLength(10);
    expect(daysOf(plan).roll).toHaveLength(10);
    expect(plan.steps.find((s) => s.target === 'roll')!.reasons[0]).toBe(
      'up rewrites 2024-01-01..2024-01-10 in this run: 10 dates read them (2024-01-01..2024-01-10, lookback 2 days)',
    );
  });

  it('keeps a source out of the plan, saying it is not built by dagrun', () => {
    const plan = new FakeProject().add(target('raw', [], { source: true, build: undefined }), { present: [] }).plan();
    expect(plan.omitted).toEqual([{ target: 'raw', kind: 'source-stale', why: 'source, not built by dagrun: 10 of 10 expected dates missing (0.0% < 100%)' }]);
  });

  it('tells fresh omissions from blocked ones by kind, and the text and JSON plans do not call blocked targets fresh', () => {
    const plan = new FakeProject()
      .add(target('raw', [], { source: true, build: undefined }), { present: [] })
      .add(target('mid', ['raw']), { present: [] })
      .plan();
    expect(plan.steps).toEqual([]);
    expect(plan.omitted.map((o) => [o.target, o.kind])).toEqual([['raw', 'source-stale'], ['mid', 'blocked']]);
    // CI sets CI=true, which turns colours on in picocolors
    const text = stripVTControlCharacters(renderPlan(plan, { explain: false }));
    expect(text).toMatch(/^Nothing can be built for .*: 2 selected targets are not fresh and cannot be made so in this run:\n   raw: source, not built by dagrun/);
    expect(text).not.toContain('Nothing to do');
    const json = JSON.parse(planJson(plan)) as { fresh: unknown[]; notBuilt: { target: string; kind: string }[] };
    expect(json.fresh).toEqual([]);
    expect(json.notBuilt.map((o) => [o.target, o.kind])).toEqual([['raw', 'source-stale'], ['mid', 'blocked']]);
  });
});
