/**
 * Watch mode as an explicit state machine (wireit's watcher): file changes are debounced
 * into builds, a change during a build queues exactly one more build, and aborting ends a
 * running build cleanly before the watcher stops.
 *
 *                      start()
 *   ┌──────┐ ────────────────────────────► ┌─────────┐    change    ┌────────┐
 *   │ idle │ ◄──────── build done ──────── │ running │ ───────────► │ queued │ ◄─┐ change
 *   └──────┘                               └─────────┘              └────────┘ ──┘ (still one build)
 *      │                                        ▲                       │
 *      │ change                   quiet for     │                       │ build done
 *      │                          debounceMs    │                       │
 *      │           ┌────────────┐ ──────────────┘                       │
 *      └─────────► │ debouncing │ ◄─────────────────────────────────────┘
 *                  └────────────┘ ◄─┐ change: restart the timer
 *                         └─────────┘
 *
 *   abort() from any state ──► aborted (final: a running build is cancelled and awaited)
 *
 * The machine owns no I/O: builds, timers and logging are injected, so tests drive it
 * step by step with fake timers and fake builds.
 */
import { unreachable } from '../core/errors.js';

/** Where the watcher is. */
export type WatchState =
  /** Waiting for a change. */
  | 'idle'
  /** A change arrived; waiting for the files to be quiet before building. */
  | 'debouncing'
  /** A build is running. */
  | 'running'
  /** A build is running and another change arrived: one more build follows it. */
  | 'queued'
  /** Stopped for good (Ctrl-C); nothing starts any more. */
  | 'aborted';

/** Why the watcher moved, as data; cli/commands/watch.ts says it in words. */
export type WatchCause =
  | { readonly kind: 'initial-build' }
  | { readonly kind: 'file-changed'; readonly file: string }
  | { readonly kind: 'file-changed-during-build'; readonly file: string }
  | { readonly kind: 'files-quiet' }
  | { readonly kind: 'build-finished' }
  /** A build finished while changes had arrived: they settle before the next build. */
  | { readonly kind: 'changes-waiting' }
  | { readonly kind: 'stopped' };

/** A build the watcher started. */
export interface BuildHandle {
  /** Resolves when the build has ended, however it ended. */
  readonly done: Promise<void>;
  /** Asks the build to stop (its `done` still resolves). */
  cancel(): void;
}

/** What the watcher needs from the outside world. */
export interface WatcherDeps {
  /** Starts one build (re-plan and build what is stale). */
  readonly startBuild: () => BuildHandle;
  readonly debounceMs: number;
  readonly setTimer?: (callback: () => void, ms: number) => unknown;
  readonly clearTimer?: (timer: unknown) => void;
  /** Told about every transition (for messages and tests). */
  readonly onTransition?: (from: WatchState, to: WatchState, why: WatchCause) => void;
}

/** The watch-mode state machine. */
export class Watcher {
  readonly #deps: Required<WatcherDeps>;
  #state: WatchState = 'idle';
  #timer: unknown;
  #build: BuildHandle | undefined;

  constructor(deps: WatcherDeps) {
    this.#deps = {
      setTimer: (callback, ms) => setTimeout(callback, ms),
      clearTimer: (timer) => clearTimeout(timer as NodeJS.Timeout),
      onTransition: () => undefined,
      ...deps,
    };
  }

  /** The current state. */
  get state(): WatchState {
    return this.#state;
  }

  /** Builds once at start, as `dagrun` without `--watch` would. */
  start(): void {
    if (this.#state === 'idle') this.#run({ kind: 'initial-build' });
  }

  /** A watched file changed (or appeared, or went away). */
  fileChanged(file: string): void {
    switch (this.#state) {
      case 'idle':
      case 'debouncing':
        this.#debounce({ kind: 'file-changed', file });
        return;
      case 'running':
        this.#move('queued', { kind: 'file-changed-during-build', file });
        return;
      case 'queued':
      case 'aborted':
        return;
      default:
        unreachable(this.#state);
    }
  }

  /** Stops watching; resolves once a running build has ended. */
  async abort(): Promise<void> {
    if (this.#state === 'aborted') return;
    this.#deps.clearTimer(this.#timer);
    const build = this.#build;
    this.#move('aborted', { kind: 'stopped' });
    if (build) {
      build.cancel();
      await build.done;
    }
  }

  #debounce(why: WatchCause): void {
    this.#deps.clearTimer(this.#timer);
    this.#timer = this.#deps.setTimer(() => this.#run({ kind: 'files-quiet' }), this.#deps.debounceMs);
    this.#move('debouncing', why);
  }

  #run(why: WatchCause): void {
    if (this.#state === 'aborted') return;
    const build = this.#deps.startBuild();
    this.#build = build;
    this.#move('running', why);
    void build.done.finally(() => this.#buildEnded(build));
  }

  #buildEnded(build: BuildHandle): void {
    if (this.#build !== build) return;
    this.#build = undefined;
    switch (this.#state) {
      case 'running':
        this.#move('idle', { kind: 'build-finished' });
        return;
      case 'queued':
        // Files may still be changing (an editor saving several files): settle first.
        this.#debounce({ kind: 'changes-waiting' });
        return;
      case 'idle':
      case 'debouncing':
      case 'aborted':
        return;
      default:
        unreachable(this.#state);
    }
  }

  #move(to: WatchState, why: WatchCause): void {
    const from = this.#state;
    this.#state = to;
    this.#deps.onTransition(from, to, why);
  }
}
