/**
 * What a build looks like from outside while it runs: per selected target its freshness as of
 * the last finished range, and the ranges running now. A build keeps it in
 * `.dagrun/live.json` (live-writer.ts; the file's format is state/live-file.ts) so that
 * `dagrun --status` can answer during the build without opening the warehouse the build holds.
 * Folding events is pure; the clock comes in.
 */
import type { Freshness } from '../freshness/assess.js';
import { withBuiltDays, withPlannedDays } from '../freshness/live.js';
import type { Day } from '../intervals/day.js';
import type { DayWindow } from '../intervals/interval.js';
import { composeLiveFile, encodeLiveCalendar, encodeLiveTarget, type LiveOwner, type LiveRange, type LiveTarget } from '../state/live-file.js';
import type { RunEvent } from '../executor/events.js';
import { describeFailure } from './failure-text.js';

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
        if (target) this.#set(event.target, { ...target.freshness, reasons: [`not built in this run: ${describeFailure(event.failure)}`, ...target.freshness.reasons] }, target.expected);
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
      this.#set(name, step ? withPlannedDays(measured, expected, step.ranges, step.reasons[0] ?? 'planned') : measured, expected);
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
      this.#encodedCalendars.push(encodeLiveCalendar(expected));
    }
    const text = encodeLiveTarget(freshness, calendar);
    this.#encoded.set(name, text);
    return text;
  }

  /** The file's text. */
  toJson(): string {
    const head = this.#head;
    if (!head) return '';
    // targets first: encoding one may add its calendar
    const targets = [...this.#encoded.keys()].map((name) => [name, this.#encode(name)] as const);
    const rangesPlanned = [...this.#rangesPlanned.values()].reduce((sum, n) => sum + n, 0);
    const { pid, host } = this.#owner;
    return composeLiveFile(
      { ...head, pid, host, asOf: this.#asOf, rangesDone: this.#rangesDone, rangesPlanned, running: [...this.#running.values()] },
      this.#encodedCalendars,
      targets,
    );
  }
}

function rangeOf(event: { target: string; batch: { first: Day; last: Day; days: readonly Day[] }; attempt: number }, now: Date, waitingFor: string | undefined): LiveRange {
  const { target, batch, attempt } = event;
  return { target, first: batch.first, last: batch.last, dates: batch.days.length, attempt, since: now.toISOString(), waitingFor };
}
