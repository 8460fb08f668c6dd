/** `dagrun runs` for people and for tools: one line per recent run with its outcome. */
import pc from 'picocolors';
import { plainTable, renderTable } from './plain-table.js';
import { formatDuration } from './format.js';
import type { RunRecord } from './history.js';

/** The one word for how a run ended. */
export function runOutcome(run: RunRecord): 'ok' | 'failed' | 'interrupted' | 'running' | 'crashed' | 'unknown' {
  // a record written at the start and never finished: the run goes on, or died without a word
  if (run.finished === false) return run.pid !== undefined && processAlive(run.pid) ? 'running' : 'crashed';
  if (run.interrupted) return 'interrupted';
  if (run.ok === true) return 'ok';
  if (run.ok === false) return 'failed';
  return 'unknown';
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function coloured(outcome: ReturnType<typeof runOutcome>): string {
  switch (outcome) {
    case 'ok':
      return pc.green('ok');
    case 'failed':
      return pc.red('failed');
    case 'interrupted':
      return pc.yellow('interrupted');
    case 'running':
      return pc.cyan('running');
    case 'crashed':
      return pc.red('crashed');
    case 'unknown':
      return pc.dim('unknown');
  }
}

function counts(run: RunRecord): string {
  const by = (status: string) => run.outcomes.filter((o) => o.status === status).length;
  const parts = [`${by('done')} built`];
  if (by('failed') > 0) parts.push(pc.red(`${by('failed')} failed`));
  if (by('skipped') > 0) parts.push(pc.yellow(`${by('skipped')} skipped`));
  return run.outcomes.length === 0 ? pc.dim('nothing to do') : parts.join(', ');
}

/** The table of runs, newest first. */
export function renderRunList(runs: readonly RunRecord[]): string {
  if (runs.length === 0) return 'No runs yet. Runs are recorded under .dagrun/runs/ when dagrun builds.\n';
  const table = plainTable(['RUN', 'STARTED', 'TOOK', 'RESULT', 'TARGETS', 'COMMAND']);
  for (const run of runs) {
    table.push([
      run.runId,
      run.startedAt?.replace('T', ' ').slice(0, 19) ?? '?',
      run.durationMs !== undefined ? formatDuration(run.durationMs) : '?',
      coloured(runOutcome(run)),
      counts(run),
      run.commandLine ?? '',
    ]);
  }
  return `${renderTable(table)}\n`;
}

/** The runs as JSON (`dagrun runs --json`). */
export function runListJson(runs: readonly RunRecord[]): string {
  return JSON.stringify(
    {
      runs: runs.map((r) => ({
        runId: r.runId, startedAt: r.startedAt ?? null, durationMs: r.durationMs ?? null, outcome: runOutcome(r), commandLine: r.commandLine ?? null, dir: r.dir,
        targets: r.outcomes.map((o) => ({ target: o.target, status: o.status, ...(o.reason && { reason: o.reason }) })),
      })),
    },
    null,
    2,
  );
}
