/** The `--status` table for people: coverage bars, counts, state and the first reason, coloured on a terminal. */
import pc from 'picocolors';
import { plainTable, renderTable } from './plain-table.js';
import type { Freshness, FreshnessState } from '../freshness/assess.js';
import type { TargetGraph } from '../graph/build.js';
import { formatDay } from '../intervals/day.js';
import { formatRange } from '../intervals/interval.js';
import type { DayWindow } from '../intervals/interval.js';
import { formatPercent, formatThreshold } from './format.js';

const BAR_WIDTH = 10;

function bar(f: Freshness): string {
  const filled = Math.floor(f.coverage * BAR_WIDTH);
  const colour = f.coverage >= f.threshold ? pc.green : f.coverage > 0 ? pc.yellow : pc.red;
  return colour('█'.repeat(filled)) + pc.dim('░'.repeat(BAR_WIDTH - filled));
}

function state(s: FreshnessState): string {
  switch (s) {
    case 'fresh':
      return pc.green('fresh');
    case 'stale':
      return pc.yellow('stale');
    case 'blocked':
      return pc.red('blocked');
  }
}

/** How many missing ranges a row names before it counts the rest. */
const RANGES_SHOWN = 3;

/** "2024-01-03..2024-01-05, 2024-02-01 (+2 more)": the missing dates, which a reader acts on. */
function missingText(f: Freshness): string {
  const shown = f.missingRanges.slice(0, RANGES_SHOWN).map(formatRange).join(', ');
  const rest = f.missingRanges.length - RANGES_SHOWN;
  return rest > 0 ? `${shown} (+${rest} more)` : shown;
}

/** The first reason; the missing dates named when that reason is about them, or when there is none. */
function reason(f: Freshness): string {
  const first = f.reasons[0];
  if (f.missing.length === 0 || !f.exists) return first ?? (f.warnings[0] ? pc.dim(f.warnings[0]) : '');
  if (first === undefined) return pc.dim(`missing ${missingText(f)}`);
  return /expected dates missing/.test(first) ? `${first}: ${missingText(f)}` : first;
}

/** Renders the status table (targets in dependency order). */
export function renderStatusTable(graph: TargetGraph, window: DayWindow, rows: readonly Freshness[]): string {
  const table = plainTable(['TARGET', 'GROUP', 'COVERAGE', 'PRESENT', 'MISSING', 'STATE', 'REASON'], ['left', 'left', 'left', 'right', 'right', 'left', 'left']);
  for (const f of rows) {
    const target = graph.target(f.name);
    const name = target.source ? `${f.name} ${pc.dim('(source)')}` : f.name;
    const outdated = f.outdated.length > 0 ? pc.yellow(` +${f.outdated.length} outdated`) : '';
    table.push([
      name,
      target.group ?? pc.dim('-'),
      `${bar(f)} ${formatPercent(f.coverage).padStart(6)} ${pc.dim(`≥${formatThreshold(f.threshold)}`)}`,
      `${f.present}/${f.expected}`,
      `${f.missing.length}${outdated}`,
      state(f.state),
      reason(f),
    ]);
  }
  const counts = (['fresh', 'stale', 'blocked'] as const).map((s) => `${rows.filter((r) => r.state === s).length} ${s}`).join(', ');
  const header = `${pc.bold('dagrun status')}  window ${formatDay(window.first)} .. ${formatDay(window.last)}  ·  ${rows.length} targets: ${counts}`;
  return `${header}\n\n${renderTable(table)}\n`;
}
