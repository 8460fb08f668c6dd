/**
 * `.dagrun/last-status.json`: what the last validation document saw, per target its window,
 * present dates as ranges over its calendar, coverage and check values, so that the next one
 * can say what changed (report/status-snapshot.ts compares). Local and advisory: losing it
 * loses only the comparison.
 */
import { readFileSync } from 'node:fs';
import { writePrivateFileAtomic } from './disk.js';
import { lastStatusFile } from './paths.js';

/** One target as the snapshot keeps it. */
export interface SnapshotTarget {
  /** The window it was measured in, inclusive ISO dates. */
  readonly window: readonly [string, string];
  readonly expected: number;
  readonly present: number;
  readonly coverage: number;
  /** Present expected dates as inclusive ranges over the calendar of the time. */
  readonly presentRanges: readonly (readonly [string, string])[];
  readonly checks: Readonly<Record<string, { readonly value: number | null; readonly passed: boolean }>>;
}

/** The file `.dagrun/last-status.json`. */
export interface StatusSnapshot {
  readonly version: 1;
  readonly measuredAt: string;
  readonly targets: Readonly<Record<string, SnapshotTarget>>;
}

/** Reads the last snapshot; undefined when there is none or it cannot be read (then this report is the baseline). */
export function readSnapshot(stateDir: string): StatusSnapshot | undefined {
  try {
    const parsed = JSON.parse(readFileSync(lastStatusFile(stateDir), 'utf8')) as Partial<StatusSnapshot>;
    return parsed.version === 1 && typeof parsed.targets === 'object' && parsed.targets !== null ? (parsed as StatusSnapshot) : undefined;
  } catch {
    return undefined;
  }
}

/** Writes the snapshot whole (a temporary file, then a rename), private to the user. */
export function writeSnapshot(stateDir: string, snapshot: StatusSnapshot): void {
  writePrivateFileAtomic(lastStatusFile(stateDir), JSON.stringify(snapshot) + '\n', stateDir);
}
