/** The pure half of `dagrun init --from`: which column measures a table, target names, the calendar and window. */
import { describe, expect, it } from 'vitest';
import { chooseDateColumn, pipelineFromTables, type TableFinding } from './from-tables.js';

const links = { dag: './schema/dag.schema.json', target: (folder: string) => `${folder}/schema.json` };
const options = { warehouse: "{ type: 'duckdb', path: 'w.duckdb' }", links, origin: 'duckdb:w.duckdb' };

describe('chooseDateColumn', () => {
  it.each([
    ['the partitioning column first', [{ name: 'created_at', type: 'TIMESTAMP' }, { name: 'day', type: 'DATE' }], 'created_at', { column: 'created_at', why: 'partitioning column' }],
    ['a DATE column with a date-like name before another DATE', [{ name: 'birthday_of_ceo', type: 'DATE' }, { name: 'order_date', type: 'DATE' }], undefined, { column: 'order_date', why: 'DATE column' }],
    ['any DATE before a timestamp', [{ name: 'ts', type: 'TIMESTAMP WITH TIME ZONE' }, { name: 'shipped', type: 'DATE' }], undefined, { column: 'shipped', why: 'DATE column' }],
    ['a timestamp when there is no DATE', [{ name: 'id', type: 'BIGINT' }, { name: 'seen', type: 'timestamp_ns' }], undefined, { column: 'seen', why: 'TIMESTAMP_NS column' }],
    ['BigQuery DATETIME', [{ name: 'at', type: 'DATETIME' }], undefined, { column: 'at', why: 'DATETIME column' }],
    ['nothing without a date or timestamp', [{ name: 'date_text', type: 'VARCHAR' }], undefined, undefined],
  ])('%s', (_what, columns, partition, expected) => {
    expect(chooseDateColumn(columns, partition)).toEqual(expected);
  });
});

describe('pipelineFromTables', () => {
  const dated = (table: string, first: string, last: string, count: number): TableFinding => ({ table, dateColumn: 'd', why: 'DATE column', dates: { first, last, count } });

  it('names targets after their tables, with the schema when a name repeats or is reserved', () => {
    const files = pipelineFromTables([dated('a.orders', '2024-01-01', '2024-01-02', 2), dated('b.orders', '2024-01-01', '2024-01-02', 2), dated('a.check', '2024-01-01', '2024-01-02', 2), dated('a.x-y', '2024-01-01', '2024-01-02', 2)], options).files;
    expect([...files.keys()]).toEqual(['dag.json5', 'targets/a/a_orders.json5', 'targets/b/b_orders.json5', 'targets/a/a_check.json5', 'targets/a/x_y.json5']);
  });

  it('takes the window from the first and last dates of all tables', () => {
    const { files, report } = pipelineFromTables([dated('s.a', '2024-02-01', '2024-02-10', 10), dated('s.b', '2024-01-15', '2024-02-03', 20), { table: 's.c', dateColumn: 'd', why: 'DATE column' }], options);
    expect(files.get('dag.json5')).toContain("window: { start: '2024-01-15', end: '2024-02-10' }");
    expect(report[0]).toBe('window 2024-01-15..2024-02-10 (the first and last dates found)');
    expect(report).toContain('found   s.c: d (DATE column), no rows yet → targets/s/c.json5');
  });

  it('counts the skipped tables and writes no file for them', () => {
    const result = pipelineFromTables([dated('s.a', '2024-01-01', '2024-01-01', 1), { table: 's.people' }], options);
    expect([result.found, result.skipped]).toEqual([1, 1]);
    expect(result.report.at(-1)).toBe('skipped s.people: no DATE or TIMESTAMP column');
    expect([...result.files.keys()]).toEqual(['dag.json5', 'targets/s/a.json5']);
  });
});
