/** What the ways of running one attempt of a range share: how it ended, and its write records. */
import type { Target } from '../config/types.js';
import type { Batch } from '../intervals/interval.js';
import type { WriteBatch } from '../warehouse/warehouse.js';
import type { ExecutionContext } from './context.js';

/** How one attempt ended, and whether trying again could help. */
export interface Attempt {
  readonly error?: string;
  readonly tail?: string;
  readonly logFile?: string;
  readonly retryable: boolean;
  /** What the attempt's warehouse job billed, when the engine said (BigQuery). */
  readonly bytesBilled?: number;
  /**
   * Records to write with the target's others before its gate: those of a command that cannot
   * have written the table (DuckDB, neither opening the file nor handing rows over), which a
   * crash cannot leave half-done, so they need not cost a transaction per range.
   */
  readonly deferredRecord?: WriteBatch;
}

/** The write records of a range: stamped by the warehouse's clock when they land. */
export function recordOf(ctx: ExecutionContext, target: Target, batch: Batch): WriteBatch {
  return { target: target.name, days: batch.days, fingerprint: ctx.fingerprints.get(target.name)!, runId: ctx.runId };
}

/** Cost-tracing labels of the range's warehouse jobs. */
export function labels(ctx: ExecutionContext, target: Target): Record<string, string> {
  return { tool: 'dagrun', target: target.name, run_id: ctx.runId };
}

