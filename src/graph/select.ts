/**
 * Selection: which targets a command acts on. `x` is x and its upstream; `x+` adds its
 * downstream (and their upstream, so they can be built); `+x` is x and its upstream, said
 * explicitly; `group:g` is every target of g (and their upstream). `--only` drops the upstream.
 */
import type { TargetGraph } from './build.js';

/** A parsed selector. */
export interface Selector {
  readonly name: string;
  readonly kind: 'target' | 'group';
  readonly upstream: boolean;
  readonly downstream: boolean;
}

/**
 * Parses one selector word (`x`, `+x`, `x+`, `+x+`, `group:g`, `group:g+`). `only` (the
 * `--only` flag) drops the upstream of plain words; an explicit leading `+` keeps it.
 */
export function parseSelector(word: string, only: boolean): Selector {
  const explicitUpstream = word.startsWith('+');
  const downstream = word.length > 1 && word.endsWith('+');
  const bare = word.slice(explicitUpstream ? 1 : 0, downstream ? -1 : undefined);
  const upstream = explicitUpstream || !only;
  if (bare.startsWith('group:')) return { name: bare.slice('group:'.length), kind: 'group', upstream, downstream };
  return { name: bare, kind: 'target', upstream, downstream };
}

/** The set of target names reached from `roots` along upstream or downstream edges. */
export function closure(graph: TargetGraph, roots: Iterable<string>, direction: 'upstream' | 'downstream'): Set<string> {
  const seen = new Set<string>();
  const stack = [...roots];
  while (stack.length > 0) {
    const name = stack.pop()!;
    if (seen.has(name)) continue;
    seen.add(name);
    stack.push(...(direction === 'upstream' ? graph.upstream(name) : graph.downstream(name)));
  }
  return seen;
}

/**
 * Resolves selectors to the names they cover (in dependency order) and the names the
 * user asked for. No selector means every target. Unknown names are returned separately.
 */
export function selectTargets(
  graph: TargetGraph,
  selectors: readonly Selector[],
  groupOf: (name: string) => string | undefined,
): { selected: string[]; named: string[]; unknown: string[] } {
  if (selectors.length === 0) return { selected: graph.topologicalOrder(), named: graph.names(), unknown: [] };
  const selected = new Set<string>();
  const named: string[] = [];
  const unknown: string[] = [];
  for (const selector of selectors) {
    const roots =
      selector.kind === 'group' ? graph.names().filter((n) => groupOf(n) === selector.name) : graph.has(selector.name) ? [selector.name] : [];
    if (roots.length === 0) {
      unknown.push(selector.kind === 'group' ? `group:${selector.name}` : selector.name);
      continue;
    }
    named.push(...roots);
    let reached = new Set(roots);
    if (selector.downstream) reached = closure(graph, roots, 'downstream');
    if (selector.upstream) reached = closure(graph, reached, 'upstream');
    for (const name of reached) selected.add(name);
  }
  return { selected: graph.topologicalOrder().filter((n) => selected.has(n)), named, unknown };
}
