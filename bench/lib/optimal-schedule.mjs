/**
 * The shortest possible makespan of a benchmark shape, by exhaustive search (iterative
 * deepening branch and bound), under the Plan's rules: a target's ranges start once all its
 * upstream targets are done, each range takes a slot of the global, group and target limits,
 * gates take no time. It tells how far any scheduling policy could get, where the simple
 * lower bound of bench/schedule.mjs is not reachable.
 *
 * Why the search is exact yet small:
 * - Starts happen only at 0 or when a range ends (any schedule can be shifted left to that).
 * - A range must not start at an event if, at the previous event, its target was ready and
 *   the slots left over after that event's decision would have taken it: starting it there
 *   instead is never worse (the slots were idle in between), so such schedules are skipped.
 * - Ranges of one target are alike: a decision is a count of ranges per target.
 * - Nodes are cut by a lower bound: the critical path from the current state, and per group
 *   (and for -j) an energy bound — work released at or after r needs (work / slots) past r —
 *   plus the shortest tail after any target of that group.
 * - A state reached again at the same or a later time is cut (transposition table).
 */

/** The shape in integer milliseconds, with static tails (longest chain after each target). */
function compile(shape) {
  const names = topological(shape);
  const index = new Map(names.map((n, i) => [n, i]));
  const groups = [...new Set(names.map((n) => shape.targets[n].group).filter(Boolean))];
  const targets = names.map((name) => {
    const t = shape.targets[name];
    const width = Math.max(1, Math.min(t.parallel || Infinity, (t.group && shape.groups[t.group]) || Infinity, shape.jobs));
    return {
      name, batches: t.batches, ms: Math.round(t.seconds * 1000), parallel: t.parallel || Infinity, width,
      group: t.group ? groups.indexOf(t.group) : -1, deps: t.deps.map((d) => index.get(d)), dependents: [], tail: 0,
    };
  });
  for (const [i, t] of targets.entries()) for (const d of t.deps) targets[d].dependents.push(i);
  for (let i = targets.length - 1; i >= 0; i--) {
    const t = targets[i];
    t.tail = Math.max(0, ...t.dependents.map((j) => Math.ceil(targets[j].batches / targets[j].width) * targets[j].ms + targets[j].tail));
  }
  const grain = targets.reduce((g, t) => gcd(g, t.ms), 0);
  return { targets, groupCaps: groups.map((g) => shape.groups[g]), jobs: shape.jobs, grain };
}

function gcd(a, b) {
  return b === 0 ? a : gcd(b, a % b);
}

function topological(shape) {
  const order = [];
  const seen = new Set();
  const visit = (n) => {
    if (seen.has(n)) return;
    seen.add(n);
    shape.targets[n].deps.forEach(visit);
    order.push(n);
  };
  Object.keys(shape.targets).forEach(visit);
  return order;
}

/** The search state, mutated in place and undone on the way back. */
class State {
  constructor(model) {
    const k = model.targets.length;
    this.started = new Array(k).fill(0);
    this.running = new Array(k).fill(0);
    this.ends = []; // { i, end } of running ranges
    this.groupUse = new Array(model.groupCaps.length).fill(0);
    this.finished = new Array(k).fill(false);
  }
  key(t, forbidden) {
    const ends = this.ends.map((e) => `${e.i}:${e.end - t}`).sort().join(',');
    return `${this.started.join(',')}|${ends}|${forbidden}`;
  }
}

/** Lower bound of the makespan from state `s` at time `t`. */
function lowerBound(model, s, t) {
  const { targets } = model;
  const est = new Array(targets.length).fill(t);
  const eft = new Array(targets.length).fill(t);
  let bound = t;
  for (const [i, x] of targets.entries()) {
    if (s.finished[i]) continue;
    for (const d of x.deps) if (!s.finished[d]) est[i] = Math.max(est[i], eft[d]);
    let runEnd = 0;
    for (const e of s.ends) if (e.i === i) runEnd = Math.max(runEnd, e.end);
    const left = x.batches - s.started[i];
    eft[i] = Math.max(runEnd, left > 0 ? est[i] + Math.ceil(left / x.width) * x.ms : 0);
    bound = Math.max(bound, eft[i] + x.tail);
  }
  const pools = [...model.groupCaps.map((cap, g) => ({ cap, member: (x) => x.group === g })), { cap: model.jobs, member: () => true }];
  for (const pool of pools) {
    const items = []; // [release, work, tail]
    for (const [i, x] of targets.entries()) {
      if (s.finished[i] || !pool.member(x)) continue;
      for (const e of s.ends) if (e.i === i) items.push([t, e.end - t, x.tail]);
      const left = x.batches - s.started[i];
      if (left > 0) items.push([est[i], left * x.ms, x.tail]);
    }
    items.sort((a, b) => b[0] - a[0]);
    let work = 0;
    let tail = Infinity;
    for (const [release, w, tl] of items) {
      work += w;
      tail = Math.min(tail, tl);
      bound = Math.max(bound, release + work / pool.cap + tail);
    }
  }
  return Math.ceil(bound / model.grain - 1e-9) * model.grain;
}

/** Whether one more range of target `i` fits now. */
function fits(model, s, i) {
  const x = model.targets[i];
  return s.started[i] < x.batches && s.ends.length < model.jobs && s.running[i] < x.parallel && (x.group < 0 || s.groupUse[x.group] < model.groupCaps[x.group]);
}

function start(model, s, i, t) {
  const x = model.targets[i];
  s.started[i]++;
  s.running[i]++;
  if (x.group >= 0) s.groupUse[x.group]++;
  s.ends.push({ i, end: t + x.ms });
}

function unstart(model, s, i) {
  const x = model.targets[i];
  s.started[i]--;
  s.running[i]--;
  if (x.group >= 0) s.groupUse[x.group]--;
  s.ends.splice(s.ends.findLastIndex((e) => e.i === i), 1);
}

/** Depth-first search for a schedule of makespan ≤ `limit`; fills `trace` (start times) when found. */
function search(model, limit, budget) {
  const s = new State(model);
  const seen = new Map();
  const trace = [];
  let nodes = 0;
  const ready = (i) => !s.finished[i] && s.started[i] < model.targets[i].batches && model.targets[i].deps.every((d) => s.finished[d]);
  const order = model.targets.map((_, i) => i).sort((a, b) => model.targets[b].tail + model.targets[b].ms - model.targets[a].tail - model.targets[a].ms);

  const visit = (t, forbidden) => {
    if (++nodes > budget) throw new Error('budget');
    if (s.finished.every(Boolean)) return true;
    if (lowerBound(model, s, t) > limit) return false;
    const key = s.key(t, forbidden);
    if ((seen.get(key) ?? Infinity) <= t) return false;
    seen.set(key, t);
    const candidates = order.filter((i) => ready(i));
    const choose = (k) => {
      if (k === candidates.length) return advance(t, candidates);
      const i = candidates[k];
      let placed = 0;
      // forbidden targets (see the header) start nothing here; others try most ranges first
      while (!(forbidden & (1 << i)) && fits(model, s, i)) (start(model, s, i, t), placed++);
      for (;;) {
        if (choose(k + 1)) return (trace.push(...Array(placed).fill([model.targets[i].name, t])), true);
        if (placed === 0) return false;
        unstart(model, s, i);
        placed--;
      }
    };
    return choose(0);
  };

  const advance = (t, candidates) => {
    if (s.ends.length === 0) return false;
    let leftover = 0;
    for (const i of candidates) if (fits(model, s, i)) leftover |= 1 << i;
    const next = Math.min(...s.ends.map((e) => e.end));
    const ended = s.ends.filter((e) => e.end === next);
    // restored as it was, so that `unstart` finds the ranges it started at the end
    const before = s.ends;
    s.ends = s.ends.filter((e) => e.end !== next);
    const newlyFinished = [];
    for (const e of ended) {
      const x = model.targets[e.i];
      s.running[e.i]--;
      if (x.group >= 0) s.groupUse[x.group]--;
      if (s.running[e.i] === 0 && s.started[e.i] === x.batches && !s.finished[e.i]) (s.finished[e.i] = true), newlyFinished.push(e.i);
    }
    const found = visit(next, leftover);
    for (const i of newlyFinished) s.finished[i] = false;
    for (const e of ended) {
      const x = model.targets[e.i];
      s.running[e.i]++;
      if (x.group >= 0) s.groupUse[x.group]++;
    }
    s.ends = before;
    return found;
  };

  const found = visit(0, 0);
  return { found, nodes, trace };
}

/**
 * The optimal makespan of `shape` in seconds, with one schedule that reaches it
 * (`[target, startSeconds]` per range) and the lower bound it started from. `atLeastS`: a
 * lower bound known from elsewhere (bench/schedule.mjs `lowerBound`), which spares rounds
 * where this search's own bound is weaker (fans of alike targets). Throws when the search
 * needs more than `budget` nodes in one round.
 */
export function optimalSchedule(shape, { atLeastS = 0, budget = 20_000_000 } = {}) {
  const model = compile(shape);
  if (model.targets.length > 31) throw new Error('optimalSchedule: at most 31 targets');
  const known = Math.ceil(Math.round(atLeastS * 1e6) / 1e3 / model.grain - 1e-9) * model.grain;
  const rootBound = Math.max(known, lowerBound(model, new State(model), 0));
  let nodes = 0;
  for (let limit = rootBound; ; limit += model.grain) {
    const round = search(model, limit, budget);
    nodes += round.nodes;
    if (round.found) {
      const schedule = round.trace.map(([target, ms]) => [target, ms / 1000]).sort((a, b) => a[1] - b[1]);
      return { makespanS: limit / 1000, rootBoundS: rootBound / 1000, nodes, schedule };
    }
  }
}
