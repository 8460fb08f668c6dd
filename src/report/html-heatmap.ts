/**
 * The coverage heat map of the HTML report: one block per target, its name and summary on
 * top, then its dates in lines of whole months (weeks as columns, weekdays as rows, each
 * expected date a cell coloured present / missing / outdated), so that a long window — the
 * demo's 848 game dates over four years — wraps into a few lines that fit the page instead
 * of one strip that scrolls sideways. Every target wraps at the same months, so blocks line
 * up. Days off the calendar are left empty. The page's script turns a cell's position back
 * into its date for the hover tip, which keeps each cell a few bytes.
 */
import { addDays, dayOf, formatDay, type Day } from '../intervals/day.js';
import type { DayWindow } from '../intervals/interval.js';
import { formatPercent } from './format.js';
import type { HtmlTarget } from './html-data.js';
import { escapeXml } from './junit.js';

/** Pixels from one cell to the next (cells are 8px with a 2px gap; see the page CSS). */
export const CELL_STEP = 10;
/** The widest a line of weeks may be: the page's content width at 1400 px, less margins. */
export const MAX_LINE_WIDTH = 1260;
const HEADER_HEIGHT = 22;
const AXIS_HEIGHT = 14;
const LINE_GAP = 6;
const BLOCK_GAP = 16;
const WEEK_HEIGHT = 7 * CELL_STEP;
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

/** One line of the heat map: whole months, from `first` to `last` (clipped to the window). */
export interface HeatLine {
  readonly first: Day;
  readonly last: Day;
  /** Monday of the line's first week: where its column 0 starts. */
  readonly start: Day;
  readonly weeks: number;
}

/** First day of the month after `day`'s. */
function nextMonth(day: Day): Day {
  const iso = formatDay(day);
  const [y, m] = [Number(iso.slice(0, 4)), Number(iso.slice(5, 7))];
  return dayOf(m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`);
}

/** The window's months as [first, last] day pairs, clipped to the window. */
function monthsOf(window: DayWindow): [Day, Day][] {
  const months: [Day, Day][] = [];
  for (let first = window.first; first <= window.last; ) {
    const next = nextMonth(first);
    months.push([first, Math.min(window.last, addDays(next, -1)) as Day]);
    first = next;
  }
  return months;
}

const weeksOf = (first: Day, last: Day) => Math.floor((last - mondayOf(first)) / 7) + 1;

/**
 * Cuts the window into lines of whole months, as few as keep each line within
 * `maxWidth`, the months shared out evenly so the lines are about as long.
 */
export function heatLines(window: DayWindow, maxWidth = MAX_LINE_WIDTH): HeatLine[] {
  const months = monthsOf(window);
  const perLine = Math.max(1, Math.floor(maxWidth / CELL_STEP / 4.43) - 1); // 4.43 weeks a month, one more for a ragged start
  const count = Math.max(1, Math.ceil(months.length / perLine));
  const size = Math.ceil(months.length / count);
  const lines: HeatLine[] = [];
  for (let i = 0; i < months.length; i += size) {
    const chunk = months.slice(i, i + size);
    const [first, last] = [chunk[0]![0], chunk[chunk.length - 1]![1]];
    lines.push({ first, last, start: mondayOf(first), weeks: weeksOf(first, last) });
  }
  return lines;
}

/** Month labels over one line, at the week column where each month starts. */
function monthAxis(line: HeatLine): string {
  const labels: string[] = [];
  let lastX = -Infinity;
  for (let first = line.first; first <= line.last; first = nextMonth(first)) {
    const iso = formatDay(first);
    const m = Number(iso.slice(5, 7)) - 1;
    const text = m === 0 || labels.length === 0 ? `${MONTHS[m]} ${iso.slice(0, 4)}` : MONTHS[m]!;
    const x = Math.floor((first - line.start) / 7) * CELL_STEP;
    if (x - lastX < (labels.length > 0 && labels[labels.length - 1]!.includes(' 2') ? 56 : 28)) continue;
    labels.push(`<text x="${x}" y="10" class="axis">${text}</text>`);
    lastX = x;
  }
  return labels.join('');
}

/** Height of one target's block. */
function blockHeight(lines: readonly HeatLine[]): number {
  return HEADER_HEIGHT + lines.length * (AXIS_HEIGHT + WEEK_HEIGHT + LINE_GAP) - LINE_GAP;
}

function lineCells(line: HeatLine, cells: ReadonlyMap<Day, CellState>): string[] {
  const out: string[] = [];
  for (const [day, state] of cells) {
    if (day < line.first || day > line.last) continue;
    const offset = day - line.start;
    out.push(`<rect x="${Math.floor(offset / 7) * CELL_STEP}" y="${(offset % 7) * CELL_STEP}" class="${state}"/>`);
  }
  return out;
}

function block(target: HtmlTarget, window: DayWindow, lines: readonly HeatLine[], y: number): string {
  const cells = cellsOf(target, window);
  const summary = `${formatPercent(target.coverage)} · ${target.missing.length} missing${target.outdated.length > 0 ? ` · ${target.outdated.length} outdated` : ''} · ${target.state}`;
  const parts = [
    `<g class="block ${target.state}" id="hm-${escapeXml(target.name)}" transform="translate(0 ${y})">`,
    `<text x="0" y="14" class="label">${escapeXml(target.name)}</text>`,
    `<text x="${Math.min(420, Math.round(target.name.length * 8.6) + 18)}" y="14" class="sub state-${target.state}">${escapeXml(summary)}</text>`,
  ];
  lines.forEach((line, i) => {
    const top = HEADER_HEIGHT + i * (AXIS_HEIGHT + WEEK_HEIGHT + LINE_GAP);
    parts.push(
      `<g transform="translate(0 ${top})">${monthAxis(line)}</g>`,
      `<g class="cells" data-target="${escapeXml(target.name)}" data-start="${formatDay(line.start)}" transform="translate(0 ${top + AXIS_HEIGHT})">`,
      `<rect class="bg" width="${line.weeks * CELL_STEP}" height="${WEEK_HEIGHT}"/>`,
      ...lineCells(line, cells),
      '</g>',
    );
  });
  parts.push('</g>');
  return parts.join('');
}

/**
 * Renders the heat map of all targets as one `<svg id="heatmap">` element. It scales down
 * with the page (width 100%, at most its own width), so it never needs a sideways scroll.
 */
export function renderHeatmapSvg(targets: readonly HtmlTarget[], window: DayWindow): string {
  const lines = heatLines(window);
  const width = Math.max(...lines.map((l) => l.weeks * CELL_STEP), 360) + 44; // room for the last month's label
  const step = blockHeight(lines) + BLOCK_GAP;
  const height = Math.max(1, targets.length * step - BLOCK_GAP);
  return [
    `<svg id="heatmap" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" style="width:100%;max-width:${width}px;height:auto" role="img" aria-label="coverage heat map">`,
    ...targets.map((t, i) => block(t, window, lines, i * step)),
    '</svg>',
  ].join('\n');
}
