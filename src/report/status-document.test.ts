/**
 * The validation document as pure data and text: the snapshot comparison (dates that
 * disappeared, coverage down, broken checks, a different window), rows per date summaries,
 * and the Markdown and JUnit renderings of one measured state.
 */
import { describe, expect, it } from 'vitest';
import { FakeProject } from '../../test/helpers/fake-project.js';
import { assessTargets } from '../freshness/assess.js';
import { dayOf, type Day } from '../intervals/day.js';
import { documentTargets, summariseRows, type StatusDocument } from './status-document.js';
import { renderStatusJunit } from './status-junit.js';
import { renderStatusMarkdown } from './status-markdown.js';
import { compareWithSnapshot, isRegression, nextSnapshot } from './status-snapshot.js';

const project = new FakeProject().addTarget('orders', { threshold: 0.9 }).addTarget('items', { threshold: 1 });
const window = { first: dayOf('2024-01-01'), last: dayOf('2024-01-31') };

function measure(present: Record<string, string[]>) {
  const state = project.measured({ window: ['2024-01-01', '2024-01-31'], present });
  const rows = [...assessTargets(project.graph(), state, ['orders', 'items']).values()];
  return documentTargets(project.graph(), rows, state.expected, undefined);
}

const FULL = { orders: ['2024-01-01..2024-01-31'], items: ['2024-01-01..2024-01-31'] };

describe('compareWithSnapshot', () => {
  it('has no baseline the first time', () => {
    expect(compareWithSnapshot(undefined, measure(FULL))).toEqual({ since: undefined, targets: [], added: [] });
  });

  it('flags dates that disappeared and coverage that went down, and nothing for a target that did not change', () => {
    const before = nextSnapshot(undefined, measure(FULL), window, '2024-02-01T08:00:00.000Z');
    const now = measure({ orders: ['2024-01-01..2024-01-09', '2024-01-13..2024-01-31'], items: FULL.items });
    const changes = compareWithSnapshot(before, now);
    expect(changes.since).toBe('2024-02-01T08:00:00.000Z');
    expect(changes.targets).toHaveLength(1);
    const [orders] = changes.targets;
    expect(orders!.target).toBe('orders');
    expect(orders!.disappearedCount).toBe(3);
    expect(orders!.disappeared.map((r) => [r.first, r.last])).toEqual([[dayOf('2024-01-10'), dayOf('2024-01-12')]]);
    expect(isRegression(orders!)).toBe(true);
  });

  it('counts dates that appeared as progress, not as a regression', () => {
    const before = nextSnapshot(undefined, measure({ orders: ['2024-01-01..2024-01-20'], items: FULL.items }), window, '2024-02-01T08:00:00.000Z');
    const [orders] = compareWithSnapshot(before, measure(FULL)).targets;
    expect(orders!.appeared).toBe(11);
    expect(orders!.disappearedCount).toBe(0);
    expect(isRegression(orders!)).toBe(false);
  });

  it('only compares dates inside the window the last report measured', () => {
    const narrow = { first: dayOf('2024-01-01'), last: dayOf('2024-01-10') };
    const before = nextSnapshot(undefined, measure(FULL), narrow, '2024-02-01T08:00:00.000Z');
    // a snapshot taken over 01..10 says nothing about 01-20
    const [orders] = compareWithSnapshot({ ...before, targets: { ...before.targets, orders: { ...before.targets.orders!, window: ['2024-01-01', '2024-01-10'] } } }, measure({ orders: ['2024-01-01..2024-01-19', '2024-01-21..2024-01-31'], items: FULL.items })).targets;
    expect(orders!.disappearedCount).toBe(0);
  });

  it('keeps the entries of targets this report did not measure', () => {
    const before = nextSnapshot(undefined, measure(FULL), window, 'a');
    const after = nextSnapshot(before, measure(FULL).filter((t) => t.name === 'orders'), window, 'b');
    expect(Object.keys(after.targets).sort()).toEqual(['items', 'orders']);
  });
});

describe('summariseRows', () => {
  it('gives total, spread and the dates under a tenth of the median', () => {
    const days = ['2024-01-01', '2024-01-02', '2024-01-03', '2024-01-04'].map(dayOf) as Day[];
    const s = summariseRows(days, [100, 5, 100, 120])!;
    expect(s).toMatchObject({ dates: 4, total: 325, min: 5, minDay: days[1], median: 100, max: 120, maxDay: days[3] });
    expect(s.low).toEqual([days[1]]);
    expect(summariseRows([], [])).toBeUndefined();
  });
});

describe('the rendered document', () => {
  const before = nextSnapshot(undefined, measure(FULL), window, '2024-02-01T08:00:00.000Z');
  const targets = measure({ orders: ['2024-01-01..2024-01-09', '2024-01-13..2024-01-31'], items: FULL.items });
  const rows = { kind: 'counted', days: [dayOf('2024-01-01'), dayOf('2024-01-02')], counts: [20, 1] } as const;
  const doc: StatusDocument = {
    window, measuredAt: '2024-02-02T08:00:00.000Z', where: 'DuckDB `w.duckdb`', pipeline: 'dag.json5', commandLine: 'dagrun --status --report r.md',
    targets: targets.map((t) => (t.name === 'orders' ? { ...t, rows } : { ...t, rows: { kind: 'skipped', why: 'not counted: too big' } })),
    rowsNote: undefined, changes: compareWithSnapshot(before, targets),
  };

  it('Markdown: header, coverage, named dates, rows, changes and a sign-off block', () => {
    const md = renderStatusMarkdown(doc);
    expect(md).toContain('✅ **all 2 targets fresh** — ⚠️ 1 target lost ground since the last report');
    expect(md).toContain('- **Window:** 2024-01-01 .. 2024-01-31');
    expect(md).toContain('- **Measured:** 2024-02-02 08:00:00 UTC');
    expect(md).toContain('- **Warehouse:** DuckDB `w.duckdb`');
    expect(md).toContain('| `orders` |  | ✅ fresh | 28 / 31 | 90.3% | 90% | 3 | 0 |');
    expect(md).toContain('  - missing 3: 2024-01-10..2024-01-12');
    expect(md).toContain('| `orders` | 2 | 21 | 1 (2024-01-02) | 10.5 | 20 (2024-01-01) | 1: 2024-01-02 |');
    expect(md).toContain('- `items`: not counted: too big');
    expect(md).toContain('- ⚠️ `orders`: **3 dates disappeared**: 2024-01-10..2024-01-12; **coverage went down** 100.0% → 90.3%');
    expect(md).toMatch(/## Sign-off\n\n- \*\*Reviewer:\*\* _+\n- \*\*Date:\*\* _+\n- \*\*Verdict:\*\* ☐ accepted/);
  });

  it('JUnit: a coverage case per target, and a failing change case for the target that lost dates', () => {
    const xml = renderStatusJunit(doc);
    expect(xml).toContain('<testsuite name="coverage" tests="2" failures="0"');
    expect(xml).toContain('<testsuite name="changes" tests="2" failures="1"');
    expect(xml).toContain('<failure message="3 dates disappeared: 2024-01-10..2024-01-12">');
  });
});
