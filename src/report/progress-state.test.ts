/** The live view's state: a range waiting for the warehouse is shown as waiting, never as running. */
import { describe, expect, it } from 'vitest';
import { dayOf } from '../intervals/day.js';
import type { PlanData } from '../scheduler/compute-plan.js';
import { ProgressState } from './progress-state.js';

const day = dayOf('2024-01-01');
const batch = { first: day, last: day, days: [day] };
const plan: PlanData = {
  window: { first: day, last: day },
  steps: [{ target: 'raw', group: 'g', ranges: [batch], dates: 1, batches: [batch], reasons: ['missing'], after: [], deferred: false }],
  omitted: [],
};

describe('ProgressState', () => {
  it('keeps a range that waits for the warehouse out of the running count until it starts', () => {
    const state = new ProgressState();
    state.apply({ type: 'run-started', runId: 'r', plan, jobs: 4, commandLine: 'dagrun' }, 0);
    state.apply({ type: 'range-waiting', target: 'raw', index: 0, batch, attempt: 1, for: 'the warehouse' }, 10);
    expect(state.active().map((t) => [t.name, t.running.size, t.waiting.size])).toEqual([['raw', 0, 1]]);
    expect(state.overall(20).running).toBe(0);
    state.apply({ type: 'range-started', target: 'raw', index: 0, batch, attempt: 1 }, 500);
    expect(state.active().map((t) => [t.name, t.running.size, t.waiting.size])).toEqual([['raw', 1, 0]]);
    expect(state.overall(600).running).toBe(1);
    // its time counts from the start, not from the wait
    expect(state.targets.get('raw')!.startedAt).toBe(500);
  });
});
