/** Selection truth table: x, +x, x+, --only, group:g, several at once. */
import { describe, expect, it } from 'vitest';
import type { Target } from '../config/types.js';
import { buildGraph } from './build.js';
import { parseSelector, selectTargets } from './select.js';

function target(name: string, deps: string[], group?: string): Target {
  return {
    name, file: `/p/${name}.json5`, table: `s.${name}`, group, threshold: 1, dateColumn: 'd',
    deps: deps.map((d) => ({ target: d, lookback: 0 })), calendar: { kind: 'every-day' }, source: false, onChange: 'rebuild', checks: [],
    build: { action: { kind: 'command', argv: ['true'], opensWarehouse: false, output: undefined, allowEmptyDates: false }, ranges: 'contiguous', maxDays: undefined, parallel: 1, timeoutMs: undefined, retries: 0, retryBackoffMs: 0, env: {}, cwd: '/p' },
  };
}

//  raw → a → b → c        other → b        lone
//          └──→ d (phase3)
const targets = [
  target('raw', []), target('a', ['raw'], 'phase3'), target('b', ['a', 'other']), target('c', ['b']), target('d', ['a'], 'phase3'),
  target('other', []), target('lone', []),
];
const graph = buildGraph(new Map(targets.map((t) => [t.name, t])));

function select(words: string[], only = false) {
  return selectTargets(graph, words.map((w) => parseSelector(w, only)), (n) => graph.target(n).group);
}

describe('selectTargets', () => {
  // `selected` is in dependency order (upstream first, ready ties by name)
  const cases: { words: string[]; only?: boolean; selected: string[]; named: string[] }[] = [
    { words: [], selected: ['lone', 'other', 'raw', 'a', 'b', 'c', 'd'], named: ['raw', 'a', 'b', 'c', 'd', 'other', 'lone'] },
    { words: ['b'], selected: ['other', 'raw', 'a', 'b'], named: ['b'] },
    { words: ['+b'], selected: ['other', 'raw', 'a', 'b'], named: ['b'] },
    // downstream, plus the upstream those need to be built (other feeds b)
    { words: ['a+'], selected: ['other', 'raw', 'a', 'b', 'c', 'd'], named: ['a'] },
    { words: ['b'], only: true, selected: ['b'], named: ['b'] },
    { words: ['a+'], only: true, selected: ['a', 'b', 'c', 'd'], named: ['a'] },
    // an explicit + keeps the upstream even with --only
    { words: ['+b', 'c'], only: true, selected: ['other', 'raw', 'a', 'b', 'c'], named: ['b', 'c'] },
    { words: ['group:phase3'], selected: ['raw', 'a', 'd'], named: ['a', 'd'] },
    { words: ['group:phase3'], only: true, selected: ['a', 'd'], named: ['a', 'd'] },
    { words: ['group:phase3+'], only: true, selected: ['a', 'b', 'c', 'd'], named: ['a', 'd'] },
    { words: ['d', 'lone'], selected: ['lone', 'raw', 'a', 'd'], named: ['d', 'lone'] },
  ];
  for (const c of cases) {
    it(`${c.only ? '--only ' : ''}${c.words.join(' ') || '(nothing)'}`, () => {
      const result = select(c.words, c.only);
      expect(result.selected).toEqual(c.selected);
      expect(result.named).toEqual(c.named);
      expect(result.unknown).toEqual([]);
    });
  }

  it('reports unknown targets and groups, keeping the known ones', () => {
    expect(select(['nope', 'group:nada', 'c+', '+'])).toMatchObject({ unknown: ['nope', 'group:nada', ''], named: ['c'] });
  });
});

describe('parseSelector', () => {
  it('reads the + marks and the group prefix', () => {
    expect(parseSelector('x', false)).toEqual({ name: 'x', kind: 'target', upstream: true, downstream: false });
    expect(parseSelector('+x+', true)).toEqual({ name: 'x', kind: 'target', upstream: true, downstream: true });
    expect(parseSelector('x+', true)).toEqual({ name: 'x', kind: 'target', upstream: false, downstream: true });
    expect(parseSelector('group:g', false)).toEqual({ name: 'g', kind: 'group', upstream: true, downstream: false });
  });
});
