/**
 * The words for why a target is not done (scheduler/failure.ts): the one place that says
 * them, for the terminal, the reports, the JSON events and the run record alike.
 */
import { unreachable } from '../core/errors.js';
import type { TargetOutcome } from '../executor/events.js';
import type { StopCause, TargetFailure } from '../scheduler/failure.js';

function describeCause(cause: StopCause | undefined): string {
  if (cause === undefined) return 'the run ended before it could start (this is a bug)';
  switch (cause.kind) {
    case 'interrupted':
      return 'interrupted';
    case 'failed-elsewhere':
      return `the run stopped after ${cause.target} failed (-k goes on with independent work)`;
    default:
      return unreachable(cause);
  }
}

/** Why a target is not done, in one line; undefined when it is done. */
export function describeFailure(failure: TargetFailure | undefined): string | undefined {
  if (failure === undefined) return undefined;
  switch (failure.kind) {
    case 'cannot-build':
      return failure.why;
    case 'range-failed':
    case 'gate-failed':
      return failure.message;
    case 'interrupted':
      return 'interrupted';
    case 'not-measured':
      return failure.message ?? 'could not measure it after its calendar was built';
    case 'internal':
      return `Internal error: ${failure.message}`;
    case 'upstream-failed':
      return `upstream ${failure.upstream} failed`;
    case 'not-started':
      return `not started: ${describeCause(failure.cause)}`;
    case 'unfinished': {
      const progress = failure.gating ? 'its ranges were built but it was not measured again' : `${failure.built} of ${failure.batches} ranges built`;
      return `${progress}: ${describeCause(failure.cause)}`;
    }
    default:
      return unreachable(failure);
  }
}

/** What is left after an interrupted run, per target. */
function describeLeftToBuild(outcomes: readonly TargetOutcome[]): string {
  const left = outcomes
    // skipped with a step of its own: downstream of the stop, never started (blocked targets have no ranges)
    .filter((o) => o.status !== 'done' && (o.status !== 'skipped' || o.batches > 0))
    .map((o) => {
      if (o.batchesDone === 0) return `${o.target} (not started)`;
      if (o.batchesDone === o.batches) return `${o.target} (built, not yet measured)`;
      return `${o.target} (${o.batches - o.batchesDone} of ${o.batches} ranges)`;
    });
  return left.length === 0 ? 'nothing' : left.join(', ');
}

/** What an interrupted run stopped, what still finished, and what is left. */
export function describeInterruption(run: { readonly outcomes: readonly TargetOutcome[]; readonly stopped: readonly string[]; readonly finishedMeanwhile: readonly string[] }): string {
  const stopped = run.stopped.length > 0 ? `stopped ${run.stopped.join(', ')}; ` : '';
  const finished = run.finishedMeanwhile.length > 0 ? `finished meanwhile: ${run.finishedMeanwhile.join(', ')}; ` : '';
  return `Interrupted: ${stopped}${finished}left to build: ${describeLeftToBuild(run.outcomes)}. The next run picks up what is left.`;
}
