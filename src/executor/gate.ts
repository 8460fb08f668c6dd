/**
 * The gate after a target's ranges: measure it again and let nothing downstream start
 * unless it really became fresh ("no crash is not success").
 */
import { assessTargets, describeCheckFailure, type Freshness } from '../freshness/assess.js';
import { measureState } from '../freshness/check.js';
import type { Step } from '../scheduler/compute-plan.js';
import { resolveDeferredStep } from '../scheduler/compute-plan.js';
import { formatPercent, formatThreshold } from '../core/format.js';
import type { Day } from '../intervals/day.js';
import type { DayRange } from '../intervals/interval.js';
import { countWithin } from '../intervals/day-ranges.js';
import { rangesReading, unionRanges } from '../intervals/range-sets.js';
import { countDates, describeDays } from '../intervals/describe.js';
import type { ExecutionContext } from './context.js';

async function measureOne(ctx: ExecutionContext, name: string): Promise<{ freshness: Freshness; expected: readonly Day[] }> {
  // a gate is short and its dependents wait on it: it does not queue behind a command waiting for the warehouse
  const urgent = ctx.warehouse.urgent?.bind(ctx.warehouse) ?? (<T>(work: () => Promise<T>) => work());
  const state = await urgent(() => measureState(ctx.warehouse, { graph: ctx.graph, names: [name], window: ctx.window, fingerprints: ctx.fingerprints }));
  const freshness = assessTargets(ctx.graph, state, [name]).get(name)!;
  return { freshness, expected: state.expected.get(name) ?? [] };
}

/** Measures a built target; ok when it is fresh now. The message says by how much it missed. */
export async function runGate(ctx: ExecutionContext, step: Step): Promise<{ ok: boolean; message: string; after: Freshness }> {
  const { freshness: after } = await measureOne(ctx, step.target);
  const before = ctx.before.get(step.target);
  const coverage = `coverage ${before ? formatPercent(before.coverage) : '?'} → ${formatPercent(after.coverage)}`;
  // a build that loses dates it found has done harm, even when what is left is above the threshold
  const lost = lostDays(before?.missing, after.missing, ctx.before.get(step.target)?.exists ?? false);
  const problems: string[] = [];
  if (lost.length > 0) problems.push(`coverage went down: ${countDates(lost.length)} present before the build ${lost.length === 1 ? 'is' : 'are'} gone (${describeDays(lost)})`);
  if (after.state === 'fresh' && problems.length === 0) return { ok: true, message: coverage, after };
  if (after.coverage < after.threshold) {
    const still = countWithin(after.missing, step.ranges);
    problems.push(
      `${still} of ${step.dates} date${step.dates === 1 ? '' : 's'} still missing after the build ` +
        `(${formatPercent(after.coverage)} < ${formatThreshold(after.threshold)})`,
    );
  }
  for (const check of after.checks) if (!check.passed) problems.push(describeCheckFailure(check));
  if (problems.length === 0) problems.push(...after.reasons);
  if (after.state === 'fresh') return { ok: false, message: problems.join('; '), after };
  return { ok: false, message: problems.join('; '), after };
}

/** Expected days missing now that were present before (none when the table did not exist). */
function lostDays(before: readonly Day[] | undefined, after: readonly Day[], existed: boolean): Day[] {
  if (!existed || before === undefined) return [];
  const missingBefore = new Set<number>(before);
  return after.filter((d) => !missingBefore.has(d));
}

/** Learns the batches of a deferred step now that its calendar table exists. */
export async function resolveStep(ctx: ExecutionContext, step: Step, upstreamDays: (name: string) => readonly DayRange[]): Promise<Step> {
  const { freshness, expected } = await measureOne(ctx, step.target);
  const inherited = unionRanges(
    ...ctx.graph
      .upstreamEdges(step.target)
      .filter((e) => e.kind === 'data')
      .map((e) => rangesReading(upstreamDays(e.upstream), expected, e.lookback)),
  );
  return resolveDeferredStep(step, ctx.graph.target(step.target), freshness, expected, inherited);
}
