/**
 * Live progress on a terminal: one line per running target (group, range, dates done /
 * total, elapsed, ETA) under an overall `[done/total]` line, redrawn in place by
 * log-update; finished targets, failures and notes scroll above it as plain lines.
 */
import { createLogUpdate } from 'log-update';
import pc from 'picocolors';
import { formatRange } from '../intervals/interval.js';
import type { RunEvent } from '../executor/events.js';
import type { Estimate, Pace } from './eta.js';
import { formatDuration, formatPercent } from './format.js';
import { ProgressState, type TargetProgress } from './progress-state.js';
import type { Reporter } from '../executor/reporter.js';
import { renderSummary } from './summary.js';
import { describeFailure } from './failure-text.js';

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const REDRAW_MS = 250;
const NAME_WIDTH = 30;

/** Options of the progress view. */
export interface ProgressOptions {
  /** The terminal. */
  readonly stream: NodeJS.WriteStream;
  /** Per-target pace from earlier runs, for the first ETAs. */
  readonly history?: ReadonlyMap<string, Pace>;
  /** Milliseconds clock (tests). */
  readonly now?: () => number;
}

/** "ETA 12s", "ETA ?" with no pace yet, and "overdue 5s" once the work runs past its estimate. */
export function etaText(estimate: Estimate | undefined): string {
  if (estimate === undefined) return pc.dim('ETA ?');
  return estimate.kind === 'left' ? `ETA ${formatDuration(estimate.ms)}` : pc.yellow(`overdue ${formatDuration(estimate.ms)}`);
}

/** Draws the live view; falls back to nothing fancy: the final summary is the same as the plain reporter's. */
export class ProgressReporter implements Reporter {
  readonly #stream: NodeJS.WriteStream;
  readonly #log: ReturnType<typeof createLogUpdate>;
  readonly #state: ProgressState;
  readonly #now: () => number;
  #timer: NodeJS.Timeout | undefined;
  #frame = 0;

  constructor(options: ProgressOptions) {
    this.#stream = options.stream;
    this.#log = createLogUpdate(options.stream);
    this.#state = new ProgressState(options.history);
    this.#now = options.now ?? (() => Date.now());
  }

  handle(event: RunEvent): void {
    this.#state.apply(event, this.#now());
    switch (event.type) {
      case 'run-started': {
        const steps = event.plan.steps.length;
        this.#above(steps === 0 ? 'Nothing to do: every selected target is fresh.' : `${pc.bold(`run ${event.runId}`)}: ${steps} target${steps === 1 ? '' : 's'} to build, -j ${event.jobs}`);
        if (steps > 0) this.#timer = setInterval(() => this.#draw(), REDRAW_MS).unref();
        break;
      }
      case 'range-finished':
        if (!event.ok) {
          const lines = [`${pc.red('✗')} ${event.target} ${formatRange(event.batch)}: ${event.error}`];
          if (event.tail) lines.push(...event.tail.split('\n').map((l) => `    ${pc.dim('│')} ${l}`));
          if (event.logFile) lines.push(`    ${pc.dim(`full log: ${event.logFile}`)}`);
          this.#above(lines.join('\n'));
        }
        break;
      case 'range-retrying':
        this.#above(`${pc.yellow('↻')} ${event.target} range ${event.index + 1}: retrying in ${formatDuration(event.delayMs)} (attempt ${event.attempt}) after: ${event.error}`);
        break;
      case 'gate-finished':
        this.#above(this.#finishedLine(event));
        break;
      case 'target-skipped':
        this.#above(`${pc.yellow('-')} ${event.target} skipped: ${describeFailure(event.failure)}`);
        break;
      case 'info':
        this.#above(pc.dim(event.message));
        break;
      case 'warning':
        this.#above(`${pc.yellow('warning:')} ${event.message}`);
        break;
      case 'run-finished':
        this.#stop();
        if (event.outcomes.length > 0) this.#stream.write('\n' + renderSummary(event));
        return;
      case 'range-started':
        break;
    }
    this.#draw();
  }

  close(): void {
    this.#stop();
  }

  #stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#log.clear();
  }

  /** Prints lines above the live block (which is then redrawn below them). */
  #above(text: string): void {
    this.#log.clear();
    this.#stream.write(text + '\n');
  }

  #finishedLine(event: Extract<RunEvent, { type: 'gate-finished' }>): string {
    const t = this.#state.targets.get(event.target);
    const took = t?.startedAt !== undefined ? ` · ${formatDuration(this.#now() - t.startedAt)}` : '';
    const built = t ? ` · ${t.doneDates} date${t.doneDates === 1 ? '' : 's'} in ${t.doneRanges} range${t.doneRanges === 1 ? '' : 's'}` : '';
    const coverage = `${event.before ? formatPercent(event.before.coverage) : '?'} → ${formatPercent(event.after.coverage)}`;
    if (event.ok) return `${pc.green('✓')} ${pc.bold(event.target)}  ${coverage}${built}${took}`;
    return `${pc.red('✗')} ${pc.bold(event.target)}  ${coverage}${built}${took}  ${pc.red('failed its gate')}: ${event.message}`;
  }

  #targetLine(t: TargetProgress, now: number, spinner: string): string {
    const ranges = [...t.running.values()].sort((a, b) => a.batch.first - b.batch.first);
    const first = ranges[0];
    if (!first) {
      // queued for exclusive access: not running, and not counted as running anywhere
      const waiting = [...t.waiting.values()].sort((a, b) => a.batch.first - b.batch.first)[0]!;
      const label = t.name.length > NAME_WIDTH ? `${t.name.slice(0, NAME_WIDTH - 1)}…` : t.name.padEnd(NAME_WIDTH);
      return `${pc.dim('…')} ${label} ${pc.dim(`[${t.group ?? '-'}]`)} ${formatRange(waiting.batch)}  ${pc.yellow(`waiting for ${waiting.for}`)}`;
    }
    const more = ranges.length > 1 ? pc.dim(` +${ranges.length - 1}`) : '';
    const retry = first.attempt > 1 ? pc.yellow(` (attempt ${first.attempt})`) : '';
    const name = t.name.length > NAME_WIDTH ? `${t.name.slice(0, NAME_WIDTH - 1)}…` : t.name.padEnd(NAME_WIDTH);
    const group = pc.dim(`[${t.group ?? '-'}]`);
    const elapsed = formatDuration(now - (t.startedAt ?? now));
    return `${pc.cyan(spinner)} ${name} ${group} ${formatRange(first.batch)}${more}${retry}  ${t.doneDates}/${t.totalDates} dates  ${elapsed}  ${etaText(this.#state.targetEstimate(t, now))}`;
  }

  #draw(): void {
    if (!this.#timer) return;
    const now = this.#now();
    const spinner = FRAMES[this.#frame++ % FRAMES.length]!;
    const lines = this.#state.active().map((t) => this.#targetLine(t, now, spinner));
    const o = this.#state.overall(now);
    lines.push(
      `${pc.bold(`[${o.doneRanges}/${o.totalRanges}]`)} ranges · ${o.doneDates}/${o.totalDates} dates · ${o.running} running · elapsed ${formatDuration(o.elapsedMs)} · ${etaText(o.estimate)}`,
    );
    this.#log(lines.join('\n'));
  }
}
