/** `--json` during a build: one JSON object per event per line (NDJSON), for other tools. */
import { formatDay } from '../intervals/day.js';
import type { Batch } from '../intervals/interval.js';
import type { RunEvent } from '../executor/events.js';
import type { Reporter } from '../executor/reporter.js';
import { freshnessJson, planJson } from './status-json.js';
import type { TargetGraph } from '../graph/build.js';
import { describeFailure } from './failure-text.js';

const batchJson = (b: Batch) => ({ start: formatDay(b.first), end: formatDay(b.last), dates: b.days.length });

/**
 * Writes NDJSON events: every run event, plus `target-started` (before a target's first
 * range) and `target-finished` (after its gate, or at the end for targets that never reached one).
 */
export class JsonReporter implements Reporter {
  readonly #write: (text: string) => void;
  readonly #graph: TargetGraph;
  readonly #clock: () => Date;
  readonly #started = new Set<string>();
  readonly #finished = new Set<string>();

  constructor(write: (text: string) => void, graph: TargetGraph, clock: () => Date = () => new Date()) {
    this.#write = write;
    this.#graph = graph;
    this.#clock = clock;
  }

  handle(event: RunEvent): void {
    // Target start and end are derived here, so tools get them without the executor knowing.
    if (event.type === 'range-started' && !this.#started.has(event.target)) {
      this.#started.add(event.target);
      this.#emit({ type: 'target-started', target: event.target });
    }
    if (event.type === 'run-finished') {
      for (const o of event.outcomes) {
        if (!this.#started.has(o.target) || this.#finished.has(o.target)) continue;
        this.#finished.add(o.target);
        this.#emit({ type: 'target-finished', target: o.target, status: o.status, ok: o.status === 'done', reason: describeFailure(o.failure), failure: o.failure, durationMs: o.durationMs });
      }
    }
    this.#emitEvent(event);
    if (event.type === 'gate-finished') {
      this.#finished.add(event.target);
      const status = event.ok ? 'done' : 'failed';
      this.#emit({ type: 'target-finished', target: event.target, status, ok: event.ok, coverageBefore: event.before?.coverage, coverageAfter: event.after.coverage });
    }
  }

  #emit(body: Record<string, unknown> & { type: string }): void {
    this.#write(JSON.stringify({ time: this.#clock().toISOString(), ...body }) + '\n');
  }

  #emitEvent(event: RunEvent): void {
    const time = this.#clock().toISOString();
    let body: Record<string, unknown>;
    switch (event.type) {
      case 'run-started':
        body = { runId: event.runId, jobs: event.jobs, commandLine: event.commandLine, plan: JSON.parse(planJson(event.plan)) };
        break;
      case 'range-started':
      case 'range-waiting':
      case 'range-retrying':
        body = { ...event, ...('batch' in event ? { batch: batchJson(event.batch) } : {}) };
        break;
      case 'range-finished':
        body = { ...event, batch: batchJson(event.batch) };
        break;
      case 'gate-finished':
        body = { ...event, before: event.before && freshnessJson(this.#graph, event.before), after: freshnessJson(this.#graph, event.after) };
        break;
      case 'run-finished':
        body = {
          ...event,
          outcomes: event.outcomes.map((o) => ({ ...o, reason: describeFailure(o.failure), before: o.before && freshnessJson(this.#graph, o.before), after: o.after && freshnessJson(this.#graph, o.after) })),
        };
        break;
      case 'target-skipped':
        body = { ...event, reason: describeFailure(event.failure) };
        break;
      default:
        body = { ...event };
    }
    this.#write(JSON.stringify({ time, ...body, type: event.type }) + '\n');
  }
}
