/**
 * Keeps `.dagrun/live.json` up to date during a build, for `dagrun --status` to read while
 * the build holds the pipeline (and, on DuckDB, the warehouse file): at most a few writes a
 * second, however many ranges end, and the file removed when the run ends.
 */
import { hostname } from 'node:os';
import { removeLiveState, writeLiveState } from '../state/live-file.js';
import type { RunEvent } from '../executor/events.js';
import { LiveState } from './live-state.js';
import type { Reporter } from '../executor/reporter.js';

/**
 * At most one write per this period: the first change after a quiet spell is written at once,
 * a burst of changes (a thousand 10 ms ranges) as one write at the end of the period.
 */
const WRITE_EVERY_MS = 250;

/** Options of a `LiveStateWriter`. */
export interface LiveStateWriterOptions {
  readonly clock?: () => Date;
  /** Said once if the file cannot be written (the build goes on; only `--status` misses it). */
  readonly onError?: (message: string) => void;
}

/** A reporter that writes the build's live state (live-state.ts) and removes it when the run ends. */
export class LiveStateWriter implements Reporter {
  readonly #stateDir: string;
  readonly #state = new LiveState({ pid: process.pid, host: hostname() });
  readonly #clock: () => Date;
  readonly #onError: ((message: string) => void) | undefined;
  #timer: NodeJS.Timeout | undefined;
  #lastWrite = -Infinity;
  #ended = false;
  #complained = false;

  constructor(stateDir: string, options: LiveStateWriterOptions = {}) {
    this.#stateDir = stateDir;
    this.#clock = options.clock ?? (() => new Date());
    this.#onError = options.onError;
  }

  handle(event: RunEvent): void {
    if (this.#ended) return;
    this.#state.apply(event, this.#clock());
    switch (event.type) {
      case 'run-started':
        return this.#writeNow();
      case 'run-finished':
        return this.#end();
      case 'info':
      case 'warning':
        return; // nothing the live view shows
      default:
        return this.#schedule();
    }
  }

  close(): void {
    this.#end();
  }

  #schedule(): void {
    if (this.#timer !== undefined) return; // the pending write takes the latest state
    const wait = this.#lastWrite + WRITE_EVERY_MS - performance.now();
    if (wait <= 0) return this.#writeNow();
    this.#timer = setTimeout(() => this.#writeNow(), wait).unref();
  }

  #writeNow(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#ended || !this.#state.started) return;
    this.#lastWrite = performance.now();
    try {
      writeLiveState(this.#stateDir, this.#state.toJson());
    } catch (error) {
      if (!this.#complained) this.#onError?.(`cannot write the live state for --status (${(error as Error).message}); the build goes on`);
      this.#complained = true;
    }
  }

  /** The run is over: `--status` reads the warehouse again, so the file goes. */
  #end(): void {
    if (this.#ended) return;
    this.#ended = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    removeLiveState(this.#stateDir);
  }
}
