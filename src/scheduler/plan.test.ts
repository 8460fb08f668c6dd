/** The runtime plan stepped by hand, as ninja's PlanTest does: findWork() → finished() → findWork(). */
import { describe, expect, it } from 'vitest';
import { FakeProject } from '../../test/helpers/fake-project.js';
import { plannedDays } from '../../test/helpers/targets.js';
import { InternalError } from '../core/errors.js';
import { label, labels, runToEnd, startAll } from '../../test/helpers/plan-driver.js';
import { describeFailure } from '../report/failure-text.js';
import type { TargetFailure } from './failure.js';
import { Plan, type WorkUnit } from './plan.js';
import type { Step } from './compute-plan.js';

/** Finds a started unit by label. */
function pick(units: readonly WorkUnit[], wanted: string): WorkUnit {
  const unit = units.find((u) => label(u) === wanted);
  if (!unit) throw new Error(`${wanted} not among ${labels(units).join(', ')}`);
  return unit;
}

const statuses = (plan: Plan) => Object.fromEntries(plan.outcomes().map((o) => [o.target, o.status]));
const reasons = (plan: Plan) => Object.fromEntries(plan.outcomes().map((o) => [o.target, describeFailure(o.failure)]));
/** The outcomes with their failure in the words reports use. */
const said = (plan: Plan) => plan.outcomes().map(({ failure, ...o }) => ({ ...o, reason: describeFailure(failure) }));
const rangeFailed = (message: string): TargetFailure => ({ kind: 'range-failed', message });

describe('dependencies and gates', () => {
  it('builds a chain one step at a time, gating each target before its dependents start', () => {
    const plan = new FakeProject().addTarget('raw', { batches: 2, parallel: 2 }).addTarget('orders', { deps: ['raw'] }).plan();
    const first = startAll(plan);
    expect(labels(first)).toEqual(['raw#0', 'raw#1']);
    plan.finished(pick(first, 'raw#0'));
    expect(startAll(plan)).toEqual([]); // no gate before the last range
    plan.finished(pick(first, 'raw#1'));
    const gate = startAll(plan);
    expect(labels(gate)).toEqual(['gate:raw']);
    expect(plan.moreToDo()).toBe(true);
    plan.finished(gate[0]!);
    const next = startAll(plan);
    expect(labels(next)).toEqual(['orders#0']);
    plan.finished(next[0]!);
    const lastGate = startAll(plan);
    expect(labels(lastGate)).toEqual(['gate:orders']);
    plan.finished(lastGate[0]!);
    expect(plan.moreToDo()).toBe(false);
    expect(plan.findWork()).toBeUndefined();
    expect(said(plan)).toEqual([
      { target: 'raw', status: 'done', reason: undefined, batchesDone: 2, batches: 2 },
      { target: 'orders', status: 'done', reason: undefined, batchesDone: 1, batches: 1 },
    ]);
  });

  it('a step with nothing to build (it only inherits a deferred measurement) goes straight to its gate', () => {
    const plan = new FakeProject().addTarget('t', { batches: 0 }).plan();
    expect(labels(startAll(plan))).toEqual(['gate:t']);
  });

  it('a failed gate fails the target and skips everything downstream, naming the failed upstream', () => {
    const plan = new FakeProject()
      .addTarget('raw').addTarget('mid', { deps: ['raw'] }).addTarget('top', { deps: ['mid'] })
      .plan();
    plan.finished(startAll(plan)[0]!);
    plan.finished(startAll(plan)[0]!, { kind: 'gate-failed', message: '5 of 10 dates still missing after the build (50% < 95%)' });
    expect(plan.moreToDo()).toBe(false);
    expect(statuses(plan)).toEqual({ raw: 'failed', mid: 'skipped', top: 'skipped' });
    expect(reasons(plan)).toEqual({ raw: '5 of 10 dates still missing after the build (50% < 95%)', mid: 'upstream raw failed', top: 'upstream raw failed' });
  });

  it('a target with two upstream steps waits for both gates', () => {
    const plan = new FakeProject().addTarget('a').addTarget('b').addTarget('join', { deps: ['a', 'b'] }).plan();
    expect(runToEnd(plan)).toEqual(['a#0', 'b#0', 'gate:a', 'gate:b', 'join#0', 'gate:join']);
  });

  it('refuses a step that waits for a target without a step (a planner bug)', () => {
    const step: Step = { target: 'x', group: undefined, ranges: [], dates: 0, batches: [], reasons: [], after: ['ghost'], deferred: false };
    expect(() => new Plan([step], { jobs: 1, groups: new Map(), parallel: () => 1, failureMode: 'no-new' })).toThrow(InternalError);
  });
});

describe('limits', () => {
  it('never starts more than the global jobs limit', () => {
    const project = new FakeProject({ jobs: 3 });
    for (const name of ['a', 'b', 'c', 'd', 'e']) project.addTarget(name, { batches: 2, parallel: 2 });
    const plan = project.plan();
    const started = startAll(plan);
    expect(started).toHaveLength(3);
    plan.finished(started[0]!);
    expect(startAll(plan)).toHaveLength(1);
  });

  it('keeps each group within its concurrency while other targets use the rest', () => {
    const plan = new FakeProject({ jobs: 10, groups: { bq: 2 } })
      .addTarget('q1', { group: 'bq', batches: 2, parallel: 2 })
      .addTarget('q2', { group: 'bq', batches: 2, parallel: 2 })
      .addTarget('local', { batches: 3, parallel: 3 })
      .plan();
    const started = startAll(plan);
    expect(started.filter((u) => u.target !== 'local')).toHaveLength(2);
    expect(started.filter((u) => u.target === 'local')).toHaveLength(3);
    plan.finished(started.find((u) => u.target === 'local')!);
    expect(startAll(plan)).toEqual([]); // local has nothing left; the group is still full
    plan.finished(started.find((u) => u.target !== 'local')!);
    const next = startAll(plan);
    expect(next).toHaveLength(1);
    expect(['q1', 'q2']).toContain(next[0]!.target);
  });

  it('a group of concurrency 0 is unlimited', () => {
    const plan = new FakeProject({ jobs: 10, groups: { free: 0 } }).addTarget('t', { group: 'free', batches: 4, parallel: 0 }).plan();
    expect(startAll(plan)).toHaveLength(4);
  });

  it("runs at most `parallel` ranges of one target at once", () => {
    const plan = new FakeProject({ jobs: 10 }).addTarget('t', { batches: 5, parallel: 2 }).plan();
    const started = startAll(plan);
    expect(labels(started)).toEqual(['t#0', 't#1']);
    plan.finished(started[1]!);
    expect(labels(startAll(plan))).toEqual(['t#2']);
  });

  it('targets that need the warehouse to themselves take turns, and one waiting holds no group or global slot', () => {
    const plan = new FakeProject({ jobs: 2, groups: { raw: 2 } })
      .addTarget('a', { group: 'raw', batches: 2, parallel: 2 })
      .addTarget('b', { group: 'raw', batches: 1 })
      .addTarget('c', { group: 'raw', batches: 1 })
      .plan({ exclusive: (name) => name !== 'c' });
    const first = startAll(plan);
    // one exclusive range runs; the other slot of the group goes to c instead of a range that would only wait
    expect(first.filter((u) => u.target !== 'c')).toHaveLength(1);
    expect(labels(first)).toContain('c#0');
    plan.finished(first.find((u) => u.target !== 'c')!);
    const second = startAll(plan);
    expect(second.filter((u) => u.kind === 'range')).toHaveLength(1);
  });

  it('gates take no pool slot: a full pool does not hold back a measurement', () => {
    const plan = new FakeProject({ jobs: 1 }).addTarget('a').addTarget('b', { batches: 2 }).plan();
    const [first] = startAll(plan);
    plan.finished(first!);
    const next = startAll(plan);
    // `a` (or `b`) finished its only range: its gate and the next range start together under -j1.
    expect(next.filter((u) => u.kind === 'gate')).toHaveLength(first!.target === 'a' ? 1 : 0);
    expect(next.filter((u) => u.kind === 'range')).toHaveLength(1);
  });
});

describe('failures', () => {
  const project = () =>
    new FakeProject({ jobs: 2 })
      .addTarget('raw', { batches: 2 })
      .addTarget('report', { deps: ['raw'] })
      .addTarget('other', { batches: 2 });

  it('no-new: after a failure nothing new starts, running work finishes, and what was left says why', () => {
    const plan = project().plan({ failureMode: 'no-new' });
    const started = startAll(plan);
    expect(labels(started)).toEqual(['raw#0', 'other#0']);
    plan.finished(pick(started, 'raw#0'), rangeFailed('exit code 3'));
    expect(startAll(plan)).toEqual([]);
    expect(plan.moreToDo()).toBe(true); // other#0 still runs
    plan.finished(pick(started, 'other#0'));
    expect(startAll(plan)).toEqual([]);
    expect(plan.moreToDo()).toBe(false);
    expect(said(plan)).toEqual([
      { target: 'other', status: 'active', reason: '1 of 2 ranges built: the run stopped after raw failed (-k goes on with independent work)', batchesDone: 1, batches: 2 },
      { target: 'raw', status: 'failed', reason: 'exit code 3', batchesDone: 0, batches: 2 },
      { target: 'report', status: 'skipped', reason: 'upstream raw failed', batchesDone: 0, batches: 1 },
    ]);
  });

  it('no-new: a target that finished all its ranges is still gated after the failure', () => {
    const plan = new FakeProject({ jobs: 2 }).addTarget('bad').addTarget('good').addTarget('after_good', { deps: ['good'] }).plan({ failureMode: 'no-new' });
    const started = startAll(plan);
    plan.finished(pick(started, 'bad#0'), rangeFailed('boom'));
    plan.finished(pick(started, 'good#0'));
    const gate = startAll(plan);
    expect(labels(gate)).toEqual(['gate:good']);
    plan.finished(gate[0]!);
    expect(startAll(plan)).toEqual([]);
    expect(plan.moreToDo()).toBe(false);
    expect(statuses(plan)).toEqual({ bad: 'failed', good: 'done', after_good: 'skipped' });
    expect(reasons(plan).after_good).toBe('not started: the run stopped after bad failed (-k goes on with independent work)');
  });

  it('continue (-k): everything not downstream of the failure goes on', () => {
    const plan = project().plan({ failureMode: 'continue' });
    const started = startAll(plan);
    plan.finished(pick(started, 'raw#0'), rangeFailed('exit code 3'));
    // The failed target's other ranges are independent work too: what they build is kept.
    const raw1 = startAll(plan);
    expect(labels(raw1)).toEqual(['raw#1']);
    plan.finished(pick(started, 'other#0'));
    const other1 = startAll(plan);
    expect(labels(other1)).toEqual(['other#1']);
    plan.finished(raw1[0]!);
    expect(statuses(plan).raw).toBe('failed');
    plan.finished(other1[0]!);
    const gate = startAll(plan);
    expect(labels(gate)).toEqual(['gate:other']);
    plan.finished(gate[0]!);
    expect(plan.moreToDo()).toBe(false);
    expect(statuses(plan)).toEqual({ other: 'done', raw: 'failed', report: 'skipped' });
    expect(said(plan).find((o) => o.target === 'raw')).toMatchObject({ batchesDone: 1, batches: 2, reason: 'exit code 3' });
  });

  it('the first failure of a target is the reason it shows', () => {
    const plan = new FakeProject().addTarget('t', { batches: 2, parallel: 2 }).plan({ failureMode: 'continue' });
    const [a, b] = startAll(plan);
    plan.finished(a!, rangeFailed('first'));
    expect(plan.moreToDo()).toBe(true);
    plan.finished(b!, rangeFailed('second'));
    expect(reasons(plan).t).toBe('first');
    expect(plan.moreToDo()).toBe(false);
  });
});

describe('interrupt', () => {
  it('starts nothing more, not even gates; running units report back; nothing is blamed on the interrupt', () => {
    const plan = new FakeProject({ jobs: 3 })
      .addTarget('a', { batches: 2, parallel: 2 }).addTarget('b').addTarget('c', { deps: ['b'] })
      .plan();
    const started = startAll(plan);
    expect(labels(started)).toEqual(['b#0', 'a#0', 'a#1']); // b heads the longer chain
    plan.interrupt();
    expect(plan.moreToDo()).toBe(true);
    plan.finished(pick(started, 'b#0'));
    plan.finished(pick(started, 'a#0'));
    plan.finished(pick(started, 'a#1'), { kind: 'interrupted' });
    expect(startAll(plan)).toEqual([]);
    expect(plan.moreToDo()).toBe(false);
    expect(said(plan)).toEqual([
      { target: 'a', status: 'active', reason: '1 of 2 ranges built: interrupted', batchesDone: 1, batches: 2 },
      { target: 'b', status: 'gating', reason: 'its ranges were built but it was not measured again: interrupted', batchesDone: 1, batches: 1 },
      { target: 'c', status: 'skipped', reason: 'not started: interrupted', batchesDone: 0, batches: 1 },
    ]);
  });
});

describe('deferred steps', () => {
  const project = () => new FakeProject({ jobs: 4 }).addTarget('schedule').addTarget('games', { deps: ['schedule'], deferred: true, batches: 0, parallel: 2 }).addTarget('top', { deps: ['games'] });
  const resolvedStep = (plan: Plan, batches: number): Step => {
    const first = plan.step('schedule').batches[0]!;
    const list = Array.from({ length: batches }, () => first);
    return { ...plan.step('games'), batches: list, ...plannedDays(list.flatMap((b) => b.days)), deferred: false };
  };
  const untilResolve = (plan: Plan): WorkUnit => {
    plan.finished(startAll(plan)[0]!);
    plan.finished(startAll(plan)[0]!);
    const resolve = startAll(plan);
    expect(labels(resolve)).toEqual(['resolve:games']);
    return resolve[0]!;
  };

  it('is measured after its upstream gate, then runs the batches it learned', () => {
    const plan = project().plan();
    const unit = untilResolve(plan);
    plan.resolved(unit, resolvedStep(plan, 3));
    expect(labels(startAll(plan))).toEqual(['games#0', 'games#1']);
  });

  it('goes straight to its gate when the measurement finds nothing to build', () => {
    const plan = project().plan();
    plan.resolved(untilResolve(plan), resolvedStep(plan, 0));
    expect(labels(startAll(plan))).toEqual(['gate:games']);
  });

  it('a resolution without a new step keeps the planned one', () => {
    const plan = project().plan();
    plan.finished(untilResolve(plan));
    expect(labels(startAll(plan))).toEqual(['gate:games']);
  });

  it('a failed resolution fails the target and skips its dependents', () => {
    const plan = project().plan();
    plan.finished(untilResolve(plan), { kind: 'not-measured', message: 'calendar query failed' });
    expect(plan.moreToDo()).toBe(false);
    expect(statuses(plan)).toEqual({ schedule: 'done', games: 'failed', top: 'skipped' });
  });
});

describe('critical path first', () => {
  it('starts the head of the longest remaining chain before a wider but shorter target', () => {
    // z_head → c1 → c2 → c3 is 4 batches long; a_wide has 3 batches and nothing after it.
    const project = new FakeProject({ jobs: 1 })
      .addTarget('a_wide', { batches: 3, parallel: 3 })
      .addTarget('a_short')
      .addTarget('z_head')
      .addTarget('c1', { deps: ['z_head'] })
      .addTarget('c2', { deps: ['c1'] })
      .addTarget('c3', { deps: ['c2'] });
    const order = runToEnd(project.plan()).filter((l) => !l.startsWith('gate:'));
    expect(order[0]).toBe('z_head#0');
    // When the chain waits for a gate, the rest fills in, widest first.
    expect(order.indexOf('a_wide#0')).toBeLessThan(order.indexOf('a_short#0'));
  });

  it('uses the per-batch estimates from earlier runs', () => {
    const project = new FakeProject({ jobs: 1 }).addTarget('cheap_chain').addTarget('next', { deps: ['cheap_chain'] }).addTarget('slow');
    const estimates: Record<string, number> = { cheap_chain: 1, next: 1, slow: 60_000 };
    const plan = project.plan({ estimate: (t) => estimates[t]! });
    expect(labels(startAll(plan))).toEqual(['slow#0']);
  });
});

describe('random runs keep every invariant', () => {
  /** A small deterministic PRNG so a failing seed can be replayed. */
  const lcg = (seed: number) => () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32);

  for (let seed = 1; seed <= 25; seed++) {
    it(`seed ${seed}`, () => {
      const random = lcg(seed);
      const groups = { g1: 1 + Math.floor(random() * 3), g2: 2 };
      const jobs = 1 + Math.floor(random() * 4);
      const project = new FakeProject({ jobs, groups });
      const names: string[] = [];
      for (let i = 0; i < 12; i++) {
        const name = `t${i}`;
        const deps = names.filter(() => random() < 0.25);
        const group = [undefined, 'g1', 'g2'][Math.floor(random() * 3)];
        project.addTarget(name, { deps, group, batches: Math.floor(random() * 4), parallel: 1 + Math.floor(random() * 3) });
        names.push(name);
      }
      const failureMode = random() < 0.5 ? 'no-new' : 'continue';
      const plan = project.plan({ failureMode });
      const target = (n: string) => project.target(n);
      const gated = new Set<string>();
      let running: WorkUnit[] = [];
      let steps = 0;
      while (plan.moreToDo()) {
        running.push(...startAll(plan));
        const ranges = running.filter((u) => u.kind === 'range');
        expect(ranges.length).toBeLessThanOrEqual(jobs);
        for (const [g, depth] of Object.entries(groups)) expect(ranges.filter((u) => target(u.target).group === g).length).toBeLessThanOrEqual(depth);
        for (const n of names) expect(ranges.filter((u) => u.target === n).length).toBeLessThanOrEqual(target(n).build!.parallel);
        for (const u of running) for (const dep of target(u.target).deps) expect(gated.has(dep.target)).toBe(true);
        expect(running.length).toBeGreaterThan(0); // moreToDo implies progress is possible
        const unit = running.splice(Math.floor(random() * running.length), 1)[0]!;
        const ok = random() > 0.1;
        if (unit.kind === 'gate' && ok) gated.add(unit.target);
        plan.finished(unit, ok ? undefined : rangeFailed(`${label(unit)} failed`));
        expect(++steps).toBeLessThan(500);
      }
      for (const o of plan.outcomes()) {
        if (o.status === 'done') expect(gated.has(o.target)).toBe(true);
        if (o.status !== 'done') expect(describeFailure(o.failure)).toBeTruthy();
        if (failureMode === 'continue') expect(['done', 'failed', 'skipped']).toContain(o.status);
      }
    });
  }
});
