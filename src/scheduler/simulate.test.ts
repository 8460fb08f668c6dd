/** The virtual-clock list schedule that the priority search uses to compare candidates. */
import { describe, expect, it } from 'vitest';
import { reverseShape, simulateSchedule, type SimTarget } from './simulate.js';

const target = (options: Partial<SimTarget>): SimTarget => ({ after: [], batches: 1, duration: 1, parallel: 0, group: -1, ...options });

describe('simulateSchedule', () => {
  it('runs a chain one target after the other, each target\'s ranges side by side', () => {
    const shape = { jobs: 4, groupDepths: [], targets: [target({ batches: 4, duration: 2 }), target({ after: [0], batches: 2, duration: 3 })] };
    const result = simulateSchedule(shape, [2, 1]);
    expect(result.makespan).toBe(5);
    expect([...result.finish]).toEqual([2, 5]);
  });

  it('keeps a group within its depth and the whole within -j', () => {
    const grouped = { jobs: 8, groupDepths: [2], targets: [target({ batches: 6, group: 0 })] };
    expect(simulateSchedule(grouped, [1]).makespan).toBe(3);
    const global = { jobs: 3, groupDepths: [], targets: [target({ batches: 6 }), target({ batches: 3 })] };
    expect(simulateSchedule(global, [1, 1]).makespan).toBe(3);
    const parallel = { jobs: 8, groupDepths: [], targets: [target({ batches: 4, parallel: 1 })] };
    expect(simulateSchedule(parallel, [1]).makespan).toBe(4);
  });

  it('gives the free slot to the higher priority', () => {
    const shape = { jobs: 1, groupDepths: [], targets: [target({ duration: 5 }), target({ duration: 1 })] };
    expect([...simulateSchedule(shape, [1, 2]).finish]).toEqual([6, 1]);
    expect([...simulateSchedule(shape, [2, 1]).finish]).toEqual([5, 6]);
  });

  it('passes a target with nothing to build straight on to its dependents', () => {
    const shape = { jobs: 2, groupDepths: [], targets: [target({ batches: 0 }), target({ after: [0], duration: 2 })] };
    expect(simulateSchedule(shape, [1, 1]).makespan).toBe(2);
  });

  it('reverses the edges of a shape', () => {
    const shape = { jobs: 2, groupDepths: [], targets: [target({}), target({ after: [0] })] };
    expect(reverseShape(shape).targets.map((t) => t.after)).toEqual([[1], []]);
  });
});
