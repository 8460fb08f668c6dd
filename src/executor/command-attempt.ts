/**
 * One attempt of a command range: the argv and environment it gets, the file it hands rows
 * over in, the unfinished mark around a command that writes the table itself, and what is
 * checked after it exits 0 (its rows loaded, or its dates present).
 */
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { BuildAction, Target } from '../config/types.js';
import { messageOf } from '../core/errors.js';
import { formatDay, type Day } from '../intervals/day.js';
import { countDates, describeDays } from '../intervals/describe.js';
import type { Batch } from '../intervals/interval.js';
import { attemptLogFile, attemptOutputFile, attemptStem } from '../state/paths.js';
import { labels, recordOf, type Attempt } from './attempt.js';
import type { ExecutionContext } from './context.js';
import { substitute } from './placeholders.js';

/** Values of the placeholders and `DAGRUN_*` variables for one batch. */
export function batchValues(ctx: ExecutionContext, target: Target, batch: Batch): Record<string, string> {
  return {
    start: formatDay(batch.first),
    end: formatDay(batch.last),
    dates: batch.days.map(formatDay).join(','),
    target: target.name,
    table: target.table,
    run_id: ctx.runId,
  };
}

/** `DAGRUN_WAREHOUSE` per warehouse config: the same JSON for every command of a run, so made once. */
const warehouseJson = new WeakMap<object, string>();

function warehouseVariable(warehouse: object): string {
  let json = warehouseJson.get(warehouse);
  if (json === undefined) warehouseJson.set(warehouse, (json = JSON.stringify(warehouse)));
  return json;
}

function environment(ctx: ExecutionContext, target: Target, values: Record<string, string>): Record<string, string> {
  const output: Record<string, string> = values.output === undefined ? {} : { DAGRUN_OUTPUT: values.output };
  return {
    ...output,
    ...target.build!.env,
    DAGRUN_TARGET: values.target!,
    DAGRUN_TABLE: values.table!,
    DAGRUN_START: values.start!,
    DAGRUN_END: values.end!,
    DAGRUN_DATES: values.dates!,
    DAGRUN_RUN_ID: values.run_id!,
    DAGRUN_WAREHOUSE: warehouseVariable(ctx.config.warehouse),
  };
}

export async function commandAttempt(
  ctx: ExecutionContext,
  target: Target,
  batch: Batch,
  index: number,
  attemptNo: number,
  action: Extract<BuildAction, { kind: 'command' }>,
  began: () => void,
): Promise<Attempt> {
  const build = target.build!;
  const values = batchValues(ctx, target, batch);
  const stem = attemptStem(index, values.start!, values.end!, attemptNo);
  // the rows a command hands over go beside its log, named after the format (`csv`, `ndjson`, `parquet`)
  const output = action.output === undefined ? undefined : attemptOutputFile(ctx.runDir, target.name, stem, action.output);
  if (output !== undefined) {
    values.output = output;
    mkdirSync(path.dirname(output), { recursive: true });
    rmSync(output, { force: true });
  }
  const request = {
    argv: substitute(action.argv, values),
    cwd: build.cwd,
    env: environment(ctx, target, values),
    timeoutMs: build.timeoutMs,
    logFile: attemptLogFile(ctx.runDir, target.name, stem),
    signal: ctx.signal,
    redact: ctx.redact,
  };
  const record = recordOf(ctx, target, batch);
  // A command that writes the table itself may leave any of its dates half-written: they are
  // marked unfinished before it starts, and only its recorded end clears the mark. (On DuckDB
  // a command that neither opens the file nor hands rows over cannot write the table.)
  const writesItself = output === undefined && (action.opensWarehouse || !ctx.warehouse.commandsNeedExclusiveAccess);
  if (writesItself) await ctx.warehouse.beginWrites(record);
  const run = () => {
    began();
    return ctx.runner.run(request);
  };
  let result;
  if (ctx.warehouse.commandsNeedExclusiveAccess && action.opensWarehouse) {
    ctx.reporter.handle({ type: 'range-waiting', target: target.name, index, batch, attempt: attemptNo, for: 'the warehouse' });
    result = await ctx.warehouse.exclusive(run);
  } else {
    result = await run();
  }
  if (result.failure !== undefined) {
    // a command declared not to open the warehouse that opened it anyway meets dagrun's own hold on the file
    const lockedOut = ctx.warehouse.commandsNeedExclusiveAccess && !action.opensWarehouse && /Could not set lock on file/.test(result.tail);
    const hint = lockedOut
      ? ' (the command opened the DuckDB warehouse, which dagrun holds: hand the rows over with build.output, or drop opensWarehouse: false so it gets the file to itself)'
      : '';
    return { error: result.failure + hint, tail: result.tail, logFile: result.logFile, retryable: !lockedOut }; // an interrupted run retries nothing (runRange checks the signal)
  }

  let bytesBilled: number | undefined;
  try {
    if (output !== undefined) {
      ({ bytesBilled } = await ctx.warehouse.loadRows({
        target: target.name, table: target.table, dateColumn: target.dateColumn, file: output, format: action.output!,
        start: batch.first, end: batch.last, dates: batch.days, allowEmptyDates: action.allowEmptyDates, labels: labels(ctx, target), record,
      }));
      rmSync(output, { force: true });
    } else if (!writesItself) {
      // it cannot have changed the table: the gate measures it, and its records go in with the target's others
      return { logFile: result.logFile, retryable: false, deferredRecord: record };
    } else {
      const absent = action.allowEmptyDates ? [] : await absentDays(ctx, target, batch);
      if (absent.length > 0) {
        return {
          error: `exited 0 but ${absent.length} of the ${countDates(batch.days.length)} handed over ${absent.length === 1 ? 'is' : 'are'} not in ${target.table}: ${describeDays(absent)}`,
          logFile: result.logFile,
          retryable: true,
        };
      }
      await ctx.warehouse.recordWrites([record]);
    }
  } catch (error) {
    // what a command handed over may be right the next time (a flaky processor): its retries apply
    return { error: messageOf(error), logFile: result.logFile, retryable: true };
  }
  return { logFile: result.logFile, retryable: false, ...(bytesBilled === undefined ? {} : { bytesBilled }) };
}

/** Dates of the batch that the table does not hold after its command exited 0. */
async function absentDays(ctx: ExecutionContext, target: Target, batch: Batch): Promise<Day[]> {
  const present = await ctx.warehouse.presentDates([{ table: target.table, dateColumn: target.dateColumn }], { first: batch.first, last: batch.last });
  const days = new Set<number>(present.get(target.table)?.days ?? []);
  return batch.days.filter((d) => !days.has(d));
}

