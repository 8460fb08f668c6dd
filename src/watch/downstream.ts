/**
 * What a watched build left outdated outside the selection: the targets downstream of the
 * ones it rebuilt that the watch does not build (`--watch x` selects x and its upstream, so
 * rewriting x's dates makes its dependents outdated without a word). Pure: the graph and
 * the run's outcomes go in, a sentence comes out.
 */
import type { TargetGraph } from '../graph/build.js';

/** One target of a finished build as its run record keeps it. */
export interface BuiltTarget {
  readonly target: string;
  readonly status: string;
  readonly batchesDone?: number;
}

/** Targets downstream (at any depth) of those the build wrote, that the build itself did not take part in. */
export function outdatedDownstream(graph: TargetGraph, outcomes: readonly BuiltTarget[]): string[] {
  const inBuild = new Set(outcomes.map((o) => o.target));
  const wrote = outcomes.filter((o) => (o.batchesDone ?? 0) > 0 && graph.has(o.target)).map((o) => o.target);
  const found = new Set<string>();
  const queue = [...wrote];
  while (queue.length > 0) {
    for (const next of graph.downstream(queue.pop()!)) {
      if (found.has(next)) continue;
      found.add(next);
      queue.push(next);
    }
  }
  const order = graph.topologicalOrder();
  return order.filter((name) => found.has(name) && !inBuild.has(name));
}

/** The watch's line about them, or undefined when there are none. */
export function describeOutdatedDownstream(names: readonly string[]): string | undefined {
  if (names.length === 0) return undefined;
  const shown = names.length > 6 ? `${names.slice(0, 6).join(', ')} and ${names.length - 6} more` : names.join(', ');
  return `[watch] downstream now outdated: ${shown} (the watch builds its targets and their upstream; --watch x+ builds what is downstream of x too)`;
}
