/**
 * The build jobs in flight, so that none commits after dagrun said it stopped: on SIGINT or
 * SIGTERM (while a job runs) and on close, each is cancelled with jobs.cancel. A job that
 * already committed stays committed; a cancelled one commits nothing.
 */

/** What cancelling needs of a job (the client's `Job`). */
export interface CancellableJob {
  cancel(): Promise<unknown>;
}

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/** Jobs in flight, cancelled together on a signal or on demand. */
export class RunningJobs {
  readonly #jobs = new Map<string, CancellableJob>();
  #cancelled = false;
  readonly #onSignal = (signal: NodeJS.Signals): void => {
    void this.cancelAll();
    // Alone on the signal, the listener must not swallow it: do what Node would have done.
    if (process.listenerCount(signal) === 1) {
      this.#unlisten();
      process.kill(process.pid, signal);
    }
  };

  /** A job started; the first one makes the signals cancel jobs. */
  started(id: string, job: CancellableJob): void {
    if (this.#jobs.size === 0) for (const signal of SIGNALS) process.on(signal, this.#onSignal);
    this.#jobs.set(id, job);
    // Started after a cancel-all (a retry racing the interrupt): it goes too.
    if (this.#cancelled) void job.cancel().catch(() => undefined);
  }

  /** A job ended (whichever way). */
  ended(id: string): void {
    this.#jobs.delete(id);
    if (this.#jobs.size === 0) this.#unlisten();
  }

  /** Cancels every job in flight, and any started from now on; errors are ignored (best effort). */
  async cancelAll(): Promise<void> {
    this.#cancelled = true;
    await Promise.all([...this.#jobs.values()].map((job) => job.cancel().catch(() => undefined)));
  }

  #unlisten(): void {
    for (const signal of SIGNALS) process.off(signal, this.#onSignal);
  }
}
