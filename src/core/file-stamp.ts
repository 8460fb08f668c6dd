/**
 * A file's stamp: what it looks like from outside, cheaply (identity, size, modification and
 * status-change times), to tell that it is unchanged without reading it. Equal stamps, equal
 * contents, as long as the stamp was settled when taken: file times come in ticks of the file
 * system (1–10 ms on Linux, up to 2 s on FAT, HFS+ and some network file systems), and a
 * change in the same tick as the last one could keep every field.
 */
import { statSync, type BigIntStats } from 'node:fs';

/** Changes this recent (ms, by this machine's clock) make a stamp unsettled. */
export const SETTLE_MS = 2_000;

/** The fields of a stamp (a folder's too: its times change as entries come and go). */
export function describeStats(stats: BigIntStats | undefined): string {
  // ctime too: copying an old file over this one (`cp -p`, `tar x`) restores its mtime, not its ctime
  return stats ? [stats.dev, stats.ino, stats.size, stats.mtimeNs, stats.ctimeNs].join(':') : '-';
}

/** The newest modification or status change of `stats`, epoch ms. */
export function newestChangeMs(stats: BigIntStats): number {
  return Math.max(Number(stats.mtimeMs), Number(stats.ctimeMs));
}

/**
 * A file's (or folder's) stamp, `-` when it does not exist; and whether it was settled at
 * `nowMs`: its newest change older than `SETTLE_MS` by then. One that cannot be looked at is
 * `unreadable`, never settled, so never kept and never equal to a kept stamp.
 */
export function fileStamp(file: string, nowMs = Date.now()): { readonly key: string; readonly settled: boolean } {
  let stats: BigIntStats | undefined;
  try {
    stats = statSync(file, { bigint: true, throwIfNoEntry: false });
  } catch {
    return { key: 'unreadable', settled: false };
  }
  if (!stats) return { key: '-', settled: true };
  return { key: describeStats(stats), settled: newestChangeMs(stats) < nowMs - SETTLE_MS };
}
