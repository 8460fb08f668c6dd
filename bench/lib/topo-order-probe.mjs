/**
 * An experiment, not part of `npm run bench`: where loading a big pipeline's config goes
 * (bench/status-duckdb.mjs's pipelines, or bench/status-big.mjs's), and `TargetGraph.topologicalOrder`
 * (which sorts its ready list at every step) against Kahn's algorithm over a binary heap that
 * gives the same order.
 *
 *   node bench/lib/topo-order-probe.mjs <pipeline dir>
 */
const D = new URL('../../dist/', import.meta.url).href;
const { loadConfig } = await import(D + 'config/load.js');
const { buildGraph } = await import(D + 'graph/build.js');
const { fingerprintAll } = await import(D + 'freshness/fingerprint.js');
const dir = process.argv[2];
const t0 = performance.now();
const config = loadConfig(dir + '/dag.json5');
const t1 = performance.now();
const graph = buildGraph(config.targets);
const t2 = performance.now();
const order = graph.topologicalOrder();
const t3 = performance.now();
const fp = fingerprintAll(config);
const t4 = performance.now();
console.log(JSON.stringify({ loadConfigMs: +(t1 - t0).toFixed(0), buildGraphMs: +(t2 - t1).toFixed(0), topologicalOrderMs: +(t3 - t2).toFixed(0), fingerprintAllMs: +(t4 - t3).toFixed(0), targets: order.length }));
// Kahn's algorithm with a binary min-heap of ready names: the same order (upstream first, ties by name)
function heapOrder(graph) {
  const names = graph.names();
  const indegree = new Map(names.map((n) => [n, graph.upstream(n).length]));
  const heap = [];
  const less = (a, b) => a < b;
  const push = (x) => { heap.push(x); let i = heap.length - 1; while (i > 0) { const p = (i - 1) >> 1; if (!less(heap[i], heap[p])) break; [heap[i], heap[p]] = [heap[p], heap[i]]; i = p; } };
  const pop = () => { const top = heap[0]; const last = heap.pop(); if (heap.length) { heap[0] = last; let i = 0; for (;;) { const l = 2 * i + 1, r = l + 1; let m = i; if (l < heap.length && less(heap[l], heap[m])) m = l; if (r < heap.length && less(heap[r], heap[m])) m = r; if (m === i) break; [heap[i], heap[m]] = [heap[m], heap[i]]; i = m; } } return top; };
  for (const n of names) if (indegree.get(n) === 0) push(n);
  const order = [];
  while (heap.length) { const next = pop(); order.push(next); for (const d of graph.downstream(next)) { const left = indegree.get(d) - 1; indegree.set(d, left); if (left === 0) push(d); } }
  return order;
}
const g2 = buildGraph(config.targets);
const h0 = performance.now();
const order2 = heapOrder(g2);
const h1 = performance.now();
console.log(JSON.stringify({ heapOrderMs: +(h1 - h0).toFixed(1), same: order2.join() === order.join() }));
