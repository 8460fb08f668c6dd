/**
 * How a command ended, in the words every runner uses: a failure reads the same whether the
 * posix_spawn helper, a Node spawner or dagrun's own process started the command.
 */
import { formatDuration } from '../core/format.js';

/** How a command ended, as a runner learns it. */
export type Ending =
  /** It never started: `code` is the errno name (ENOENT, EACCES…). */
  | { readonly kind: 'not-started'; readonly file: string; readonly code: string | undefined; readonly message: string }
  | { readonly kind: 'timed-out'; readonly timeoutMs: number }
  /** Ended through the request's abort signal. */
  | { readonly kind: 'interrupted' }
  /** It ran and ended by itself: an exit code, or the name of the signal that killed it. */
  | { readonly kind: 'ended'; readonly code: number | undefined; readonly signal: string | undefined };

/** Why a command did not succeed, in words; undefined when it exited 0. */
export function describeEnding(ending: Ending): string | undefined {
  switch (ending.kind) {
    case 'not-started':
      // ENOENT also covers a missing working folder, as child_process reports it.
      if (ending.code === 'ENOENT') return `command not found: ${ending.file}`;
      if (ending.code === 'EACCES') return `command is not executable: ${ending.file}`;
      return `could not start ${ending.file}: ${ending.message}`;
    case 'timed-out':
      return `timed out after ${compactDuration(ending.timeoutMs)}`;
    case 'interrupted':
      return 'interrupted';
    case 'ended':
      if (ending.code === 0) return undefined;
      if (ending.code !== undefined) return `exited with code ${ending.code}`;
      return `killed by ${ending.signal ?? 'a signal'}`;
  }
}

/** "2h", "90m" → "1h 30m", "30s": a configured timeout the way the user wrote it, near enough. */
function compactDuration(ms: number): string {
  for (const [unit, size] of [['h', 3_600_000], ['m', 60_000], ['s', 1_000]] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return formatDuration(ms);
}
