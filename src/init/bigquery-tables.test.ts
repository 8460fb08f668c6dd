/** `init --from bigquery:`: reading the source, and what COLUMNS and PARTITIONS rows become (a stub reader). */
import { describe, expect, it } from 'vitest';
import { parseBigQuerySource, readBigQueryTables, type MetadataReader } from './bigquery-tables.js';

describe('parseBigQuerySource', () => {
  it.each([
    ['my-project.analytics', { project: 'my-project', datasets: ['analytics'] }],
    ['my-project.a,b, my-project.c,a', { project: 'my-project', datasets: ['a', 'b', 'c'] }],
    ['example.com:my-project.raw', { project: 'example.com:my-project', datasets: ['raw'] }],
  ])('%s', (text, expected) => {
    expect(parseBigQuerySource(text)).toEqual(expected);
  });

  it.each([
    ['nodataset', '"nodataset" names no dataset'],
    ['', 'no project and dataset'],
    ['my-project.', '"my-project." names no dataset'],
    ['My_Project.raw', '"My_Project" is not a project id'],
    ['my-project.raw,other-project.x', '"other-project.x" is in another project than my-project (one project per pipeline)'],
    ['my-project.raw,bad-name', '"bad-name" is not a dataset name'],
  ])('refuses %j', (text, why) => {
    expect(() => parseBigQuerySource(text)).toThrow(`--from bigquery:${text}: ${why}; expected bigquery:PROJECT.DATASET[,DATASET…]`);
  });
});

type Row = Record<string, string | number | null>;

/** A reader answering COLUMNS and PARTITIONS queries from fixed rows, recording the calls. */
function stub(columns: Row[], partitions: Row[]): MetadataReader & { calls: [string, readonly string[] | undefined][] } {
  const calls: [string, readonly string[] | undefined][] = [];
  return {
    calls,
    datasetExists: async (dataset) => dataset !== 'missing',
    query: async (sql, tables) => {
      calls.push([sql.includes('COLUMNS') ? 'COLUMNS' : 'PARTITIONS', tables]);
      return sql.includes('COLUMNS') ? columns : partitions.filter((p) => tables?.includes(String(p['table_name'])));
    },
  };
}

const column = (table: string, name: string, type: string, partitioning = false): Row => ({
  table_name: table, column_name: name, data_type: type, is_partitioning_column: partitioning ? 'YES' : 'NO',
});

describe('readBigQueryTables', () => {
  it('reads day and hour partitions; says why the dates of other tables are not read', async () => {
    const reader = stub(
      [
        column('daily', 'id', 'INT64'), column('daily', 'd', 'DATE', true),
        column('hourly', 'ts', 'TIMESTAMP', true),
        column('monthly', 'm', 'DATE', true),
        column('by_customer', 'customer_id', 'INT64', true), column('by_customer', 'created', 'DATETIME'),
        column('plain', 'name', 'STRING'), column('plain', 'tags', 'ARRAY<DATE>'),
        column('empty', 'd', 'DATE', true),
      ],
      [
        { table_name: 'daily', id_length: 8, first_id: '20240101', last_id: '20240110', days: 9 },
        { table_name: 'hourly', id_length: 10, first_id: '2024020100', last_id: '2024020323', days: 3 },
        { table_name: 'monthly', id_length: 6, first_id: '202401', last_id: '202403', days: 3 },
        { table_name: 'by_customer', id_length: 8, first_id: '20240101', last_id: '20240101', days: 1 },
      ],
    );
    const findings = await readBigQueryTables(reader, { project: 'p', datasets: ['ds'] });
    expect(findings).toEqual([
      { table: 'ds.by_customer', dateColumn: 'created', why: 'DATETIME column', note: 'dates not read (not the partitioning column, customer_id: reading them takes a scan), so the window does not come from it' },
      { table: 'ds.daily', dateColumn: 'd', why: 'partitioning column', dates: { first: '2024-01-01', last: '2024-01-10', count: 9 } },
      { table: 'ds.empty', dateColumn: 'd', why: 'partitioning column' },
      { table: 'ds.hourly', dateColumn: 'ts', why: 'partitioning column', dates: { first: '2024-02-01', last: '2024-02-03', count: 3 } },
      { table: 'ds.monthly', dateColumn: 'm', why: 'partitioning column', note: 'dates not read (partitioned by month: reading them takes a scan), so the window does not come from it' },
      { table: 'ds.plain' },
    ]);
    // one COLUMNS query, one PARTITIONS query over the tables partitioned by their date column only
    expect(reader.calls).toEqual([['COLUMNS', undefined], ['PARTITIONS', ['daily', 'hourly', 'monthly', 'empty']]]);
  });

  it('sends no PARTITIONS query when no table is partitioned by a date, and refuses a missing dataset', async () => {
    const reader = stub([column('t', 'at', 'TIMESTAMP')], []);
    expect(await readBigQueryTables(reader, { project: 'p', datasets: ['ds'] })).toHaveLength(1);
    expect(reader.calls).toEqual([['COLUMNS', undefined]]);
    await expect(readBigQueryTables(reader, { project: 'p', datasets: ['ds', 'missing'] })).rejects.toThrow('dataset p.missing not found');
  });
});
