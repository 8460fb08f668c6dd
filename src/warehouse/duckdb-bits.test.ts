/**
 * Ranges read from DuckDB BIT values agree with the bits one by one (as `@duckdb/node-api`'s
 * own `DuckDBBitValue` lays them out), on random bit strings of every length and density.
 */
import { DuckDBBitValue } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { random } from '../../test/helpers/random.js';
import type { Day } from '../intervals/day.js';
import { rangesOfDays } from '../intervals/day-ranges.js';
import { rangesOfBits } from './duckdb-bits.js';

const FIRST = 18_262 as Day;

/** The days of set bits, one bit at a time. */
function daysOfBools(bools: readonly boolean[]): Day[] {
  return bools.flatMap((on, i) => (on ? [(FIRST + i) as Day] : []));
}

describe('rangesOfBits', () => {
  it('reads the runs of set bits of random bit strings as ranges of days', () => {
    const rand = random(19);
    for (let round = 0; round < 2000; round++) {
      const length = 1 + Math.floor(rand() * 90);
      // runs of ones and zeros of random lengths, so whole bytes of each occur
      const density = [0.02, 0.5, 0.97, 1][round % 4]!;
      const bools = Array.from({ length }, () => rand() < density);
      const bits = DuckDBBitValue.fromBools(bools);
      expect(rangesOfBits(bits.data, FIRST), `${bits.toString()}`).toEqual(rangesOfDays(daysOfBools(bools)));
    }
  });

  it('reads all ones, all zeros and one bit', () => {
    expect(rangesOfBits(DuckDBBitValue.fromString('1'.repeat(3650)).data, FIRST)).toEqual([{ first: FIRST, last: FIRST + 3649 }]);
    expect(rangesOfBits(DuckDBBitValue.fromString('0'.repeat(3650)).data, FIRST)).toEqual([]);
    expect(rangesOfBits(DuckDBBitValue.fromString('1').data, FIRST)).toEqual([{ first: FIRST, last: FIRST }]);
    expect(rangesOfBits(DuckDBBitValue.fromString('0000000010000000').data, FIRST)).toEqual([{ first: FIRST + 8, last: FIRST + 8 }]);
  });
});
