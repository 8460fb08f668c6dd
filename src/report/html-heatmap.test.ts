/** The heat map's date arithmetic and cell states. */
import { describe, expect, it } from 'vitest';
import { dayOf, formatDay, type Day } from '../intervals/day.js';
import type { HtmlTarget } from './html-data.js';
import { cellsOf, mondayOf, renderHeatmapSvg } from './html-heatmap.js';

const d = (iso: string) => dayOf(iso);
const target = (over: Partial<HtmlTarget>): HtmlTarget => ({
  name: 't', table: 'w.t', group: undefined, source: false, state: 'stale', coverage: 0.5, threshold: 1, present: 2, expectedCount: 4,
  expected: undefined, missing: [], missingRanges: [], outdated: [], note: '', checks: [], ...over,
});

describe('heat map', () => {
  it('starts weeks on Monday', () => {
    expect(formatDay(mondayOf(d('2024-01-03')))).toBe('2024-01-01');
    expect(formatDay(mondayOf(d('2024-01-01')))).toBe('2024-01-01');
    expect(formatDay(mondayOf(d('2024-01-07')))).toBe('2024-01-01');
    expect(formatDay(mondayOf(d('1970-01-01')))).toBe('1969-12-29');
  });

  it('colours expected days present, missing or outdated, and leaves the others out', () => {
    const window = { first: d('2024-01-01'), last: d('2024-01-07') };
    const expected = ['2024-01-02', '2024-01-03', '2024-01-05', '2024-01-06', '2024-01-09'].map(d);
    const cells = cellsOf(target({ expected, missing: [d('2024-01-03')], outdated: [d('2024-01-05')] }), window);
    expect([...cells].map(([day, state]) => [formatDay(day as Day), state])).toEqual([
      ['2024-01-02', 'p'], ['2024-01-03', 'm'], ['2024-01-05', 'o'], ['2024-01-06', 'p'],
    ]);
  });

  it('with an unknown calendar shows every non-missing day of the window as present', () => {
    const window = { first: d('2024-01-01'), last: d('2024-01-03') };
    expect([...cellsOf(target({ missing: [d('2024-01-02')] }), window).values()]).toEqual(['p', 'm', 'p']);
  });

  it('places a cell by week column and weekday row', () => {
    const window = { first: d('2024-01-03'), last: d('2024-01-10') };
    const svg = renderHeatmapSvg([target({ missing: [d('2024-01-10')] })], window);
    // 2024-01-10 is the Wednesday of the second week: column 1, row 2.
    expect(svg).toContain('<rect x="10" y="20" class="m"/>');
    expect(svg).toContain('data-start="2024-01-01"');
  });
});
