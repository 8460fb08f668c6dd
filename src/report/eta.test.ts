/** ETA arithmetic and the progress state folded from events. */
import { describe, expect, it } from 'vitest';
import { plannedDays } from '../../test/helpers/targets.js';
import type { Day } from '../intervals/day.js';
import type { Batch } from '../intervals/interval.js';
import type { PlanData, Step } from '../scheduler/compute-plan.js';
import { addRange, estimateLeftMs, estimateRun, estimateRunLeftMs, estimateTarget, msPerDate } from './eta.js';
import { ProgressState } from './progress-state.js';

const batch = (first: number, length: number): Batch => {
  const days = Array.from({ length }, (_, i) => (first + i) as Day);
  return { first: days[0]!, last: days[days.length - 1]!, days };
};

const step = (target: string, batches: Batch[]): Step => ({
  target, group: 'g', ...plannedDays(batches.flatMap((b) => b.days)), batches, reasons: [], after: [], deferred: false,
});

describe('eta', () => {
  it('learns ms per date from finished ranges', () => {
    expect(msPerDate(undefined)).toBeUndefined();
    expect(msPerDate(addRange(addRange(undefined, 1000, 10), 3000, 10))).toBe(200);
  });

  it('shares what is left between running ranges and counts time already spent', () => {
    expect(estimateLeftMs({ dates: 10, msPerDate: 100, running: 2, runningElapsedMs: 200 })).toBe(300);
    expect(estimateLeftMs({ dates: 10, msPerDate: undefined, running: 1, runningElapsedMs: 0 })).toBeUndefined();
    expect(estimateLeftMs({ dates: 1, msPerDate: 100, running: 1, runningElapsedMs: 5000 })).toBe(0);
  });

  it('says overdue, and by how much, once running ranges go past their estimate (never "0ms" with work left)', () => {
    expect(estimateTarget({ dates: 1, msPerDate: 100, running: 1, runningElapsedMs: 5000 })).toEqual({ kind: 'overdue', ms: 4900 });
    expect(estimateTarget({ dates: 10, msPerDate: 100, running: 1, runningElapsedMs: 400 })).toEqual({ kind: 'left', ms: 600 });
    expect(estimateTarget({ dates: 0, msPerDate: 100, running: 0, runningElapsedMs: 0 })).toEqual({ kind: 'left', ms: 0 });
  });

  it('counts the run ETA down while ranges run, instead of standing still until one ends', () => {
    const at = (elapsed: number) => estimateRun([{ dates: 10, msPerDate: 1000, running: 2, runningElapsedMs: elapsed }], undefined, 2);
    expect(at(0)).toEqual({ kind: 'left', ms: 5000 });
    expect(at(1000)).toEqual({ kind: 'left', ms: 4000 });
    expect(at(2000)).toEqual({ kind: 'left', ms: 3000 });
    expect(at(7000)).toEqual({ kind: 'overdue', ms: 2000 });
    // one target late, another with work ahead: the run still has time left to show
    expect(estimateRun([{ dates: 1, msPerDate: 1000, running: 1, runningElapsedMs: 3000 }, { dates: 4, msPerDate: 1000, running: 0, runningElapsedMs: 0 }], undefined, 1)).toEqual({ kind: 'left', ms: 4000 });
  });

  it('gives no run ETA while a target has no pace and nothing else is known', () => {
    const open = [{ dates: 5, msPerDate: undefined, running: 0, runningElapsedMs: 0 }];
    expect(estimateRunLeftMs(open, undefined, 2)).toBeUndefined();
    expect(estimateRunLeftMs(open, 100, 2)).toBe(250);
  });
});

describe('ProgressState', () => {
  const plan: PlanData = { window: { first: 0 as Day, last: 30 as Day }, steps: [step('a', [batch(0, 10), batch(10, 10)]), step('b', [batch(0, 20)])], omitted: [] };

  it('counts dates and ranges, and estimates from this run before history', () => {
    const state = new ProgressState(new Map([['a', { ms: 20_000, dates: 10 }], ['b', { ms: 1_000, dates: 10 }]]));
    state.apply({ type: 'run-started', runId: 'r', plan, jobs: 2, commandLine: 'dagrun' }, 0);
    state.apply({ type: 'range-started', target: 'a', index: 0, batch: plan.steps[0]!.batches[0]!, attempt: 1 }, 0);
    const a = state.targets.get('a')!;
    expect(state.paceOf(a)).toBe(2000);
    expect(state.targetLeftMs(a, 500)).toBe(20 * 2000 - 500);
    state.apply({
      type: 'range-finished', target: 'a', index: 0, batch: plan.steps[0]!.batches[0]!, attempt: 1, ok: true, durationMs: 1000, error: undefined, tail: undefined, logFile: undefined,
    }, 1000);
    expect(state.paceOf(a)).toBe(100);
    expect(state.active()).toEqual([]);
    const overall = state.overall(1000);
    expect(overall).toMatchObject({ doneRanges: 1, totalRanges: 3, doneDates: 10, totalDates: 40, running: 0, elapsedMs: 1000 });
    // a: 10 dates × 100 ms, b: 20 dates × 100 ms (history) over one lane.
    expect(overall.leftMs).toBe(3000);
  });
});
