/**
 * What a DuckDB warehouse file looks like from outside, cheaply: the file's and its write-ahead
 * log's identity, size and change times. Every commit appends to the log or rewrites the file,
 * so equal signatures mean equal contents, as long as the signature was not taken in the same
 * clock tick as the last change (`settled`): a change in that tick could keep every field.
 */
import { statSync, type BigIntStats } from 'node:fs';

/**
 * Changes this recent (ms, by this machine's clock) make a signature unsettled. File times
 * come in ticks of the file system (1–10 ms on Linux, up to 2 s on FAT, HFS+ and some network
 * file systems): a signature is trusted only once its newest change is older than any tick.
 */
export const SETTLE_MS = 2_000;

/** A warehouse file's signature. */
export interface FileSignature {
  /** Equal keys, equal contents (when settled). */
  readonly key: string;
  /** The newest modification or status change of the file and its log, epoch ms. */
  readonly newestChangeMs: number;
  /** Epoch ms when the signature was taken. */
  readonly takenAtMs: number;
}

function describe(stats: BigIntStats | undefined): string {
  // ctime too: copying an old file over this one (`cp -p`, `tar x`) restores its mtime, not its ctime
  return stats ? [stats.dev, stats.ino, stats.size, stats.mtimeNs, stats.ctimeNs].join(':') : '-';
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
  return { key: `${describe(main)}|${describe(log)}`, newestChangeMs: Math.max(...times), takenAtMs };
}

/**
 * Whether a change after the signature was taken would surely show in a later signature: its
 * newest change is older than `SETTLE_MS` when it was taken. One taken right after a write is
 * not: a second write in the same tick could leave the same size and times.
 */
export function settled(signature: FileSignature): boolean {
  return signature.newestChangeMs < signature.takenAtMs - SETTLE_MS;
}

/**
 * A plain file's stamp (a file a query reads, beside the warehouse): its identity, size and
 * change times, `-` when it does not exist; and whether it was settled at `nowMs` (its newest
 * change older than `SETTLE_MS` by then, as `settled` says).
 */
export function fileStamp(file: string, nowMs = Date.now()): { readonly key: string; readonly settled: boolean } {
  let stats: BigIntStats | undefined;
  try {
    stats = statSync(file, { bigint: true, throwIfNoEntry: false });
  } catch {
    return { key: 'unreadable', settled: false }; // never kept, and never equal to a kept stamp
  }
  if (!stats) return { key: '-', settled: true };
  return { key: describe(stats), settled: Math.max(Number(stats.mtimeMs), Number(stats.ctimeMs)) < nowMs - SETTLE_MS };
}

