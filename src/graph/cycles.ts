/**
 * Cycle reporting: one readable closed path per cycle, `a -> b -> a`, read as "a needs b,
 * which needs a" (ninja's `VerifyDAG` direction), so the first arrow is the `deps` entry
 * of the target the message is filed under.
 */
import type { TargetGraph } from './build.js';

/** A closed path in "needs" direction: `['a', 'b', 'a']` means a needs b and b needs a. */
export type Cycle = readonly string[];

/**
 * The shortest way from `start` back to itself through `members`, following "needs" edges
 * and trying names alphabetically, so the same pipeline always gives the same message.
 */
function shortestLoop(graph: TargetGraph, start: string, members: ReadonlySet<string>): Cycle {
  const cameFrom = new Map<string, string>();
  let frontier = [start];
  while (frontier.length > 0) {
    const next: string[] = [];
    for (const node of frontier) {
      for (const needed of graph.upstream(node).filter((n) => members.has(n)).sort()) {
        if (needed === start) {
          const path = [node];
          while (path[0] !== start) path.unshift(cameFrom.get(path[0]!)!);
          return [...path, start];
        }
        if (cameFrom.has(needed)) continue;
        cameFrom.set(needed, node);
        next.push(needed);
      }
    }
    frontier = next;
  }
  return [start, start];
}

/** One cycle per strongly connected part of the graph, starting at its alphabetically first member. */
export function findCycles(graph: TargetGraph): Cycle[] {
  return graph
    .cycles()
    .map((members) => shortestLoop(graph, [...members].sort()[0]!, new Set(members)))
    .sort((a, b) => (a[0]! < b[0]! ? -1 : 1));
}

/** `a -> b -> a`. */
export function formatCycle(cycle: Cycle): string {
  return cycle.join(' -> ');
}

/** Each cycle of the graph as text; empty when the graph is a DAG. */
export function describeCycles(graph: TargetGraph): string[] {
  return findCycles(graph).map(formatCycle);
}
