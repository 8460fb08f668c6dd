/**
 * What a DuckDB warehouse file looks like from outside, cheaply: the file's and its write-ahead
 * log's identity, size and change times. Every commit appends to the log or rewrites the file,
 * so equal signatures mean equal contents, as long as the signature was not taken in the same
 * clock tick as the last change (`settled`): a change in that tick could keep every field.
 */
import { statSync, type BigIntStats } from 'node:fs';
import { describeStats, SETTLE_MS } from '../core/file-stamp.js';

export { SETTLE_MS };

/** A warehouse file's signature. */
export interface FileSignature {
  /** Equal keys, equal contents (when settled). */
  readonly key: string;
  /** The newest modification or status change of the file and its log, epoch ms. */
  readonly newestChangeMs: number;
  /** Epoch ms when the signature was taken. */
  readonly takenAtMs: number;
}

/** The file's stats; none when it does not exist or cannot be looked at (then nothing kept for it is trusted). */
function statOrNone(file: string): BigIntStats | undefined {
  try {
    return statSync(file, { bigint: true, throwIfNoEntry: false });
  } catch {
    return undefined;
  }
}

/** The signature of the DuckDB file `file` (with `file.wal`), or undefined when the file does not exist. */
export function fileSignature(file: string): FileSignature | undefined {
  const takenAtMs = Date.now();
  const main = statOrNone(file);
  if (!main) return undefined;
  let log: BigIntStats | undefined;
  try {
    log = statSync(`${file}.wal`, { bigint: true, throwIfNoEntry: false });
  } catch {
    return undefined; // a log that cannot be looked at: no signature, nothing trusted
  }
  const times = [main.mtimeMs, main.ctimeMs, ...(log ? [log.mtimeMs, log.ctimeMs] : [])].map(Number);
  return { key: `${describeStats(main)}|${describeStats(log)}`, newestChangeMs: Math.max(...times), takenAtMs };
}

/**
 * Whether a change after the signature was taken would surely show in a later signature: its
 * newest change is older than `SETTLE_MS` when it was taken. One taken right after a write is
 * not: a second write in the same tick could leave the same size and times.
 */
export function settled(signature: FileSignature): boolean {
  return signature.newestChangeMs < signature.takenAtMs - SETTLE_MS;
}

