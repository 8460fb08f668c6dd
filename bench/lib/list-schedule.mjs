/**
 * A stand-alone list scheduler over the benchmark shapes (same rules as the Plan: a target
 * starts when its upstream is done, ranges take slots of the global, group and target
 * limits, gates take no time), used to search for the best static priority order: how close
 * any priority rule of the Plan's kind could come to the lower bound.
 */

/** Makespan in seconds of list scheduling `shape` with static `priority` (target → number, higher first). */
export function listSchedule(shape, priority) {
  const targets = shape.targets;
  const names = Object.keys(targets);
  const state = Object.fromEntries(names.map((n) => [n, { next: 0, running: 0, done: 0, finished: false }]));
  const groupUse = {};
  let inUse = 0;
  let now = 0;
  const running = [];
  const ready = (n) => targets[n].deps.every((d) => state[d].finished);
  for (;;) {
    for (;;) {
      let best;
      for (const n of names) {
        const s = state[n];
        const t = targets[n];
        if (s.next >= t.batches || !ready(n) || inUse >= shape.jobs) continue;
        if (t.parallel && s.running >= t.parallel) continue;
        if (t.group && (groupUse[t.group] ?? 0) >= shape.groups[t.group]) continue;
        if (best === undefined || priority.get(n) > priority.get(best)) best = n;
      }
      if (best === undefined) break;
      state[best].next++;
      state[best].running++;
      inUse++;
      if (targets[best].group) groupUse[targets[best].group] = (groupUse[targets[best].group] ?? 0) + 1;
      running.push({ n: best, end: now + targets[best].seconds });
    }
    if (running.length === 0) break;
    running.sort((a, b) => a.end - b.end);
    const ended = running.shift();
    now = ended.end;
    const s = state[ended.n];
    s.running--;
    s.done++;
    inUse--;
    if (targets[ended.n].group) groupUse[targets[ended.n].group]--;
    if (s.done === targets[ended.n].batches) s.finished = true;
  }
  return now;
}

/** The shortest makespan over `tries` random static priority orders (seeded, so repeatable). */
export function bestStaticPriority(shape, tries) {
  let seed = 42;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const names = Object.keys(shape.targets);
  let best = Infinity;
  for (let i = 0; i < tries; i++) best = Math.min(best, listSchedule(shape, new Map(names.map((n) => [n, rand()]))));
  return best;
}
