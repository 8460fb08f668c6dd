/** `dagrun graph`: the pipeline as Mermaid, Graphviz dot or JSON. */
import type { TargetGraph } from '../../graph/build.js';
import { resolveConfigFile } from '../session.js';
import { loadConfig } from '../../config/load.js';
import { buildGraph } from '../../graph/build.js';
import type { Output } from './shared.js';

/** The output formats. */
export type GraphFormat = 'mermaid' | 'dot' | 'json';

/** Renders the graph in a format. */
export function renderGraph(graph: TargetGraph, format: GraphFormat): string {
  const names = graph.topologicalOrder();
  const edges = names.flatMap((n) => graph.upstreamEdges(n));
  switch (format) {
    case 'mermaid': {
      const lines = ['flowchart LR'];
      for (const n of names) lines.push(`  ${n}["${n}<br/><small>${graph.target(n).table}</small>"]`);
      for (const e of edges) lines.push(e.lookback > 0 ? `  ${e.upstream} -- "lookback ${e.lookback}d" --> ${e.dependent}` : `  ${e.upstream} ${e.kind === 'calendar' ? '-.->' : '-->'} ${e.dependent}`);
      return lines.join('\n') + '\n';
    }
    case 'dot': {
      const lines = ['digraph dagrun {', '  rankdir=LR;', '  node [shape=box, fontname="Helvetica"];'];
      for (const n of names) lines.push(`  "${n}" [label="${n}\\n${graph.target(n).table}"];`);
      for (const e of edges) {
        const attrs = e.kind === 'calendar' ? ' [style=dashed]' : e.lookback > 0 ? ` [label="lookback ${e.lookback}d"]` : '';
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
