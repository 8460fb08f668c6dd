/** Named pipes for tests: a SQL range that reads one runs until the test writes to it. */
import { spawnSync } from 'node:child_process';
import { closeSync, constants, openSync, writeSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';

/** Creates a named pipe at `file` (with mkfifo(1); Node has no mkfifo). */
export function mkfifoSync(file: string): void {
  const result = spawnSync('mkfifo', [file]);
  if (result.status !== 0) throw new Error(`mkfifo ${file} failed: ${String(result.stderr)}`);
}

/**
 * Hands `text` to every reader that opens the pipe until `done` settles. DuckDB opens a file
 * more than once for one query (it sniffs it while binding, then scans it), so one write is not
 * enough. Opening without blocking fails while nobody reads: then it tries again shortly.
 */
export async function feedFifo(file: string, text: string, done: Promise<unknown>): Promise<void> {
  let over = false;
  void done.finally(() => (over = true));
  while (!over) {
    let fd: number | undefined;
    try {
      fd = openSync(file, constants.O_WRONLY | constants.O_NONBLOCK);
      writeSync(fd, text);
    } catch {
      // no reader yet (ENXIO), or it went away mid-write (EPIPE)
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
    await delay(fd === undefined ? 10 : 50);
  }
}
