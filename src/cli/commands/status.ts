/**
 * `dagrun --status`: measure the selected targets and their upstream, print the table or JSON;
 * exit 0 only when all are fresh. Also home of what every warehouse-reading command shares:
 * holding the pipeline lock while the warehouse is open, and turning a failed measurement
 * into a message that names the target and the cause.
 */
import { hostname } from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { Target } from '../../config/types.js';
import { DagrunError, messageOf } from '../../core/errors.js';
import { acquirePipelineLock, currentHolder, describeOwner, type LockOwner, type LockPurpose, type PipelineLock } from '../../executor/lock.js';
import { assessTargets, type Freshness, type TargetToFreshness } from '../../freshness/assess.js';
import { measureState } from '../../freshness/check.js';
import type { MeasuredState } from '../../freshness/state.js';
import { fingerprintAll } from '../../freshness/fingerprint.js';
import { formatDay } from '../../intervals/day.js';
import { readLiveState, type LiveView } from '../../report/live-state.js';
import { liveExitCode, liveStatusJson, renderLiveStatus, selectLive } from '../../report/status-live.js';
import { renderStatusTable } from '../../report/status-table.js';
import { statusJson, windowJson } from '../../report/status-json.js';
import { calendarKey, WarehouseError, type Warehouse } from '../../warehouse/warehouse.js';
import { openSession, type Session, type SessionOptions } from '../session.js';
import { withWarehouse, type Output } from './shared.js';

/** Options of `--status`. */
export interface StatusOptions extends SessionOptions {
  readonly json: boolean;
  /** Wait for a build that holds the pipeline instead of failing at once. */
  readonly wait?: boolean;
  readonly commandLine?: string;
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
  const fingerprints = fingerprintAll(session.config);
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
  for (const t of targets) calendars.set(calendarKey(t.calendar), [...(calendars.get(calendarKey(t.calendar)) ?? []), t]);
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
      problems.push(
        `target ${t.name}: reading the dates of ${t.table} (date column "${t.dateColumn}") failed: ${stripPrefix(messageOf(failure))} ` +
          '— the date column must hold DATE, TIMESTAMP or YYYY-MM-DD text',
      );
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
    silent.set(calendarKey(target.calendar), [...(silent.get(calendarKey(target.calendar)) ?? []), target]);
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
    return await withWarehouse(session, (warehouse) => work(warehouse, lock), onRetry);
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

/** How long `--status` waits for a build that holds the pipeline to publish its live state (it is still measuring). */
const LIVE_STATE_WAIT_MS = 2_000;

/** What `--status` finds of a build holding the pipeline: its live state, a build still measuring, or no build. */
type LiveLookup = { readonly kind: 'live'; readonly view: LiveView } | { readonly kind: 'measuring'; readonly owner: LockOwner } | undefined;

/**
 * The live state of the build that holds this pipeline, if a live build of this host does. A
 * build publishes it once it has measured and planned; until then, waits up to
 * `LIVE_STATE_WAIT_MS`. Undefined when no build holds the pipeline (or it just ended).
 */
export async function findLiveBuild(stateDir: string): Promise<LiveLookup> {
  const holder = currentHolder(stateDir);
  if (!holder || holder.purpose !== 'build' || holder.host !== hostname()) return undefined;
  for (const end = performance.now() + LIVE_STATE_WAIT_MS; ; ) {
    const view = readLiveState(stateDir);
    if (view && view.runId === holder.runId && view.pid === holder.pid) return { kind: 'live', view };
    if (currentHolder(stateDir)?.token !== holder.token) return undefined; // it ended meanwhile: read the warehouse
    if (performance.now() >= end) return { kind: 'measuring', owner: holder };
    await delay(50);
  }
}

/** What `--status` printed from a running build: the exit code, and the live state it showed (none while the build measures). */
export interface LiveAnswer {
  readonly code: number;
  readonly view: LiveView | undefined;
  readonly rows: readonly Freshness[];
}

/**
 * `--status` from the live state of the build holding the pipeline: prints the table (or
 * JSON) and returns what it showed; undefined when no build holds the pipeline. `--status
 * --html` can draw its page from the same answer.
 */
export async function answerFromLiveBuild(session: Session, json: boolean, out: Output): Promise<LiveAnswer | undefined> {
  const found = await findLiveBuild(session.stateDir);
  if (!found) return undefined;
  if (found.kind === 'measuring') {
    const what = `${describeOwner(found.owner)} is building this pipeline and still measuring it; its live state appears once it starts building`;
    if (json) out.stdout(JSON.stringify({ window: windowJson(session.window), targets: [], live: { runId: found.owner.runId, pid: found.owner.pid, measuring: true } }, null, 2) + '\n');
    out.stderr(`dagrun: ${what}. Run --status again in a moment, or add --wait for the state after the build.\n`);
    return { code: 1, view: undefined, rows: [] };
  }
  const selection = selectLive(found.view, session.selected);
  out.stdout(json ? liveStatusJson(session.graph, found.view, selection) + '\n' : renderLiveStatus(session.graph, found.view, selection, session.now));
  return { code: liveExitCode(selection), view: found.view, rows: selection.rows };
}

/**
 * Runs `--status`; returns the exit code. While a build holds the pipeline, the answer comes
 * at once from that build's live state (SPEC): on DuckDB the warehouse file is the build's,
 * and elsewhere the live state is what the build itself sees. `--wait` waits for the build instead.
 */
export async function statusCommand(options: StatusOptions, out: Output): Promise<number> {
  const session = openSession(options);
  const access: PipelineAccess = { purpose: 'read', wait: options.wait ?? false, commandLine: options.commandLine ?? 'dagrun --status', say: (m) => out.stderr(`dagrun: ${m}\n`) };
  if (!access.wait) {
    const live = await answerFromLiveBuild(session, options.json, out);
    if (live) return live.code;
  }
  try {
    return await withPipeline(session, access, async (warehouse) => {
      const { freshness, warnings } = await measureSelection(session, warehouse);
      for (const warning of warnings) out.stderr(`dagrun: warning: ${warning}\n`);
      const rows: Freshness[] = session.selected.map((name) => freshness.get(name)!);
      out.stdout(options.json ? statusJson(session.graph, session.window, rows) + '\n' : renderStatusTable(session.graph, session.window, rows));
      return rows.every((r) => r.state === 'fresh') ? 0 : 1;
    }, access.say);
  } catch (error) {
    // a build took the pipeline between our look and our try
    const live = error instanceof PipelineBusyError && !access.wait ? await answerFromLiveBuild(session, options.json, out) : undefined;
    if (live) return live.code;
    throw error;
  }
}
