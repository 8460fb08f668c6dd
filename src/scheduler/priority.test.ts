/** Target priorities: the critical path, and the simulated search that improves on it. */
import { describe, expect, it } from 'vitest';
import { InternalError } from '../core/errors.js';
import { rangePriorities, type PriorityTarget } from './priority.js';
import { simulateSchedule } from './simulate.js';

const t = (name: string, after: string[], batches: number, group?: string, parallel = 0): PriorityTarget => ({ name, after, batches, parallel, group });

/** The simulated makespan of the targets under a priority (unit ranges unless durations are given). */
function simulated(targets: PriorityTarget[], jobs: number, groups: Map<string, number>, priority: Map<string, number>, duration = (_: string) => 1): number {
  const groupNames = [...groups.keys()];
  const index = new Map(targets.map((x, i) => [x.name, i]));
  const shape = {
    jobs, groupDepths: groupNames.map((g) => groups.get(g)!),
    targets: targets.map((x) => ({ after: x.after.map((a) => index.get(a)!), batches: x.batches, duration: duration(x.name), parallel: x.parallel, group: x.group ? groupNames.indexOf(x.group) : -1 })),
  };
  return simulateSchedule(shape, targets.map((x) => priority.get(x.name)!)).makespan;
}

describe('rangePriorities', () => {
  it('with no budget is the critical path: own rounds of ranges plus the heaviest dependent', () => {
    const targets = [t('raw', [], 6, 'g'), t('mid', ['raw'], 4), t('top', ['mid'], 1), t('side', [], 3)];
    const priorities = rangePriorities({ targets, jobs: 4, groups: new Map([['g', 2]]), budget: 0 });
    // raw: 6 ranges 2 at a time (group g) = 3, + mid 1 round + top 1
    expect(Object.fromEntries(priorities)).toEqual({ raw: 5, mid: 2, top: 1, side: 1 });
  });

  it('weighs rounds by the estimated duration of a range', () => {
    const targets = [t('quick', [], 4), t('slow', [], 1)];
    const estimates: Record<string, number> = { quick: 10, slow: 1000 };
    const priorities = rangePriorities({ targets, jobs: 4, groups: new Map(), estimate: (n) => estimates[n]!, budget: 0 });
    expect(priorities.get('slow')).toBeGreaterThan(priorities.get('quick')!);
  });

  it('names a target on a cycle (a planner bug)', () => {
    const targets = [t('a', ['b'], 1), t('b', ['a'], 1)];
    expect(() => rangePriorities({ targets, jobs: 1, groups: new Map() })).toThrow(InternalError);
    expect(() => rangePriorities({ targets, jobs: 1, groups: new Map() })).toThrow(/cycle through (a|b)/);
  });

  it('never does worse than the critical path on the virtual clock it searches with, and repeats itself', () => {
    const lcg = (seed: number) => () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32);
    let better = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const random = lcg(seed);
      const groups = new Map([['g1', 1 + Math.floor(random() * 2)], ['g2', 2]]);
      const targets: PriorityTarget[] = [];
      for (let i = 0; i < 10; i++) {
        const after = targets.filter(() => random() < 0.25).map((x) => x.name);
        targets.push(t(`t${i}`, after, 1 + Math.floor(random() * 6), [undefined, 'g1', 'g2'][Math.floor(random() * 3)], Math.floor(random() * 3)));
      }
      const durations = targets.map(() => [1, 2, 3, 5][Math.floor(random() * 4)]!);
      const duration = (n: string) => durations[Number(n.slice(1))]!;
      const input = { targets, jobs: 2 + Math.floor(random() * 4), groups, estimate: duration };
      const searched = rangePriorities(input);
      const criticalPath = rangePriorities({ ...input, budget: 0 });
      const [a, b] = [searched, criticalPath].map((p) => simulated(targets, input.jobs, groups, p, duration));
      expect(a).toBeLessThanOrEqual(b!);
      if (a! < b!) better++;
      expect(rangePriorities(input)).toEqual(searched);
    }
    expect(better).toBeGreaterThan(0);
  });

  it('keeps the critical path for a plan too big to simulate within the budget', () => {
    const targets = Array.from({ length: 1000 }, (_, i) => t(`t${i}`, i > 0 ? [`t${i - 1}`] : [], 50));
    const searched = rangePriorities({ targets, jobs: 8, groups: new Map() });
    expect(searched).toEqual(rangePriorities({ targets, jobs: 8, groups: new Map(), budget: 0 }));
  });
});
