/**
 * `.dagrun/durations.json`: the latest range durations (ms) of each target, newest first, which
 * the next plan's priorities are estimated from (report/durations.ts). One small file rather
 * than the run records: those hold every range of every run, and a build would parse megabytes
 * of them before its first command.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { makePrivateDir, PRIVATE_FILE_MODE } from './disk.js';
import { durationsFile } from './paths.js';
import type { RecordedRange } from './run-record.js';

/** Latest successful ranges kept per target; older ones go, so that an estimate follows a target that got slower or faster. */
const RANGES_PER_TARGET = 25;

/** Per target, the durations (ms) of its latest successful ranges, newest first. */
export type KeptDurations = Map<string, number[]>;

/** The kept durations, as `recordRangeDurations` left them; empty when there are none or the file is damaged. */
export function readKeptDurations(stateDir: string): KeptDurations {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(durationsFile(stateDir), 'utf8'));
  } catch {
    return new Map(); // none yet, or damaged: the plan weighs ranges by count
  }
  const kept: KeptDurations = new Map();
  if (typeof raw !== 'object' || raw === null) return kept;
  for (const [target, list] of Object.entries(raw as Record<string, unknown>)) {
    // a hand-edited file: only well-formed entries count
    const ms = Array.isArray(list) ? list.filter((v): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0) : [];
    if (ms.length > 0) kept.set(target, ms.slice(0, RANGES_PER_TARGET));
  }
  return kept;
}

/**
 * Adds a run's successful ranges to the kept durations (newest first, the latest
 * `RANGES_PER_TARGET` per target). Written to a temporary file and renamed: a run that dies
 * halfway leaves the old file. Nothing to add, nothing written.
 */
export function recordRangeDurations(
  stateDir: string,
  ranges: ReadonlyMap<string, readonly RecordedRange[]>,
  kept: KeptDurations = readKeptDurations(stateDir),
): void {
  if ([...ranges.values()].every((list) => list.length === 0)) return;
  for (const [target, list] of ranges) {
    const newest = list.map((r) => r.durationMs).reverse();
    kept.set(target, [...newest, ...(kept.get(target) ?? [])].slice(0, RANGES_PER_TARGET));
  }
  const file = durationsFile(stateDir);
  makePrivateDir(stateDir);
  // private like everything under .dagrun/ (target names); the rename keeps it whole for readers
  writeFileSync(`${file}.${process.pid}.tmp`, JSON.stringify(Object.fromEntries(kept)) + '\n', { mode: PRIVATE_FILE_MODE });
  renameSync(`${file}.${process.pid}.tmp`, file);
}
