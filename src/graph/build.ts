/**
 * The pipeline as a directed graph, edges pointing downstream (upstream → dependent). The
 * only module that imports graphlib; everything else asks `TargetGraph`.
 */
import { Graph } from '@dagrejs/graphlib';
import { targetEdges, type Edge } from '../config/edges.js';
import type { Target } from '../config/types.js';
import { stronglyConnected } from '../core/cycles.js';

export type { Edge, EdgeKind } from '../config/edges.js';

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
 * Builds the graph from validated targets, with the edges config/edges.ts derives (a target
 * whose calendar reads another target's table gets a `calendar` edge from it). Dependencies on
 * unknown names are skipped there (the config rules report them), so the graph can be built
 * while validating.
 */
export function buildGraph(targets: ReadonlyMap<string, Target>): TargetGraph {
  const graph = new Graph({ directed: true, multigraph: false });
  for (const name of targets.keys()) graph.setNode(name);
  for (const edge of targetEdges(targets)) graph.setEdge(edge.upstream, edge.dependent, edge);
  return new TargetGraph(graph, targets);
}
