/** `dagrun --dry-run` for people: each step with its ranges, dates and reasons, in run order. */
import pc from 'picocolors';
import { formatDay } from '../intervals/day.js';
import { formatRange } from '../intervals/interval.js';
import { isUnbuildable, type PlanData } from '../scheduler/compute-plan.js';
import { formatBytes } from './format.js';

const MAX_RANGES_SHOWN = 6;

/**
 * Renders the plan; `explain` adds why every selected target without a step is left out.
 * `bytes` are estimated bytes per SQL step, `unknownBytes` the steps whose estimate failed, and why.
 */
export function renderPlan(
  plan: PlanData,
  options: { explain: boolean; bytes?: ReadonlyMap<string, number>; unknownBytes?: ReadonlyMap<string, string> },
): string {
  const lines: string[] = [];
  const window = `${formatDay(plan.window.first)} .. ${formatDay(plan.window.last)}`;
  const unbuildable = plan.omitted.filter(isUnbuildable);
  if (plan.steps.length === 0 && unbuildable.length === 0) {
    lines.push(`${pc.green('Nothing to do:')} every selected target is fresh for ${window}.`);
  } else if (plan.steps.length === 0) {
    lines.push(`${pc.yellow('Nothing can be built')} for ${window}: ${unbuildable.length} selected target${unbuildable.length === 1 ? ' is' : 's are'} not fresh and cannot be made so in this run:`);
    for (const o of unbuildable) lines.push(`   ${o.target}: ${o.why}`);
  } else {
    const dates = plan.steps.reduce((n, s) => n + s.dates, 0);
    const batches = plan.steps.reduce((n, s) => n + s.batches.length, 0);
    lines.push(`${pc.bold('Plan')} for ${window}: ${plan.steps.length} target${plan.steps.length === 1 ? '' : 's'}, ${batches} range${batches === 1 ? '' : 's'}, ${dates} target-dates`);
  }
  plan.steps.forEach((step, i) => {
    const group = step.group ? pc.dim(` [${step.group}]`) : '';
    const after = step.after.length > 0 ? pc.dim(` after ${step.after.join(', ')}`) : '';
    const bytes = options.bytes?.get(step.target);
    const unknown = options.unknownBytes?.get(step.target);
    const cost = bytes !== undefined ? pc.dim(` ~${formatBytes(bytes)}`) : unknown !== undefined ? pc.dim(' bytes unknown') : '';
    lines.push('', `${i + 1}. ${pc.bold(step.target)}${group}  ${step.deferred ? 'dates known after its calendar is built' : `${step.dates} dates in ${step.batches.length} range${step.batches.length === 1 ? '' : 's'}`}${cost}${after}`);
    const shown = step.batches.slice(0, MAX_RANGES_SHOWN).map((b) => `${formatRange(b)}${b.days.length > 1 ? pc.dim(` (${b.days.length})`) : ''}`);
    if (step.batches.length > MAX_RANGES_SHOWN) shown.push(pc.dim(`… ${step.batches.length - MAX_RANGES_SHOWN} more`));
    if (shown.length > 0) lines.push(`   ranges: ${shown.join(', ')}`);
    for (const reason of step.reasons) lines.push(`   why: ${reason}`);
    if (unknown !== undefined) lines.push(`   bytes: unknown (${unknown})`);
  });
  if (!options.explain && plan.steps.length > 0 && unbuildable.length > 0) {
    lines.push('', pc.bold('Cannot be built in this run:'));
    for (const o of unbuildable) lines.push(`   ${o.target}: ${o.why}`);
  }
  if (options.explain && plan.omitted.length > 0) {
    lines.push('', pc.bold('Not in the plan:'));
    for (const o of plan.omitted) lines.push(`   ${o.target}: ${o.why}`);
  }
  const unknownCount = options.unknownBytes?.size ?? 0;
  if ((options.bytes && options.bytes.size > 0) || unknownCount > 0) {
    const total = [...(options.bytes?.values() ?? [])].reduce((a, b) => a + b, 0);
    const partial = unknownCount > 0 ? ` (${unknownCount} step${unknownCount === 1 ? '' : 's'} unknown, not counted)` : '';
    lines.push('', `Estimated bytes processed by SQL steps: ${formatBytes(total)}${partial}`);
  }
  return lines.join('\n') + '\n';
}

