/**
 * The Markdown run report (`.dagrun/runs/<id>/report.md`, `--report FILE`): the "validation
 * results" write-up people used to do by hand — window, coverage before → after, ranges,
 * checks with their values, failures with the tail of their logs, durations, the command.
 */
import type { CheckResult } from '../freshness/assess.js';
import type { TargetGraph } from '../graph/build.js';
import { formatDay } from '../intervals/day.js';
import { formatRange } from '../intervals/interval.js';
import type { TargetOutcome } from '../executor/events.js';
import { formatBytes, formatDuration, formatPercent, formatThreshold } from './format.js';
import { billedOf, outcomeChecks, rangesOf, type RunModel } from './run-model.js';
import { documentTargets } from './status-document.js';
import { changesSection, checksTable as stateChecks, coverageTable, datesSection, signOffBlock } from './status-markdown.js';
import { describeFailure } from './failure-text.js';

const MAX_RANGES_LISTED = 50;

/** Escapes text for a Markdown table cell. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** The word for an outcome, with an emoji so the column scans at a glance. */
export function outcomeWord(status: TargetOutcome['status']): string {
  switch (status) {
    case 'done':
      return '✅ built';
    case 'failed':
      return '❌ failed';
    case 'skipped':
      return '⏭️ skipped';
    case 'waiting':
    case 'resolving':
    case 'active':
    case 'gating':
      return '⏸️ not finished';
  }
}

function verdict(model: RunModel): string {
  if (model.interrupted) return '⏸️ **interrupted** — the next run picks up what is left';
  if (model.ok) return model.outcomes.length === 0 ? '✅ **nothing to do** — every selected target was fresh' : '✅ **success** — every built target passed its gate';
  const failed = model.outcomes.filter((o) => o.status === 'failed').length;
  const skipped = model.outcomes.filter((o) => o.status === 'skipped').length;
  return `❌ **failed** — ${failed} failed, ${skipped} skipped`;
}

function coverageCell(o: TargetOutcome): string {
  const before = o.before ? formatPercent(o.before.coverage) : '?';
  const after = o.after ? formatPercent(o.after.coverage) : '–';
  const present = o.after ?? o.before;
  return `${before} → ${after}${present ? ` (${present.present}/${present.expected})` : ''}`;
}

function targetsTable(model: RunModel, graph: TargetGraph): string[] {
  const lines = ['| Target | Group | Result | Coverage before → after | Threshold | Ranges | Dates | Time |', '|---|---|---|---|---|---|---|---|'];
  for (const o of model.outcomes) {
    const target = graph.has(o.target) ? graph.target(o.target) : undefined;
    const threshold = target ? formatThreshold(target.threshold) : '';
    lines.push(
      `| \`${o.target}\` | ${target?.group ?? ''} | ${outcomeWord(o.status)} | ${coverageCell(o)} | ${threshold} | ${o.batchesDone}/${o.batches} | ${o.daysHandedOver} | ${o.durationMs !== undefined ? formatDuration(o.durationMs) : '–'} |`,
    );
  }
  return lines;
}

function bounds(check: CheckResult): string {
  const parts = [check.min !== undefined ? `≥ ${check.min}` : '', check.max !== undefined ? `≤ ${check.max}` : ''].filter(Boolean);
  return parts.join(', ');
}

function checksTable(model: RunModel): string[] {
  const rows = model.outcomes.flatMap((o) => outcomeChecks(o).map((c) => ({ target: o.target, check: c })));
  if (rows.length === 0) return ['No checks ran.'];
  const lines = ['| Target | Check | Value | Bounds | Result |', '|---|---|---|---|---|'];
  for (const { target, check } of rows) {
    const value = check.error ? `error: ${cell(check.error)}` : check.value === null ? 'NULL' : String(+check.value.toFixed(6));
    lines.push(`| \`${target}\` | ${check.name} | ${value} | ${bounds(check)} | ${check.passed ? '✅ pass' : '❌ fail'} |`);
  }
  return lines;
}

/** The run's total bytes billed, when its warehouse said (BigQuery): one line, else none. */
function billedLine(model: RunModel): string[] {
  const billed = billedOf(model.ranges);
  return billed === undefined ? [] : [`- **Bytes billed:** ${formatBytes(billed)} (${billed} bytes)`];
}

function rangesSection(model: RunModel): string[] {
  const lines: string[] = [];
  for (const o of model.outcomes) {
    const ranges = rangesOf(model, o.target);
    if (ranges.length === 0) continue;
    const peak = model.peakParallel.get(o.target) ?? 1;
    const billed = billedOf(ranges);
    const total = billed === undefined ? '' : `, bytes billed: ${formatBytes(billed)}`;
    lines.push(`- \`${o.target}\`: ${ranges.length} range${ranges.length === 1 ? '' : 's'}${peak > 1 ? `, up to ${peak} at once` : ''}${total}`);
    for (const r of ranges.slice(0, MAX_RANGES_LISTED)) {
      const retried = r.attempts > 1 ? `, ${r.attempts} attempts` : '';
      const bill = r.bytesBilled === undefined ? '' : `, ${formatBytes(r.bytesBilled)} billed`;
      lines.push(`  - ${formatRange(r)} (${r.dates} date${r.dates === 1 ? '' : 's'}) ${r.ok ? 'ok' : '**failed**'} in ${formatDuration(r.durationMs)}${retried}${bill}`);
    }
    if (ranges.length > MAX_RANGES_LISTED) lines.push(`  - … ${ranges.length - MAX_RANGES_LISTED} more`);
  }
  return lines.length > 0 ? lines : ['No ranges ran.'];
}

function failuresSection(model: RunModel): string[] {
  const lines: string[] = [];
  for (const o of model.outcomes.filter((x) => x.status === 'failed' || x.status === 'skipped')) {
    lines.push(`### \`${o.target}\` — ${o.status}`, '', describeFailure(o.failure) ?? model.gates.get(o.target)?.message ?? 'no reason recorded', '');
    for (const r of rangesOf(model, o.target).filter((x) => !x.ok)) {
      lines.push(`Range ${formatRange(r)}: ${r.error ?? 'failed'}`, '');
      if (r.tail) lines.push('```text', r.tail, '```', '');
      if (r.logFile) lines.push(`Full log: \`${r.logFile}\``, '');
    }
  }
  return lines.length > 0 ? lines : ['None.', ''];
}

/**
 * A run with nothing to build reports the state it found, as `--status --report` does:
 * coverage, missing and outdated dates, checks — not only that nothing ran.
 */
function stateSection(model: RunModel, graph: TargetGraph): string[] {
  const measured = model.measured;
  if (!measured) return [];
  const rows = [...measured.freshness.values()].filter((f) => graph.has(f.name));
  const targets = documentTargets(graph, rows, measured.expected, undefined);
  return [
    '## State', '', `As measured at the start of the run, ${model.startedAt.toISOString().replace('T', ' ').slice(0, 19)} UTC.`, '',
    ...coverageTable(targets), '', '### Missing and outdated dates', '', ...datesSection(targets), '',
    '### Checks', '', ...stateChecks(targets), '',
    ...(model.changes ? ['### Changes since the last report', '', ...changesSection(model.changes), ''] : []),
    'Rows per date: `dagrun --status --report FILE`.', '',
    ...signOffBlock(), '',
  ];
}

/** Renders the Markdown report of a run. */
export function renderMarkdownReport(model: RunModel, graph: TargetGraph): string {
  if (model.outcomes.length === 0 && model.ok) return renderNothingToDo(model, graph);
  const window = `${formatDay(model.plan.window.first)} .. ${formatDay(model.plan.window.last)}`;
  const lines = [
    `# dagrun run ${model.runId}`,
    '',
    verdict(model),
    '',
    `- **Command:** \`${model.commandLine}\``,
    `- **Window:** ${window}`,
    `- **Started:** ${model.startedAt.toISOString()}`,
    `- **Duration:** ${formatDuration(model.durationMs)}`,
    `- **Concurrency:** -j ${model.jobs}`,
    ...billedLine(model),
    '',
    '## Targets',
    '',
    ...(model.outcomes.length > 0 ? targetsTable(model, graph) : ['Every selected target was fresh; nothing was built.']),
    '',
    '## Checks',
    '',
    ...checksTable(model),
    '',
    '## Ranges built',
    '',
    ...rangesSection(model),
    '',
    '## Failures',
    '',
    ...failuresSection(model),
  ];
  if (model.warnings.length > 0) lines.push('## Warnings', '', ...model.warnings.map((w) => `- ${w}`), '');
  return lines.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd() + '\n';
}

/** The report of a run that had nothing to build: the verdict, then the state it found. */
function renderNothingToDo(model: RunModel, graph: TargetGraph): string {
  const window = `${formatDay(model.plan.window.first)} .. ${formatDay(model.plan.window.last)}`;
  const lines = [
    `# dagrun run ${model.runId}`, '', verdict(model), '',
    `- **Command:** \`${model.commandLine}\``, `- **Window:** ${window}`, `- **Started:** ${model.startedAt.toISOString()}`, '',
    ...stateSection(model, graph),
  ];
  if (model.warnings.length > 0) lines.push('## Warnings', '', ...model.warnings.map((w) => `- ${w}`), '');
  return lines.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd() + '\n';
}
