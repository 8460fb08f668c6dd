/**
 * Turns a target's `.sql` file into the BigQuery script dagrun submits. BigQuery rolls a
 * transaction back by itself when a script fails inside it, so wrapping the statements in
 * `BEGIN TRANSACTION … COMMIT TRANSACTION` is what makes a failed build leave the table
 * as it was. BigQuery refuses DDL on permanent tables inside a transaction, so idempotent
 * setup (`CREATE TABLE IF NOT EXISTS`) is moved in front of it, and a script with other
 * DDL in the middle runs as written.
 */

import { quotedOrCommentEnd } from '../core/sql-text.js';

/** A build script ready to submit. */
export interface BuildScript {
  /** The text to submit. */
  readonly script: string;
  /** True when the statements that change data run inside one transaction. */
  readonly transactional: boolean;
  /** True when a failure cannot leave a partial change: a transaction, or a single statement. */
  readonly atomic: boolean;
  /** True when the `inTransaction` statements asked for were put inside the transaction. */
  readonly joined: boolean;
}

/**
 * Splits a script at top-level semicolons, keeping strings, quoted names and comments
 * whole and `BEGIN … END` blocks in one piece. Returns trimmed, non-empty statements.
 */
export function splitStatements(sql: string): string[] {
  const out: string[] = [];
  let start = 0;
  let depth = 0;
  let i = 0;
  while (i < sql.length) {
    const skip = skipQuotedOrComment(sql, i);
    if (skip > i) {
      i = skip;
      continue;
    }
    const word = /^[A-Za-z_]+/.exec(sql.slice(i, i + 12))?.[0];
    if (word && (i === 0 || !/[A-Za-z0-9_.]/.test(sql[i - 1]!))) {
      depth = Math.max(0, depth + blockDelta(word.toUpperCase(), sql.slice(i + word.length, i + word.length + 20)));
      i += word.length;
      continue;
    }
    if (sql[i] === ';' && depth <= 0) {
      out.push(sql.slice(start, i));
      start = i + 1;
    }
    i++;
  }
  out.push(sql.slice(start));
  return out.map((s) => s.trim()).filter((s) => stripComments(s).trim() !== '');
}

/**
 * Wraps a build's statements in a transaction where BigQuery allows it and where it is
 * needed: several statements that change data. A single statement is atomic by itself and
 * runs bare, which BigQuery queues behind a concurrent writer of its table instead of
 * aborting it as it aborts a transaction. `inTransaction` statements (dagrun's write
 * records) join the transaction when there is one (`joined`).
 */
export function composeBuildScript(sql: string, inTransaction: readonly string[] = []): BuildScript {
  const statements = splitStatements(sql);
  const kinds = statements.map(statementKind);
  const body = (list: readonly string[]) => list.map((s) => `${s};`).join('\n');
  // The author manages transactions (or procedural blocks) themselves: run it as written.
  if (kinds.some((k) => k === 'transaction' || k === 'block')) {
    return { script: body(statements), transactional: kinds.includes('transaction'), atomic: kinds.includes('transaction'), joined: false };
  }
  // DECLARE must open a script; idempotent setup may run before the transaction.
  let head = 0;
  while (head < kinds.length && kinds[head] === 'declare') head++;
  let setup = head;
  while (setup < kinds.length && kinds[setup] === 'setup') setup++;
  const rest = statements.slice(setup);
  const restKinds = kinds.slice(setup);
  if (rest.length <= 1 || restKinds.some((k) => k === 'ddl' || k === 'setup' || k === 'declare')) {
    return { script: body(statements), transactional: false, atomic: rest.length <= 1, joined: false };
  }
  const script = [
    body(statements.slice(0, setup)),
    'BEGIN TRANSACTION;',
    body([...rest, ...inTransaction]),
    'COMMIT TRANSACTION;',
  ].filter((part) => part !== '').join('\n');
  return { script, transactional: true, atomic: true, joined: inTransaction.length > 0 };
}

/** What a statement is, as far as transactions (and estimates) care. */
export type StatementKind = 'declare' | 'setup' | 'dml' | 'ddl' | 'transaction' | 'block';

export function statementKind(statement: string): StatementKind {
  const words = stripComments(statement).trim().toUpperCase().split(/\s+/).slice(0, 6).join(' ');
  if (/^DECLARE\b/.test(words)) return 'declare';
  if (/^(BEGIN TRANSACTION|BEGIN$|COMMIT|ROLLBACK)\b/.test(words)) return 'transaction';
  if (/^(BEGIN|IF|LOOP|WHILE|REPEAT|FOR|CALL|EXECUTE)\b/.test(words)) return 'block';
  if (/^CREATE (TABLE|SCHEMA) IF NOT EXISTS\b/.test(words)) return 'setup';
  // Temporary tables and functions are the DDL that BigQuery accepts in a transaction.
  if (/^CREATE (OR REPLACE )?(TEMP|TEMPORARY) /.test(words)) return 'dml';
  if (/^(CREATE|DROP|ALTER|GRANT|REVOKE|EXPORT|LOAD)\b/.test(words)) return 'ddl';
  return 'dml';
}

/** How a keyword changes the nesting of `BEGIN … END` blocks and `CASE … END` expressions. */
function blockDelta(word: string, following: string): number {
  const next = /^\s*([A-Za-z]+|;)/.exec(following)?.[1]?.toUpperCase();
  switch (word) {
    case 'BEGIN':
      // `BEGIN TRANSACTION;` and a bare `BEGIN;` start a transaction, not a block.
      return next === 'TRANSACTION' || next === ';' || next === undefined ? 0 : 1;
    case 'CASE':
      return 1;
    case 'END':
      // `END IF`, `END LOOP`… close statements this splitter does not count.
      return next === 'IF' || next === 'LOOP' || next === 'WHILE' || next === 'REPEAT' || next === 'FOR' ? 0 : -1;
    default:
      return 0;
  }
}

/** Index just past a string, quoted name or comment starting at `i`, or `i` when none does. */
function skipQuotedOrComment(sql: string, i: number): number {
  return quotedOrCommentEnd(sql, i, 'bigquery');
}

/** The statement without comments, for classification only. */
function stripComments(sql: string): string {
  let out = '';
  let i = 0;
  while (i < sql.length) {
    const end = skipQuotedOrComment(sql, i);
    if (end > i) {
      const ch = sql[i]!;
      out += ch === "'" || ch === '"' || ch === '`' ? sql.slice(i, end) : ' ';
      i = end;
    } else {
      out += sql[i];
      i++;
    }
  }
  return out;
}
