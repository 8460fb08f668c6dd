/**
 * `dagrun runs` for people and for tools: one line per recent run with its outcome and its
 * wall time (the whole process, measuring included, not only the build), targets left
 * partly built by an interrupted run named with their ranges, and consecutive runs that had
 * nothing to do folded into one line.
 */
import pc from 'picocolors';
import { processAlive } from '../core/process.js';
import { plainTable, renderTable } from './plain-table.js';
import { formatDuration } from './format.js';
import type { FoundRunRecord, RunRecord } from '../state/run-record.js';

/** The one word for how a run ended. */
export function runOutcome(run: RunRecord): 'ok' | 'failed' | 'interrupted' | 'running' | 'crashed' | 'unknown' {
  // a record written at the start and never finished: the run goes on, or died without a word
  if (run.finished === false) return run.pid !== undefined && processAlive(run.pid) ? 'running' : 'crashed';
  if (run.interrupted) return 'interrupted';
  if (run.ok === true) return 'ok';
  if (run.ok === false) return 'failed';
  return 'unknown';
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

/**
 * How long a run took on the wall: `wallMs` when the record has it; else from its start to
 * `endedAtFallback` (the record file's last write), when that is plausible; else the build
 * alone (`durationMs`), which leaves out start-up and measuring.
 */
export function wallTime(run: RunRecord, endedAtFallback?: number): number | undefined {
  if (run.wallMs !== undefined) return run.wallMs;
  const started = run.startedAt !== undefined ? Date.parse(run.startedAt) : NaN;
  if (run.finished !== false && endedAtFallback !== undefined && !Number.isNaN(started)) {
    const ms = endedAtFallback - started;
    if (ms >= (run.durationMs ?? 0) && ms < 7 * 86_400_000) return ms;
  }
  return run.durationMs;
}

/** "u: 4 of 10 ranges" for a target the run left part-built; undefined for one it finished, failed or skipped. */
function partlyBuilt(o: RunRecord['outcomes'][number]): string | undefined {
  if (o.status === 'done' || o.status === 'failed' || o.status === 'skipped') return undefined;
  if (o.batches !== undefined && o.batchesDone !== undefined && o.batches > 0 && o.batchesDone === o.batches) return `${o.target}: built, not measured`;
  return `${o.target}: ${o.batchesDone ?? 0} of ${o.batches ?? '?'} ranges`;
}

/** The TARGETS cell: built, partly built (named), failed, skipped (not started, when interrupted). */
export function counts(run: RunRecord): string {
  if (run.outcomes.length === 0) return pc.dim('nothing to do');
  const by = (status: string) => run.outcomes.filter((o) => o.status === status).length;
  const parts = [`${by('done')} built`];
  const partial = run.outcomes.map(partlyBuilt).filter((p): p is string => p !== undefined);
  if (partial.length > 0) parts.push(pc.yellow(partial.join(', ')));
  if (by('failed') > 0) parts.push(pc.red(`${by('failed')} failed`));
  if (by('skipped') > 0) parts.push(pc.yellow(`${by('skipped')} ${run.interrupted ? 'not started' : 'skipped'}`));
  return parts.join(', ');
}

/** A run that had nothing to build and ended well: the kind that repeats (cron, --watch). */
function isNoOp(run: RunRecord): boolean {
  return run.outcomes.length === 0 && runOutcome(run) === 'ok';
}

/** Runs in order, consecutive no-op runs (two or more) gathered into one group. */
export function groupNoOps<T extends RunRecord>(runs: readonly T[]): (T | readonly T[])[] {
  const out: (T | T[])[] = [];
  for (const run of runs) {
    const last = out[out.length - 1];
    if (isNoOp(run) && Array.isArray(last)) last.push(run);
    else if (isNoOp(run) && last !== undefined && !Array.isArray(last) && isNoOp(last)) out[out.length - 1] = [last, run];
    else out.push(run);
  }
  return out;
}

const startText = (run: RunRecord) => run.startedAt?.replace('T', ' ').slice(0, 19) ?? '?';
const took = (ms: number | undefined) => (ms !== undefined ? formatDuration(ms) : '?');

/** The TOOK cell: the wall time, or for a run still going how long it has been going (at `now`). */
function tookCell(run: FoundRunRecord, ends: (run: FoundRunRecord) => number | undefined, now: number | undefined): string {
  const started = run.startedAt !== undefined ? Date.parse(run.startedAt) : NaN;
  if (runOutcome(run) === 'running' && now !== undefined && !Number.isNaN(started) && now >= started) return `${took(now - started)} so far`;
  return took(wallTime(run, ends(run)));
}

/**
 * The table of runs, newest first; `ends` gives the fallback end time of a record (see
 * `wallTime`), `now` the clock for runs still going.
 */
export function renderRunList(runs: readonly FoundRunRecord[], ends: (run: FoundRunRecord) => number | undefined = () => undefined, now?: number): string {
  if (runs.length === 0) return 'No runs yet. Runs are recorded under .dagrun/runs/ when dagrun builds.\n';
  const table = plainTable(['RUN', 'STARTED', 'TOOK', 'RESULT', 'TARGETS', 'COMMAND']);
  for (const entry of groupNoOps(runs)) {
    if (Array.isArray(entry)) {
      const group = entry as readonly FoundRunRecord[];
      const times = group.map((r) => wallTime(r, ends(r))).filter((t): t is number => t !== undefined);
      const span = times.length === 0 ? '?' : `${took(Math.min(...times))}–${took(Math.max(...times))} each`;
      const newest = group[0]!;
      table.push([`… ${group.length} no-op runs`, `${startText(group[group.length - 1]!)} … ${startText(newest)}`, span, coloured('ok'), pc.dim('nothing to do'), newest.commandLine ?? '']);
      continue;
    }
    const run = entry as FoundRunRecord;
    table.push([run.runId, startText(run), tookCell(run, ends, now), coloured(runOutcome(run)), counts(run), run.commandLine ?? '']);
  }
  return `${renderTable(table)}\n`;
}

/** The runs as JSON (`dagrun runs --json`). */
export function runListJson(runs: readonly FoundRunRecord[], ends: (run: FoundRunRecord) => number | undefined = () => undefined): string {
  return JSON.stringify(
    {
      runs: runs.map((r) => ({
        runId: r.runId, startedAt: r.startedAt ?? null, endedAt: r.endedAt ?? null, wallMs: wallTime(r, ends(r)) ?? null, durationMs: r.durationMs ?? null,
        outcome: runOutcome(r), commandLine: r.commandLine ?? null, dir: r.dir,
        targets: r.outcomes.map((o) => ({
          target: o.target, status: o.status, ...(o.reason && { reason: o.reason }),
          ...(o.batches !== undefined && { ranges: o.batches, rangesBuilt: o.batchesDone ?? 0 }),
        })),
      })),
    },
    null,
    2,
  );
}
