/**
 * The fake's query engine: BigQuery scripts executed for real on an in-memory DuckDB, with
 * BigQuery's rules where dagrun depends on them — a transaction rolls back when the script
 * fails or ends inside it, DDL on permanent tables is refused inside a transaction, the
 * on-demand 10 MiB minimum is billed per query that reads a table, a query whose bill
 * exceeds `maximumBytesBilled` fails with `bytesBilledLimitExceeded`, a dry run of a script
 * validates and estimates only the statements before its first DDL statement, and a
 * transaction (or a DML statement of a script) that mutates a table another job mutated
 * since it started is aborted: the later committer fails. An array with a NULL element, in a
 * result or in written rows, fails the statement.
 */
import { DuckDBInstance, type DuckDBConnection, type DuckDBResultReader } from '@duckdb/node-api';
import { Catalog } from './catalog.js';
import { type FakeStatement, splitScript, translateStatement } from './translate.js';
import { type RestParameter, type RestRows, toDuckParams, toRestRows } from './values.js';

/** The minimum BigQuery bills for a query that reads any table (on-demand pricing). */
export const MINIMUM_BILLED_BYTES = 10 * 1024 * 1024;

/** A failure the fake reports as BigQuery would: HTTP status, reason, message. */
export class FakeError extends Error {
  readonly status: number;
  readonly reason: string;
  constructor(status: number, reason: string, message: string) {
    super(message);
    this.status = status;
    this.reason = reason;
  }
}

/** How to run one query. */
export interface ExecuteOptions {
  readonly params?: readonly RestParameter[] | undefined;
  readonly dryRun?: boolean;
  readonly maximumBytesBilled?: string | number | undefined;
  /**
   * The job running the query and the commit sequence number when it was created (its
   * snapshot): a transaction, or a DML statement of a script, that mutates a table another
   * job mutated after the snapshot is aborted. Left out (direct calls), nothing conflicts.
   */
  readonly job?: { readonly id: string; readonly snapshot: number } | undefined;
}

/** What a query did. */
export interface ExecuteResult {
  /** The last SELECT's rows, if the script had one. */
  readonly result: RestRows | undefined;
  readonly bytesProcessed: number;
  readonly bytesBilled: number;
  readonly statementType: string;
  /** The statements a SCRIPT ran, each a child job in BigQuery (`statistics.numChildJobs`). */
  readonly childJobs?: number;
  /** Tables the (validated) statements name, as `dataset.table`: `statistics.query.referencedTables`. */
  readonly referencedTables?: readonly string[];
}

/** Column types for seeding, in BigQuery spelling. */
export type SeedType = 'DATE' | 'INT64' | 'FLOAT64' | 'STRING' | 'BOOL' | 'TIMESTAMP';

/** A table to create with rows, optionally DAY-partitioned on a column. */
export interface SeedSpec {
  readonly columns: Readonly<Record<string, SeedType>>;
  readonly rows: readonly (readonly (string | number | boolean | null)[])[];
  readonly partitionBy?: string;
  /**
   * Partition expiration (with `partitionBy`): rows of partitions already expired are deleted
   * at once, as BigQuery would have, and tables.get reports `timePartitioning.expirationMs`.
   */
  readonly partitionExpirationMs?: number;
  /** Table expiration (epoch ms), reported by tables.get as `expirationTime`. */
  readonly expirationTime?: number;
}

const SEED_TYPES: Record<SeedType, string> = {
  DATE: 'DATE', INT64: 'BIGINT', FLOAT64: 'DOUBLE', STRING: 'VARCHAR', BOOL: 'BOOLEAN', TIMESTAMP: 'TIMESTAMP',
};

/** BigQuery semantics over DuckDB. Every call is serialised: a script owns the connection while it runs. */
export class FakeEngine {
  readonly catalog: Catalog;
  readonly #instance: DuckDBInstance;
  readonly #db: DuckDBConnection;
  readonly #project: string;
  #queue: Promise<unknown> = Promise.resolve();
  /** Commits that mutated a table so far; the snapshot a job takes when it is created. */
  #sequence = 0;
  /** The latest mutating commit per table: its sequence number and job. */
  readonly #mutations = new Map<string, { seq: number; job: string }>();

  readonly #now: () => number;

  private constructor(instance: DuckDBInstance, db: DuckDBConnection, catalog: Catalog, project: string, now: () => number) {
    this.#now = now;
    this.#instance = instance;
    this.#db = db;
    this.catalog = catalog;
    this.#project = project;
  }

  /** Opens an in-memory DuckDB with the fake's catalog installed. */
  static async create(options: { project: string; location: string; now: () => number }): Promise<FakeEngine> {
    const instance = await DuckDBInstance.create(':memory:');
    const db = await instance.connect();
    const catalog = new Catalog(db, options);
    await catalog.install();
    return new FakeEngine(instance, db, catalog, options.project, options.now);
  }

  /** The commit sequence number now: a job created now sees every commit up to it. */
  get sequence(): number {
    return this.#sequence;
  }

  /** Runs `work` after every earlier call has finished. */
  serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.#queue.then(work, work);
    this.#queue = next.catch(() => undefined);
    return next;
  }

  /** Runs (or dry-runs) a BigQuery query or script. Throws `FakeError`. */
  execute(sql: string, options: ExecuteOptions = {}): Promise<ExecuteResult> {
    return this.serial(async () => {
      let statements: FakeStatement[];
      try {
        statements = splitScript(sql).map(translateStatement);
      } catch (error) {
        throw new FakeError(400, 'invalidQuery', String((error as Error).message));
      }
      for (const dataset of new Set(statements.flatMap((s) => [...s.partitionsOf]))) {
        if (!(await this.catalog.datasetExists(dataset))) {
          throw new FakeError(404, 'notFound', `Not found: Dataset ${this.#project}:${dataset} was not found in location US`);
        }
      }
      const statementType = statements.length > 1 ? 'SCRIPT' : (statements[0]?.kind ?? 'select').toUpperCase();
      if (options.dryRun) {
        // BigQuery validates (and estimates) a script only up to its first DDL statement.
        const firstDdl = statements.findIndex((s) => s.kind === 'ddl');
        const checked = statements.length > 1 && firstDdl !== -1 ? statements.slice(0, firstDdl) : statements;
        await this.#validate(checked, statements);
        const { processed } = await this.#bytes(checked);
        // What a statement reads: a CREATE's own table is written, not referenced.
        const referencedTables = [...new Set(checked.flatMap((s) => [...s.tables].filter((t) => s.kind !== 'ddl' || t !== s.writes)))];
        return { result: undefined, bytesProcessed: processed, bytesBilled: 0, statementType, referencedTables };
      }
      const { processed, billed } = await this.#bytes(statements);
      const cap = options.maximumBytesBilled === undefined ? undefined : Number(options.maximumBytesBilled);
      if (cap !== undefined && billed > cap) {
        throw new FakeError(400, 'bytesBilledLimitExceeded', `Query exceeded limit for bytes billed: ${cap}. ${billed} or higher required.`);
      }
      const result = await this.#runScript(statements, options.params, options.job);
      return { result, bytesProcessed: processed, bytesBilled: billed, statementType, ...(statementType === 'SCRIPT' ? { childJobs: statements.length } : {}) };
    });
  }

  /**
   * What a dry run checks: the statements it validates (a script's, up to its first DDL
   * statement) parse and bind (their tables and columns exist); nothing after them is looked at.
   */
  async #validate(checked: readonly FakeStatement[], all: readonly FakeStatement[]): Promise<void> {
    try {
      for (const statement of checked) {
        if (statement.kind === 'select' || statement.kind === 'dml' || all.length === 1) await this.#db.prepare(statement.duck);
        else await this.#db.extractStatements(statement.duck);
      }
    } catch (error) {
      throw duckError(error, this.#project);
    }
  }

  /** The table a statement mutates (UPDATE, DELETE, MERGE, TRUNCATE; appends do not conflict). */
  #mutates(statement: FakeStatement): string | undefined {
    return statement.kind === 'dml' && /^\s*(DELETE|UPDATE|MERGE|TRUNCATE)\b/i.test(statement.duck) ? statement.writes : undefined;
  }

  /** Throws BigQuery's concurrent-update error when another job mutated `table` after the job's snapshot. */
  #checkConflict(table: string, job: { id: string; snapshot: number }, inTransaction: boolean): void {
    const last = this.#mutations.get(table);
    if (!last || last.job === job.id || last.seq <= job.snapshot) return;
    const [dataset, name] = table.split('.');
    throw new FakeError(
      400,
      'invalidQuery',
      inTransaction
        ? `Transaction is aborted due to concurrent update against table ${this.#project}.${dataset}.${name}.`
        : `Could not serialize access to table ${this.#project}:${dataset}.${name} due to concurrent update`,
    );
  }

  /** Records that a job's committed statements mutated their tables. */
  #committed(statements: readonly FakeStatement[], job: { id: string } | undefined): void {
    for (const statement of statements) {
      const table = this.#mutates(statement);
      if (table !== undefined) this.#mutations.set(table, { seq: ++this.#sequence, job: job?.id ?? '' });
    }
  }

  /** Runs statements one by one, with BigQuery's transaction rules. */
  async #runScript(
    statements: readonly FakeStatement[],
    params: readonly RestParameter[] | undefined,
    job: { id: string; snapshot: number } | undefined,
  ): Promise<RestRows | undefined> {
    const bound = toDuckParams(params);
    // A lone DML statement is queued behind conflicting ones by BigQuery; transactions and
    // the statements of a script are not: they fail.
    const conflicts = job !== undefined && statements.length > 1;
    let inTransaction = false;
    let pending: FakeStatement[] = [];
    let result: RestRows | undefined;
    try {
      for (const statement of statements) {
        switch (statement.kind) {
          case 'unsupported':
            throw new FakeError(400, 'invalidQuery', `the fake BigQuery does not implement: ${statement.duck.trim().split(/\s+/)[0]}`);
          case 'begin':
            if (inTransaction) throw new FakeError(400, 'invalidQuery', 'Nested transactions are not supported');
            await this.#db.run('BEGIN TRANSACTION');
            inTransaction = true;
            continue;
          case 'commit':
          case 'rollback':
            if (!inTransaction) throw new FakeError(400, 'invalidQuery', `${statement.kind.toUpperCase()} without an active transaction`);
            if (statement.kind === 'commit' && conflicts && job) {
              for (const table of new Set(pending.map((s) => this.#mutates(s)))) if (table) this.#checkConflict(table, job, true);
            }
            await this.#db.run(statement.kind === 'commit' ? 'COMMIT' : 'ROLLBACK');
            inTransaction = false;
            if (statement.kind === 'commit') {
              this.#committed(pending, job);
              await this.#applied(pending);
            }
            pending = [];
            continue;
          case 'ddl':
            if (inTransaction) {
              throw new FakeError(400, 'invalidQuery', `Query error: DDL statements on permanent tables are not supported inside a transaction: ${statement.duck.trim().slice(0, 60)}`);
            }
        }
        const mutated = this.#mutates(statement);
        if (!inTransaction && conflicts && job && mutated) this.#checkConflict(mutated, job, false);
        const reader = await this.#runStatement(statement, bound);
        if (statement.kind === 'select') result = toRestRows(reader);
        await this.#refuseNullElements(statement, result);
        if (inTransaction) pending.push(statement);
        else {
          this.#committed([statement], job);
          await this.#applied([statement]);
        }
      }
      // BigQuery rolls back a transaction that a script leaves open.
      if (inTransaction) await this.#db.run('ROLLBACK');
      return result;
    } catch (error) {
      if (inTransaction) await this.#db.run('ROLLBACK').catch(() => undefined);
      throw error instanceof FakeError ? error : duckError(error, this.#project);
    }
  }

  /**
   * BigQuery arrays cannot hold NULL: a query whose result, or a statement whose written rows,
   * would have one fails ("Array cannot have a null element; error in writing field …").
   */
  async #refuseNullElements(statement: FakeStatement, result: RestRows | undefined): Promise<void> {
    const fail = (field: string) => {
      throw new FakeError(400, 'invalidQuery', `Array cannot have a null element; error in writing field ${field}`);
    };
    if (statement.kind === 'select' && result) {
      result.schema.fields.forEach((field, i) => {
        if (field.mode !== 'REPEATED') return;
        for (const row of result.rows) if ((row.f[i]!.v as { v: unknown }[]).some((item) => item.v === null)) fail(field.name);
      });
      return;
    }
    const writesRows = statement.kind === 'dml' || (statement.kind === 'ddl' && /\bAS\s*(\(|SELECT|WITH)/i.test(statement.duck));
    if (!writesRows || !statement.writes) return;
    const [dataset, name] = statement.writes.split('.') as [string, string];
    for (const [column, type] of await this.catalog.columns(statement.writes)) {
      if (!type.endsWith('[]')) continue;
      const rows = await this.#db.runAndReadAll(
        `SELECT 1 FROM "${dataset}"."${name}" WHERE len(list_filter("${column}", x -> x IS NULL)) > 0 LIMIT 1`,
      );
      if (rows.currentRowCount > 0) fail(column);
    }
  }

  async #runStatement(statement: FakeStatement, bound: ReturnType<typeof toDuckParams>): Promise<DuckDBResultReader> {
    const prepared = await this.#db.prepare(statement.duck);
    const values: typeof bound.values = {};
    const types: typeof bound.types = {};
    for (let i = 1; i <= prepared.parameterCount; i++) {
      const name = prepared.parameterName(i);
      if (!(name in bound.values)) throw new FakeError(400, 'invalidQuery', `Query parameter '${name}' not found`);
      values[name] = bound.values[name]!;
      types[name] = bound.types[name]!;
    }
    if (prepared.parameterCount > 0) prepared.bind(values, types);
    return prepared.runAndReadAll();
  }

  /** Catalog bookkeeping after statements took effect (committed, or outside a transaction). */
  async #applied(statements: readonly FakeStatement[]): Promise<void> {
    for (const statement of statements) {
      if (statement.drops) await this.catalog.tableDropped(statement.drops);
      if (!statement.writes) continue;
      // `partitionBy` is defined exactly for CREATE TABLE; IF NOT EXISTS may have been a no-op.
      const ifNotExists = /^\s*CREATE\s+TABLE\s+IF\s+NOT\s+EXISTS/i.test(statement.duck);
      if (statement.partitionBy !== undefined && !ifNotExists) {
        await this.catalog.setPartitioning(statement.writes, statement.partitionBy ?? undefined);
      } else if (statement.partitionBy && !(await this.catalog.partitionColumn(statement.writes))) {
        await this.catalog.setPartitioning(statement.writes, statement.partitionBy);
      }
      await this.catalog.tableWritten(statement.writes, statement.partitionBy !== undefined && !ifNotExists);
    }
  }

  /**
   * Bytes as on-demand BigQuery bills them, roughly: 8 bytes per row for each column of a
   * table that the statement names; each statement (a script's child job) is billed at least
   * 10 MiB per table it reads (INFORMATION_SCHEMA views included), and a script is billed
   * the sum of its children, as BigQuery reports a SCRIPT job's totalBytesBilled.
   */
  async #bytes(statements: readonly FakeStatement[]): Promise<{ processed: number; billed: number }> {
    let processed = 0;
    let billed = 0;
    // Tables an earlier statement of the script creates: they exist (empty) when later ones read them.
    const created = new Set<string>();
    for (const statement of statements) {
      billed += statement.partitionsOf.size * MINIMUM_BILLED_BYTES;
      if (statement.kind === 'ddl' && statement.writes !== undefined) created.add(statement.writes);
      if (statement.kind === 'ddl' && !statement.duck.match(/\bAS\s*(\(|SELECT|WITH)/i)) continue;
      for (const table of statement.tables) {
        if (table === statement.writes && statement.kind !== 'dml') continue;
        const columns = await this.catalog.columns(table);
        if (columns.length === 0) {
          if (created.has(table)) billed += MINIMUM_BILLED_BYTES;
          continue;
        }
        const star = /(^|[\s,(.])\*/.test(statement.duck.replace(/count\s*\(\s*\*\s*\)/gi, ''));
        const used = star ? columns.length : columns.filter(([name]) => new RegExp(`\\b${name}\\b`, 'i').test(statement.duck)).length;
        const read = (await this.catalog.rowCount(table)) * 8 * Math.max(1, used);
        processed += read;
        billed += Math.max(read, MINIMUM_BILLED_BYTES);
      }
    }
    return { processed, billed };
  }

  /** Loads rows read by a DuckDB table function (`read_csv(…)`) into a table: replaced, or appended to. Returns the rows loaded. */
  load(table: string, reader: string, options: { truncate: boolean }): Promise<number> {
    return this.serial(async () => {
      const [dataset, name] = table.toLowerCase().split('.') as [string, string];
      if (!(await this.catalog.datasetExists(dataset))) throw new FakeError(404, 'notFound', `Not found: Dataset ${this.#project}:${dataset}`);
      const exists = (await this.catalog.columns(table)).length > 0;
      try {
        const count = (await this.#db.runAndReadAll(`SELECT count(*) FROM ${reader}`)).getRows()[0]![0];
        if (options.truncate || !exists) await this.#db.run(`CREATE OR REPLACE TABLE "${dataset}"."${name}" AS SELECT * FROM ${reader}`);
        else await this.#db.run(`INSERT INTO "${dataset}"."${name}" BY NAME SELECT * FROM ${reader}`);
        await this.catalog.tableWritten(table, options.truncate || !exists);
        return Number(count);
      } catch (error) {
        throw new FakeError(400, 'invalid', `Error while reading data: ${String((error as Error).message).split('\n')[0]}`);
      }
    });
  }

  /** Creates a table with rows (replacing it), optionally DAY-partitioned. */
  seed(table: string, spec: SeedSpec): Promise<void> {
    return this.serial(async () => {
      const [dataset, name] = table.toLowerCase().split('.') as [string, string];
      const columns = Object.entries(spec.columns).map(([column, type]) => `"${column}" ${SEED_TYPES[type]}`);
      await this.#db.run(`CREATE SCHEMA IF NOT EXISTS "${dataset}"; CREATE OR REPLACE TABLE "${dataset}"."${name}" (${columns.join(', ')})`);
      if (spec.rows.length > 0) {
        const literal = (v: string | number | boolean | null) =>
          v === null ? 'NULL' : typeof v === 'string' ? `'${v.replaceAll("'", "''")}'` : String(v);
        await this.#db.run(`INSERT INTO "${dataset}"."${name}" VALUES ${spec.rows.map((r) => `(${r.map(literal).join(', ')})`).join(', ')}`);
      }
      if (spec.partitionBy !== undefined && spec.partitionExpirationMs !== undefined) {
        // BigQuery deletes a partition expirationMs after its day ends (midnight UTC).
        const cutoff = Math.floor((this.#now() - spec.partitionExpirationMs) / 86_400_000);
        await this.#db.run(`DELETE FROM "${dataset}"."${name}" WHERE CAST("${spec.partitionBy}" AS DATE) < DATE '1970-01-01' + ${cutoff}::INTEGER`);
      }
      this.catalog.setExpiration(`${dataset}.${name}`, { partitionExpirationMs: spec.partitionExpirationMs, expirationTime: spec.expirationTime });
      await this.catalog.setPartitioning(`${dataset}.${name}`, spec.partitionBy);
      await this.catalog.tableWritten(`${dataset}.${name}`, true);
    });
  }

  /** Runs DuckDB SQL directly (test set-up), then brings partition metadata up to date. */
  duck(sql: string): Promise<unknown[][]> {
    return this.serial(async () => {
      const rows = (await this.#db.runAndReadAll(sql)).getRowsJson() as unknown[][];
      const tables = await this.#db.runAndReadAll(`SELECT schema_name || '.' || table_name FROM _fake_meta.partitioning`);
      for (const [table] of tables.getRowsJson()) await this.catalog.refreshPartitions(String(table));
      return rows;
    });
  }

  /** Closes DuckDB. */
  close(): void {
    this.#db.closeSync();
    this.#instance.closeSync();
  }
}

/** A DuckDB error as BigQuery would report it: a missing table or dataset is `notFound`. */
function duckError(error: unknown, project: string): FakeError {
  const message = String((error as Error)?.message ?? error).split('\n')[0]!.trim();
  const table = /Table with name (\S+) does not exist/.exec(message);
  if (table) return new FakeError(404, 'notFound', `Not found: Table ${project}:${table[1]!.replace(/!$/, '').replaceAll('"', '')} was not found in location US`);
  const schema = /Schema with name (\S+) does not exist/.exec(message);
  if (schema) return new FakeError(404, 'notFound', `Not found: Dataset ${project}:${schema[1]!.replace(/!$/, '')} was not found in location US`);
  return new FakeError(400, 'invalidQuery', message);
}
