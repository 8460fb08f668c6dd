/** Cycle reporting: one stable closed path per cycle, in "needs" direction. */
import { describe, expect, it } from 'vitest';
import type { Target } from '../config/types.js';
import { buildGraph } from './build.js';
import { describeCycles, findCycles } from './cycles.js';

/** A graph from `name: deps` pairs. */
function graphOf(needs: Record<string, string[]>) {
  const targets = new Map<string, Target>(
    Object.entries(needs).map(([name, deps]) => [
      name,
      {
        name,
        file: `/p/${name}.json5`,
        table: `ds.${name}`,
        deps: deps.map((target) => ({ target, lookback: 0 })),
        group: undefined,
        threshold: 1,
        dateColumn: 'd',
        calendar: { kind: 'every-day' },
        source: false,
        onChange: 'rebuild',
        build: undefined,
        checks: [],
      },
    ]),
  );
  return buildGraph(targets);
}

describe('describeCycles', () => {
  it('prints a two-target cycle once, from the alphabetically first member', () => {
    expect(describeCycles(graphOf({ b: ['a'], a: ['b'] }))).toEqual(['a -> b -> a']);
  });

  it('follows "needs": a needs c, c needs b, b needs a', () => {
    expect(describeCycles(graphOf({ a: ['c'], b: ['a'], c: ['b'], d: ['a'] }))).toEqual(['a -> c -> b -> a']);
  });

  it('prints one shortest loop for a tangle, and one line per separate cycle', () => {
    const graph = graphOf({ a: ['b', 'c'], b: ['c'], c: ['a'], x: ['y'], y: ['x'], ok: [] });
    expect(findCycles(graph)).toEqual([
      ['a', 'c', 'a'],
      ['x', 'y', 'x'],
    ]);
  });

  it('is empty for a DAG', () => {
    expect(describeCycles(graphOf({ a: [], b: ['a'], c: ['a', 'b'] }))).toEqual([]);
  });
});
