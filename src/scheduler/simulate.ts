/**
 * A list schedule on a virtual clock: the Plan's rules (a target's ranges start once its
 * upstream targets are done; each range takes a slot of the global, group and target limits;
 * the free slot goes to the ready target of highest priority) with known range durations.
 * Pure and synchronous; the priority search uses it to compare candidate priorities.
 */

/** One target as the simulation sees it. */
export interface SimTarget {
  /** Indexes of the targets it waits for. */
  readonly after: readonly number[];
  readonly batches: number;
  /** Duration of each range (any unit). */
  readonly duration: number;
  /** Ranges of it at once (0: unlimited). */
  readonly parallel: number;
  /** Index of its group, or -1. */
  readonly group: number;
}

/** What to schedule, within which limits. */
export interface SimShape {
  readonly targets: readonly SimTarget[];
  readonly jobs: number;
  /** Concurrency of each group (0: unlimited). */
  readonly groupDepths: readonly number[];
}

/** The simulated makespan and when each target finished. */
export interface SimResult {
  readonly makespan: number;
  readonly finish: Float64Array;
  /** Roughly how much work the simulation did (target scans), for budgets. */
  readonly steps: number;
}

/** The same shape with every edge turned round: for scheduling from the end backwards. */
export function reverseShape(shape: SimShape): SimShape {
  const dependents: number[][] = shape.targets.map(() => []);
  shape.targets.forEach((t, i) => t.after.forEach((up) => dependents[up]!.push(i)));
  return { ...shape, targets: shape.targets.map((t, i) => ({ ...t, after: dependents[i]! })) };
}

/** Simulates the shape with a static priority (higher first; ties: lower index first). */
export function simulateSchedule(shape: SimShape, priority: ArrayLike<number>): SimResult {
  const { targets, jobs, groupDepths } = shape;
  const count = targets.length;
  const order = Array.from({ length: count }, (_, i) => i).sort((a, b) => priority[b]! - priority[a]! || a - b);
  const waitingFor = Int32Array.from(targets, (t) => t.after.length);
  const dependents: number[][] = targets.map(() => []);
  targets.forEach((t, i) => t.after.forEach((up) => dependents[up]!.push(i)));
  const started = new Int32Array(count);
  const running = new Int32Array(count);
  const ended = new Int32Array(count);
  const groupUse = new Int32Array(groupDepths.length);
  const finish = new Float64Array(count);
  const ends = new EndHeap();
  let now = 0;
  let steps = 0;
  let inUse = 0;
  const done = (i: number): void => {
    finish[i] = now;
    for (const d of dependents[i]!) {
      waitingFor[d] = waitingFor[d]! - 1;
      if (waitingFor[d] === 0 && targets[d]!.batches === 0) done(d);
    }
  };
  for (let i = 0; i < count; i++) if (waitingFor[i] === 0 && targets[i]!.batches === 0) done(i);
  for (;;) {
    for (let k = 0; k < count && (jobs === 0 || inUse < jobs); k++) {
      steps++;
      const i = order[k]!;
      const t = targets[i]!;
      if (waitingFor[i] !== 0) continue;
      while (started[i]! < t.batches && (jobs === 0 || inUse < jobs) && (t.parallel === 0 || running[i]! < t.parallel) && (t.group < 0 || groupDepths[t.group] === 0 || groupUse[t.group]! < groupDepths[t.group]!)) {
        started[i]!++;
        running[i]!++;
        inUse++;
        if (t.group >= 0) groupUse[t.group]!++;
        ends.push(now + t.duration, i);
      }
    }
    const next = ends.pop();
    if (next === undefined) break;
    now = next.end;
    const i = next.target;
    const t = targets[i]!;
    running[i]!--;
    inUse--;
    if (t.group >= 0) groupUse[t.group]!--;
    if (++ended[i]! === t.batches) done(i);
  }
  return { makespan: now, finish, steps };
}

/** A binary min-heap of range ends (time, then target index, so that the order is deterministic). */
class EndHeap {
  readonly #items: { end: number; target: number }[] = [];
  push(end: number, target: number): void {
    const items = this.#items;
    items.push({ end, target });
    for (let i = items.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (!this.#less(items[i]!, items[parent]!)) break;
      [items[i], items[parent]] = [items[parent]!, items[i]!];
      i = parent;
    }
  }
  pop(): { end: number; target: number } | undefined {
    const items = this.#items;
    const top = items[0];
    const last = items.pop();
    if (top === undefined || last === undefined || items.length === 0) return top;
    items[0] = last;
    for (let i = 0; ; ) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < items.length && this.#less(items[l]!, items[m]!)) m = l;
      if (r < items.length && this.#less(items[r]!, items[m]!)) m = r;
      if (m === i) break;
      [items[i], items[m]] = [items[m]!, items[i]!];
      i = m;
    }
    return top;
  }
  #less(a: { end: number; target: number }, b: { end: number; target: number }): boolean {
    return a.end < b.end || (a.end === b.end && a.target < b.target);
  }
}
