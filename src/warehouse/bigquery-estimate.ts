/**
 * What a build would cost, statement by statement. BigQuery's dry run of a script stops at
 * its first DDL statement (the documented `CREATE TABLE IF NOT EXISTS; DELETE; INSERT` shape
 * comes back as ~0 bytes), so each statement is dry-run on its own. A statement that reads
 * a table the script itself creates cannot be estimated before the script runs: the whole
 * estimate is then unknown, with that reason. Each statement of each range's job is
 * billed at least 10 MB per table it references (on-demand pricing), so the estimate is
 * never below that minimum times the ranges.
 */
import { messageOf } from '../core/errors.js';
import type { StepEstimate } from './plan-estimate.js';
import { type BigQueryPort, sqlBuildQuery } from './bigquery-port.js';
import { splitStatements, statementKind } from './bigquery-script.js';
import { resolveTable } from './bigquery-sql.js';
import type { SqlBuildRequest } from './warehouse.js';

/** BigQuery's on-demand minimum per table referenced per job. */
export const MINIMUM_BILLED_PER_TABLE = 10 * 1024 * 1024;

const CREATED = /^\s*CREATE\s+(?:OR\s+REPLACE\s+)?(TEMP\s+|TEMPORARY\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?`?([A-Za-z0-9_.-]+)`?/i;
const NOT_FOUND_TABLE = /Not found: Table ([A-Za-z0-9_.-]+):([A-Za-z0-9_]+)\.([A-Za-z0-9_]+)/;
const NOT_FOUND_DATASET = /Not found: Dataset ([A-Za-z0-9_.-]+):([A-Za-z0-9_]+)/;

/** A table name as one comparable key. */
function key(name: string): string {
  return name.toLowerCase();
}

/**
 * Estimates a build of `ranges` ranges over the request's dates (the step's): each
 * statement dry-run once over all the dates, at least the per-table minimum per range.
 */
export async function estimateBuild(port: BigQueryPort, request: SqlBuildRequest, ranges: number): Promise<StepEstimate> {
  const statements = splitStatements(request.sql);
  // Tables the script creates that do not exist yet, fully qualified.
  const created = new Map<string, string>();
  let total = 0;
  for (const [index, statement] of statements.entries()) {
    const which = statements.length > 1 ? `statement ${index + 1}` : 'the statement';
    const kind = statementKind(statement);
    if (kind === 'transaction') continue;
    if (kind === 'declare' || kind === 'block') {
      return { kind: 'unknown', reason: `${which} is procedural (DECLARE, IF, LOOP…): a script like this cannot be estimated statement by statement` };
    }
    const creates = CREATED.exec(statement);
    const ref = creates && !creates[1] && creates[2]!.split('.').length >= 2 ? resolveTable(creates[2]!, port.project) : undefined;
    const target = ref ? `${ref.project}.${ref.dataset}.${ref.table}` : creates?.[2];
    const exists = ref ? (await port.table(ref)).exists : false;
    // Setup that only creates an empty table reads nothing.
    if (kind === 'setup' && !/\bAS\b\s*(\(|SELECT|WITH)/i.test(statement)) {
      if (!exists && target) created.set(key(target), target);
      continue;
    }
    try {
      const { bytes, tables } = await port.dryRunStatistics(sqlBuildQuery(request, statement));
      total += Math.max(bytes, ranges * MINIMUM_BILLED_PER_TABLE * Math.max(1, tables ?? 1));
    } catch (error) {
      const first = createdFirst(messageOf(error), created);
      if (first) return { kind: 'unknown', reason: `${which} reads ${first}, which the script creates first: its bytes cannot be known before it runs` };
      return { kind: 'unknown', reason: messageOf(error) };
    }
    if (creates && !exists && target) created.set(key(target), target);
  }
  return { kind: 'known', bytes: total };
}

/** The table (`dataset.table`) created earlier in the script that a dry run's notFound is about, if it is one. */
function createdFirst(message: string, created: ReadonlyMap<string, string>): string | undefined {
  const table = NOT_FOUND_TABLE.exec(message);
  if (table && created.has(key(`${table[1]}.${table[2]}.${table[3]}`))) return `${table[2]}.${table[3]}`;
  // The dataset itself is created by the build, before its script runs.
  const dataset = NOT_FOUND_DATASET.exec(message);
  if (!table && dataset) {
    const prefix = key(`${dataset[1]}.${dataset[2]}.`);
    const name = [...created.values()].find((t) => key(t).startsWith(prefix));
    return name?.split('.').slice(1).join('.');
  }
  return undefined;
}
