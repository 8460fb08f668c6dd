/**
 * Rules over table names that depend on the warehouse: a name the engine cannot hold, and
 * the schema (dataset) where dagrun keeps its own records.
 */
import { isTableName } from '../core/sql-text.js';
import type { Rule, RuleContext } from './rules.js';
import type { Target } from './types.js';

/** The schema (DuckDB) or dataset (BigQuery) of dagrun's own records (`_dagrun.writes`). */
export const STATE_SCHEMA = '_dagrun';

function fileOf(ctx: RuleContext, target: Target): string {
  return ctx.files.find((f) => f.file === target.file)?.shown ?? target.file;
}

/** Where a target's own calendar is written: its file, or dag.json5 for the pipeline's. */
function calendarOwner(ctx: RuleContext, target: Target): string | undefined {
  const written = ctx.files.find((f) => f.file === target.file)?.written;
  return written?.calendar ? fileOf(ctx, target) : undefined;
}

/** DuckDB has no projects: `p.s.t` would name a catalog that never exists, and the gate would never pass. */
const duckdbTablesTwoParts: Rule = (ctx) => {
  if (ctx.config.warehouse.type !== 'duckdb') return;
  const message = (table: string) => `"${table}" has three parts, but DuckDB tables are schema.table (project.dataset.table is BigQuery's form)`;
  // Names that are not plain at all are reported as such by identifiersPlain, once.
  const threeParts = (table: string) => isTableName(table) && table.split('.').length === 3;
  for (const target of ctx.config.targets.values()) {
    if (threeParts(target.table)) ctx.sink.add(fileOf(ctx, target), 'table', message(target.table));
    // Targets without a calendar of their own share the pipeline's, reported once below.
    const owner = target.calendar.kind === 'table' && target.calendar !== ctx.config.calendar && threeParts(target.calendar.table) ? calendarOwner(ctx, target) : undefined;
    if (owner && target.calendar.kind === 'table') ctx.sink.add(owner, 'calendar.table', message(target.calendar.table));
  }
  const calendar = ctx.config.calendar;
  if (calendar.kind === 'table' && threeParts(calendar.table)) ctx.sink.add(ctx.dagFile, 'calendar.table', message(calendar.table));
};

/** Where dagrun keeps its records: a schema on DuckDB; on BigQuery a dataset, in a project. */
function stateLocation(ctx: RuleContext): { schema: string; project?: string } {
  const warehouse = ctx.config.warehouse;
  if (warehouse.type === 'duckdb') return { schema: STATE_SCHEMA };
  return { schema: warehouse.stateDataset ?? STATE_SCHEMA, project: warehouse.stateProject ?? warehouse.project };
}

/** A target writing into dagrun's records could overwrite or fake the write times every verdict rests on. */
const tablesOutsideStateSchema: Rule = (ctx) => {
  const state = stateLocation(ctx);
  const word = ctx.config.warehouse.type === 'duckdb' ? 'schema' : 'dataset';
  for (const target of ctx.config.targets.values()) {
    const parts = target.table.split('.');
    const schema = parts.at(-2) ?? '';
    const project = parts.length === 3 ? parts[0] : ctx.config.warehouse.type === 'bigquery' ? ctx.config.warehouse.project : undefined;
    if (schema.toLowerCase() !== state.schema.toLowerCase() || project !== state.project) continue;
    ctx.sink.add(fileOf(ctx, target), 'table', `"${target.table}" is in the ${schema} ${word}, which is reserved for dagrun's own records: put the table in another ${word}`);
  }
};

/**
 * A built target whose expected dates come from its own table expects nothing before its first
 * build, so it would never be built: it needs a calendar of its own.
 */
const calendarNotItsOwnTable: Rule = (ctx) => {
  for (const target of ctx.config.targets.values()) {
    if (target.source || target.calendar.kind !== 'table' || target.calendar.table.toLowerCase() !== target.table.toLowerCase()) continue;
    const owner = calendarOwner(ctx, target);
    ctx.sink.add(
      owner ?? fileOf(ctx, target),
      owner ? 'calendar.table' : 'calendar',
      `the expected dates of ${target.name} come from its own table ${target.table}, so before its first build it expects none and is never built: ` +
        `give it a calendar of its own (e.g. calendar: { every: 'day' }, or a sql over the source it loads)`,
    );
  }
};

/** The table rules, in the order their messages are listed. */
export const TABLE_RULES: readonly Rule[] = [duckdbTablesTwoParts, tablesOutsideStateSchema, calendarNotItsOwnTable];
