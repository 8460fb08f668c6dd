/**
 * Plain build output: one timestamped line per event, no control codes, so logs in CI read
 * well; failures show the tail of the command's output and where the full log is.
 */
import pc from 'picocolors';
import { formatRange } from '../intervals/interval.js';
import type { RunEvent } from '../executor/events.js';
import { formatDuration } from './format.js';
import type { Reporter } from '../executor/reporter.js';
import { renderSummary } from './summary.js';
import { describeFailure } from './failure-text.js';

/** Writes human lines to a stream. */
export class TextReporter implements Reporter {
  readonly #write: (text: string) => void;
  readonly #clock: () => Date;

  constructor(write: (text: string) => void, clock: () => Date = () => new Date()) {
    this.#write = write;
    this.#clock = clock;
  }

  #line(text: string): void {
    const time = this.#clock().toISOString().slice(11, 19);
    this.#write(`${pc.dim(time)} ${text}\n`);
  }

  handle(event: RunEvent): void {
    switch (event.type) {
      case 'run-started': {
        const steps = event.plan.steps.length;
        this.#line(steps === 0 ? 'Nothing to do: every selected target is fresh.' : `run ${event.runId}: ${steps} target${steps === 1 ? '' : 's'} to build, -j ${event.jobs}`);
        break;
      }
      case 'range-started': {
        const retry = event.attempt > 1 ? ` (attempt ${event.attempt})` : '';
        const dates = event.batch.days.length;
        this.#line(`${pc.cyan('▶')} ${event.target} ${formatRange(event.batch)} (${dates} ${dates === 1 ? 'date' : 'dates'})${retry}`);
        break;
      }
      case 'range-finished':
        if (event.ok) this.#line(`${pc.green('✓')} ${event.target} ${formatRange(event.batch)} in ${formatDuration(event.durationMs)}`);
        else {
          this.#line(`${pc.red('✗')} ${event.target} ${formatRange(event.batch)}: ${event.error}`);
          if (event.tail) this.#write(event.tail.split('\n').map((l) => `    ${pc.dim('│')} ${l}`).join('\n') + '\n');
          if (event.logFile) this.#write(`    ${pc.dim(`full log: ${event.logFile}`)}\n`);
        }
        break;
      case 'range-retrying':
        this.#line(`${pc.yellow('↻')} ${event.target} range ${event.index + 1}: retrying in ${formatDuration(event.delayMs)} (attempt ${event.attempt}) after: ${event.error}`);
        break;
      case 'gate-finished':
        if (event.ok) this.#line(`${pc.green('●')} ${event.target} fresh: ${event.message}`);
        else this.#line(`${pc.red('●')} ${event.target} ${pc.red('failed its gate')}: ${event.message}`);
        break;
      case 'target-skipped':
        this.#line(`${pc.yellow('-')} ${event.target} skipped: ${describeFailure(event.failure)}`);
        break;
      case 'info':
        this.#line(event.message);
        break;
      case 'warning':
        this.#line(`${pc.yellow('warning:')} ${event.message}`);
        break;
      case 'run-finished':
        // a run with nothing to do has no summary: its first line said so (once, not twice)
        if (event.outcomes.length > 0) this.#write('\n' + renderSummary(event));
        break;
    }
  }
}
