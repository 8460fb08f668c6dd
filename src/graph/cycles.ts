/** Cycle reporting: one readable path per cycle, `a -> b -> a`, starting where the user would look. */
import type { TargetGraph } from './build.js';

/**
 * Each cycle as a closed path in dependency direction (upstream first), starting at the
 * alphabetically first member so the message is stable.
 */
export function describeCycles(graph: TargetGraph): string[] {
  return graph.cycles().map((members) => {
    const inCycle = new Set(members);
    const start = [...members].sort()[0]!;
    const path = [start];
    let current = start;
    for (;;) {
      const next = graph.downstream(current).filter((n) => inCycle.has(n)).sort()[0];
      if (next === undefined || next === start || path.includes(next)) {
        path.push(next ?? start);
        break;
      }
      path.push(next);
      current = next;
    }
    return path.join(' -> ');
  });
}
