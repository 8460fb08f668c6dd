/** The one-pass table layout prints exactly what cli-table3 prints, colours and wide characters included. */
import { describe, expect, it } from 'vitest';
import { plainTable, renderTable } from './plain-table.js';

/** What cli-table3 itself prints for the table, trimmed as renderTable trims. */
function byLibrary(table: ReturnType<typeof plainTable>): string {
  return table
    .toString()
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n');
}

const green = (s: string) => `\u001b[32m${s}\u001b[39m`;
const dim = (s: string) => `\u001b[2m${s}\u001b[22m`;

describe('renderTable', () => {
  const cases: { name: string; head: string[]; aligns?: ('left' | 'right' | 'center')[]; rows: (string | number)[][] }[] = [
    { name: 'no rows', head: ['A', 'BB'], rows: [] },
    { name: 'plain text, left aligned', head: ['TARGET', 'STATE'], rows: [['a', 'fresh'], ['a_much_longer_name', 'stale'], ['', '']] },
    {
      name: 'right and centre alignment, numbers',
      head: ['NAME', 'COUNT', 'MID'],
      aligns: ['left', 'right', 'center'],
      rows: [['x', 1, 'ab'], ['yy', 12345, 'abcde'], ['zzz', 0, '']],
    },
    {
      name: 'colours and block characters (the coverage bar)',
      head: ['COVERAGE', 'REASON'],
      rows: [[`${green('█'.repeat(7))}${dim('░'.repeat(3))}  70.0% ${dim('≥95%')}`, 'missing'], [dim('-'), green('fresh')]],
    },
    { name: 'wide and combining characters', head: ['T', 'NOTE'], rows: [['日本語', 'e\u0301t\u00e9'], ['😀 ok', 'x']] },
    { name: 'a colour left open is closed as the library closes it', head: ['A', 'B'], rows: [['\u001b[31mred', 'b']] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const table = plainTable(c.head, c.aligns);
      table.push(...c.rows);
      expect(renderTable(table)).toBe(byLibrary(table));
    });
  }

  it('cells with line breaks are left to the library', () => {
    const table = plainTable(['A', 'B']);
    table.push(['one\ntwo', 'x'], ['y', 'z']);
    expect(renderTable(table)).toBe(byLibrary(table));
    expect(renderTable(table).split('\n')).toHaveLength(4);
  });

  it('a 1000-row table pads every column to its widest cell', () => {
    const table = plainTable(['N', 'SQUARE'], ['left', 'right']);
    for (let i = 0; i < 1000; i++) table.push([`t${i}`, i * i]);
    const text = renderTable(table);
    expect(text).toBe(byLibrary(table));
    // t0 padded to t999's 4 columns, the gap of 2, then 0 right-aligned in 998001's 6
    expect(text.split('\n')[1]).toBe(`t0${' '.repeat(2 + 2 + 5)}0`);
  });
});
