/**
 * The edges of the pipeline, derived from its targets alone: a declared dependency is a `data`
 * edge; a target whose calendar reads another target's table (by name, or named in its calendar
 * query) gets a `calendar` edge from it. Config validation (no cycles) and the target graph
 * both build on these, so they can never disagree about what depends on what.
 */
import type { Target } from './types.js';

/** Why an edge exists. */
export type EdgeKind =
  /** A declared dependency: date d reads the upstream's dates d-lookback..d. */
  | 'data'
  /** The upstream builds the table this target's calendar reads: order only. */
  | 'calendar';

/** An edge from an upstream target to a dependent one. */
export interface Edge {
  readonly upstream: string;
  readonly dependent: string;
  readonly kind: EdgeKind;
  readonly lookback: number;
  /**
   * The upstream's table holds the dependent's expected dates (a `calendar` edge, or a data
   * edge whose upstream the calendar also reads): the dependent is measured after it.
   */
  readonly providesCalendar: boolean;
}

/**
 * The targets whose tables a calendar query names (`dataset.table`, with or without a project
 * or backticks before it): their tables must exist before the query can run.
 */
function tablesRead(sql: string, byTable: ReadonlyMap<string, string>): string[] {
  const text = sql.toLowerCase();
  const found: string[] = [];
  for (const [table, name] of byTable) {
    for (let at = text.indexOf(table); at >= 0; at = text.indexOf(table, at + 1)) {
      const before = text[at - 1] ?? ' ';
      const after = text[at + table.length] ?? ' ';
      if (!/[a-z0-9_]/.test(before) && !/[a-z0-9_.]/.test(after)) {
        found.push(name);
        break;
      }
    }
  }
  return found;
}

/**
 * Every edge between known targets, one per (upstream, dependent): a data edge that also
 * provides the calendar says so. Unknown names and self-dependencies are left out (config
 * errors, reported by the rules).
 */
export function targetEdges(targets: ReadonlyMap<string, Target>): Edge[] {
  const edges = new Map<string, Edge>();
  const key = (upstream: string, dependent: string) => `${upstream}\u0000${dependent}`;
  const byTable = new Map<string, string>();
  for (const target of targets.values()) byTable.set(target.table.toLowerCase(), target.name);
  // targets often share one calendar query: read each once
  const readBy = new Map<string, string[]>();
  const readBySql = (sql: string) => {
    let names = readBy.get(sql);
    if (!names) readBy.set(sql, (names = tablesRead(sql, byTable)));
    return names;
  };
  for (const target of targets.values()) {
    for (const dep of target.deps) {
      if (!targets.has(dep.target) || dep.target === target.name) continue;
      edges.set(key(dep.target, target.name), { upstream: dep.target, dependent: target.name, kind: 'data', lookback: dep.lookback, providesCalendar: false });
    }
    const providers =
      target.calendar.kind === 'table' ? [byTable.get(target.calendar.table.toLowerCase())] : target.calendar.kind === 'sql' ? readBySql(target.calendar.sql) : [];
    for (const provider of providers) {
      if (!provider || provider === target.name) continue;
      const data = edges.get(key(provider, target.name));
      edges.set(key(provider, target.name), data ? { ...data, providesCalendar: true } : { upstream: provider, dependent: target.name, kind: 'calendar', lookback: 0, providesCalendar: true });
    }
  }
  return [...edges.values()];
}
