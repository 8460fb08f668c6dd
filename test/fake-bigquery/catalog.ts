/**
 * The fake's catalog: which DuckDB schemas are datasets, which tables are DAY-partitioned
 * by which column, each partition's row count and last-modified time (what
 * INFORMATION_SCHEMA.PARTITIONS reports), and the tables.get / datasets.get resources.
 * It lives in DuckDB itself (schema `_fake_meta`), so the PARTITIONS and COLUMNS stand-ins
 * are views (COLUMNS spells types as BigQuery does: INT64, FLOAT64, BOOL, …; a TIMESTAMP is
 * TIMESTAMP, as everywhere in the fake, which has no DATETIME).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { COLUMNS_VIEW, PARTITIONS_VIEW } from './translate.js';
import { bigQueryType } from './values.js';

const HIDDEN = "('_fake_meta', 'main', 'information_schema', 'pg_catalog')";

/** A table's expiration options, as tables.get reports them. */
export interface TableExpiration {
  /** Partition expiration: a partition is deleted this long after its day ends (UTC). */
  readonly partitionExpirationMs?: number | undefined;
  /** Epoch ms at which the whole table is deleted. */
  readonly expirationTime?: number | undefined;
}

/** Metadata over one DuckDB connection. Callers serialise access. */
export class Catalog {
  readonly #db: DuckDBConnection;
  readonly #project: string;
  readonly #location: string;
  readonly #now: () => number;
  /** Expiration options per table (`dataset.table`): `timePartitioning.expirationMs`, `expirationTime`. */
  readonly #expiration = new Map<string, TableExpiration>();

  constructor(db: DuckDBConnection, options: { project: string; location: string; now: () => number }) {
    this.#db = db;
    this.#project = options.project;
    this.#location = options.location;
    this.#now = options.now;
  }

  /** Creates the metadata tables, the PARTITIONS view and BigQuery functions DuckDB lacks. */
  async install(): Promise<void> {
    await this.#db.run(`CREATE SCHEMA _fake_meta;
      CREATE TABLE _fake_meta.partitioning (schema_name VARCHAR, table_name VARCHAR, column_name VARCHAR, PRIMARY KEY (schema_name, table_name));
      CREATE TABLE _fake_meta.partitions (schema_name VARCHAR, table_name VARCHAR, partition_id VARCHAR, total_rows BIGINT,
        content_hash UBIGINT, modified_ms BIGINT, PRIMARY KEY (schema_name, table_name, partition_id));
      CREATE TABLE _fake_meta.locations (schema_name VARCHAR PRIMARY KEY, location VARCHAR);
      CREATE TABLE _fake_meta.tables (schema_name VARCHAR, table_name VARCHAR, created_ms BIGINT, modified_ms BIGINT,
        PRIMARY KEY (schema_name, table_name));
      CREATE VIEW ${PARTITIONS_VIEW} AS
        SELECT '${this.#project}' AS table_catalog, schema_name AS table_schema, table_name, partition_id, total_rows,
          total_rows * 8 AS total_logical_bytes, make_timestamp(modified_ms * 1000) AS last_modified_time, 'ACTIVE' AS storage_tier
        FROM _fake_meta.partitions
        UNION ALL
        SELECT '${this.#project}', lower(t.table_schema), lower(t.table_name), NULL, NULL, NULL, NULL, 'ACTIVE'
        FROM information_schema.tables t
        WHERE t.table_catalog = current_database() AND t.table_schema NOT IN ${HIDDEN}
          AND NOT EXISTS (SELECT 1 FROM _fake_meta.partitioning g
                          WHERE g.schema_name = lower(t.table_schema) AND g.table_name = lower(t.table_name));
      CREATE MACRO _fake_meta.bq_scalar(t) AS CASE
        WHEN t = 'DATE' THEN 'DATE'
        WHEN t IN ('TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT', 'HUGEINT', 'UTINYINT', 'USMALLINT', 'UINTEGER', 'UBIGINT', 'UHUGEINT') THEN 'INT64'
        WHEN t IN ('FLOAT', 'DOUBLE', 'REAL') THEN 'FLOAT64'
        WHEN t LIKE 'DECIMAL%' THEN 'NUMERIC'
        WHEN t = 'BOOLEAN' THEN 'BOOL'
        WHEN t LIKE 'TIMESTAMP%' THEN 'TIMESTAMP'
        WHEN t = 'BLOB' THEN 'BYTES'
        ELSE 'STRING' END;
      CREATE VIEW ${COLUMNS_VIEW} AS
        SELECT '${this.#project}' AS table_catalog, lower(c.table_schema) AS table_schema, lower(c.table_name) AS table_name,
          c.column_name, c.ordinal_position, c.is_nullable,
          CASE WHEN c.data_type LIKE '%[]' THEN 'ARRAY<' || _fake_meta.bq_scalar(upper(replace(c.data_type, '[]', ''))) || '>'
               ELSE _fake_meta.bq_scalar(upper(c.data_type)) END AS data_type,
          'NEVER' AS is_generated, 'NO' AS is_hidden, 'NO' AS is_system_defined,
          CASE WHEN EXISTS (SELECT 1 FROM _fake_meta.partitioning g
                            WHERE g.schema_name = lower(c.table_schema) AND g.table_name = lower(c.table_name)
                              AND lower(replace(g.column_name, '"', '')) = lower(c.column_name)) THEN 'YES' ELSE 'NO' END AS is_partitioning_column,
          CAST(NULL AS BIGINT) AS clustering_ordinal_position
        FROM information_schema.columns c
        WHERE c.table_catalog = current_database() AND c.table_schema NOT IN ${HIDDEN};
      CREATE MACRO safe_divide(a, b) AS CASE WHEN b = 0 THEN NULL ELSE a / b END;
      CREATE MACRO unix_date(d) AS CAST(CAST(d AS DATE) - DATE '1970-01-01' AS BIGINT);
      CREATE MACRO parse_date(f, s) AS CAST(strptime(s, f) AS DATE);
      CREATE MACRO safe_parse_date(f, s) AS CAST(try_strptime(s, f) AS DATE);`);
  }

  /** Rows of a catalog query, as JSON-friendly values. */
  async #rows(sql: string, values: Record<string, string | number> = {}): Promise<unknown[][]> {
    return (await this.#db.runAndReadAll(sql, values)).getRowsJson() as unknown[][];
  }

  /** Whether a dataset (DuckDB schema) exists. */
  async datasetExists(dataset: string): Promise<boolean> {
    const rows = await this.#rows(
      `SELECT 1 FROM information_schema.schemata WHERE catalog_name = current_database()
       AND lower(schema_name) = $d AND schema_name NOT IN ${HIDDEN}`,
      { d: dataset.toLowerCase() },
    );
    return rows.length > 0;
  }

  /** Creates a dataset (in `location`, else the fake's); false when it already exists. */
  async createDataset(dataset: string, location?: string): Promise<boolean> {
    if (!/^\w+$/.test(dataset)) throw new Error(`invalid dataset id ${JSON.stringify(dataset)}`);
    if (await this.datasetExists(dataset)) return false;
    await this.#db.run(`CREATE SCHEMA "${dataset}"`);
    if (location) await this.setLocation(dataset, location);
    return true;
  }

  /** Puts a dataset in a location other than the fake's default (tests). */
  async setLocation(dataset: string, location: string): Promise<void> {
    await this.#db.run(`INSERT OR REPLACE INTO _fake_meta.locations VALUES ($d, $l)`, { d: dataset.toLowerCase(), l: location });
  }

  /** The location of a dataset. */
  async location(dataset: string): Promise<string> {
    const rows = await this.#rows(`SELECT location FROM _fake_meta.locations WHERE schema_name = $d`, { d: dataset.toLowerCase() });
    return rows.length > 0 ? String(rows[0]![0]) : this.#location;
  }

  /** Columns of a table in order, as (name, DuckDB type); empty when it does not exist. */
  async columns(table: string): Promise<[string, string][]> {
    const [dataset, name] = table.toLowerCase().split('.') as [string, string];
    const rows = await this.#rows(
      `SELECT column_name, data_type FROM information_schema.columns
       WHERE table_catalog = current_database() AND lower(table_schema) = $d AND lower(table_name) = $t ORDER BY ordinal_position`,
      { d: dataset, t: name },
    );
    return rows.map((r) => [String(r[0]), String(r[1])]);
  }

  /** Row count of an existing table. */
  async rowCount(table: string): Promise<number> {
    const [dataset, name] = table.toLowerCase().split('.') as [string, string];
    return Number((await this.#rows(`SELECT count(*) FROM "${dataset}"."${name}"`))[0]![0]);
  }

  /** Declares (or, with undefined, removes) DAY partitioning of a table on a column. */
  async setPartitioning(table: string, column: string | undefined): Promise<void> {
    const [dataset, name] = table.toLowerCase().split('.') as [string, string];
    await this.#db.run(`DELETE FROM _fake_meta.partitioning WHERE schema_name = $d AND table_name = $t`, { d: dataset, t: name });
    await this.#db.run(`DELETE FROM _fake_meta.partitions WHERE schema_name = $d AND table_name = $t`, { d: dataset, t: name });
    if (column) {
      await this.#db.run(`INSERT INTO _fake_meta.partitioning VALUES ($d, $t, $c)`, { d: dataset, t: name, c: column });
      await this.refreshPartitions(table);
    }
  }

  /** The column a table is DAY-partitioned on, if any. */
  async partitionColumn(table: string): Promise<string | undefined> {
    const [dataset, name] = table.toLowerCase().split('.') as [string, string];
    const rows = await this.#rows(`SELECT column_name FROM _fake_meta.partitioning WHERE schema_name = $d AND table_name = $t`, {
      d: dataset,
      t: name,
    });
    return rows.length > 0 ? String(rows[0]![0]) : undefined;
  }

  /** Records that a statement wrote a table: its last-modified time, and its partitions' ones. */
  async tableWritten(table: string, created: boolean): Promise<void> {
    const [dataset, name] = table.toLowerCase().split('.') as [string, string];
    const now = this.#now();
    await this.#db.run(
      `INSERT INTO _fake_meta.tables VALUES ($d, $t, $now, $now)
       ON CONFLICT DO UPDATE SET modified_ms = $now, created_ms = CASE WHEN $created THEN $now ELSE created_ms END`,
      { d: dataset, t: name, now, created },
    );
    await this.refreshPartitions(table);
  }

  /** Sets (or, with undefined fields, clears) a table's expiration options. */
  setExpiration(table: string, expiration: TableExpiration): void {
    if (expiration.partitionExpirationMs === undefined && expiration.expirationTime === undefined) this.#expiration.delete(table.toLowerCase());
    else this.#expiration.set(table.toLowerCase(), expiration);
  }

  /** Forgets a dropped table. */
  async tableDropped(table: string): Promise<void> {
    this.#expiration.delete(table.toLowerCase());
    const [dataset, name] = table.toLowerCase().split('.') as [string, string];
    await this.#db.run(`DELETE FROM _fake_meta.tables WHERE schema_name = $d AND table_name = $t`, { d: dataset, t: name });
    await this.setPartitioning(table, undefined);
  }

  /**
   * Recomputes a partitioned table's partitions. A partition whose rows changed (a content
   * hash that includes row ids, so a delete-and-reinsert counts) gets the current time as
   * its last-modified time, as BigQuery does for every partition a DML statement touches.
   */
  async refreshPartitions(table: string): Promise<void> {
    const [dataset, name] = table.toLowerCase().split('.') as [string, string];
    const column = (await this.partitionColumn(table))?.replaceAll('"', '');
    if (column === undefined || (await this.columns(table)).length === 0) return;
    await this.#db.run(`CREATE OR REPLACE TEMP TABLE _fake_current AS
      SELECT COALESCE(strftime(CAST(t."${column}" AS DATE), '%Y%m%d'), '__NULL__') AS partition_id, count(*) AS total_rows,
             bit_xor(hash(t.rowid, t)) AS content_hash
      FROM "${dataset}"."${name}" AS t GROUP BY 1`);
    await this.#db.run(
      `INSERT OR REPLACE INTO _fake_meta.partitions
       SELECT $d, $t, c.partition_id, c.total_rows, c.content_hash,
              CASE WHEN p.content_hash = c.content_hash THEN p.modified_ms ELSE $now END
       FROM _fake_current c LEFT JOIN _fake_meta.partitions p
         ON p.schema_name = $d AND p.table_name = $t AND p.partition_id = c.partition_id`,
      { d: dataset, t: name, now: this.#now() },
    );
    await this.#db.run(
      `DELETE FROM _fake_meta.partitions WHERE schema_name = $d AND table_name = $t
       AND partition_id NOT IN (SELECT partition_id FROM _fake_current)`,
      { d: dataset, t: name },
    );
    await this.#db.run('DROP TABLE _fake_current');
  }

  /** The tables.get resource of a table, or undefined when it does not exist. */
  async tableResource(dataset: string, name: string): Promise<object | undefined> {
    const table = `${dataset}.${name}`.toLowerCase();
    const columns = await this.columns(table);
    if (columns.length === 0) return undefined;
    const meta = await this.#rows(
      `SELECT created_ms, modified_ms, (SELECT column_name FROM _fake_meta.partitioning g WHERE g.schema_name = $d AND g.table_name = $t)
       FROM (SELECT 1) LEFT JOIN _fake_meta.tables m ON m.schema_name = $d AND m.table_name = $t`,
      { d: dataset.toLowerCase(), t: name.toLowerCase() },
    );
    const [created, modified, partitionColumn] = meta[0] ?? [];
    const now = String(this.#now());
    const expiration = this.#expiration.get(table);
    const partitionExpiration = partitionColumn && expiration?.partitionExpirationMs !== undefined ? { expirationMs: String(expiration.partitionExpirationMs) } : {};
    return {
      kind: 'bigquery#table',
      id: `${this.#project}:${dataset}.${name}`,
      tableReference: { projectId: this.#project, datasetId: dataset, tableId: name },
      schema: { fields: columns.map(([column, type]) => ({ name: column, type: bigQueryType(type), mode: 'NULLABLE' })) },
      ...(partitionColumn ? { timePartitioning: { type: 'DAY', field: String(partitionColumn), ...partitionExpiration } } : {}),
      ...(expiration?.expirationTime !== undefined ? { expirationTime: String(expiration.expirationTime) } : {}),
      numRows: String(await this.rowCount(table)),
      numBytes: String((await this.rowCount(table)) * 8 * columns.length),
      creationTime: created ? String(created) : now,
      lastModifiedTime: modified ? String(modified) : now,
      type: 'TABLE',
      location: await this.location(dataset),
    };
  }

  /** The datasets.get resource, or undefined when the dataset does not exist. */
  async datasetResource(dataset: string): Promise<object | undefined> {
    if (!(await this.datasetExists(dataset))) return undefined;
    return {
      kind: 'bigquery#dataset',
      id: `${this.#project}:${dataset}`,
      datasetReference: { projectId: this.#project, datasetId: dataset },
      location: await this.location(dataset),
    };
  }
}
