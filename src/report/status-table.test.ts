/** The status table names what a reader acts on: the missing dates, not only how many. */
import { describe, expect, it } from 'vitest';
import { FakeProject } from '../../test/helpers/fake-project.js';
import { assessTargets } from '../freshness/assess.js';
import { dayOf } from '../intervals/day.js';
import { renderStatusTable } from './status-table.js';

describe('renderStatusTable', () => {
  const project = new FakeProject().addTarget('fine', { threshold: 0.5 }).addTarget('holey', { threshold: 1 });
  const state = project.measured({
    window: ['2024-01-01', '2024-01-31'],
    present: {
      fine: ['2024-01-01..2024-01-02', '2024-01-05..2024-01-31'],
      holey: ['2024-01-02', '2024-01-04', '2024-01-06', '2024-01-08', '2024-01-10..2024-01-31'],
    },
  });
  const rows = [...assessTargets(project.graph(), state, ['fine', 'holey']).values()];
  const text = renderStatusTable(project.graph(), { first: dayOf('2024-01-01'), last: dayOf('2024-01-31') }, rows);
  const line = (name: string) => text.replace(/\x1b\[[0-9;]*m/g, "").split('\n').find((l) => l.startsWith(name))!;

  it('names the missing dates of a target that is fresh at its threshold', () => {
    expect(line('fine')).toMatch(/fresh\s+missing 2024-01-03\.\.2024-01-04$/);
  });

  it('names the first missing ranges of a stale target after its reason, and counts the rest', () => {
    expect(line('holey')).toMatch(/stale\s+5 of 31 expected dates missing \(83\.8% < 100%\): 2024-01-01, 2024-01-03, 2024-01-05 \(\+2 more\)$/);
  });
});
