/** The graph from targets: edges for dependencies and calendar providers, and dependency order. */
import { describe, expect, it } from 'vitest';
import type { CalendarSpec, Target } from '../config/types.js';
import { buildGraph } from './build.js';

/** An in-memory pipeline: `add('orders', { deps: ['raw'] })`, then `graph()`. */
class FakePipeline {
  readonly #targets = new Map<string, Target>();

  add(name: string, options: { deps?: (string | [string, number])[]; table?: string; calendar?: CalendarSpec } = {}): this {
    this.#targets.set(name, {
      name,
      file: `/p/targets/${name}.json5`,
      table: options.table ?? `ds.${name}`,
      deps: (options.deps ?? []).map((d) => (typeof d === 'string' ? { target: d, lookback: 0 } : { target: d[0], lookback: d[1] })),
      group: undefined,
      threshold: 1,
      dateColumn: 'd',
      calendar: options.calendar ?? { kind: 'every-day' },
      source: false,
      onChange: 'rebuild',
      build: undefined,
      checks: [],
    });
    return this;
  }

  graph() {
    return buildGraph(this.#targets);
  }
}

describe('topologicalOrder', () => {
  it('puts every upstream first, ties by name', () => {
    const graph = new FakePipeline()
      .add('ml', { deps: ['composite', 'daily'] })
      .add('composite', { deps: ['zones', 'daily'] })
      .add('daily', { deps: ['games'] })
      .add('zones', { deps: ['games'] })
      .add('games')
      .add('alone')
      .graph();
    expect(graph.topologicalOrder()).toEqual(['alone', 'games', 'daily', 'zones', 'composite', 'ml']);
  });

  it('is every name once for a pipeline without edges', () => {
    expect(new FakePipeline().add('b').add('a').add('c').graph().topologicalOrder()).toEqual(['a', 'b', 'c']);
  });
});

describe('edges', () => {
  it('carry the lookback of a dependency', () => {
    const graph = new FakePipeline().add('box').add('rolling', { deps: [['box', 30]] }).graph();
    expect(graph.upstreamEdges('rolling')).toEqual([{ upstream: 'box', dependent: 'rolling', kind: 'data', lookback: 30, providesCalendar: false }]);
    expect(graph.downstream('box')).toEqual(['rolling']);
  });

  it('make a target whose calendar is another target\'s table depend on it', () => {
    const calendar: CalendarSpec = { kind: 'table', table: 'NBA_RAW.Schedule', dateColumn: 'game_date' };
    const graph = new FakePipeline()
      .add('schedule', { table: 'nba_raw.schedule', calendar })
      .add('games', { calendar })
      .add('stats', { deps: ['games'], calendar })
      .graph();
    expect(graph.upstreamEdges('games')).toEqual([{ upstream: 'schedule', dependent: 'games', kind: 'calendar', lookback: 0, providesCalendar: true }]);
    // A declared dependency and a calendar edge to the same upstream stay one (data) edge.
    expect(graph.upstream('schedule')).toEqual([]);
    expect(graph.upstreamEdges('stats').map((e) => [e.upstream, e.kind]).sort()).toEqual([
      ['games', 'data'],
      ['schedule', 'calendar'],
    ]);
    expect(graph.topologicalOrder()).toEqual(['schedule', 'games', 'stats']);
  });

  it('keep a declared dependency when it also provides the calendar', () => {
    const calendar: CalendarSpec = { kind: 'table', table: 'ds.schedule', dateColumn: 'd' };
    const graph = new FakePipeline().add('schedule').add('games', { deps: [['schedule', 2]], calendar }).graph();
    expect(graph.upstreamEdges('games')).toEqual([{ upstream: 'schedule', dependent: 'games', kind: 'data', lookback: 2, providesCalendar: true }]);
  });

  it('skip unknown names and self-dependencies, which the config rules report', () => {
    const graph = new FakePipeline().add('a', { deps: ['a', 'ghost'] }).graph();
    expect([graph.upstream('a'), graph.cycles(), graph.topologicalOrder()]).toEqual([[], [], ['a']]);
  });
});
