/**
 * Running one batch of one target: the command or the SQL, with retries and backoff, then
 * the write record that later runs compare upstream write times against.
 */
import path from 'node:path';
import type { Target } from '../config/types.js';
import { messageOf } from '../core/errors.js';
import { formatDay } from '../intervals/day.js';
import type { Batch } from '../intervals/interval.js';
import type { WriteBatch } from '../warehouse/warehouse.js';
import { WarehouseError } from '../warehouse/warehouse.js';
import type { ExecutionContext } from './context.js';

/** How a batch ended. */
export interface RangeOutcome {
  readonly ok: boolean;
  readonly error: string | undefined;
}

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

/** Substitutes `{name}` placeholders inside each argv element (never through a shell). */
export function substitute(argv: readonly string[], values: Record<string, string>): string[] {
  return argv.map((arg) => arg.replace(/\{([a-z_]+)\}/g, (whole, name: string) => values[name] ?? whole));
}

/** `DAGRUN_WAREHOUSE` per warehouse config: the same JSON for every command of a run, so made once. */
const warehouseJson = new WeakMap<object, string>();

function warehouseVariable(warehouse: object): string {
  let json = warehouseJson.get(warehouse);
  if (json === undefined) warehouseJson.set(warehouse, (json = JSON.stringify(warehouse)));
  return json;
}

function environment(ctx: ExecutionContext, target: Target, values: Record<string, string>): Record<string, string> {
  return {
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

async function attempt(ctx: ExecutionContext, target: Target, batch: Batch, index: number, attemptNo: number): Promise<{ error?: string; tail?: string; logFile?: string; retryable: boolean }> {
  const build = target.build!;
  const action = build.action;
  if (action.kind === 'sql') {
    try {
      await ctx.warehouse.runSql({
        target: target.name, table: target.table, sql: action.sql, start: batch.first, end: batch.last, dates: batch.days,
        labels: { tool: 'dagrun', target: target.name, run_id: ctx.runId },
      });
      return { retryable: false };
    } catch (error) {
      return { error: `SQL ${path.basename(action.file)} failed: ${messageOf(error)}`, retryable: error instanceof WarehouseError && error.transient };
    }
  }
  const values = batchValues(ctx, target, batch);
  const request = {
    argv: substitute(action.argv, values),
    cwd: build.cwd,
    env: environment(ctx, target, values),
    timeoutMs: build.timeoutMs,
    logFile: path.join(ctx.runDir, target.name, `${String(index + 1).padStart(4, '0')}-${values.start}_${values.end}-attempt${attemptNo}.log`),
    signal: ctx.signal,
    redact: ctx.redact,
  };
  const run = () => ctx.runner.run(request);
  const result = ctx.warehouse.commandsNeedExclusiveAccess && action.opensWarehouse ? await ctx.warehouse.exclusive(run) : await run();
  if (result.failure === undefined) return { logFile: result.logFile, retryable: false };
  return { error: result.failure, tail: result.tail, logFile: result.logFile, retryable: result.failure !== 'interrupted' };
}

/** Runs a batch with its retries; on success the written days are queued in `writes`. */
export async function runRange(ctx: ExecutionContext, target: Target, batch: Batch, index: number, writes: WriteBatch[]): Promise<RangeOutcome> {
  const build = target.build!;
  const attempts = build.retries + 1;
  for (let n = 1; ; n++) {
    ctx.reporter.handle({ type: 'range-started', target: target.name, index, batch, attempt: n });
    const started = ctx.now();
    const result = await attempt(ctx, target, batch, index, n);
    const ok = result.error === undefined;
    ctx.reporter.handle({
      type: 'range-finished', target: target.name, index, batch, attempt: n, ok, durationMs: ctx.now() - started,
      error: result.error, tail: result.tail, logFile: result.logFile,
    });
    if (ok) {
      writes.push({ target: target.name, days: batch.days, writtenAt: ctx.now(), fingerprint: ctx.fingerprints.get(target.name)!, runId: ctx.runId });
      return { ok: true, error: undefined };
    }
    const canRetry = n < attempts && !ctx.signal.aborted && (build.action.kind === 'command' || result.retryable);
    if (!canRetry) return { ok: false, error: result.error };
    const delayMs = Math.round(build.retryBackoffMs * 2 ** (n - 1) * (0.5 + Math.random()));
    ctx.reporter.handle({ type: 'range-retrying', target: target.name, index, attempt: n + 1, delayMs, error: result.error! });
    await ctx.sleep(delayMs);
    if (ctx.signal.aborted) return { ok: false, error: 'interrupted' };
  }
}
