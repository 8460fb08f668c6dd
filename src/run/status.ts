/**
 * What `--status` answers, as data: the selection measured in the warehouse, or, while a build
 * holds the pipeline, that build's live state (SPEC: on DuckDB the warehouse file is the
 * build's, and elsewhere the live state is what the build itself sees). The CLI prints it.
 */
import { hostname } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import { messageOf } from '../core/errors.js';
import type { Freshness } from '../freshness/assess.js';
import type { MeasuredState } from '../freshness/state.js';
import { selectLive, type LiveSelection } from '../report/status-live.js';
import { readLiveState, type LiveView } from '../state/live-file.js';
import type { LockOwner } from '../state/lock-owner.js';
import { currentHolder } from '../state/lock.js';
import { countRowsPerDate, type RowCounts } from '../warehouse/row-counts.js';
import { readConsistently } from '../warehouse/read-cache.js';
import type { Warehouse } from '../warehouse/warehouse.js';
import { measureSelection, PipelineBusyError, withPipeline, type PipelineAccess } from './pipeline.js';
import type { Session } from './session.js';

/** How long `--status` waits for a build that holds the pipeline to publish its live state (it is still measuring). */
const LIVE_STATE_WAIT_MS = 2_000;

/** Rows per date of the measured targets, or why they were not counted. */
export interface RowCountsResult {
  readonly counts?: ReadonlyMap<string, RowCounts>;
  readonly note?: string;
}

/** The answer of `--status`. */
export type StatusAnswer =
  /** A build holds the pipeline and has not published its live state yet. */
  | { readonly kind: 'measuring'; readonly owner: LockOwner }
  /** A build holds the pipeline: its live state, the selection picked out of it. */
  | { readonly kind: 'live'; readonly view: LiveView; readonly selection: LiveSelection }
  /** Measured in the warehouse: a row per selected target, in selection order. */
  | { readonly kind: 'measured'; readonly rows: readonly Freshness[]; readonly state: MeasuredState; readonly warnings: readonly string[]; readonly rowCounts?: RowCountsResult };

/** A status measured in the warehouse. */
export type MeasuredStatus = Extract<StatusAnswer, { kind: 'measured' }>;

/** What `readStatus` measures besides freshness. */
export interface StatusRequest {
  /** Count rows per date too (for the validation document). */
  readonly countRows?: boolean;
  /**
   * Runs with the measured answer while the pipeline lock is still held: the validation
   * document compares with, and keeps, the last report's state there, so two reports at once
   * cannot interleave.
   */
  readonly whileHeld?: (answer: MeasuredStatus) => void;
}

/**
 * The live state of the build that holds this pipeline, if a live build of this host does. A
 * build publishes it once it has measured and planned; until then, waits up to
 * `LIVE_STATE_WAIT_MS`. Undefined when no build holds the pipeline (or it just ended).
 */
export async function liveStatus(session: Session): Promise<Extract<StatusAnswer, { kind: 'measuring' | 'live' }> | undefined> {
  const holder = currentHolder(session.stateDir);
  if (!holder || holder.purpose !== 'build' || holder.host !== hostname()) return undefined;
  for (const end = performance.now() + LIVE_STATE_WAIT_MS; ; ) {
    const view = readLiveState(session.stateDir);
    if (view && view.runId === holder.runId && view.pid === holder.pid) return { kind: 'live', view, selection: selectLive(view, session.selected) };
    if (currentHolder(session.stateDir)?.token !== holder.token) return undefined; // it ended meanwhile: read the warehouse
    if (performance.now() >= end) return { kind: 'measuring', owner: holder };
    await delay(50);
  }
}

/** Rows per date of the measured targets whose tables exist; a failure is a note, never the end of the report. */
async function rowCountsOf(session: Session, warehouse: Warehouse, state: MeasuredState): Promise<RowCountsResult> {
  const probes = session.selected
    .map((name) => session.graph.target(name))
    .filter((t) => state.present.get(t.name)?.exists ?? false)
    .map((t) => ({ table: t.table, dateColumn: t.dateColumn }));
  try {
    return { counts: await countRowsPerDate(warehouse, probes, session.window) };
  } catch (error) {
    return { note: `Rows per date were not counted: ${messageOf(error)}` };
  }
}

/**
 * The status of the selection: from a build's live state when one holds the pipeline (unless
 * `access.wait`), else measured under the pipeline lock.
 */
export async function readStatus(session: Session, access: PipelineAccess, request: StatusRequest = {}): Promise<StatusAnswer> {
  if (!access.wait) {
    const live = await liveStatus(session);
    if (live) return live;
  }
  try {
    return await withPipeline(session, access, async (warehouse): Promise<StatusAnswer> => {
      // one state of the warehouse for the verdicts and the row counts
      const { freshness, state, warnings, rowCounts } = await readConsistently(warehouse, async () => {
        const measured = await measureSelection(session, warehouse);
        return { ...measured, rowCounts: request.countRows ? await rowCountsOf(session, warehouse, measured.state) : undefined };
      });
      const rows = session.selected.map((name) => freshness.get(name)!);
      const answer: MeasuredStatus = { kind: 'measured', rows, state, warnings, ...(rowCounts && { rowCounts }) };
      request.whileHeld?.(answer);
      return answer;
    }, access.say);
  } catch (error) {
    // a build took the pipeline between our look and our try
    const live = error instanceof PipelineBusyError && !access.wait ? await liveStatus(session) : undefined;
    if (live) return live;
    throw error;
  }
}
