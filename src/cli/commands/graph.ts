/** `dagrun graph`: the pipeline as Mermaid, Graphviz dot or JSON, in dependency order. */
import { loadConfig } from '../../config/load.js';
import { buildGraph, type TargetGraph } from '../../graph/build.js';
import { resolveConfigFile } from '../../run/session.js';
import type { Output } from './shared.js';

/** The output formats. */
export type GraphFormat = 'mermaid' | 'dot' | 'json';

/**
 * Mermaid node ids: the target names, except that the word `end` (in any case) closes a
 * block in Mermaid, so it gets underscores until it collides with nothing.
 */
function mermaidIds(names: readonly string[]): Map<string, string> {
  const taken = new Set(names);
  return new Map(
    names.map((name) => {
      if (name.toLowerCase() !== 'end') return [name, name];
      let id = `${name}_`;
      while (taken.has(id)) id += '_';
      taken.add(id);
      return [name, id];
    }),
  );
}

/** Renders the graph in a format. */
export function renderGraph(graph: TargetGraph, format: GraphFormat): string {
  const names = graph.topologicalOrder();
  const edges = names.flatMap((n) => graph.upstreamEdges(n).sort((a, b) => (a.upstream < b.upstream ? -1 : 1)));
  switch (format) {
    case 'mermaid': {
      const id = mermaidIds(names);
      const lines = ['flowchart LR'];
      for (const n of names) lines.push(`  ${id.get(n)}["${n}<br/><small>${graph.target(n).table}</small>"]`);
      for (const e of edges) {
        const [from, to] = [id.get(e.upstream), id.get(e.dependent)];
        lines.push(e.kind === 'calendar' ? `  ${from} -. calendar .-> ${to}` : e.lookback > 0 ? `  ${from} -- "lookback ${e.lookback}d" --> ${to}` : `  ${from} --> ${to}`);
      }
      return lines.join('\n') + '\n';
    }
    case 'dot': {
      const lines = ['digraph dagrun {', '  rankdir=LR;', '  node [shape=box, fontname="Helvetica"];'];
      for (const n of names) lines.push(`  "${n}" [label="${n}\\n${graph.target(n).table}"];`);
      for (const e of edges) {
        const attrs = e.kind === 'calendar' ? ' [style=dashed, label="calendar"]' : e.lookback > 0 ? ` [label="lookback ${e.lookback}d"]` : '';
        lines.push(`  "${e.upstream}" -> "${e.dependent}"${attrs};`);
      }
      lines.push('}');
      return lines.join('\n') + '\n';
    }
    case 'json':
      return (
        JSON.stringify(
          {
            targets: names.map((n) => {
              const t = graph.target(n);
              return { name: n, table: t.table, group: t.group ?? null, source: t.source, deps: t.deps.map((d) => ({ target: d.target, lookback: d.lookback })) };
            }),
            // Every edge, including the order-only ones from a target that builds another's calendar table.
            edges: edges.map((e) => ({ from: e.upstream, to: e.dependent, kind: e.kind, lookback: e.lookback })),
          },
          null,
          2,
        ) + '\n'
      );
  }
}

/** Runs `dagrun graph`. */
export function graphCommand(options: { config?: string; format: GraphFormat }, out: Output): number {
  const config = loadConfig(resolveConfigFile(options.config));
  out.stdout(renderGraph(buildGraph(config.targets), options.format));
  return 0;
}
