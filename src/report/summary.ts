/** The end-of-run summary: per target what was built, coverage before → after, checks, time, and what was skipped and why. */
import pc from 'picocolors';
import { plainTable, renderTable } from './plain-table.js';
import type { RunEvent } from '../executor/events.js';
import { formatDuration, formatPercent } from './format.js';
import { describeFailure } from './failure-text.js';

type Finished = Extract<RunEvent, { type: 'run-finished' }>;

function statusWord(status: string): string {
  switch (status) {
    case 'done':
      return pc.green('built');
    case 'failed':
      return pc.red('FAILED');
    case 'skipped':
      return pc.yellow('skipped');
    default:
      return pc.yellow('not finished');
  }
}

/** Renders the summary of a finished run; empty for a run with nothing to do (its start already said so). */
export function renderSummary(event: Finished): string {
  if (event.outcomes.length === 0) return '';
  const table = plainTable(['TARGET', 'RESULT', 'RANGES', 'DATES', 'COVERAGE', 'CHECKS', 'TIME', 'NOTE']);
  for (const o of event.outcomes) {
    const before = o.before ? formatPercent(o.before.coverage) : '?';
    const after = o.after ? formatPercent(o.after.coverage) : '-';
    const checks = o.after?.checks ?? o.before?.checks ?? [];
    table.push([
      o.target,
      statusWord(o.status),
      `${o.batchesDone}/${o.batches}`,
      String(o.daysHandedOver),
      `${before} → ${after}`,
      checks.length === 0 ? pc.dim('-') : checks.map((c) => `${c.passed ? pc.green('✓') : pc.red('✗')} ${c.name}${c.value !== null ? `=${+c.value.toFixed(4)}` : ''}`).join(' '),
      o.durationMs !== undefined ? formatDuration(o.durationMs) : '-',
      o.status === 'done' ? '' : describeFailure(o.failure) ?? '',
    ]);
  }
  const failed = event.outcomes.filter((o) => o.status === 'failed').length;
  const skipped = event.outcomes.filter((o) => o.status === 'skipped').length;
  const built = event.outcomes.filter((o) => o.status === 'done').length;
  const verdict = event.interrupted
    ? pc.yellow(`Interrupted after ${formatDuration(event.durationMs)}`)
    : event.ok
      ? pc.green(`✓ Built ${built} target${built === 1 ? '' : 's'} in ${formatDuration(event.durationMs)}`)
      : pc.red(`✗ ${failed} failed, ${skipped} skipped, ${built} built in ${formatDuration(event.durationMs)}`);
  return `${renderTable(table)}\n\n${verdict}\n`;
}
