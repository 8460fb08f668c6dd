/**
 * Cycle reporting on the target graph: the search itself is core/cycles.ts, over the graph's
 * "needs" edges (upstream), so the first arrow of `a -> b -> a` is a's `deps` entry.
 */
import { findCycles as findCyclesIn, formatCycle, type Cycle } from '../core/cycles.js';
import type { TargetGraph } from './build.js';

export { formatCycle, type Cycle } from '../core/cycles.js';

/** One cycle per strongly connected part of the graph, starting at its alphabetically first member. */
export function findCycles(graph: TargetGraph): Cycle[] {
  return findCyclesIn(graph.names(), (name) => graph.upstream(name));
}

/** Each cycle of the graph as text; empty when the graph is a DAG. */
export function describeCycles(graph: TargetGraph): string[] {
  return findCycles(graph).map(formatCycle);
}
