/** The watch state machine stepped by hand: fake timers, builds that end when the test says. */
import { describe, expect, it } from 'vitest';
import { Watcher, type WatchState } from './watcher.js';

/** A build the test finishes; records whether it was cancelled. */
class FakeBuild {
  cancelled = false;
  #resolve!: () => void;
  readonly done = new Promise<void>((resolve) => (this.#resolve = resolve));
  cancel(): void {
    this.cancelled = true;
    this.#resolve();
  }
  finish(): Promise<void> {
    this.#resolve();
    return flush();
  }
}

const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

function rig() {
  const builds: FakeBuild[] = [];
  const timers: { callback: () => void; cleared: boolean }[] = [];
  const path: WatchState[] = [];
  const watcher = new Watcher({
    debounceMs: 100,
    startBuild: () => {
      const build = new FakeBuild();
      builds.push(build);
      return build;
    },
    setTimer: (callback) => {
      const timer = { callback, cleared: false };
      timers.push(timer);
      return timer;
    },
    clearTimer: (timer) => {
      if (timer) (timer as { cleared: boolean }).cleared = true;
    },
    onTransition: (_from, to) => path.push(to),
  });
  /** Fires the one live debounce timer, as if the files had been quiet long enough. */
  const quiet = () => {
    const live = timers.filter((t) => !t.cleared);
    expect(live).toHaveLength(1);
    live[0]!.cleared = true;
    live[0]!.callback();
  };
  return { watcher, builds, timers, path, quiet };
}

describe('Watcher', () => {
  it('builds at start, then goes idle', async () => {
    const { watcher, builds, path } = rig();
    watcher.start();
    expect(watcher.state).toBe('running');
    await builds[0]!.finish();
    expect(path).toEqual(['running', 'idle']);
  });

  it('debounces a burst of changes into one build', async () => {
    const { watcher, builds, timers, quiet } = rig();
    watcher.start();
    await builds[0]!.finish();
    watcher.fileChanged('a.sql');
    watcher.fileChanged('b.sql');
    watcher.fileChanged('a.sql');
    expect(watcher.state).toBe('debouncing');
    expect(timers.filter((t) => t.cleared)).toHaveLength(2);
    quiet();
    expect(watcher.state).toBe('running');
    expect(builds).toHaveLength(2);
  });

  it('queues exactly one more build for changes during a build, after a quiet spell', async () => {
    const { watcher, builds, path, quiet } = rig();
    watcher.start();
    watcher.fileChanged('a.sql');
    watcher.fileChanged('b.sql');
    expect(watcher.state).toBe('queued');
    expect(builds[0]!.cancelled).toBe(false);
    await builds[0]!.finish();
    expect(watcher.state).toBe('debouncing');
    quiet();
    expect(builds).toHaveLength(2);
    await builds[1]!.finish();
    expect(path).toEqual(['running', 'queued', 'debouncing', 'running', 'idle']);
  });

  it('abort cancels the running build, waits for it, and ignores later changes', async () => {
    const { watcher, builds, timers } = rig();
    watcher.start();
    await watcher.abort();
    expect(builds[0]!.cancelled).toBe(true);
    expect(watcher.state).toBe('aborted');
    watcher.fileChanged('a.sql');
    expect(watcher.state).toBe('aborted');
    expect(timers).toHaveLength(0);
  });

  it('abort while debouncing starts no build', async () => {
    const { watcher, builds, timers } = rig();
    watcher.start();
    await builds[0]!.finish();
    watcher.fileChanged('a.sql');
    await watcher.abort();
    expect(timers.every((t) => t.cleared)).toBe(true);
    expect(builds).toHaveLength(1);
  });
});
