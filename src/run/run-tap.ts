/**
 * The reporter in front of every other during a build: masks secrets in the free text of
 * events (command output, error messages), so that report files see no more than the terminal
 * does, and remembers which ranges run now and which succeeded (for the interrupt message).
 */
import { formatRange } from '../intervals/interval.js';
import type { RunEvent } from '../executor/events.js';
import type { Reporter } from '../executor/reporter.js';
import type { TargetFailure } from '../scheduler/failure.js';

/** A failure with the free text inside it (a command's or a gate's message) masked. */
function maskedFailure(failure: TargetFailure, redact: (text: string) => string): TargetFailure {
  switch (failure.kind) {
    case 'cannot-build':
      return { ...failure, why: redact(failure.why) };
    case 'range-failed':
    case 'gate-failed':
    case 'internal':
      return { ...failure, message: redact(failure.message) };
    case 'not-measured':
      return failure.message === undefined ? failure : { ...failure, message: redact(failure.message) };
    case 'interrupted':
    case 'upstream-failed':
    case 'not-started':
    case 'unfinished':
      return failure; // names and counts only
  }
}

/**
 * Sits in front of every reporter: masks secrets in the free text of events (command output,
 * error messages), so that report files see no more than the terminal does, and remembers
 * which ranges run now (for the interrupt message).
 */
export class RunTap implements Reporter {
  readonly #inner: Reporter;
  readonly #redact: (text: string) => string;
  readonly running = new Map<string, string>();
  /** Ranges that ended well (committed), by the same label: one running at an interrupt may still finish. */
  readonly succeeded = new Set<string>();
  constructor(inner: Reporter, redact: (text: string) => string) {
    this.#inner = inner;
    this.#redact = redact;
  }
  handle(event: RunEvent): void {
    if (event.type === 'range-started') this.running.set(`${event.target}#${event.index}`, `${event.target} ${formatRange(event.batch)}`);
    if (event.type === 'range-finished') this.running.delete(`${event.target}#${event.index}`);
    if (event.type === 'range-finished' && event.ok) this.succeeded.add(`${event.target} ${formatRange(event.batch)}`);
    this.#inner.handle(this.#masked(event));
  }
  #masked(event: RunEvent): RunEvent {
    const r = this.#redact;
    const maybe = (text: string | undefined) => (text === undefined ? undefined : r(text));
    switch (event.type) {
      case 'range-finished':
        return { ...event, error: maybe(event.error), tail: maybe(event.tail) };
      case 'range-retrying':
        return { ...event, error: r(event.error) };
      case 'gate-finished':
        return { ...event, message: r(event.message) };
      case 'target-skipped':
        return { ...event, failure: maskedFailure(event.failure, r) };
      case 'info':
      case 'warning':
        return { ...event, message: r(event.message) };
      case 'run-finished':
        return { ...event, outcomes: event.outcomes.map((o) => (o.failure ? { ...o, failure: maskedFailure(o.failure, r) } : o)) };
      case 'run-started':
      case 'range-started':
      case 'range-waiting':
        return event; // no free text
    }
  }
  close(): void | Promise<void> {
    return this.#inner.close?.();
  }
}

