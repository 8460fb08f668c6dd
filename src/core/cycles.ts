/**
 * Cycles in a directed graph given as plain adjacency (names and a "needs" function): the pure
 * search that both config validation (no cycles allowed) and the target graph use, below both.
 * One readable closed path per cycle, `a -> b -> a`, read as "a needs b, which needs a" (ninja's
 * `VerifyDAG` direction), so the first arrow is the `deps` entry of the target the message is
 * filed under.
 */

/** A closed path in "needs" direction: `['a', 'b', 'a']` means a needs b and b needs a. */
export type Cycle = readonly string[];

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
 * The shortest way from `start` back to itself through `members`, following "needs" edges
 * and trying names alphabetically, so the same pipeline always gives the same message.
 */
function shortestLoop(needs: (node: string) => readonly string[], start: string, members: ReadonlySet<string>): Cycle {
  const cameFrom = new Map<string, string>();
  let frontier = [start];
  while (frontier.length > 0) {
    const next: string[] = [];
    for (const node of frontier) {
      for (const needed of needs(node).filter((n) => members.has(n)).sort()) {
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

/** One cycle per strongly connected part of more than one node, starting at its alphabetically first member. */
export function findCycles(nodes: readonly string[], needs: (node: string) => readonly string[]): Cycle[] {
  return stronglyConnected(nodes, needs)
    .filter((part) => part.length > 1)
    .map((members) => shortestLoop(needs, [...members].sort()[0]!, new Set(members)))
    .sort((a, b) => (a[0]! < b[0]! ? -1 : 1));
}

/** `a -> b -> a`. */
export function formatCycle(cycle: Cycle): string {
  return cycle.join(' -> ');
}
