/**
 * Rules over the SQL a pipeline holds, read as text before anything runs: a build keeps to
 * the one transaction dagrun gives each range, and checks and calendars only read.
 */
import path from 'node:path';
import { sqlStatements, type SqlDialect, type SqlStatement } from '../core/sql-text.js';
import type { Rule, RuleContext } from './rules.js';
import type { Target } from './types.js';

/** The leading words of statements that start, end or abandon a transaction, per engine. */
function transactionControl(statement: SqlStatement, dialect: SqlDialect): string | undefined {
  const [first, second] = statement.tokens;
  const alone = statement.tokens.length === 1 || (statement.tokens.length === 2 && (second === 'TRANSACTION' || second === 'WORK'));
  // Named as written: "COMMIT", "BEGIN TRANSACTION", "END WORK".
  const named = alone ? statement.tokens.join(' ') : first;
  if (first === 'COMMIT' || first === 'ROLLBACK') return named;
  if (first === 'START' && second === 'TRANSACTION') return 'START TRANSACTION';
  // On BigQuery, BEGIN followed by statements (and a bare END) is a block of a script, not a transaction.
  if (first === 'BEGIN' && (alone || dialect === 'duckdb')) return named;
  if (first === 'END' && (dialect === 'duckdb' || second === 'TRANSACTION')) return named;
  if (first === 'ABORT' && dialect === 'duckdb') return named;
  return undefined;
}

/**
 * The statement a query runs: its first word, or for `WITH a AS (…), b AS (…) x` the word
 * after the common table expressions (`WITH … DELETE` changes data too).
 */
function mainKeyword(tokens: readonly string[]): string {
  if (tokens[0] !== 'WITH') return tokens[0] ?? '';
  let depth = 0;
  let afterGroup = false;
  for (const token of tokens.slice(1)) {
    if (token === '(' && depth === 0 && afterGroup) return '(';
    if (token === '(') depth += 1;
    else if (token === ')') afterGroup = (depth -= 1) === 0;
    else if (depth > 0) continue;
    // `name (columns) AS (…)`, `USING KEY (…)`: the group just closed was not the last one.
    else if (token === ',' || token === 'AS' || token === 'USING') afterGroup = false;
    else if (afterGroup) return token;
  }
  return 'WITH';
}

const QUERY_KEYWORDS = new Set(['SELECT', 'FROM', 'VALUES', 'TABLE', '(']);

/** The first statement of `sql` that is not a read-only query, by its main keyword; undefined when all are. */
export function firstNonQuery(sql: string, dialect: SqlDialect): string | undefined {
  for (const statement of sqlStatements(sql, dialect)) {
    const keyword = mainKeyword(statement.tokens);
    if (!QUERY_KEYWORDS.has(keyword)) return statement.tokens[0] === 'WITH' ? `WITH … ${keyword}` : keyword;
  }
  return undefined;
}

/** The transaction statements of a script, each with its line. */
export function transactionStatements(sql: string, dialect: SqlDialect): { text: string; line: number }[] {
  return sqlStatements(sql, dialect).flatMap((s) => {
    const text = transactionControl(s, dialect);
    return text === undefined ? [] : [{ text, line: s.line }];
  });
}

function fileOf(ctx: RuleContext, target: Target): string {
  return ctx.files.find((f) => f.file === target.file)?.shown ?? target.file;
}

const QUERY_FORMS = 'a query (SELECT, WITH … SELECT, FROM, VALUES or TABLE)';

/** A build's .sql runs inside the transaction dagrun opens per range, so it must not open, end or abandon one. */
const buildSqlKeepsTransaction: Rule = (ctx) => {
  for (const target of ctx.config.targets.values()) {
    const action = target.build?.action;
    if (action?.kind !== 'sql') continue;
    const shown = path.basename(action.file);
    for (const found of transactionStatements(action.sql, ctx.config.warehouse.type)) {
      ctx.sink.add(fileOf(ctx, target), 'build.sql', `${shown} line ${found.line}: ${found.text} controls the transaction, but dagrun runs each range in one transaction of its own (so that nothing half-done counts as done): remove it`);
    }
  }
};

/** Checks run during `--status`, which must never change the warehouse. */
const checksReadOnly: Rule = (ctx) => {
  for (const target of ctx.config.targets.values()) {
    target.checks.forEach((check, i) => {
      const keyword = firstNonQuery(check.sql, ctx.config.warehouse.type);
      if (keyword !== undefined) {
        ctx.sink.add(fileOf(ctx, target), `checks[${i}].sql`, `runs ${keyword}, but a check is ${QUERY_FORMS} returning one number, and never changes the warehouse`);
      }
    });
  }
};

/** Calendars are read by every status and plan: only queries. */
const calendarsReadOnly: Rule = (ctx) => {
  const message = (keyword: string) => `runs ${keyword}, but a calendar is ${QUERY_FORMS} returning one DATE column, and never changes the warehouse`;
  const dialect = ctx.config.warehouse.type;
  const pipeline = ctx.config.calendar;
  if (pipeline.kind === 'sql') {
    const keyword = firstNonQuery(pipeline.sql, dialect);
    if (keyword !== undefined) ctx.sink.add(ctx.dagFile, 'calendar.sql', message(keyword));
  }
  for (const target of ctx.config.targets.values()) {
    // A target without a calendar of its own shares the pipeline's, reported once above.
    if (target.calendar.kind !== 'sql' || target.calendar === pipeline) continue;
    const keyword = firstNonQuery(target.calendar.sql, dialect);
    if (keyword !== undefined) ctx.sink.add(fileOf(ctx, target), 'calendar.sql', message(keyword));
  }
};

/** A command that opens the DuckDB file itself holds it alone, so `parallel` cannot take effect: say so at `check`. */
const exclusiveCommandsNotParallel: Rule = (ctx) => {
  if (ctx.config.warehouse.type !== 'duckdb') return;
  for (const target of ctx.config.targets.values()) {
    const build = target.build;
    if (build?.action.kind !== 'command' || !build.action.opensWarehouse || build.parallel <= 1) continue;
    ctx.sink.warn(
      fileOf(ctx, target),
      'build.parallel',
      `runs one at a time on DuckDB: the command opens the warehouse file itself (build.opensWarehouse, the default without build.output) and only one process can hold it; use build.output to hand rows over and run in parallel`,
    );
  }
};

/** The SQL rules, in the order their messages are listed. */
export const SQL_RULES: readonly Rule[] = [buildSqlKeepsTransaction, checksReadOnly, calendarsReadOnly, exclusiveCommandsNotParallel];
