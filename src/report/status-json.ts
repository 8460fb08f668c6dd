/** `dagrun --status --json` and `dagrun --dry-run --json`: the JSON shapes SPEC.md fixes. */
import { dayRanges } from '../intervals/describe.js';
import type { Freshness } from '../freshness/assess.js';
import type { TargetGraph } from '../graph/build.js';
import { formatDay } from '../intervals/day.js';
import { rangesToIso } from '../intervals/interval.js';
import type { PlanData } from '../scheduler/compute-plan.js';
import type { DayWindow } from '../intervals/interval.js';

/** The window as ISO dates. */
export function windowJson(window: DayWindow): { start: string; end: string } {
  return { start: formatDay(window.first), end: formatDay(window.last) };
}

/** One target of `--status --json`. */
export function freshnessJson(graph: TargetGraph, f: Freshness): Record<string, unknown> {
  const target = graph.target(f.name);
  return {
    name: f.name,
    table: target.table,
    group: target.group ?? null,
    source: target.source,
    state: f.state,
    expected: f.expected,
    present: f.present,
    missing: f.missing.length,
    outdated: f.outdated.length,
    coverage: Math.round(f.coverage * 10_000) / 10_000,
    threshold: f.threshold,
    missingRanges: rangesToIso(f.missingRanges),
    reasons: f.reasons,
    checks: f.checks.map((c) => ({
      name: c.name, value: c.value, passed: c.passed,
      ...(c.min !== undefined && { min: c.min }),
      ...(c.max !== undefined && { max: c.max }),
      ...(c.error && { error: c.error }),
      ...(c.failingDays && { datesJudged: c.datesJudged, failingRanges: rangesToIso(dayRanges(c.failingDays)) }),
    })),
    ...(f.warnings.length > 0 && { warnings: f.warnings }),
  };
}

/** The whole `--status --json` object. */
export function statusJson(graph: TargetGraph, window: DayWindow, rows: readonly Freshness[]): string {
  return JSON.stringify({ window: windowJson(window), targets: rows.map((f) => freshnessJson(graph, f)) }, null, 2);
}

/** The whole `--dry-run --json` object. */
export function planJson(plan: PlanData, extra: Record<string, unknown> = {}): string {
  return JSON.stringify(
    {
      window: windowJson(plan.window),
      steps: plan.steps.map((s) => ({
        target: s.target,
        group: s.group ?? null,
        ranges: rangesToIso(s.batches),
        dates: s.dates,
        reasons: s.reasons,
        after: s.after,
        ...(s.deferred && { deferred: true }),
      })),
      fresh: plan.omitted.filter((o) => o.kind === 'fresh' || o.kind === 'source-fresh').map((o) => ({ target: o.target, why: o.why })),
      // selected targets that get no step although they are not fresh: blocked, stale sources
      notBuilt: plan.omitted.filter((o) => o.kind !== 'fresh' && o.kind !== 'source-fresh').map((o) => ({ target: o.target, kind: o.kind, why: o.why })),
      ...extra,
    },
    null,
    2,
  );
}
