/**
 * The pipeline graph of the HTML report as inline SVG: targets in columns by depth
 * (longest path from a root), coloured by state, edges as curves from upstream to dependent.
 * The SVG scales to the width of its box (never wider than drawn, never taller than
 * `MAX_HEIGHT`), so the whole graph is always in view; the page's script zooms (wheel,
 * buttons) and pans (drag) by moving the viewBox, and double-click fits it again.
 */
import { formatPercent } from './format.js';
import type { HtmlEdge, HtmlTarget } from './html-data.js';
import { escapeXml } from './junit.js';

const NODE_WIDTH = 240;
const NODE_HEIGHT = 44;
const GAP_X = 50;
const GAP_Y = 14;
const PAD = 10;
const MAX_NAME = 28;
/** The tallest the graph's box gets, in CSS pixels; a taller graph is scaled down to it. */
export const MAX_HEIGHT = 560;

/** Where a node sits. */
interface Placed {
  readonly target: HtmlTarget;
  readonly x: number;
  readonly y: number;
}

/** Column of each target: 0 for roots, else one more than its deepest upstream. */
export function depths(targets: readonly HtmlTarget[], edges: readonly HtmlEdge[]): Map<string, number> {
  const depth = new Map<string, number>();
  // Targets come in dependency order, so every upstream is placed before its dependents.
  for (const t of targets) {
    const ups = edges.filter((e) => e.dependent === t.name).map((e) => depth.get(e.upstream) ?? 0);
    depth.set(t.name, ups.length === 0 ? 0 : Math.max(...ups) + 1);
  }
  return depth;
}

function place(targets: readonly HtmlTarget[], edges: readonly HtmlEdge[]): { nodes: Map<string, Placed>; width: number; height: number } {
  const depth = depths(targets, edges);
  const columns: HtmlTarget[][] = [];
  for (const t of targets) (columns[depth.get(t.name)!] ??= []).push(t);
  const nodes = new Map<string, Placed>();
  columns.forEach((column, c) => {
    // Group members sit together so a group's column reads as one block.
    column.sort((a, b) => (a.group ?? '').localeCompare(b.group ?? '') || a.name.localeCompare(b.name));
    column.forEach((target, r) => nodes.set(target.name, { target, x: PAD + c * (NODE_WIDTH + GAP_X), y: PAD + r * (NODE_HEIGHT + GAP_Y) }));
  });
  const rows = Math.max(1, ...columns.map((c) => c.length));
  return { nodes, width: PAD * 2 + columns.length * (NODE_WIDTH + GAP_X) - GAP_X, height: PAD * 2 + rows * (NODE_HEIGHT + GAP_Y) - GAP_Y };
}

function edgePath(from: Placed, to: Placed, calendarOnly: boolean): string {
  const x1 = from.x + NODE_WIDTH;
  const y1 = from.y + NODE_HEIGHT / 2;
  const x2 = to.x;
  const y2 = to.y + NODE_HEIGHT / 2;
  const bend = (x2 - x1) / 2;
  return `<path class="edge${calendarOnly ? ' cal' : ''}" d="M${x1} ${y1} C${x1 + bend} ${y1} ${x2 - bend} ${y2} ${x2} ${y2}" marker-end="url(#arrow)"/>`;
}

function node(p: Placed): string {
  const t = p.target;
  const name = t.name.length > MAX_NAME ? `${t.name.slice(0, MAX_NAME - 1)}…` : t.name;
  const detail = `${t.state} · ${formatPercent(t.coverage)}${t.group ? ` · ${t.group}` : ''}${t.source ? ' · source' : ''}`;
  const checks = t.checks.map((c) => `${c.passed ? '✓' : '✗'} ${c.name} = ${c.value === null ? 'NULL' : +c.value.toFixed(4)}`);
  const tip = [`${t.name} (${t.table})`, `${t.state}: ${t.note}`, ...checks].join('\n');
  return [
    `<a href="#hm-${escapeXml(t.name)}" class="node ${t.state}" data-target="${escapeXml(t.name)}">`,
    `<title>${escapeXml(tip)}</title>`,
    `<rect x="${p.x}" y="${p.y}" width="${NODE_WIDTH}" height="${NODE_HEIGHT}" rx="6"/>`,
    `<text x="${p.x + 10}" y="${p.y + 18}" class="name">${escapeXml(name)}</text>`,
    `<text x="${p.x + 10}" y="${p.y + 34}" class="detail">${escapeXml(detail)}</text>`,
    '</a>',
  ].join('');
}

/** Renders the graph as one `<svg id="graph">` element. */
export function renderGraphSvg(targets: readonly HtmlTarget[], edges: readonly HtmlEdge[]): string {
  const { nodes, width, height } = place(targets, edges);
  const paths = edges.flatMap((e) => {
    const from = nodes.get(e.upstream);
    const to = nodes.get(e.dependent);
    return from && to ? [edgePath(from, to, e.calendarOnly)] : [];
  });
  return [
    // width 100% of the box up to its drawn width; height from the viewBox's aspect, capped
    `<svg id="graph" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" data-fit="0 0 ${width} ${height}" preserveAspectRatio="xMidYMid meet"` +
      ` style="width:100%;max-width:${width}px;height:auto;max-height:${MAX_HEIGHT}px" role="img" aria-label="pipeline graph">`,
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0 0L10 5L0 10z" class="arrowhead"/></marker></defs>',
    ...paths,
    ...[...nodes.values()].map(node),
    '</svg>',
  ].join('\n');
}
