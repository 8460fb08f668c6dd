/**
 * What a build looks like from outside while it runs: per selected target its freshness as of
 * the last finished range, and the ranges running now. A build keeps it in
 * `.dagrun/live.json` (live-writer.ts) so that `dagrun --status` can answer during the build
 * without opening the warehouse the build holds. Folding events is pure; the clock comes in.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Freshness } from '../freshness/assess.js';
import { withBuiltDays, withPlannedDays } from '../freshness/live.js';
import type { Day } from '../intervals/day.js';
import type { DayWindow } from '../intervals/interval.js';
import type { RunEvent } from './events.js';

/** Bumped when the file's shape changes: a reader ignores files of another version. */
const LIVE_VERSION = 1;

/** The live-state file of a pipeline's `.dagrun` folder. */
export function liveStateFile(stateDir: string): string {
  return path.join(stateDir, 'live.json');
}

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

/** One target as stored: its freshness with day lists as runs, and the index of its calendar in the file's `calendars`. */
function encodeTarget(freshness: Freshness, calendar: number): string {
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

/** Who runs the build: written into the file so that a reader can match it with the lock's holder. */
export interface LiveOwner {
  readonly pid: number;
  readonly host: string;
}

/**
 * A build's live state, folded from its events. `changed()` tells the writer whether there is
 * anything new to write; targets are encoded once per change, not once per write.
 */
export class LiveState {
  readonly #owner: LiveOwner;
  #head: { runId: string; commandLine: string; startedAt: string; window: DayWindow } | undefined;
  #asOf = '';
  #rangesDone = 0;
  /** Ranges per target: the plan's, or more for a step that learns its ranges when they start (a calendar built in this run). */
  readonly #rangesPlanned = new Map<string, number>();
  readonly #targets = new Map<string, LiveTarget>();
  /** Days of finished ranges not yet folded into their target's freshness: folded once per write, not once per range. */
  readonly #built = new Map<string, Day[]>();
  /** Each target's stored text; undefined when it changed since the last write. */
  readonly #encoded = new Map<string, string | undefined>();
  /** Targets on one calendar share its list of days: each distinct list is stored once. */
  readonly #calendars = new Map<readonly Day[], number>();
  readonly #encodedCalendars: string[] = [];
  readonly #running = new Map<string, LiveRange>();

  constructor(owner: LiveOwner) {
    this.#owner = owner;
  }

  /** Whether the run has started (there is something to write). */
  get started(): boolean {
    return this.#head !== undefined;
  }

  /** Folds one event in; `now` is when it arrived. */
  apply(event: RunEvent, now: Date): void {
    switch (event.type) {
      case 'run-started':
        this.#runStarted(event, now);
        break;
      case 'range-waiting':
      case 'range-started':
        this.#running.set(`${event.target}#${event.index}`, rangeOf(event, now, event.type === 'range-waiting' ? event.for : undefined));
        this.#rangesPlanned.set(event.target, Math.max(this.#rangesPlanned.get(event.target) ?? 0, event.index + 1));
        break;
      case 'range-finished':
        this.#rangeFinished(event);
        break;
      case 'gate-finished': {
        const target = this.#targets.get(event.target);
        this.#built.delete(event.target); // the gate measured them
        this.#set(event.target, event.after, target?.expected ?? []);
        break;
      }
      case 'target-skipped': {
        const target = this.#current(event.target);
        if (target) this.#set(event.target, { ...target.freshness, reasons: [`not built in this run: ${event.reason}`, ...target.freshness.reasons] }, target.expected);
        break;
      }
      case 'range-retrying':
      case 'info':
      case 'warning':
      case 'run-finished':
        break;
    }
    this.#asOf = now.toISOString();
  }

  /** The measurement before the run, with the dates the plan rewrites: a fresh target this run rebuilds is not fresh while it does. */
  #runStarted(event: Extract<RunEvent, { type: 'run-started' }>, now: Date): void {
    this.#head = { runId: event.runId, commandLine: event.commandLine, startedAt: now.toISOString(), window: event.plan.window };
    const steps = new Map(event.plan.steps.map((step) => [step.target, step]));
    for (const step of event.plan.steps) this.#rangesPlanned.set(step.target, step.batches.length);
    for (const [name, measured] of event.measured?.freshness ?? []) {
      const expected = event.measured?.expected.get(name) ?? [];
      const step = steps.get(name);
      this.#set(name, step ? withPlannedDays(measured, expected, step.days, step.reasons[0] ?? 'planned') : measured, expected);
    }
  }

  /** Notes a successful range's days; they are folded into the target's freshness when it is next written. */
  #rangeFinished(event: Extract<RunEvent, { type: 'range-finished' }>): void {
    this.#running.delete(`${event.target}#${event.index}`);
    if (!event.ok) return;
    this.#rangesDone++;
    if (!this.#targets.has(event.target)) return;
    const built = this.#built.get(event.target) ?? [];
    for (const day of event.batch.days) built.push(day);
    this.#built.set(event.target, built);
    this.#encoded.set(event.target, undefined);
  }

  #set(name: string, freshness: Freshness, expected: readonly Day[]): void {
    this.#targets.set(name, { freshness, expected });
    this.#encoded.set(name, undefined);
  }

  /** A target with the ranges finished so far folded in. */
  #current(name: string): LiveTarget | undefined {
    const target = this.#targets.get(name);
    const built = this.#built.get(name);
    if (!target || !built) return target;
    this.#built.delete(name);
    const current = { freshness: withBuiltDays(target.freshness, target.expected, built), expected: target.expected };
    this.#targets.set(name, current);
    return current;
  }

  /** A target's stored text, encoded again only when it changed. */
  #encode(name: string): string {
    const known = this.#encoded.get(name);
    if (known !== undefined) return known;
    const { freshness, expected } = this.#current(name)!;
    let calendar = this.#calendars.get(expected);
    if (calendar === undefined) {
      this.#calendars.set(expected, (calendar = this.#encodedCalendars.length));
      this.#encodedCalendars.push(JSON.stringify(toRuns(expected)));
    }
    const text = encodeTarget(freshness, calendar);
    this.#encoded.set(name, text);
    return text;
  }

  /** The file's text. */
  toJson(): string {
    const head = this.#head;
    if (!head) return '';
    const targets = [...this.#encoded.keys()].map((name) => `${JSON.stringify(name)}:${this.#encode(name)}`).join(',\n');
    const rest = {
      version: LIVE_VERSION, runId: head.runId, pid: this.#owner.pid, host: this.#owner.host, commandLine: head.commandLine,
      startedAt: head.startedAt, asOf: this.#asOf, window: head.window, rangesDone: this.#rangesDone,
      rangesPlanned: [...this.#rangesPlanned.values()].reduce((sum, n) => sum + n, 0),
      running: [...this.#running.values()],
    };
    return `${JSON.stringify(rest).slice(0, -1)},"calendars":[\n${this.#encodedCalendars.join(',\n')}\n],"targets":{\n${targets}\n}}\n`;
  }
}

function rangeOf(event: { target: string; batch: { first: Day; last: Day; days: readonly Day[] }; attempt: number }, now: Date, waitingFor: string | undefined): LiveRange {
  const { target, batch, attempt } = event;
  return { target, first: batch.first, last: batch.last, dates: batch.days.length, attempt, since: now.toISOString(), waitingFor };
}

/** The live state in `stateDir`, if a readable one of this version is there. */
export function readLiveState(stateDir: string): LiveView | undefined {
  let text: string;
  try {
    text = readFileSync(liveStateFile(stateDir), 'utf8');
  } catch {
    return undefined; // no build publishes one
  }
  return parseLiveState(text);
}

/** A live state from the text `LiveState.toJson` wrote; undefined for anything else. */
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
