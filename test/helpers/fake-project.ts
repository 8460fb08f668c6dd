/**
 * An in-memory pipeline for pure tests (changesets' `FakeFullState`): declare targets with
 * `addTarget('orders', {deps: ['raw'], group: 'bq', batches: 3})`, then take the validated
 * `Target`s and graph, a `MeasuredState` for the planner, or runtime `Step`s and a `Plan`.
 */
import type { CalendarSpec, Check, Target } from '../../src/config/types.js';
import type { MeasuredState } from '../../src/freshness/state.js';
import { buildGraph, type TargetGraph } from '../../src/graph/build.js';
import { addDays, dayOf, daysBetween, type Day } from '../../src/intervals/day.js';
import { plannedDays } from './targets.js';
import type { Batch, RangeMode } from '../../src/intervals/interval.js';
import type { Step } from '../../src/scheduler/compute-plan.js';
import { Plan, type FailureMode } from '../../src/scheduler/plan.js';
import type { PresentDates } from '../../src/warehouse/warehouse.js';

/** How a fake target is declared; everything is optional. */
export interface FakeTargetOptions {
  /** Upstream names, or `{target, lookback}`. */
  readonly deps?: readonly (string | { readonly target: string; readonly lookback: number })[];
  readonly group?: string;
  /** Runtime plan tests: how many one-day batches its step has (0: a step with nothing to build). */
  readonly batches?: number;
  /** Runtime plan tests: the step waits to be measured after its upstream (a calendar built in this run). */
  readonly deferred?: boolean;
  readonly parallel?: number;
  readonly source?: boolean;
  readonly threshold?: number;
  readonly ranges?: RangeMode;
  readonly maxDays?: number;
  readonly calendar?: CalendarSpec;
  readonly checks?: readonly Check[];
  readonly table?: string;
}

/** First day of the fake window; batch i of a step covers FIRST_DAY + i. */
export const FIRST_DAY = dayOf('2024-01-01');

/** Options for a runtime plan. */
export interface FakePlanOptions {
  readonly jobs?: number;
  readonly failureMode?: FailureMode;
  readonly estimate?: (target: string) => number;
  /** Targets that need the warehouse to themselves (DuckDB commands that open the file). */
  readonly exclusive?: (target: string) => boolean;
}

/** A pipeline held in memory. */
export class FakeProject {
  readonly #declared = new Map<string, FakeTargetOptions>();
  readonly #groups: ReadonlyMap<string, number>;
  readonly #jobs: number;

  /** `groups` maps a group to its concurrency; `jobs` is the global limit. */
  constructor(options: { jobs?: number; groups?: Record<string, number> } = {}) {
    this.#jobs = options.jobs ?? 8;
    this.#groups = new Map(Object.entries(options.groups ?? {}));
  }

  /** Declares a target; declare upstream targets first or not, order does not matter. */
  addTarget(name: string, options: FakeTargetOptions = {}): this {
    this.#declared.set(name, options);
    return this;
  }

  /** The validated target of a name. */
  target(name: string): Target {
    const o = this.#declared.get(name);
    if (!o) throw new Error(`FakeProject: no target ${name}`);
    return {
      name,
      file: `/fake/targets/${name}.json5`,
      table: o.table ?? `fake.${name}`,
      deps: (o.deps ?? []).map((d) => (typeof d === 'string' ? { target: d, lookback: 0 } : d)),
      group: o.group,
      threshold: o.threshold ?? 1,
      dateColumn: 'd',
      calendar: o.calendar ?? { kind: 'every-day' },
      source: o.source ?? false,
      onChange: 'rebuild',
      build: o.source
        ? undefined
        : {
            action: { kind: 'command', argv: ['build', name, '{start}', '{end}'], opensWarehouse: false, output: undefined, allowEmptyDates: false },
            ranges: o.ranges ?? 'contiguous',
            maxDays: o.maxDays,
            parallel: o.parallel ?? 1,
            timeoutMs: undefined,
            retries: 0,
            retryBackoffMs: 0,
            env: {},
            cwd: '/fake',
          },
      checks: o.checks ?? [],
    };
  }

  /** Every target by name, sorted like the real config. */
  targets(): Map<string, Target> {
    return new Map([...this.#declared.keys()].sort().map((n) => [n, this.target(n)]));
  }

  /** The dependency graph. */
  graph(): TargetGraph {
    return buildGraph(this.targets());
  }

  /**
   * Runtime steps for every non-source target, in dependency order: `batches` one-day
   * batches each, waiting for its declared upstream that have steps.
   */
  steps(): Step[] {
    const graph = this.graph();
    const withSteps = new Set(graph.names().filter((n) => !this.target(n).source));
    return graph.topologicalOrder().filter((n) => withSteps.has(n)).map((name) => {
      const o = this.#declared.get(name)!;
      const batches: Batch[] = Array.from({ length: o.batches ?? 1 }, (_, i) => {
        const day = addDays(FIRST_DAY, i);
        return { first: day, last: day, days: [day] };
      });
      return {
        target: name,
        group: o.group,
        ...plannedDays(batches.flatMap((b) => b.days)),
        batches,
        reasons: ['fake'],
        after: graph.upstream(name).filter((up) => withSteps.has(up)).sort(),
        deferred: o.deferred ?? false,
      };
    });
  }

  /** A runtime plan over `steps()` with the project's limits. */
  plan(options: FakePlanOptions = {}): Plan {
    return new Plan(this.steps(), {
      jobs: options.jobs ?? this.#jobs,
      groups: this.#groups,
      parallel: (name) => this.target(name).build?.parallel ?? 1,
      exclusive: options.exclusive,
      estimate: options.estimate,
      failureMode: options.failureMode ?? 'no-new',
    });
  }

  /**
   * A measurement for the planner over an every-day window: `present` lists each table's
   * dates as ISO days or `first..last` spans; a target left out has no table yet.
   */
  measured(options: { window: [string, string]; present: Record<string, readonly string[]>; writes?: Record<string, Record<string, number>> }): MeasuredState {
    const window = { first: dayOf(options.window[0]), last: dayOf(options.window[1]) };
    const calendar = daysBetween(window.first, window.last);
    const present = new Map<string, PresentDates>();
    const writes = new Map<string, Map<Day, { target: string; day: Day; writtenAt: number; fingerprint: string; runId: string }>>();
    for (const name of this.#declared.keys()) {
      const listed = options.present[name];
      present.set(name, listed ? { exists: true, days: expandDays(listed) } : { exists: false, days: [] });
      const times = options.writes?.[name] ?? {};
      writes.set(name, new Map(Object.entries(times).map(([iso, at]) => [dayOf(iso), { target: name, day: dayOf(iso), writtenAt: at, fingerprint: 'fp', runId: 'r' }])));
    }
    return {
      window,
      expected: new Map([...this.#declared.keys()].map((n) => [n, calendar])),
      calendarPending: new Map(),
      present,
      writes,
      checks: new Map(),
      fingerprints: new Map([...this.#declared.keys()].map((n) => [n, 'fp'])),
    };
  }
}

/** Expands `['2024-01-01..2024-01-03', '2024-01-07']` into sorted days. */
export function expandDays(spans: readonly string[]): Day[] {
  const out = new Set<Day>();
  for (const span of spans) {
    const [first, last] = span.split('..');
    for (const d of daysBetween(dayOf(first!), dayOf(last ?? first!))) out.add(d);
  }
  return [...out].sort((a, b) => a - b);
}
