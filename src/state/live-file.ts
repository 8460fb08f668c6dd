/**
 * `.dagrun/live.json`: a build's live state as `dagrun --status` reads it while the build holds
 * the pipeline (and, on DuckDB, the warehouse file). The file's format both ways: the writer
 * (report/live-state.ts folds the build's events) encodes each target here once per change and
 * composes the file from the pieces; the reader parses it back into a `LiveView`.
 */
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { makePrivateDir, PRIVATE_FILE_MODE } from './disk.js';
import type { Freshness } from '../freshness/assess.js';
import type { Day } from '../intervals/day.js';
import type { DayWindow } from '../intervals/interval.js';
import { liveFile } from './paths.js';

/** Bumped when the file's shape changes: a reader ignores files of another version. */
const LIVE_VERSION = 1;

/** A range running now, or queued for something it needs before it can start. */
export interface LiveRange {
  readonly target: string;
  readonly first: Day;
  readonly last: Day;
  readonly dates: number;
  readonly attempt: number;
  /** ISO instant it started (or began to wait). */
  readonly since: string;
  /** What it waits for (e.g. the warehouse); undefined once it runs. */
  readonly waitingFor: string | undefined;
}

/** One selected target of the build. */
export interface LiveTarget {
  readonly freshness: Freshness;
  /** Its calendar within the window. */
  readonly expected: readonly Day[];
}

/** A build's live state as `--status` reads it. */
export interface LiveView {
  readonly runId: string;
  readonly pid: number;
  readonly host: string;
  readonly commandLine: string;
  /** ISO instants: when the build started, and when this state was last changed. */
  readonly startedAt: string;
  readonly asOf: string;
  readonly window: DayWindow;
  readonly rangesDone: number;
  readonly rangesPlanned: number;
  readonly targets: ReadonlyMap<string, LiveTarget>;
  readonly running: readonly LiveRange[];
}

/** Everything of the file but its targets, which are encoded one by one (`encodeLiveTarget`). */
export type LiveHead = Omit<LiveView, 'targets'>;

/** Who runs the build: written into the file so that a reader can match it with the lock's holder. */
export interface LiveOwner {
  readonly pid: number;
  readonly host: string;
}

/** Day lists are kept as runs of consecutive days, `[first, last]`: whole windows stay small. */
type DayRuns = [number, number][];

function toRuns(days: readonly Day[]): DayRuns {
  const runs: DayRuns = [];
  for (const day of days) {
    const run = runs[runs.length - 1];
    if (run && day === run[1] + 1) run[1] = day;
    else runs.push([day, day]);
  }
  return runs;
}

function fromRuns(runs: DayRuns): Day[] {
  const days: Day[] = [];
  for (const [first, last] of runs) for (let d = first; d <= last; d++) days.push(d as Day);
  return days;
}

/** One calendar as stored; targets on one calendar share it by its index in the file's `calendars`. */
export function encodeLiveCalendar(expected: readonly Day[]): string {
  return JSON.stringify(toRuns(expected));
}

/** One target as stored: its freshness with day lists as runs, and the index of its calendar in the file's `calendars`. */
export function encodeLiveTarget(freshness: Freshness, calendar: number): string {
  const { missing, outdated, missingRanges, ...rest } = freshness;
  return JSON.stringify({ ...rest, missing: toRuns(missing), outdated: toRuns(outdated), missingRanges: missingRanges.map((r) => [r.first, r.last]), calendar });
}

function decodeTarget(stored: Record<string, unknown>, calendars: readonly (readonly Day[])[]): LiveTarget {
  const { missing, outdated, missingRanges, calendar, ...rest } = stored as Record<'missing' | 'outdated' | 'missingRanges', DayRuns> & { calendar: number };
  const freshness = {
    ...rest, missing: fromRuns(missing), outdated: fromRuns(outdated), missingRanges: missingRanges.map(([first, last]) => ({ first, last })),
  } as unknown as Freshness;
  return { freshness, expected: calendars[calendar] ?? [] };
}

/**
 * The file's text from its head, its encoded calendars and its encoded targets (`[name, text]`).
 * One line per calendar and per target: the pieces are encoded as they change, not per write.
 */
export function composeLiveFile(head: LiveHead, calendars: readonly string[], targets: readonly (readonly [string, string])[]): string {
  const { runId, pid, host, commandLine, startedAt, asOf, window, rangesDone, rangesPlanned, running } = head;
  const rest = { version: LIVE_VERSION, runId, pid, host, commandLine, startedAt, asOf, window, rangesDone, rangesPlanned, running };
  const entries = targets.map(([name, text]) => `${JSON.stringify(name)}:${text}`).join(',\n');
  return `${JSON.stringify(rest).slice(0, -1)},"calendars":[\n${calendars.join(',\n')}\n],"targets":{\n${entries}\n}}\n`;
}

/** A live state from the text `composeLiveFile` wrote; undefined for anything else. */
export function parseLiveState(text: string): LiveView | undefined {
  try {
    const stored = JSON.parse(text) as Record<string, unknown>;
    if (stored.version !== LIVE_VERSION) return undefined;
    const calendars = (stored.calendars as DayRuns[]).map(fromRuns);
    const targets = new Map(Object.entries(stored.targets as Record<string, Record<string, unknown>>).map(([name, t]) => [name, decodeTarget(t, calendars)]));
    const { calendars: _calendars, ...rest } = stored;
    return { ...(rest as unknown as Omit<LiveView, 'targets'>), targets };
  } catch {
    return undefined; // none, or not one this version wrote
  }
}

/** The live state in `stateDir`, if a readable one of this version is there. */
export function readLiveState(stateDir: string): LiveView | undefined {
  let text: string;
  try {
    text = readFileSync(liveFile(stateDir), 'utf8');
  } catch {
    return undefined; // no build publishes one
  }
  return parseLiveState(text);
}

/**
 * Replaces the live state: the text goes to a temporary file renamed over the old one, so that
 * a reader sees either the previous state or the new one. Throws when it cannot be written.
 */
export function writeLiveState(stateDir: string, text: string): void {
  const file = liveFile(stateDir);
  const temp = `${file}.${process.pid}.tmp`;
  try {
    makePrivateDir(stateDir);
    // private like everything under .dagrun/ (the build's targets and progress); not fsynced: it lives as long as the build
    writeFileSync(temp, text, { mode: PRIVATE_FILE_MODE });
    renameSync(temp, file);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

/** Removes the live state at the end of the build: `--status` reads the warehouse again. */
export function removeLiveState(stateDir: string): void {
  try {
    rmSync(liveFile(stateDir), { force: true });
  } catch {
    // a leftover file is ignored: its run no longer holds the lock
  }
}
