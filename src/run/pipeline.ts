/**
 * Opening a pipeline for a command: the pipeline lock held while the warehouse is open, and
 * the selection measured and assessed, with a failing measurement blamed on the target whose
 * input is at fault. What `--status`, builds, reports and `check --connect` share.
 */
import { pushTo } from '../core/lists-by-key.js';
import path from 'node:path';
import type { Target } from '../config/types.js';
import { DagrunError, messageOf } from '../core/errors.js';
import { assessTargets, type TargetToFreshness } from '../freshness/assess.js';
import { measureState } from '../freshness/check.js';
import type { MeasuredState } from '../freshness/state.js';
import { formatDay } from '../intervals/day.js';
import { acquirePipelineLock, type PipelineLock } from '../state/lock.js';
import { describeOwner, type LockOwner, type LockPurpose } from '../state/lock-owner.js';
import { openWarehouse } from '../warehouse/open.js';
import { calendarKey, WarehouseError, type Warehouse } from '../warehouse/warehouse.js';
import { readCacheApplies, withCachedReads } from './read-cache.js';
import type { Session } from './session.js';

/** Opens the session's warehouse, runs `work`, and always closes it. */
export async function withWarehouse<T>(
  session: Session,
  work: (warehouse: Warehouse) => Promise<T>,
  onRetry?: (message: string) => void,
  readOnly = false,
): Promise<T> {
  const cached = readCacheApplies(session);
  if (readOnly && cached) return withCachedReads(session, work, onRetry);
  // a build that may plan from kept reads opens the file when it needs it (run/read-cache.ts)
  const warehouse = await openWarehouse(session.config, { runId: session.runId, onRetry, readOnly, lazy: cached });
  try {
    return await work(warehouse);
  } finally {
    await warehouse.close();
  }
}

/** What measuring the selection found, with warnings about inputs that look wrong. */
export interface SelectionMeasure {
  readonly state: MeasuredState;
  readonly freshness: TargetToFreshness;
  readonly fingerprints: Map<string, string>;
  /** E.g. a calendar with no dates in the window. */
  readonly warnings: readonly string[];
}

/** Measures and assesses the session's selection; a failing query is blamed on the target that owns it. */
export async function measureSelection(session: Session, warehouse: Warehouse): Promise<SelectionMeasure> {
  const fingerprints = new Map(session.fingerprints);
  let state: MeasuredState;
  try {
    state = await measureState(warehouse, { graph: session.graph, names: session.selected, window: session.window, fingerprints });
  } catch (error) {
    if (error instanceof WarehouseError) throw await blameTargets(session, warehouse, error);
    throw error;
  }
  return { state, freshness: assessTargets(session.graph, state, session.selected), fingerprints, warnings: emptyCalendars(session, state) };
}

/** The selected targets and their direct upstream: what `measureState` reads. */
function measuredTargets(session: Session): Target[] {
  const names = new Set(session.selected);
  for (const name of session.selected) for (const up of session.graph.upstream(name)) names.add(up);
  return [...names].map((n) => session.graph.target(n));
}

/** Where a target's calendar is written: its own file, or dag.json5. */
function calendarSource(session: Session, target: Target): string {
  const own = calendarKey(target.calendar) !== calendarKey(session.config.calendar);
  return `${path.relative(session.config.dir, own ? target.file : session.config.file)} › calendar`;
}

/**
 * Measurement batches every calendar and table into one query, so its error names none.
 * Asks again one calendar and one table at a time to find which target's input is at fault.
 */
async function blameTargets(session: Session, warehouse: Warehouse, error: WarehouseError): Promise<Error> {
  const targets = measuredTargets(session);
  const problems: string[] = [];
  const calendars = new Map<string, Target[]>();
  for (const t of targets) pushTo(calendars, calendarKey(t.calendar), t);
  for (const users of calendars.values()) {
    try {
      await warehouse.expectedDates([users[0]!.calendar], session.window);
    } catch (failure) {
      const names = users.map((u) => u.name).join(', ');
      problems.push(`the calendar of ${names} (${calendarSource(session, users[0]!)}) failed: ${stripPrefix(messageOf(failure))}`);
    }
  }
  for (const t of targets) {
    try {
      await warehouse.presentDates([{ table: t.table, dateColumn: t.dateColumn }], session.window);
    } catch (failure) {
      const message = stripPrefix(messageOf(failure));
      // the hint is for a column that does not hold dates, not for a damaged file
      const hint = /damaged|in use by another process/.test(message) ? '' : ' — the date column must hold DATE, TIMESTAMP or YYYY-MM-DD text';
      problems.push(`target ${t.name}: reading the dates of ${t.table} (date column "${t.dateColumn}") failed: ${message}${hint}`);
    }
  }
  return problems.length === 0 ? error : new DagrunError('warehouse-unavailable', problems.join('\n'));
}

function stripPrefix(message: string): string {
  return message.replace(/^(calendar|present-dates) query failed: /, '');
}

/** Selected targets whose calendar, queried fine, holds no date of the window: nothing is expected of them. */
function emptyCalendars(session: Session, state: MeasuredState): string[] {
  const silent = new Map<string, Target[]>();
  for (const name of session.selected) {
    const target = session.graph.target(name);
    if (target.calendar.kind === 'every-day' || state.calendarPending.has(name) || (state.expected.get(name)?.length ?? 0) > 0) continue;
    pushTo(silent, calendarKey(target.calendar), target);
  }
  const window = `${formatDay(session.window.first)}..${formatDay(session.window.last)}`;
  return [...silent.values()].map(
    (users) =>
      `the calendar of ${users.map((u) => u.name).join(', ')} (${calendarSource(session, users[0]!)}) has no dates in ${window}: ` +
      'nothing is expected of it, so it counts as complete',
  );
}

/** How a command holds the pipeline while its warehouse is open. */
export interface PipelineAccess {
  readonly purpose: LockPurpose;
  readonly wait: boolean;
  readonly commandLine: string;
  /** Ends a wait for the lock (Ctrl-C). */
  readonly signal?: AbortSignal;
  /** Where lock messages (waiting, stale lock cleared) go. */
  readonly say: (message: string) => void;
}

/**
 * Takes the pipeline lock, opens the warehouse, runs `work`, and releases both. Builds always
 * lock; reads lock only on DuckDB, where even opening the file would disturb a running build.
 */
export async function withPipeline<T>(
  session: Session,
  access: PipelineAccess,
  work: (warehouse: Warehouse, lock: PipelineLock | undefined) => Promise<T>,
  onRetry?: (message: string) => void,
): Promise<T> {
  let lock: PipelineLock | undefined;
  if (access.purpose === 'build' || session.config.warehouse.type === 'duckdb') {
    const result = await acquirePipelineLock(
      session.stateDir,
      { runId: session.runId, commandLine: access.commandLine, startedAt: session.now.toISOString(), purpose: access.purpose },
      { wait: access.wait, signal: access.signal, onWait: access.say, onCleared: access.say },
    ).catch((error: unknown) => {
      throw new DagrunError('warehouse-unavailable', `cannot take the pipeline lock in ${session.stateDir}: ${messageOf(error)}`);
    });
    switch (result.kind) {
      case 'acquired':
        lock = result.lock;
        break;
      case 'busy':
        throw new PipelineBusyError(
          result.owner,
          `another dagrun is building this pipeline: ${describeOwner(result.owner)}.\n` +
            (access.purpose === 'build'
              ? 'Nothing was built, so that no target is built twice at once'
              : 'Nothing was read: only one process at a time may open a DuckDB warehouse') +
            '; run again when it has finished, or add --wait to wait for it.',
        );
      case 'aborted':
        throw new DagrunError('interrupted', 'interrupted while waiting for the pipeline lock');
    }
  }
  try {
    return await withWarehouse(session, (warehouse) => work(warehouse, lock), onRetry, access.purpose === 'read');
  } finally {
    lock?.release();
  }
}

/** The pipeline is held by another dagrun (`owner`, when it has written its owner file). */
export class PipelineBusyError extends DagrunError {
  readonly owner: LockOwner | undefined;
  constructor(owner: LockOwner | undefined, message: string) {
    super('warehouse-unavailable', message);
    this.owner = owner;
  }
}

