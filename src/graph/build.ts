/**
 * The pipeline as a directed graph, edges pointing downstream (upstream → dependent), held as
 * adjacency lists: a status of 10,000 targets builds it on its critical path, where graphlib
 * took 130 ms (its objects keyed by edge id) for what two maps of lists do in a few. Its
 * orders are graphlib's, which every output has followed so far: edges in the order they were
 * first set, a pair set again keeping its place with the new label, and names in the order a
 * JavaScript object gives its keys (integer-like names first, ascending).
 */
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

/** Whether a name is an array index, which a JavaScript object lists before its other keys. */
function isIndexKey(name: string): boolean {
  return /^(0|[1-9]\d{0,9})$/.test(name) && Number(name) < 4_294_967_295;
}

/** Names in the order an object with them as keys, set in this order, gives them back. */
function inObjectKeyOrder(names: readonly string[]): string[] {
  if (!names.some(isIndexKey)) return [...names];
  const indexes = names.filter(isIndexKey).sort((a, b) => Number(a) - Number(b));
  return [...indexes, ...names.filter((n) => !isIndexKey(n))];
}

/** A read-only view of the pipeline's dependency graph. */
export class TargetGraph {
  readonly #targets: ReadonlyMap<string, Target>;
  /** Per target, the edges into it keyed by upstream name, in the order first set. */
  readonly #into: ReadonlyMap<string, ReadonlyMap<string, Edge>>;
  /** Per target, the edges out of it keyed by dependent name, in the order first set. */
  readonly #outOf: ReadonlyMap<string, ReadonlyMap<string, Edge>>;
  #order: string[] | undefined;
  readonly #namesInto = new Map<string, string[]>();
  readonly #namesOutOf = new Map<string, string[]>();

  constructor(targets: ReadonlyMap<string, Target>, into: ReadonlyMap<string, ReadonlyMap<string, Edge>>, outOf: ReadonlyMap<string, ReadonlyMap<string, Edge>>) {
    this.#targets = targets;
    this.#into = into;
    this.#outOf = outOf;
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
    return [...(this.#into.get(name)?.values() ?? [])];
  }

  /** Edges out of `name` (its direct dependents). */
  downstreamEdges(name: string): Edge[] {
    return [...(this.#outOf.get(name)?.values() ?? [])];
  }

  /** Direct upstream names, in a new list the caller may reorder. */
  upstream(name: string): string[] {
    let names = this.#namesInto.get(name);
    if (!names) this.#namesInto.set(name, (names = inObjectKeyOrder([...(this.#into.get(name)?.keys() ?? [])])));
    return names.slice();
  }

  /** Direct dependent names. */
  downstream(name: string): string[] {
    let names = this.#namesOutOf.get(name);
    if (!names) this.#namesOutOf.set(name, (names = inObjectKeyOrder([...(this.#outOf.get(name)?.keys() ?? [])])));
    return names.slice();
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
  const into = new Map<string, Map<string, Edge>>();
  const outOf = new Map<string, Map<string, Edge>>();
  const listOf = (lists: Map<string, Map<string, Edge>>, name: string) => {
    let list = lists.get(name);
    if (!list) lists.set(name, (list = new Map()));
    return list;
  };
  for (const edge of targetEdges(targets)) {
    // a pair set again keeps its place and takes the new label (Map.set does both)
    listOf(into, edge.dependent).set(edge.upstream, edge);
    listOf(outOf, edge.upstream).set(edge.dependent, edge);
  }
  return new TargetGraph(targets, into, outOf);
}
