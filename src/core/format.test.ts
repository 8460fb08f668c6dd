import { describe, expect, it } from 'vitest';
import { formatBytes, formatDuration, formatPercent, formatThreshold } from './format.js';

describe('formatPercent: coverage, one decimal, rounded down', () => {
  it.each([
    [187 / 193, '96.8%'],
    [0.9996, '99.9%'],
    [1, '100.0%'],
    [0, '0.0%'],
    [0.29, '29.0%'],
    [0.57, '57.0%'],
    [1 / 3, '33.3%'],
    [5 / 6, '83.3%'],
  ])('%s → %s', (ratio, text) => expect(formatPercent(ratio)).toBe(text));

  it('never drops a digit to float error, for every k/n with n ≤ 500', () => {
    for (let n = 1; n <= 500; n++) {
      for (let k = 0; k <= n; k++) expect(formatPercent(k / n)).toBe(`${(Math.floor((k * 1000) / n) / 10).toFixed(1)}%`);
    }
  });
});

describe('formatThreshold: as written, up to two decimals, never rounded up', () => {
  it.each([
    [1, '100%'],
    [0.95, '95%'],
    [0.995, '99.5%'],
    [0.9995, '99.95%'],
    [0.99999, '99.99%'],
    [0.57, '57%'],
    [0, '0%'],
  ])('%s → %s', (ratio, text) => expect(formatThreshold(ratio)).toBe(text));
});

describe('formatDuration and formatBytes', () => {
  it('reads like a person would say it', () => {
    expect([850, 12_340, 245_000, 7_380_000].map(formatDuration)).toEqual(['850ms', '12.3s', '4m 05s', '2h 03m']);
    expect([512, 1536, 1.5 * 1024 ** 3].map(formatBytes)).toEqual(['512 B', '1.5 KiB', '1.5 GiB']);
  });
});
