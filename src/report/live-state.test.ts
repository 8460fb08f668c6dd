/** The live state folded from a build's events, through the file's text and back; the writer's file appears and goes. */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Freshness } from '../freshness/assess.js';
import { NOT_MEASURED_YET } from '../freshness/live.js';
import { dayOf, daysBetween, type Day } from '../intervals/day.js';
import type { Batch } from '../intervals/interval.js';
import type { PlanData } from '../scheduler/compute-plan.js';
import type { RunEvent } from '../executor/events.js';
import { parseLiveState, readLiveState } from '../state/live-file.js';
import { liveFile } from '../state/paths.js';
import { LiveState } from './live-state.js';
import { LiveStateWriter } from './live-writer.js';

const d = (iso: string): Day => dayOf(iso);
const ALL = daysBetween(d('2024-01-01'), d('2024-01-06'));
const batch = (first: string, last: string): Batch => ({ first: d(first), last: d(last), days: daysBetween(d(first), d(last)) });

/** A target with nothing present yet. */
function empty(name: string): Freshness {
  return {
    name, state: 'stale', exists: false, expected: 6, present: 0, missing: ALL, outdated: [], coverage: 0, threshold: 1,
    missingRanges: [{ first: ALL[0]!, last: ALL[5]! }], checks: [], definitionChanged: false,
    reasons: [`table s.${name} does not exist yet (0 of 6 expected dates)`], warnings: [],
    settledByBuilding: { coverage: `table s.${name} does not exist yet (0 of 6 expected dates)`, outdated: [] },
  };
}

const plan = {
  window: { first: ALL[0]!, last: ALL[5]! },
  steps: [
    { target: 'a', ranges: [{ first: ALL[0], last: ALL[5] }], dates: 6, batches: [batch('2024-01-01', '2024-01-03'), batch('2024-01-04', '2024-01-06')], reasons: ['missing'] },
    { target: 'b', ranges: [], dates: 0, batches: [], reasons: ['deferred'] },
  ],
} as unknown as PlanData;

const started: RunEvent = {
  type: 'run-started', runId: 'r1', plan, jobs: 2, commandLine: 'dagrun b',
  measured: { expected: new Map([['a', ALL], ['b', ALL]]), freshness: new Map([['a', empty('a')], ['b', empty('b')]]) },
};
const at = (second: number) => new Date(Date.UTC(2024, 0, 7, 10, 0, second));
const rangeEvent = (type: 'range-started' | 'range-waiting', index: number, b: Batch): RunEvent =>
  type === 'range-started' ? { type, target: 'a', index, batch: b, attempt: 1 } : { type, target: 'a', index, batch: b, attempt: 1, for: 'the warehouse' };
const finished = (index: number, b: Batch, ok = true): RunEvent => ({
  type: 'range-finished', target: 'a', index, batch: b, attempt: 1, ok, durationMs: 5, error: ok ? undefined : 'exit 1', tail: undefined, logFile: undefined,
});

/** Folds `events` (one a second) and reads the result back from the file's text. */
function fold(events: readonly RunEvent[]) {
  const state = new LiveState({ pid: 42, host: 'h' });
  events.forEach((event, i) => state.apply(event, at(i)));
  return parseLiveState(state.toJson())!;
}

describe('LiveState', () => {
  it('starts from the measurement before the run, with the plan\'s ranges and nothing running', () => {
    const view = fold([started]);
    expect(view).toMatchObject({ runId: 'r1', pid: 42, host: 'h', commandLine: 'dagrun b', rangesDone: 0, rangesPlanned: 2, running: [] });
    expect(view.window).toEqual(plan.window);
    expect(view.startedAt).toBe(at(0).toISOString());
    expect(view.targets.get('a')!.freshness).toEqual(empty('a'));
    expect(view.targets.get('a')!.expected).toEqual(ALL);
  });

  it('a range waiting for the warehouse is queued, then running once it starts; a finished one counts its days', () => {
    const r0 = batch('2024-01-01', '2024-01-03');
    const r1 = batch('2024-01-04', '2024-01-06');
    expect(fold([started, rangeEvent('range-waiting', 0, r0)]).running).toEqual([
      { target: 'a', first: r0.first, last: r0.last, dates: 3, attempt: 1, since: at(1).toISOString(), waitingFor: 'the warehouse' },
    ]);
    const view = fold([started, rangeEvent('range-waiting', 0, r0), rangeEvent('range-started', 0, r0), finished(0, r0), rangeEvent('range-started', 1, r1)]);
    expect(view.running).toEqual([{ target: 'a', first: r1.first, last: r1.last, dates: 3, attempt: 1, since: at(4).toISOString() }]);
    expect(view.rangesDone).toBe(1);
    expect(view.asOf).toBe(at(4).toISOString());
    expect(view.targets.get('a')!.freshness).toMatchObject({ present: 3, coverage: 0.5, exists: true, missing: r1.days, reasons: ['3 of 6 expected dates missing (50.0% < 100%)'] });
    expect(view.targets.get('a')!.freshness.missingRanges).toEqual([{ first: r1.first, last: r1.last }]);
    expect(view.targets.get('b')!.freshness).toEqual(empty('b'));
  });

  it('a failed range changes no coverage; the gate\'s measurement replaces the live one; a skipped target says why', () => {
    const r0 = batch('2024-01-01', '2024-01-03');
    const failed = fold([started, rangeEvent('range-started', 0, r0), finished(0, r0, false)]);
    expect(failed.targets.get('a')!.freshness).toEqual(empty('a'));
    expect(failed.running).toEqual([]);
    const gated = { ...empty('a'), state: 'stale' as const, present: 5, reasons: ['measured by the gate'] };
    const view = fold([
      started, rangeEvent('range-started', 0, r0), finished(0, r0),
      { type: 'gate-finished', target: 'a', ok: false, message: 'm', before: empty('a'), after: gated },
      { type: 'target-skipped', target: 'b', failure: { kind: 'upstream-failed', upstream: 'a' } },
    ]);
    expect(view.targets.get('a')!.freshness).toEqual(gated);
    expect(view.targets.get('b')!.freshness.reasons[0]).toBe('not built in this run: upstream a failed');
  });

  it('all handed-over days built: stale until the gate measures it', () => {
    const r0 = batch('2024-01-01', '2024-01-03');
    const r1 = batch('2024-01-04', '2024-01-06');
    const view = fold([started, finished(0, r0), finished(1, r1)]);
    expect(view.targets.get('a')!.freshness).toMatchObject({ state: 'stale', coverage: 1, reasons: [NOT_MEASURED_YET] });
  });

  it('a fresh target that the plan rewrites starts stale, the dates it rebuilds outdated', () => {
    const fresh: Freshness = { ...empty('a'), state: 'stale', exists: true, present: 6, missing: [], coverage: 1, missingRanges: [], reasons: [] };
    const freshStart: RunEvent = { ...started, measured: { expected: new Map([['a', ALL]]), freshness: new Map([['a', { ...fresh, state: 'fresh' }]]) } } as RunEvent;
    const view = fold([freshStart]);
    expect(view.targets.get('a')!.freshness).toMatchObject({ state: 'stale', outdated: ALL, reasons: ['6 dates outdated (2024-01-01..2024-01-06): this run rebuilds them (missing)'] });
  });

  it('a text that is not a live state of this version reads as none', () => {
    expect(parseLiveState('{"version":0}')).toBeUndefined();
    expect(parseLiveState('{"version":1}')).toBeUndefined();
    expect(parseLiveState('not json')).toBeUndefined();
  });
});

describe('LiveStateWriter', () => {
  let dir: string | undefined;
  afterEach(() => dir && rmSync(dir, { recursive: true, force: true }));

  it('writes the state when the run starts and removes it when the run ends', () => {
    dir = mkdtempSync(path.join(tmpdir(), 'dagrun-live-'));
    const writer = new LiveStateWriter(dir, { clock: () => at(0) });
    expect(existsSync(liveFile(dir))).toBe(false);
    writer.handle(started);
    expect(readLiveState(dir)).toMatchObject({ runId: 'r1', pid: process.pid });
    writer.handle({ type: 'run-finished', runId: 'r1', ok: true, interrupted: false, durationMs: 1, outcomes: [] });
    expect(existsSync(liveFile(dir))).toBe(false);
    writer.handle(started); // nothing after the end
    expect(existsSync(liveFile(dir))).toBe(false);
  });
});
