/** `--json` during a build: one JSON object per event per line (NDJSON), for other tools. */
import { formatDay } from '../intervals/day.js';
import type { Batch } from '../intervals/interval.js';
import type { RunEvent } from './events.js';
import type { Reporter } from './reporter.js';
import { freshnessJson, planJson } from './status-json.js';
import type { TargetGraph } from '../graph/build.js';

const batchJson = (b: Batch) => ({ start: formatDay(b.first), end: formatDay(b.last), dates: b.days.length });

/** Writes NDJSON events. */
export class JsonReporter implements Reporter {
  readonly #write: (text: string) => void;
  readonly #graph: TargetGraph;
  readonly #clock: () => Date;

  constructor(write: (text: string) => void, graph: TargetGraph, clock: () => Date = () => new Date()) {
    this.#write = write;
    this.#graph = graph;
    this.#clock = clock;
  }

  handle(event: RunEvent): void {
    const time = this.#clock().toISOString();
    let body: Record<string, unknown>;
    switch (event.type) {
      case 'run-started':
        body = { runId: event.runId, jobs: event.jobs, commandLine: event.commandLine, plan: JSON.parse(planJson(event.plan)) };
        break;
      case 'range-started':
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
          outcomes: event.outcomes.map((o) => ({ ...o, before: o.before && freshnessJson(this.#graph, o.before), after: o.after && freshnessJson(this.#graph, o.after) })),
        };
        break;
      default:
        body = { ...event };
    }
    this.#write(JSON.stringify({ time, ...body, type: event.type }) + '\n');
  }
}
