/** Cycle reporting: one stable closed path per cycle, in "needs" direction. */
import { describe, expect, it } from 'vitest';
import type { Target } from '../config/types.js';
import { stronglyConnected } from '../core/cycles.js';
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

describe('deep graphs', () => {
  /** t0 <- t1 <- … <- t(n-1): each needs the one before it. */
  const chain = (n: number, closing = false) =>
    graphOf(Object.fromEntries(Array.from({ length: n }, (_, i) => [`t${i}`, i > 0 ? [`t${i - 1}`] : closing ? [`t${n - 1}`] : []])));

  it('walks a chain of 20,000 targets without recursion: no cycle, and the order', () => {
    const graph = chain(20_000);
    expect(findCycles(graph)).toEqual([]);
    expect(graph.topologicalOrder().slice(0, 3)).toEqual(['t0', 't1', 't2']);
  });

  it('finds a cycle through 20,000 targets', () => {
    const cycles = findCycles(chain(20_000, true));
    expect(cycles).toHaveLength(1);
    expect(cycles[0]!.length).toBe(20_001);
    expect([cycles[0]![0], cycles[0]![1], cycles[0]!.at(-1)]).toEqual(['t0', 't19999', 't0']);
  });
});

describe('stronglyConnected', () => {
  it('gives each strongly connected part once, singletons included', () => {
    const next: Record<string, string[]> = { a: ['b'], b: ['c'], c: ['a', 'd'], d: ['e'], e: ['d'], f: [] };
    const parts = stronglyConnected(Object.keys(next), (n) => next[n]!).map((p) => [...p].sort());
    expect(parts.sort()).toEqual([['a', 'b', 'c'], ['d', 'e'], ['f']]);
  });
});
