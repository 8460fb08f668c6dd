/**
 * `dagrun --status`: measure the selected targets and their upstream (run/pipeline.ts), print
 * the table or JSON; exit 0 only when all are fresh. During a build, the build's live state.
 */
import { hostname } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import type { Freshness } from '../../freshness/assess.js';
import { currentHolder } from '../../state/lock.js';
import { describeOwner, type LockOwner } from '../../state/lock-owner.js';
import { readLiveState, type LiveView } from '../../state/live-file.js';
import { liveExitCode, liveStatusJson, renderLiveStatus, selectLive } from '../../report/status-live.js';
import { renderStatusTable } from '../../report/status-table.js';
import { statusJson, windowJson } from '../../report/status-json.js';
import { measureSelection, PipelineBusyError, withPipeline, type PipelineAccess } from '../../run/pipeline.js';
import { openSession, type Session, type SessionOptions } from '../../run/session.js';
import type { Output } from './shared.js';

/** Options of `--status`. */
export interface StatusOptions extends SessionOptions {
  readonly json: boolean;
  /** Wait for a build that holds the pipeline instead of failing at once. */
  readonly wait?: boolean;
  readonly commandLine?: string;
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
