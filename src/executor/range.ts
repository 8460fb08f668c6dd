/**
 * Running one batch of one target with its retries and backoff: a SQL range (its records
 * commit with its rows) or a command range (command-attempt.ts).
 */
import path from 'node:path';
import type { Target } from '../config/types.js';
import { MAX_TIMER_MS } from '../config/bounds.js';
import { messageOf } from '../core/errors.js';
import type { Batch } from '../intervals/interval.js';
import type { TargetFailure } from '../scheduler/failure.js';
import { WarehouseError, type WriteBatch } from '../warehouse/warehouse.js';
import { labels, recordOf, type Attempt } from './attempt.js';
import { commandAttempt } from './command-attempt.js';
import type { ExecutionContext } from './context.js';

/** How a batch ended: built, with records to write before the target's gate (see Attempt.deferredRecord), or not. */
export type RangeOutcome =
  | { readonly ok: true; readonly deferredRecord?: WriteBatch }
  | { readonly ok: false; readonly failure: TargetFailure };

async function sqlAttempt(ctx: ExecutionContext, target: Target, batch: Batch, action: { file: string; sql: string }, began: () => void): Promise<Attempt> {
  began();
  try {
    const outcome = await ctx.warehouse.runSql({
      target: target.name, table: target.table, sql: action.sql, start: batch.first, end: batch.last, dates: batch.days,
      labels: labels(ctx, target), record: recordOf(ctx, target, batch), timeoutMs: target.build!.timeoutMs,
    });
    return outcome?.bytesBilled === undefined ? { retryable: false } : { retryable: false, bytesBilled: outcome.bytesBilled };
  } catch (error) {
    return { error: `SQL ${path.basename(action.file)} failed: ${messageOf(error)}`, retryable: error instanceof WarehouseError && error.transient };
  }
}

/** Runs a batch with its retries; its write records land with its data (or mark it unfinished until they do). */
export async function runRange(ctx: ExecutionContext, target: Target, batch: Batch, index: number): Promise<RangeOutcome> {
  const build = target.build!;
  const attempts = build.retries + 1;
  for (let n = 1; ; n++) {
    // the range starts when its work does, not while it waits for the warehouse
    let started = ctx.now();
    const began = () => {
      started = ctx.now();
      ctx.reporter.handle({ type: 'range-started', target: target.name, index, batch, attempt: n });
    };
    const action = build.action;
    const result = action.kind === 'sql' ? await sqlAttempt(ctx, target, batch, action, began) : await commandAttempt(ctx, target, batch, index, n, action, began);
    const ok = result.error === undefined;
    ctx.reporter.handle({
      type: 'range-finished', target: target.name, index, batch, attempt: n, ok, durationMs: ctx.now() - started,
      error: result.error, tail: result.tail, logFile: result.logFile,
      ...(result.bytesBilled === undefined ? {} : { bytesBilled: result.bytesBilled }),
    });
    if (ok) return { ok: true, ...(result.deferredRecord && { deferredRecord: result.deferredRecord }) };
    const canRetry = n < attempts && !ctx.signal.aborted && result.retryable;
    if (!canRetry) return { ok: false, failure: { kind: 'range-failed', message: result.error! } };
    // capped: past Node's timer limit a delay fires after 1 ms
    const delayMs = Math.min(MAX_TIMER_MS, Math.round(build.retryBackoffMs * 2 ** (n - 1) * (0.5 + Math.random())));
    ctx.reporter.handle({ type: 'range-retrying', target: target.name, index, attempt: n + 1, delayMs, error: result.error! });
    await ctx.sleep(delayMs);
    if (ctx.signal.aborted) return { ok: false, failure: { kind: 'interrupted' } };
  }
}
