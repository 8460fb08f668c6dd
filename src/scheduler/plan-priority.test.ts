/**
 * The plan's priority when groups are in the way, stepped by hand and on a virtual clock:
 * it compares candidate priorities in a simulation (priority.ts) and keeps the fastest.
 */
import { describe, expect, it } from 'vitest';
import { FakeProject } from '../../test/helpers/fake-project.js';
import { labels, runToEnd, startAll } from '../../test/helpers/plan-driver.js';
import { Plan, type WorkUnit } from './plan.js';

/**
 * Runs the plan on a virtual clock: each range takes `duration(target)` units, gates and
 * resolutions none. Returns when the last unit ended.
 */
function makespan(plan: Plan, duration: (target: string) => number = () => 1): number {
  let now = 0;
  let running: { unit: WorkUnit; end: number }[] = [];
  while (plan.moreToDo()) {
    for (const unit of startAll(plan)) running.push({ unit, end: now + (unit.kind === 'range' ? duration(unit.target) : 0) });
    running = running.sort((a, b) => a.end - b.end);
    const next = running.shift()!;
    now = next.end;
    plan.finished(next.unit);
  }
  return now;
}

describe('priority with groups in the way (simulated candidates)', () => {
  // Three slots, one of them in group g. `after_wide` waits for `wide` and needs g, where
  // `queued` also waits. The critical path alone (wide: 2 rounds + 1) gives all three slots
  // to `wide` first, so g works through `queued` late and `after_wide` ends at 4 units.
  // Starting `queued` at once ends at 3, the best possible (4 + 2 + 1 ranges on 3 slots).
  const bottleneck = () =>
    new FakeProject({ jobs: 3, groups: { g: 1 } })
      .addTarget('wide', { batches: 4, parallel: 4 })
      .addTarget('queued', { group: 'g', batches: 2, parallel: 2 })
      .addTarget('after_wide', { deps: ['wide'], group: 'g' });
  const limits = (project: FakeProject, priorityBudget?: number) => ({
    jobs: 3, groups: new Map([['g', 1]]), parallel: (n: string) => project.target(n).build!.parallel, failureMode: 'no-new' as const, priorityBudget,
  });

  it('starts the group\'s queue at once and gives the wide target the other slots', () => {
    const project = bottleneck();
    expect(labels(startAll(new Plan(project.steps(), limits(project)))).sort()).toEqual(['queued#0', 'wide#0', 'wide#1']);
    expect(labels(startAll(new Plan(project.steps(), limits(project, 0)))).sort()).toEqual(['wide#0', 'wide#1', 'wide#2']);
  });

  it('finishes in 3 units, where the critical path alone takes 4', () => {
    const project = bottleneck();
    expect(makespan(new Plan(project.steps(), limits(project)))).toBe(3);
    expect(makespan(new Plan(project.steps(), limits(project, 0)))).toBe(4);
  });

  it('with estimates, ranks by expected time: a slow single range outranks many quick ones', () => {
    const project = new FakeProject({ jobs: 2 }).addTarget('many', { batches: 8, parallel: 8 }).addTarget('after_many', { deps: ['many'] }).addTarget('slow');
    const durations: Record<string, number> = { many: 10, after_many: 10, slow: 100 };
    const plan = project.plan({ estimate: (t) => durations[t]! });
    expect(labels(startAll(plan))).toEqual(['slow#0', 'many#0']);
  });

  it('is deterministic: the same steps and limits give the same order', () => {
    const orders = [1, 2].map(() => runToEnd(bottleneck().plan()));
    expect(orders[0]).toEqual(orders[1]);
  });
});
