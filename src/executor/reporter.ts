/** The reporter seam: where events go. Implementations print text, JSON lines or reports. */
import type { RunEvent } from './events.js';

/** Receives every event of a run. */
export interface Reporter {
  handle(event: RunEvent): void;
  /** Flushes anything buffered (called once at the end). */
  close?(): void | Promise<void>;
}

/** Fans events out to several reporters (wireit's combination logger). */
export class CombinedReporter implements Reporter {
  readonly #reporters: readonly Reporter[];
  constructor(reporters: readonly Reporter[]) {
    this.#reporters = reporters;
  }
  handle(event: RunEvent): void {
    for (const reporter of this.#reporters) reporter.handle(event);
  }
  async close(): Promise<void> {
    for (const reporter of this.#reporters) await reporter.close?.();
  }
}
