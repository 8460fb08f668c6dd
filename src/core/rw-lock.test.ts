/** The warehouse's in-process lock: writers are preferred, but an urgent read passes one that only waits. */
import { describe, expect, it } from 'vitest';
import { ReadWriteLock } from './rw-lock.js';

/** A promise and the function that resolves it. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('ReadWriteLock', () => {
  it('holds new readers back while a writer waits, except urgent ones; the writer runs once they are done', async () => {
    const lock = new ReadWriteLock();
    const log: string[] = [];
    const first = gate();
    const a = lock.shared(async () => {
      log.push('a in');
      await first.promise;
      log.push('a out');
    });
    await tick();
    const w = lock.exclusive(async () => void log.push('writer'));
    const b = lock.shared(async () => void log.push('b'));
    const u = lock.shared(async () => void log.push('urgent'), { urgent: true });
    await tick();
    expect(log).toEqual(['a in', 'urgent']);
    first.open();
    await Promise.all([a, w, b, u]);
    expect(log).toEqual(['a in', 'urgent', 'a out', 'writer', 'b']);
  });

  it('an urgent read still waits for a writer that holds the lock', async () => {
    const lock = new ReadWriteLock();
    const log: string[] = [];
    const held = gate();
    const w = lock.exclusive(async () => {
      log.push('writer in');
      await held.promise;
      log.push('writer out');
    });
    await tick();
    const u = lock.shared(async () => void log.push('urgent'), { urgent: true });
    await tick();
    expect(log).toEqual(['writer in']);
    held.open();
    await Promise.all([w, u]);
    expect(log).toEqual(['writer in', 'writer out', 'urgent']);
  });
});
