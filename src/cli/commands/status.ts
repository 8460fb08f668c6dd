/** `dagrun --status`: measure the selected targets and their upstream, print the table or JSON; exit 0 only when all are fresh. */
import { assessTargets, type Freshness, type TargetToFreshness } from '../../freshness/assess.js';
import { measureState } from '../../freshness/check.js';
import type { MeasuredState } from '../../freshness/state.js';
import { fingerprintAll } from '../../freshness/fingerprint.js';
import { renderStatusTable } from '../../report/status-table.js';
import { statusJson } from '../../report/status-json.js';
import type { Warehouse } from '../../warehouse/warehouse.js';
import { openSession, type Session, type SessionOptions } from '../session.js';
import { withWarehouse, type Output } from './shared.js';

/** Options of `--status`. */
export interface StatusOptions extends SessionOptions {
  readonly json: boolean;
}

/** Measures and assesses the session's selection. */
export async function measureSelection(session: Session, warehouse: Warehouse): Promise<{ state: MeasuredState; freshness: TargetToFreshness; fingerprints: Map<string, string> }> {
  const fingerprints = fingerprintAll(session.config);
  const state = await measureState(warehouse, { graph: session.graph, names: session.selected, window: session.window, fingerprints });
  return { state, freshness: assessTargets(session.graph, state, session.selected), fingerprints };
}

/** Runs `--status`; returns the exit code. */
export async function statusCommand(options: StatusOptions, out: Output): Promise<number> {
  const session = openSession(options);
  return withWarehouse(session, async (warehouse) => {
    const { freshness } = await measureSelection(session, warehouse);
    const rows: Freshness[] = session.selected.map((name) => freshness.get(name)!);
    out.stdout(options.json ? statusJson(session.graph, session.window, rows) + '\n' : renderStatusTable(session.graph, session.window, rows));
    return rows.every((r) => r.state === 'fresh') ? 0 : 1;
  });
}
