/**
 * The pipeline as a directed graph, edges pointing downstream (upstream → dependent). The
 * only module that imports graphlib; everything else asks `TargetGraph`.
 */
import { Graph } from '@dagrejs/graphlib';
import type { Target } from '../config/types.js';

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

/** A binary min-heap of names in string order (`<`, as `Array.prototype.sort` orders them). */
class NameHeap {
  readonly #items: string[] = [];
  constructor(items: readonly string[]) {
    for (const item of items) this.push(item);
  }
  push(item: string): void {
    const items = this.#items;
    items.push(item);
    for (let i = items.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (items[parent]! <= items[i]!) break;
      [items[parent], items[i]] = [items[i]!, items[parent]!];
      i = parent;
    }
  }
  pop(): string | undefined {
    const items = this.#items;
    if (items.length === 0) return undefined;
    const top = items[0]!;
    const last = items.pop()!;
    if (items.length > 0) {
      items[0] = last;
      for (let i = 0; ; ) {
        const left = 2 * i + 1;
        const right = left + 1;
        let smallest = i;
        if (left < items.length && items[left]! < items[smallest]!) smallest = left;
        if (right < items.length && items[right]! < items[smallest]!) smallest = right;
        if (smallest === i) break;
        [items[smallest], items[i]] = [items[i]!, items[smallest]!];
        i = smallest;
      }
    }
    return top;
  }
}

/** A read-only view of the pipeline's dependency graph. */
export class TargetGraph {
  readonly #graph: Graph;
  readonly #targets: ReadonlyMap<string, Target>;
  #order: string[] | undefined;
  /** Edges into each node, looked up in graphlib once: a big status asks for them thousands of times. */
  readonly #edgesInto = new Map<string, Edge[]>();
  readonly #namesInto = new Map<string, string[]>();

  constructor(graph: Graph, targets: ReadonlyMap<string, Target>) {
    this.#graph = graph;
    this.#targets = targets;
  }

  /** The target of a name known to be in the graph. */
  target(name: string): Target {
    const target = this.#targets.get(name);
    if (!target) throw new Error(`Internal error: unknown target ${name}`);
    return target;
  }

  /** Whether a name is a target. */
  has(name: string): boolean {
    return this.#targets.has(name);
  }

  /** Every target name, sorted. */
  names(): string[] {
    return [...this.#targets.keys()];
  }

  /** Edges into `name` (its direct upstream), in a new list the caller may reorder. */
  upstreamEdges(name: string): Edge[] {
    let edges = this.#edgesInto.get(name);
    if (!edges) {
      edges = (this.#graph.inEdges(name) ?? []).map((e: { v: string; w: string }) => this.#graph.edge(e) as Edge);
      this.#edgesInto.set(name, edges);
    }
    return edges.slice();
  }

  /** Edges out of `name` (its direct dependents). */
  downstreamEdges(name: string): Edge[] {
    return (this.#graph.outEdges(name) ?? []).map((e: { v: string; w: string }) => this.#graph.edge(e) as Edge);
  }

  /** Direct upstream names, in a new list the caller may reorder. */
  upstream(name: string): string[] {
    let names = this.#namesInto.get(name);
    if (!names) {
      names = this.#graph.predecessors(name) ?? [];
      this.#namesInto.set(name, names);
    }
    return names.slice();
  }

  /** Direct dependent names. */
  downstream(name: string): string[] {
    return this.#graph.successors(name) ?? [];
  }

  /** All names in dependency order (upstream first, ties by name). The graph must be acyclic. */
  topologicalOrder(): string[] {
    if (!this.#order) {
      const indegree = new Map(this.names().map((n) => [n, this.upstream(n).length]));
      // the ready names in a min-heap: the same order as sorting them at every step, without the sorts
      const ready = new NameHeap(this.names().filter((n) => indegree.get(n) === 0));
      const order: string[] = [];
      for (let next = ready.pop(); next !== undefined; next = ready.pop()) {
        order.push(next);
        for (const dependent of this.downstream(next)) {
          const left = indegree.get(dependent)! - 1;
          indegree.set(dependent, left);
          if (left === 0) ready.push(dependent);
        }
      }
      this.#order = order;
    }
    return this.#order;
  }

  /** Cycles, each as a list of names (a strongly connected part of more than one target); empty when the graph is a DAG. */
  cycles(): string[][] {
    return stronglyConnected(this.names(), (name) => this.downstream(name)).filter((part) => part.length > 1);
  }
}

/**
 * Tarjan's strongly connected components with an explicit stack instead of recursion
 * (graphlib's recursive one overflows the call stack on a chain of a few thousand targets).
 */
export function stronglyConnected(nodes: readonly string[], next: (node: string) => readonly string[]): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const parts: string[][] = [];
  for (const root of nodes) {
    if (index.has(root)) continue;
    // Each frame is a node and how many of its successors it has visited so far.
    const frames: { node: string; successors: readonly string[]; at: number }[] = [];
    const enter = (node: string) => {
      index.set(node, index.size);
      low.set(node, index.get(node)!);
      stack.push(node);
      onStack.add(node);
      frames.push({ node, successors: next(node), at: 0 });
    };
    enter(root);
    while (frames.length > 0) {
      const frame = frames.at(-1)!;
      if (frame.at < frame.successors.length) {
        const successor = frame.successors[frame.at++]!;
        if (!index.has(successor)) enter(successor);
        else if (onStack.has(successor)) low.set(frame.node, Math.min(low.get(frame.node)!, index.get(successor)!));
        continue;
      }
      frames.pop();
      const parent = frames.at(-1);
      if (parent) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(frame.node)!));
      if (low.get(frame.node) === index.get(frame.node)) {
        const part: string[] = [];
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          part.push(member);
        } while (member !== frame.node);
        parts.push(part);
      }
    }
  }
  return parts;
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
 * Builds the graph from validated targets. Dependencies on unknown names are skipped here
 * (the config rules report them), so the graph can be built while validating. A target
 * whose calendar reads another target's table gets a `calendar` edge from it.
 */
export function buildGraph(targets: ReadonlyMap<string, Target>): TargetGraph {
  const graph = new Graph({ directed: true, multigraph: false });
  for (const name of targets.keys()) graph.setNode(name);
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
      // Unknown names and self-dependencies are config errors, reported by the rules.
      if (!targets.has(dep.target) || dep.target === target.name) continue;
      const edge: Edge = { upstream: dep.target, dependent: target.name, kind: 'data', lookback: dep.lookback, providesCalendar: false };
      graph.setEdge(dep.target, target.name, edge);
    }
    const providers =
      target.calendar.kind === 'table' ? [byTable.get(target.calendar.table.toLowerCase())] : target.calendar.kind === 'sql' ? readBySql(target.calendar.sql) : [];
    for (const provider of providers) {
      if (!provider || provider === target.name) continue;
      const data = graph.edge(provider, target.name) as Edge | undefined;
      const edge: Edge = data ? { ...data, providesCalendar: true } : { upstream: provider, dependent: target.name, kind: 'calendar', lookback: 0, providesCalendar: true };
      graph.setEdge(provider, target.name, edge);
    }
  }
  return new TargetGraph(graph, targets);
}
