/**
 * The words for why a target is not done (scheduler/failure.ts): the one place that says
 * them, for the terminal, the reports, the JSON events and the run record alike.
 */
import { unreachable } from '../core/errors.js';
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
