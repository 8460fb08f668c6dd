/**
 * The validation document in Markdown (`dagrun --status --report FILE`): what a reviewer
 * signs instead of the hand-written write-up — header (window, when, where), per target
 * coverage against its threshold, the missing and outdated dates as ranges, every check
 * with its value and bounds (per-date checks: the failing dates), rows per date, what
 * changed since the last report, and a sign-off block.
 */
import type { CheckResult } from '../freshness/assess.js';
import { formatDay } from '../intervals/day.js';
import { dayRanges } from '../intervals/describe.js';
import { formatRange, type DayRange } from '../intervals/interval.js';
import { formatPercent, formatThreshold } from './format.js';
import { allFresh, outdatedRanges, summariseRows, type DocumentTarget, type StatusDocument } from './status-document.js';
import { isRegression, type StatusChanges } from './status-snapshot.js';

/** How many ranges a list names before it counts the rest. */
const RANGES_LISTED = 30;

/** Escapes text for a Markdown table cell. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** "2024-01-03..2024-01-05, 2024-02-01 … and 4 more ranges". */
export function rangeList(ranges: readonly DayRange[], limit = RANGES_LISTED): string {
  const named = ranges.slice(0, limit).map(formatRange).join(', ');
  const rest = ranges.length - limit;
  return rest > 0 ? `${named} … and ${rest} more range${rest === 1 ? '' : 's'}` : named;
}

function stateWord(t: DocumentTarget): string {
  switch (t.freshness.state) {
    case 'fresh':
      return '✅ fresh';
    case 'stale':
      return '⚠️ stale';
    case 'blocked':
      return '⛔ blocked';
  }
}

/** The coverage table: one row per target. */
export function coverageTable(targets: readonly DocumentTarget[]): string[] {
  const lines = ['| Target | Group | State | Present / expected | Coverage | Threshold | Missing | Outdated |', '|---|---|---|---:|---:|---:|---:|---:|'];
  for (const t of targets) {
    const f = t.freshness;
    const name = `\`${t.name}\`${t.source ? ' (source)' : ''}`;
    lines.push(`| ${name} | ${t.group ?? ''} | ${stateWord(t)} | ${f.present} / ${f.expected} | ${formatPercent(f.coverage)} | ${formatThreshold(f.threshold)} | ${f.missing.length} | ${f.outdated.length} |`);
  }
  return lines;
}

/** Per target with holes: the missing and outdated dates as ranges, and why it is not fresh. */
export function datesSection(targets: readonly DocumentTarget[]): string[] {
  const lines: string[] = [];
  for (const t of targets) {
    const f = t.freshness;
    if (f.missing.length === 0 && f.outdated.length === 0 && f.reasons.length === 0) continue;
    lines.push(`- \`${t.name}\` — ${stateWord(t)}`);
    if (f.missing.length > 0) lines.push(`  - missing ${f.missing.length}: ${rangeList(f.missingRanges)}`);
    if (f.outdated.length > 0) lines.push(`  - outdated ${f.outdated.length}: ${rangeList(outdatedRanges(t))}`);
    for (const reason of f.reasons) lines.push(`  - ${reason}`);
  }
  return lines.length > 0 ? lines : ['Every expected date of every target is present and up to date.'];
}

/** A check's bounds, "≥ 0.95", "≤ 10", "≥ 1, ≤ 3". */
export function checkBounds(check: CheckResult): string {
  return [check.min !== undefined ? `≥ ${check.min}` : '', check.max !== undefined ? `≤ ${check.max}` : ''].filter(Boolean).join(', ');
}

/** A check's value as a reviewer reads it: per-date checks give their worst value. */
export function checkValue(check: CheckResult): string {
  if (check.error) return `error: ${check.error}`;
  const value = check.value === null ? 'NULL' : String(+check.value.toFixed(6));
  return check.failingDays !== undefined ? `worst ${value} over ${check.datesJudged} dates` : value;
}

/** The checks table: every check of every target. */
export function checksTable(targets: readonly DocumentTarget[]): string[] {
  const rows = targets.flatMap((t) => t.freshness.checks.map((c) => ({ t, c })));
  if (rows.length === 0) return ['No target has checks.'];
  const lines = ['| Target | Check | Value | Bounds | Result | Failing dates |', '|---|---|---|---|---|---|'];
  for (const { t, c } of rows) {
    const failing = c.failingDays && c.failingDays.length > 0 ? `${c.failingDays.length}: ${rangeList(dayRanges(c.failingDays, t.expected), 10)}` : '';
    lines.push(`| \`${t.name}\` | ${cell(c.name)} | ${cell(checkValue(c))} | ${checkBounds(c)} | ${c.passed ? '✅ pass' : '❌ fail'} | ${cell(failing)} |`);
  }
  return lines;
}

const count = (n: number) => n.toLocaleString('en-US');

/** Rows per date per target: total, spread, and dates with under a tenth of the median. */
export function rowsTable(doc: StatusDocument): string[] {
  if (doc.rowsNote) return [doc.rowsNote];
  const lines = ['| Target | Dates | Rows | Min | Median | Max | Under 10% of the median |', '|---|---:|---:|---|---:|---|---|'];
  const notes: string[] = [];
  for (const t of doc.targets) {
    if (!t.rows) continue;
    if (t.rows.kind === 'skipped') {
      notes.push(`- \`${t.name}\`: ${t.rows.why}`);
      continue;
    }
    const s = summariseRows(t.rows.days, t.rows.counts);
    if (!s) {
      lines.push(`| \`${t.name}\` | 0 | 0 | | | | |`);
      continue;
    }
    const low = s.low.length > 0 ? `${s.low.length}: ${rangeList(dayRanges(s.low, t.expected), 10)}` : '';
    lines.push(`| \`${t.name}\` | ${count(s.dates)} | ${count(s.total)} | ${count(s.min)} (${formatDay(s.minDay)}) | ${count(s.median)} | ${count(s.max)} (${formatDay(s.maxDay)}) | ${low} |`);
  }
  return [...lines, ...(notes.length > 0 ? ['', ...notes] : [])];
}

/** What changed since the last report, regressions first. */
export function changesSection(changes: StatusChanges): string[] {
  if (changes.since === undefined) return ['No earlier report on this machine: this one is the baseline the next report compares with.'];
  const lines = [`Compared with the report of ${changes.since.replace('T', ' ').slice(0, 16)} UTC.`, ''];
  const ordered = [...changes.targets].sort((a, b) => Number(isRegression(b)) - Number(isRegression(a)));
  for (const c of ordered) {
    const parts: string[] = [];
    if (c.disappearedCount > 0) parts.push(`**${c.disappearedCount} date${c.disappearedCount === 1 ? '' : 's'} disappeared**: ${rangeList(c.disappeared, 10)}`);
    if (c.coverageNow < c.coverageBefore - 1e-9) parts.push(`**coverage went down** ${formatPercent(c.coverageBefore)} → ${formatPercent(c.coverageNow)}`);
    else if (c.coverageNow > c.coverageBefore) parts.push(`coverage ${formatPercent(c.coverageBefore)} → ${formatPercent(c.coverageNow)}`);
    if (c.appeared > 0) parts.push(`${c.appeared} date${c.appeared === 1 ? '' : 's'} added`);
    for (const b of c.checksBroken) parts.push(`**check ${b.name} now fails** (${b.before ?? 'NULL'} → ${b.now ?? 'NULL'})`);
    for (const name of c.checksFixed) parts.push(`check ${name} passes again`);
    lines.push(`- ${isRegression(c) ? '⚠️' : '✅'} \`${c.target}\`: ${parts.join('; ')}`);
  }
  for (const name of changes.added) lines.push(`- \`${name}\`: not in the last report`);
  if (changes.targets.length === 0 && changes.added.length === 0) lines.push('Nothing changed: the same dates are present and every check gives the same verdict.');
  return lines;
}

/** The block a reviewer fills in. */
export function signOffBlock(): string[] {
  return [
    '## Sign-off',
    '',
    '- **Reviewer:** ______________________________',
    '- **Date:** ______________',
    '- **Verdict:** ☐ accepted  ☐ accepted with notes  ☐ rejected',
    '- **Notes:**',
  ];
}

/** Renders the whole validation document. */
export function renderStatusMarkdown(doc: StatusDocument): string {
  const fresh = doc.targets.filter((t) => t.freshness.state === 'fresh').length;
  const regressions = doc.changes?.targets.filter(isRegression).length ?? 0;
  const verdict = allFresh(doc)
    ? `✅ **all ${doc.targets.length} targets fresh**`
    : `❌ **${doc.targets.length - fresh} of ${doc.targets.length} targets not fresh**`;
  const lines = [
    '# dagrun validation document',
    '',
    verdict + (regressions > 0 ? ` — ⚠️ ${regressions} target${regressions === 1 ? '' : 's'} lost ground since the last report` : ''),
    '',
    `- **Window:** ${formatDay(doc.window.first)} .. ${formatDay(doc.window.last)}`,
    `- **Measured:** ${doc.measuredAt.replace('T', ' ').slice(0, 19)} UTC`,
    `- **Warehouse:** ${doc.where}`,
    `- **Pipeline:** \`${doc.pipeline}\``,
    ...(doc.commandLine ? [`- **Command:** \`${doc.commandLine}\``] : []),
    '',
    '## Coverage',
    '',
    ...coverageTable(doc.targets),
    '',
    '## Missing and outdated dates',
    '',
    ...datesSection(doc.targets),
    '',
    '## Checks',
    '',
    ...checksTable(doc.targets),
    '',
    '## Rows per date',
    '',
    ...rowsTable(doc),
    '',
    ...(doc.changes ? ['## Changes since the last report', '', ...changesSection(doc.changes), ''] : []),
    ...signOffBlock(),
  ];
  return lines.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd() + '\n';
}
