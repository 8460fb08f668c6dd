/**
 * What BigQuery datasets hold, for `dagrun init --from bigquery:PROJECT.DATASET[,DATASET…]`,
 * read from INFORMATION_SCHEMA alone (no table is scanned): per dataset, one COLUMNS query
 * (every table's columns, and which one it is partitioned by) and one PARTITIONS query for
 * the tables partitioned by their date column (their first and last dates and how many days
 * have rows). A table whose date column is not its partitioning column gets a target, but
 * its dates are not read: that would take a scan.
 *
 * The queries go through `MetadataReader`, which the CLI builds over the adapter's port (this
 * stage imports no warehouse adapter).
 */
import { DagrunError } from '../core/errors.js';
import { chooseDateColumn, isDateType, type ColumnInfo, type TableFinding } from './from-tables.js';

/** The project and datasets `--from bigquery:` names. */
export interface BigQuerySource {
  readonly project: string;
  readonly datasets: readonly string[];
}

/** A cell of a metadata query's row. */
type Cell = string | number | boolean | null;

/** The two calls this module needs from BigQuery. */
export interface MetadataReader {
  /** Runs a query; `tables` is bound to `@tables` (ARRAY<STRING>) when given. */
  query(sql: string, tables?: readonly string[]): Promise<readonly Readonly<Record<string, Cell>>[]>;
  /** Whether the dataset exists (datasets.get: free, no query). */
  datasetExists(dataset: string): Promise<boolean>;
}

const DATASET = /^[A-Za-z0-9_]{1,1024}$/;
// Project ids: letters, digits, hyphens; a domain-scoped one is `example.com:my-project`.
const PROJECT = /^([a-z0-9][a-z0-9.-]*:)?[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
const USAGE = 'expected bigquery:PROJECT.DATASET[,DATASET…] (e.g. bigquery:my-project.analytics,my-project.raw)';

/**
 * Reads `PROJECT.DATASET[,DATASET…]` (later datasets may repeat the project). Throws a usage
 * error naming what is wrong.
 */
export function parseBigQuerySource(text: string): BigQuerySource {
  const refuse = (why: string) => new DagrunError('usage', `--from bigquery:${text}: ${why}; ${USAGE}`);
  const [first = '', ...others] = text.split(',').map((part) => part.trim());
  const dot = first.lastIndexOf('.');
  if (dot <= 0 || dot === first.length - 1) throw refuse(first === '' ? 'no project and dataset' : `"${first}" names no dataset`);
  const project = first.slice(0, dot);
  if (!PROJECT.test(project)) throw refuse(`"${project}" is not a project id`);
  const datasets = [first.slice(dot + 1)];
  for (const other of others) {
    const at = other.lastIndexOf('.');
    if (at >= 0 && other.slice(0, at) !== project) throw refuse(`"${other}" is in another project than ${project} (one project per pipeline)`);
    datasets.push(other.slice(at + 1));
  }
  for (const dataset of datasets) if (!DATASET.test(dataset)) throw refuse(`"${dataset}" is not a dataset name`);
  return { project, datasets: [...new Set(datasets)] };
}

/** BigQuery refuses an INFORMATION_SCHEMA.PARTITIONS query over more tables ("too many tables"). */
const PARTITIONS_TABLES_PER_QUERY = 1000;

/** Every column of every table and view of a dataset (pseudo columns such as _PARTITIONTIME left out). */
export function columnsQuery(project: string, dataset: string): string {
  return `SELECT table_name, column_name, data_type, is_partitioning_column
FROM \`${project}.${dataset}.INFORMATION_SCHEMA.COLUMNS\`
WHERE is_system_defined = 'NO'
ORDER BY table_name, ordinal_position`;
}

/**
 * Per table (of `@tables`) and partition id length (8: days, 10: hours, 6: months, 4: years):
 * the first and last partition with rows, and how many distinct days those partitions cover.
 */
export function partitionRangeQuery(project: string, dataset: string): string {
  return `SELECT table_name, LENGTH(partition_id) AS id_length, MIN(partition_id) AS first_id, MAX(partition_id) AS last_id,
  COUNT(DISTINCT SUBSTR(partition_id, 1, 8)) AS days
FROM \`${project}.${dataset}.INFORMATION_SCHEMA.PARTITIONS\`
WHERE table_name IN UNNEST(@tables)
  AND partition_id NOT IN ('__NULL__', '__UNPARTITIONED__')
  AND total_rows > 0
GROUP BY table_name, id_length`;
}

/** What is said of a table whose dates are not read, and why they are not. */
export function unreadNote(why: string): string {
  return `dates not read (${why}: reading them takes a scan), so the window does not come from it`;
}

const isoOf = (id: string) => `${id.slice(0, 4)}-${id.slice(4, 6)}-${id.slice(6, 8)}`;

/** The tables of `source`'s datasets as `dataset.table`, in dataset order then name order. */
export async function readBigQueryTables(reader: MetadataReader, source: BigQuerySource): Promise<TableFinding[]> {
  const findings: TableFinding[] = [];
  for (const dataset of source.datasets) {
    if (!(await reader.datasetExists(dataset))) {
      throw new DagrunError('usage', `--from bigquery:…: dataset ${source.project}.${dataset} not found (or not visible to these credentials)`);
    }
    const tables = new Map<string, { columns: ColumnInfo[]; partition: ColumnInfo | undefined }>();
    for (const row of await reader.query(columnsQuery(source.project, dataset))) {
      const name = String(row['table_name']);
      const column = { name: String(row['column_name']), type: String(row['data_type']) };
      const table = tables.get(name) ?? { columns: [], partition: undefined };
      table.columns.push(column);
      if (row['is_partitioning_column'] === 'YES') table.partition = column;
      tables.set(name, table);
    }
    const chosen = new Map<string, { column: string; why: string; partition: ColumnInfo | undefined }>();
    for (const [name, { columns, partition }] of tables) {
      // Partitioned by a date column: that column. By an integer range: no help.
      const pick = chooseDateColumn(columns, partition && isDateType(partition.type) ? partition.name : undefined);
      if (pick) chosen.set(name, { ...pick, partition });
    }
    const byPartition = [...chosen].filter(([, c]) => c.partition?.name === c.column).map(([name]) => name);
    const ranges = new Map<string, { first: string; last: string; count: number } | string>();
    for (let i = 0; i < byPartition.length; i += PARTITIONS_TABLES_PER_QUERY) {
      const rows = await reader.query(partitionRangeQuery(source.project, dataset), byPartition.slice(i, i + PARTITIONS_TABLES_PER_QUERY));
      for (const row of rows) {
        const [name, length] = [String(row['table_name']), Number(row['id_length'])];
        if (length === 8 || length === 10) {
          const [first, last] = [String(row['first_id']), String(row['last_id'])];
          ranges.set(name, { first: isoOf(first), last: isoOf(last), count: Number(row['days']) });
        } else if (!ranges.has(name)) {
          ranges.set(name, unreadNote(`partitioned by ${length === 6 ? 'month' : length === 4 ? 'year' : 'a unit other than the day'}`));
        }
      }
    }
    for (const name of [...tables.keys()].sort()) {
      const table = `${dataset}.${name}`;
      const pick = chosen.get(name);
      if (!pick) {
        findings.push({ table });
        continue;
      }
      const range = ranges.get(name);
      const byItsPartition = pick.partition?.name === pick.column;
      findings.push({
        table, dateColumn: pick.column, why: pick.why,
        ...(typeof range === 'object' ? { dates: range } : {}),
        ...(typeof range === 'string' ? { note: range } : {}),
        ...(!byItsPartition ? { note: unreadNote(pick.partition ? `not the partitioning column, ${pick.partition.name}` : 'not a partitioning column') } : {}),
      });
    }
  }
  return findings;
}
