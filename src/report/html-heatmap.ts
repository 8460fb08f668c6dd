/**
 * The coverage heat map of the HTML report: one block per target, weeks as columns and
 * weekdays as rows, each expected date a cell coloured present / missing / outdated, so
 * holes jump out. Days off the calendar are left empty. The page's script turns a cell's
 * position back into its date for the hover tip, which keeps each cell a few bytes.
 */
import { addDays, formatDay, type Day } from '../intervals/day.js';
import type { DayWindow } from '../intervals/interval.js';
import { formatPercent } from './format.js';
import type { HtmlTarget } from './html-data.js';
import { escapeXml } from './junit.js';

/** Pixels from one cell to the next (cells are 8px with a 2px gap; see the page CSS). */
export const CELL_STEP = 10;
const LABEL_WIDTH = 250;
const AXIS_HEIGHT = 16;
const BLOCK_GAP = 12;
const BLOCK_HEIGHT = 7 * CELL_STEP;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** The state of one cell. */
export type CellState =
  /** Expected and present. */
  | 'p'
  /** Expected and missing. */
  | 'm'
  /** Present but to be rebuilt (an upstream wrote it later, or the definition changed). */
  | 'o';

/** Monday on or before `day` (epoch day 0 was a Thursday). */
export function mondayOf(day: Day): Day {
  return addDays(day, -((day + 3) % 7));
}

/** The cells of one target: each expected day of the window with its state. */
export function cellsOf(target: HtmlTarget, window: DayWindow): Map<Day, CellState> {
  const cells = new Map<Day, CellState>();
  const inWindow = (d: Day) => d >= window.first && d <= window.last;
  if (target.expected) {
    for (const d of target.expected) if (inWindow(d)) cells.set(d, 'p');
  } else {
    // Unknown calendar: every day of the window that is not missing counts as present.
    for (let d = window.first; d <= window.last; d = addDays(d, 1)) cells.set(d, 'p');
  }
  for (const d of target.outdated) if (inWindow(d)) cells.set(d, 'o');
  for (const d of target.missing) if (inWindow(d)) cells.set(d, 'm');
  return cells;
}

function monthAxis(window: DayWindow, start: Day): string {
  const labels: string[] = [];
  let previous = '';
  let lastX = -Infinity;
  for (let week = start; week <= window.last; week = addDays(week, 7)) {
    const iso = formatDay(week < window.first ? window.first : week);
    const month = iso.slice(0, 7);
    if (month === previous) continue;
    previous = month;
    const m = Number(iso.slice(5, 7)) - 1;
    const text = m === 0 || labels.length === 0 ? `${MONTHS[m]} ${iso.slice(0, 4)}` : MONTHS[m]!;
    const x = LABEL_WIDTH + ((week - start) / 7) * CELL_STEP;
    // Skip a label that would run into the one before it (short windows, a year's first month).
    if (x - lastX < (labels.length > 0 && labels[labels.length - 1]!.includes(' 2') ? 56 : 30)) continue;
    labels.push(`<text x="${x}" y="11" class="axis">${text}</text>`);
    lastX = x;
  }
  return labels.join('');
}

function block(target: HtmlTarget, window: DayWindow, start: Day, weeks: number, y: number): string {
  const cells = [...cellsOf(target, window)].map(([day, state]) => {
    const offset = day - start;
    return `<rect x="${Math.floor(offset / 7) * CELL_STEP}" y="${(offset % 7) * CELL_STEP}" class="${state}"/>`;
  });
  const missing = target.missing.length;
  const summary = `${formatPercent(target.coverage)} · ${missing} missing${target.outdated.length > 0 ? ` · ${target.outdated.length} outdated` : ''}`;
  return [
    `<g class="block ${target.state}" id="hm-${escapeXml(target.name)}" transform="translate(0 ${y})">`,
    `<text x="0" y="14" class="label">${escapeXml(target.name)}</text>`,
    `<text x="0" y="30" class="sub">${escapeXml(summary)}</text>`,
    `<text x="0" y="46" class="sub state-${target.state}">${escapeXml(target.state)}</text>`,
    `<g class="cells" data-target="${escapeXml(target.name)}" data-start="${formatDay(start)}" transform="translate(${LABEL_WIDTH} 0)">`,
    `<rect class="bg" width="${weeks * CELL_STEP}" height="${BLOCK_HEIGHT}"/>`,
    ...cells,
    '</g></g>',
  ].join('');
}

/** Renders the heat map of all targets as one `<svg id="heatmap">` element. */
export function renderHeatmapSvg(targets: readonly HtmlTarget[], window: DayWindow): string {
  const start = mondayOf(window.first);
  const weeks = Math.floor((window.last - start) / 7) + 1;
  const width = LABEL_WIDTH + weeks * CELL_STEP + 40;
  const height = AXIS_HEIGHT + targets.length * (BLOCK_HEIGHT + BLOCK_GAP);
  const blocks = targets.map((t, i) => block(t, window, start, weeks, AXIS_HEIGHT + i * (BLOCK_HEIGHT + BLOCK_GAP)));
  return [
    `<svg id="heatmap" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="coverage heat map">`,
    monthAxis(window, start),
    ...blocks,
    '</svg>',
  ].join('\n');
}
