/** The run's model as reports get it: the last attempt of each range, grouped per target in range order. */
import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../executor/events.js';
import type { Day } from '../intervals/day.js';
import type { PlanData } from '../scheduler/compute-plan.js';
import { rangesOf, RunRecorder, type RunModel } from './run-model.js';

const plan = { window: { first: 0 as Day, last: 0 as Day }, steps: [], omitted: [] } as PlanData;
const finished = (target: string, index: number, ok: boolean, attempt = 1): RunEvent => ({
  type: 'range-finished', target, index, batch: { first: index as Day, last: index as Day, days: [index as Day] }, ok, attempt, durationMs: 1,
  error: ok ? undefined : `attempt ${attempt} failed`, tail: undefined, logFile: undefined,
});

function record(events: readonly RunEvent[]): RunModel {
  let model: RunModel | undefined;
  const recorder = new RunRecorder((m) => void (model = m));
  recorder.handle({ type: 'run-started', runId: 'r', plan, jobs: 2, commandLine: 'dagrun' });
  for (const event of events) recorder.handle(event);
  recorder.handle({ type: 'run-finished', runId: 'r', ok: true, interrupted: false, durationMs: 1, outcomes: [] });
  return model!;
}

describe('RunRecorder', () => {
  it('keeps only the last attempt of a retried range, in the order ranges ended', () => {
    const model = record([finished('a', 1, false, 1), finished('b', 0, true), finished('a', 0, true), finished('a', 1, true, 2)]);
    expect(model.ranges.map((r) => `${r.target}#${r.index}@${r.attempts}:${r.ok}`)).toEqual(['b#0@1:true', 'a#0@1:true', 'a#1@2:true']);
  });

  it('gives each target its ranges in range order, and none to a target without ranges', () => {
    const model = record([finished('a', 2, true), finished('b', 0, true), finished('a', 0, true), finished('a', 1, false)]);
    expect(rangesOf(model, 'a').map((r) => r.index)).toEqual([0, 1, 2]);
    expect(rangesOf(model, 'b').map((r) => r.index)).toEqual([0]);
    expect(rangesOf(model, 'c')).toEqual([]);
  });

  it('records 20,000 ranges of 100 targets, each in its target\'s list', () => {
    const events = Array.from({ length: 20_000 }, (_, k) => finished(`t${k % 100}`, Math.floor(k / 100), true));
    const model = record(events);
    expect(model.ranges).toHaveLength(20_000);
    expect(Array.from({ length: 100 }, (_, i) => rangesOf(model, `t${i}`).length)).toEqual(Array.from({ length: 100 }, () => 200));
  });
});
