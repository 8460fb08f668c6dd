/**
 * Present days read as one DuckDB BIT per table (`bitstring_agg`), turned into ranges. Bit i
 * stands for day `first + i`; DuckDB keeps the bits most significant first, after a first byte
 * that counts the padding bits at the front of the second.
 */
import type { Day } from '../intervals/day.js';
import type { DayRange } from '../intervals/interval.js';

/** The runs of set bits of a DuckDB BIT value's bytes, as ranges of days from `first`. */
export function rangesOfBits(data: Uint8Array, first: Day): DayRange[] {
  const ranges: DayRange[] = [];
  const padding = data[0] ?? 0;
  let runStart = -1;
  for (let byte = 1; byte < data.length; byte++) {
    const value = data[byte]!;
    const base = (byte - 1) * 8 - padding;
    // whole bytes that neither end nor start a run (the first holds padding: looked at bit by bit)
    if (byte > 1 && (runStart >= 0 ? value === 0xff : value === 0)) continue;
    for (let bit = byte === 1 ? padding : 0; bit < 8; bit++) {
      const on = (value & (0x80 >> bit)) !== 0;
      if (on === runStart >= 0) continue;
      const index = base + bit;
      if (on) runStart = index;
      else {
        ranges.push({ first: (first + runStart) as Day, last: (first + index - 1) as Day });
        runStart = -1;
      }
    }
  }
  if (runStart >= 0) ranges.push({ first: (first + runStart) as Day, last: (first + (data.length - 1) * 8 - padding - 1) as Day });
  return ranges;
}
