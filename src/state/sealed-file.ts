/**
 * Cache files under `.dagrun/` (kept reads, the cached pipeline) as JSON sealed with a digest
 * of itself on the first line: a file cut by a crash, damaged, or edited by hand reads as no
 * cache at all, never as a different answer. Both are speed-ups only: a seal that cannot be
 * written is given up on silently.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { writePrivateFileAtomic } from './disk.js';

const digestOf = (text: string) => createHash('sha256').update(text).digest('hex');

/** The sealed JSON in `file`, or undefined when there is none or its seal does not match. */
export function readSealed(file: string): unknown {
  try {
    const text = readFileSync(file, 'utf8');
    const newline = text.indexOf('\n');
    if (newline < 0 || text.slice(0, newline) !== digestOf(text.slice(newline + 1))) return undefined;
    return JSON.parse(text.slice(newline + 1)) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * Seals `value` into `file` (whole and private: written aside, then renamed). Nothing is
 * written when JSON cannot hold a value of it (an infinity or NaN would come back as null) or
 * the file cannot be written.
 */
export function writeSealed(file: string, value: unknown, stateDir: string): void {
  if (!onlyFiniteNumbers(value)) return;
  try {
    const text = JSON.stringify(value);
    writePrivateFileAtomic(file, `${digestOf(text)}\n${text}`, stateDir);
  } catch {
    // a speed-up only: the next command does without
  }
}

/**
 * Whether every number of `value`, as JSON would write it, is finite. A walk of its own, not a
 * replacer: a replacer takes JSON.stringify off its fast path (1.5 million kept write ranges:
 * 0.53 s to write the file, most of it calls to the replacer).
 */
function onlyFiniteNumbers(value: unknown): boolean {
  if (typeof value === 'number') return Number.isFinite(value);
  if (typeof value !== 'object' || value === null) return true;
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') return onlyFiniteNumbers(toJSON.call(value));
  if (Array.isArray(value)) {
    for (const item of value) if (!onlyFiniteNumbers(item)) return false;
    return true;
  }
  for (const key in value) if (Object.hasOwn(value, key) && !onlyFiniteNumbers((value as Record<string, unknown>)[key])) return false;
  return true;
}
