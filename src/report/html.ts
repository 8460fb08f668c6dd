/**
 * The HTML report (`--html FILE`, `--status --html FILE`): one self-contained page — inline
 * CSS, SVG and a few lines of script, nothing fetched — with the pipeline graph coloured by
 * state (fitted to the page; zoom and pan), a coverage heat map (target × date, lines of
 * whole months), a summary table and every check with its value and bounds; as the
 * validation document also what changed since the last report and a sign-off block.
 */
import { formatDay } from '../intervals/day.js';
import { formatRange } from '../intervals/interval.js';
import { formatPercent } from './format.js';
import type { HtmlReportInput, HtmlTarget } from './html-data.js';
import { renderGraphSvg } from './html-graph.js';
import { htmlChanges, htmlChecks, htmlSignOff } from './html-sections.js';
import { CELL_STEP, renderHeatmapSvg } from './html-heatmap.js';
import { escapeXml } from './junit.js';

const STYLE = `
:root{--fresh:#2da44e;--built:#1a7f37;--stale:#d4a72c;--blocked:#8c959f;--failed:#cf222e;--skipped:#bc4c00;--p:#40c463;--m:#e5534b;--o:#f0b72f}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px;color:#1f2328;background:#fff}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}
.facts{color:#59636e;margin:0;padding:0;list-style:none}.facts li{display:inline;margin-right:18px}
.scroll{overflow-x:auto;border:1px solid #d1d9e0;border-radius:6px;padding:8px;background:#f6f8fa}
.graphbox{position:relative;overflow:hidden;border:1px solid #d1d9e0;border-radius:6px;padding:8px;background:#f6f8fa}
#graph{display:block;margin:0 auto;cursor:grab;touch-action:none}#graph.panning{cursor:grabbing}
.zoom{text-align:right;margin:-2px 0 4px}.zoom button{font:13px system-ui,sans-serif;width:28px;height:26px;margin-left:4px;border:1px solid #d1d9e0;border-radius:4px;background:#fff;cursor:pointer}.zoom button.fit{width:auto;padding:0 8px}
td.pass{color:#1a7f37}td.fail{color:#cf222e;font-weight:600}.regress{color:#cf222e}.signoff td{height:28px;min-width:320px}
.legend span{display:inline-block;margin-right:14px}.legend i{display:inline-block;width:11px;height:11px;border-radius:2px;margin-right:5px;vertical-align:-1px}
.node rect{stroke:#1f2328;stroke-opacity:.25;fill-opacity:.9}.node text{fill:#fff}.node .name{font-weight:600;font-size:13px}.node .detail{font-size:11px}
.node.fresh rect{fill:var(--fresh)}.node.built rect{fill:var(--built)}.node.stale rect{fill:var(--stale)}.node.stale text{fill:#1f2328}
.node.blocked rect{fill:var(--blocked)}.node.failed rect{fill:var(--failed)}.node.skipped rect{fill:var(--skipped)}
.edge{fill:none;stroke:#59636e;stroke-width:1.4}.edge.cal{stroke-dasharray:4 3}.arrowhead{fill:#59636e}
#heatmap .cells rect{width:8px;height:8px;rx:1.5px}#heatmap .cells rect.bg{fill:#eaeef2;rx:0}
#heatmap .p{fill:var(--p)}#heatmap .m{fill:var(--m)}#heatmap .o{fill:var(--o)}
#heatmap .label{font-weight:600;font-size:13px}#heatmap .sub,#heatmap .axis{font-size:11px;fill:#59636e}
.state-failed{fill:var(--failed)!important}.state-stale{fill:#9a6700!important}.state-blocked{fill:var(--blocked)!important}
#tip{position:fixed;pointer-events:none;background:#1f2328;color:#fff;padding:4px 8px;border-radius:4px;font-size:12px;display:none;white-space:nowrap}
table{border-collapse:collapse}td,th{padding:4px 10px;border-bottom:1px solid #d1d9e0;text-align:left;vertical-align:top}th{background:#f6f8fa}
td.num{text-align:right;font-variant-numeric:tabular-nums}.pill{color:#fff;border-radius:10px;padding:1px 8px;font-size:12px}
`;

// The hover tip: a cell's date is its week column and weekday row counted from the block's Monday.
const SCRIPT = `
(function(){
  var tip=document.getElementById('tip'),names={p:'present',m:'missing',o:'outdated (to rebuild)'};
  var days=['Mon','Tue','Wed','Thu','Fri','Sat','Sun'];
  function dateOf(rect){
    var g=rect.parentNode,start=Date.parse(g.getAttribute('data-start')+'T00:00:00Z');
    var col=Math.round(rect.getAttribute('x')/${CELL_STEP}),row=Math.round(rect.getAttribute('y')/${CELL_STEP});
    return {iso:new Date(start+(col*7+row)*864e5).toISOString().slice(0,10),day:days[row],target:g.getAttribute('data-target')};
  }
  var map=document.getElementById('heatmap');
  map.addEventListener('mousemove',function(e){
    var r=e.target;
    if(r.tagName!=='rect'||!names[r.getAttribute('class')]){tip.style.display='none';return;}
    var d=dateOf(r);
    tip.textContent=d.target+' · '+d.iso+' ('+d.day+') · '+names[r.getAttribute('class')];
    tip.style.display='block';tip.style.left=(e.clientX+12)+'px';tip.style.top=(e.clientY+12)+'px';
  });
  map.addEventListener('mouseleave',function(){tip.style.display='none';});
})();
(function(){
  var svg=document.getElementById('graph');if(!svg)return;
  var fit=svg.getAttribute('data-fit').split(' ').map(Number),vb=fit.slice(),drag=null;
  function show(){svg.setAttribute('viewBox',vb.join(' '));}
  function zoom(f,cx,cy){
    var w=Math.min(fit[2]*4,Math.max(fit[2]/8,vb[2]*f)),k=w/vb[2];
    vb=[cx-(cx-vb[0])*k,cy-(cy-vb[1])*k,vb[2]*k,vb[3]*k];show();
  }
  function at(e){var r=svg.getBoundingClientRect(),s=Math.max(vb[2]/r.width,vb[3]/r.height);
    return [vb[0]+(e.clientX-r.left-(r.width-vb[2]/s)/2)*s,vb[1]+(e.clientY-r.top-(r.height-vb[3]/s)/2)*s,s];}
  svg.addEventListener('wheel',function(e){e.preventDefault();var p=at(e);zoom(e.deltaY>0?1.2:1/1.2,p[0],p[1]);},{passive:false});
  svg.addEventListener('pointerdown',function(e){drag={x:e.clientX,y:e.clientY,vb:vb.slice(),s:at(e)[2]};svg.classList.add('panning');});
  window.addEventListener('pointermove',function(e){if(!drag)return;vb=[drag.vb[0]-(e.clientX-drag.x)*drag.s,drag.vb[1]-(e.clientY-drag.y)*drag.s,vb[2],vb[3]];show();});
  window.addEventListener('pointerup',function(){drag=null;svg.classList.remove('panning');});
  svg.addEventListener('dblclick',function(){vb=fit.slice();show();});
  document.querySelectorAll('.zoom button').forEach(function(b){b.addEventListener('click',function(){
    var a=b.getAttribute('data-zoom');if(a==='fit'){vb=fit.slice();show();return;}
    zoom(a==='in'?1/1.25:1.25,vb[0]+vb[2]/2,vb[1]+vb[3]/2);});});
})();
`;

const NODE_STATES = ['fresh', 'built', 'stale', 'blocked', 'failed', 'skipped'] as const;

function graphLegend(): string {
  return `<p class="legend">${NODE_STATES.map((s) => `<span><i style="background:var(--${s})"></i>${s}</span>`).join('')}</p>`;
}

function heatmapLegend(): string {
  const cells = [['var(--p)', 'present'], ['var(--m)', 'missing'], ['var(--o)', 'outdated'], ['#eaeef2', 'no expected date']];
  const keys = cells.map(([colour, label]) => `<span><i style="background:${colour}"></i>${label}</span>`).join('');
  return `<p class="legend">${keys} Lines of whole months; in each, weeks run left to right, Monday at the top. Hover a cell for its date.</p>`;
}

function summaryRow(t: HtmlTarget): string {
  const ranges = t.missingRanges;
  const shown = ranges.slice(0, 4).map(formatRange).join(', ') + (ranges.length > 4 ? `, … ${ranges.length - 4} more` : '');
  return [
    '<tr>',
    `<td><a href="#hm-${escapeXml(t.name)}">${escapeXml(t.name)}</a>${t.source ? ' <small>(source)</small>' : ''}</td>`,
    `<td>${escapeXml(t.group ?? '')}</td>`,
    `<td><span class="pill" style="background:var(--${t.state})">${t.state}</span></td>`,
    `<td class="num">${formatPercent(t.coverage)}</td><td class="num">${t.present}/${t.expectedCount}</td>`,
    `<td>${escapeXml(shown)}</td><td>${escapeXml(t.note)}</td>`,
    '</tr>',
  ].join('');
}

/** Renders the whole page. */
export function renderHtmlReport(input: HtmlReportInput): string {
  const unknownCalendar = input.targets.some((t) => t.expected === undefined);
  const window = `${formatDay(input.window.first)} .. ${formatDay(input.window.last)}`;
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    // No network: forbid every fetch, allow only the inline style and script.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">`,
    `<title>${escapeXml(input.title)}</title><style>${STYLE}</style></head><body>`,
    `<h1>${escapeXml(input.title)}</h1>`,
    `<ul class="facts"><li>window ${window}</li>${input.facts.map((f) => `<li>${escapeXml(f)}</li>`).join('')}</ul>`,
    '<h2>Pipeline</h2>',
    graphLegend(),
    '<div class="graphbox"><div class="zoom"><button data-zoom="in" title="zoom in">+</button><button data-zoom="out" title="zoom out">−</button><button data-zoom="fit" class="fit" title="fit the graph to the box (or double-click it)">fit</button></div>',
    `${renderGraphSvg(input.targets, input.edges)}</div>`,
    '<p class="legend"><small>Scroll to zoom, drag to pan, double-click to fit.</small></p>',
    '<h2>Coverage by date</h2>',
    heatmapLegend(),
    unknownCalendar ? '<p><small>Some expected dates were not known to this report: every date of the window that is not missing is shown as present.</small></p>' : '',
    `<div class="scroll">${renderHeatmapSvg(input.targets, input.window)}</div>`,
    '<h2>Targets</h2>',
    '<table id="targets"><thead><tr><th>Target</th><th>Group</th><th>State</th><th>Coverage</th><th>Present</th><th>Missing ranges</th><th>Note</th></tr></thead><tbody>',
    ...input.targets.map(summaryRow),
    '</tbody></table>',
    ...htmlChecks(input.targets),
    ...(input.changes ? htmlChanges(input.changes) : []),
    ...(input.signOff ? htmlSignOff() : []),
    '<div id="tip"></div>',
    `<script>${SCRIPT}</script>`,
    '</body></html>',
    '',
  ].join('\n');
}
