/**
 * Numbers in words, the same everywhere they are shown (status table, plans, gates, summaries,
 * reports, budgets): durations, coverage percentages, thresholds and byte sizes. Below every
 * stage so that none has to import report/ to say a number.
 */

/** "850ms", "12.3s", "4m 05s", "2h 03m". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(Math.floor(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}

/**
 * Absorbs the float error of a ratio times a power of ten (0.29 * 1000 is 289.99999999999997),
 * far below the smallest step shown, so flooring never drops a digit that is really there.
 */
const FLOOR_SLACK = 1e-9;

/**
 * A measured ratio (coverage) as a percentage with one decimal, rounded down: 187/193 is
 * "96.8%", and 99.96% reads "99.9%", never "100.0%" while a date is missing.
 */
export function formatPercent(ratio: number): string {
  return `${(Math.floor(ratio * 1000 + FLOOR_SLACK) / 10).toFixed(1)}%`;
}

/**
 * A configured ratio (a threshold) as the user wrote it, up to two decimals and without trailing
 * zeros ("95%", "99.5%", "99.95%"), also rounded down so that a threshold below 100% never reads
 * "100%".
 */
export function formatThreshold(ratio: number): string {
  return `${Math.floor(ratio * 10_000 + FLOOR_SLACK) / 100}%`;
}

/** "512 B", "1.5 GiB": powers of 1024, as `--max-bytes` and `maximumBytesBilled` read them. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}
