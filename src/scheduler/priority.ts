/**
 * Which target gets a free slot first: a static priority per target, computed once when the
 * plan is made, so that `findWork` stays a scan for the highest number.
 *
 * The baseline is ninja's critical path: a target's own ranges (rounds of as many as may run
 * at once, times the expected duration of one) plus its heaviest dependent. It ignores that
 * groups are shared: on a pipeline whose groups are the bottleneck it can start the wrong
 * target of a narrow group first. So, when the plan is small enough to simulate many times
 * within `SIMULATION_BUDGET` (the demo's 85 ranges take ~1,300 steps a simulation), the plan
 * compares candidates on a virtual clock (see simulate.ts) and keeps the one that finishes
 * soonest:
 *
 * 1. the critical path;
 * 2. a resource-aware one (forward-backward improvement, Valls et al.): schedule the
 *    reversed graph within the same limits, and take as a target's priority the time from its
 *    start to the end in that schedule, i.e. its tail *with* the groups' queues in it;
 * 3. deterministic samples around both (a fixed-seed jitter of ±30%), a multi-pass list
 *    scheduling search: cheap, and on small plans it finds orders no single rule does.
 *
 * Durations are the per-batch estimates from earlier runs when there are any, else one unit
 * per batch (then the search optimises batch counts, which is what is known). Everything is
 * deterministic: the same steps, limits and estimates give the same priorities.
 */
import { InternalError } from '../core/errors.js';
import { reverseShape, simulateSchedule, type SimShape } from './simulate.js';

/** What the priority needs to know of a step. */
export interface PriorityTarget {
  readonly name: string;
  readonly after: readonly string[];
  readonly batches: number;
  /** Ranges of it at once (0: unlimited). */
  readonly parallel: number;
  readonly group: string | undefined;
}

/** The targets and the limits they run in. */
export interface PriorityInput {
  readonly targets: readonly PriorityTarget[];
  readonly jobs: number;
  /** Concurrency of each group (0: unlimited). */
  readonly groups: ReadonlyMap<string, number>;
  /** Expected duration of one range of a target (ms); without it every range counts 1. */
  readonly estimate?: (target: string) => number;
  /** Simulation steps the search may spend (default `SIMULATION_BUDGET`); 0 keeps the critical path. */
  readonly budget?: number;
}

/** Target scans the search may spend: ~25 ms at most, whatever the size of the plan. */
export const SIMULATION_BUDGET = 500_000;
/** Jittered candidates at most, when the budget allows. */
const SAMPLES = 64;
/** How far a sample moves each target's priority, as a share of the highest one. */
const SPREAD = 0.3;

/** The priority of each target (higher starts first). Throws an InternalError on a cycle. */
export function rangePriorities(input: PriorityInput): Map<string, number> {
  const shape = simShape(input);
  const names = input.targets.map((t) => t.name);
  const asMap = (priority: ArrayLike<number>) => new Map(names.map((n, i) => [n, priority[i]!]));
  const criticalPath = longestTails(shape, names);
  const budget = input.budget ?? SIMULATION_BUDGET;
  const totalBatches = shape.targets.reduce((sum, t) => sum + t.batches, 0);
  // a simulation costs about one scan of all targets per range ended
  const simulationCost = (totalBatches + 1) * (shape.targets.length + 1);
  if (shape.targets.length < 2 || simulationCost * 3 > budget) return asMap(criticalPath);

  let spent = 0;
  let best = criticalPath;
  let bestMakespan = Infinity;
  const consider = (priority: Float64Array): void => {
    const result = simulateSchedule(shape, priority);
    spent += result.steps;
    // strictly better only: on a tie the earlier, simpler candidate stays
    if (result.makespan < bestMakespan * (1 - 1e-9)) [best, bestMakespan] = [priority, result.makespan];
  };
  consider(criticalPath);
  const reversed = reverseShape(shape);
  const backward = simulateSchedule(reversed, longestTails(reversed, names));
  spent += backward.steps;
  const resourceAware = backward.finish;
  consider(resourceAware);
  const bases = [criticalPath, resourceAware].map(normalised);
  const random = lcg(0x5eed);
  for (let k = 0; k < SAMPLES && spent + simulationCost <= budget; k++) {
    const base = bases[k % bases.length]!;
    consider(base.map((p) => p + SPREAD * (2 * random() - 1)));
  }
  return asMap(best);
}

/** The steps as a simulation shape, targets by index. */
function simShape(input: PriorityInput): SimShape {
  const index = new Map(input.targets.map((t, i) => [t.name, i]));
  const groupNames = [...new Set(input.targets.map((t) => t.group).filter((g): g is string => g !== undefined))];
  return {
    jobs: input.jobs,
    groupDepths: groupNames.map((g) => input.groups.get(g) ?? 0),
    targets: input.targets.map((t) => ({
      after: t.after.map((up) => {
        const i = index.get(up);
        if (i === undefined) throw new InternalError(`step ${t.name} waits for ${up}, which has no step`);
        return i;
      }),
      batches: t.batches,
      duration: input.estimate?.(t.name) ?? 1,
      parallel: t.parallel,
      group: t.group === undefined ? -1 : groupNames.indexOf(t.group),
    })),
  };
}

/**
 * The critical path from each target to the end: its own rounds of ranges (as many at once
 * as its parallel, its group and -j allow) times their duration, plus its heaviest dependent.
 */
export function longestTails(shape: SimShape, names: readonly string[]): Float64Array {
  const count = shape.targets.length;
  const dependents: number[][] = shape.targets.map(() => []);
  shape.targets.forEach((t, i) => t.after.forEach((up) => dependents[up]!.push(i)));
  const tails = new Float64Array(count).fill(-1);
  const visiting = new Uint8Array(count);
  const visit = (i: number): number => {
    if (tails[i]! >= 0) return tails[i]!;
    if (visiting[i]) throw new InternalError(`the plan has a cycle through ${names[i]}`);
    visiting[i] = 1;
    const t = shape.targets[i]!;
    const groupDepth = t.group < 0 ? 0 : shape.groupDepths[t.group]!;
    const width = Math.max(1, Math.min(t.parallel || Infinity, groupDepth || Infinity, shape.jobs || Infinity));
    let downstream = 0;
    for (const d of dependents[i]!) downstream = Math.max(downstream, visit(d));
    visiting[i] = 0;
    tails[i] = Math.ceil(t.batches / width) * t.duration + downstream;
    return tails[i]!;
  };
  for (let i = 0; i < count; i++) visit(i);
  return tails;
}

/** Priorities scaled so that the highest is 1 (all 0 stay 0). */
function normalised(priority: Float64Array): Float64Array {
  const max = Math.max(0, ...priority);
  return max === 0 ? priority.slice() : priority.map((p) => p / max);
}

/** A small fixed-seed generator: the samples, and so the plan, are the same every run. */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}
