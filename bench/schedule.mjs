/**
 * (b) Scheduling quality: pipelines of `sleep` commands with known durations, their makespan
 * against a lower bound and the true optimum (bench/lib/optimal-schedule.mjs), both through
 * the real CLI (whose plan, after the warm-up run, has range durations from earlier runs) and
 * in a simulation of the real `Plan` (dist/scheduler/plan.js) on a virtual clock — there
 * without estimates (the shape alone), with the true durations as estimates, and with the
 * critical path alone (the policy before the simulated priority search, for comparison).
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { addDaysIso, CLI, DIST, duckdbExec, tempDir, writeProject } from './lib/project.mjs';
import { optimalSchedule } from './lib/optimal-schedule.mjs';
import { timeCommand } from './lib/timing.mjs';

/**
 * The shapes. Each target: `deps`, `group`, `batches` (ranges of one date each), `seconds`
 * per range, `parallel` (0: unlimited).
 */
export const SHAPES = {
  chain: {
    jobs: 8,
    groups: {},
    targets: Object.fromEntries(
      Array.from({ length: 5 }, (_, i) => [`c${i}`, { deps: i ? [`c${i - 1}`] : [], batches: 2, seconds: 0.4, parallel: 2 }]),
    ),
  },
  fan: {
    jobs: 8,
    groups: {},
    targets: {
      root: { deps: [], batches: 1, seconds: 0.4, parallel: 1 },
      ...Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`mid${i}`, { deps: ['root'], batches: 4, seconds: 0.3, parallel: 4 }])),
      sink: { deps: Array.from({ length: 8 }, (_, i) => `mid${i}`), batches: 1, seconds: 0.4, parallel: 1 },
    },
  },
  // a chain of long single ranges beside two wide targets of short ranges: batch counts
  // favour the wide ones, durations the chain
  skewed: {
    jobs: 4,
    groups: {},
    targets: {
      a1: { deps: [], batches: 1, seconds: 0.5, parallel: 0 },
      a2: { deps: ['a1'], batches: 1, seconds: 0.5, parallel: 0 },
      a3: { deps: ['a2'], batches: 1, seconds: 0.5, parallel: 0 },
      b1: { deps: [], batches: 16, seconds: 0.1, parallel: 0 },
      b2: { deps: ['b1'], batches: 16, seconds: 0.1, parallel: 0 },
    },
  },
  demo: {
    jobs: 8,
    groups: { raw: 2, phase3: 3, precompute_1: 3, precompute_2: 15, precompute_3: 2 },
    targets: {
      schedule: { deps: [], group: 'raw', batches: 1, seconds: 0.2, parallel: 0 },
      player_boxscores: { deps: ['schedule'], group: 'raw', batches: 6, seconds: 0.3, parallel: 0 },
      player_prop_lines: { deps: ['schedule'], group: 'raw', batches: 6, seconds: 0.1, parallel: 0 },
      shot_zones: { deps: ['schedule'], group: 'raw', batches: 6, seconds: 0.1, parallel: 0 },
      team_boxscores: { deps: ['schedule'], group: 'raw', batches: 6, seconds: 0.1, parallel: 0 },
      player_game_summary: { deps: ['player_boxscores', 'team_boxscores'], group: 'phase3', batches: 6, seconds: 0.3, parallel: 0 },
      team_offense_game_summary: { deps: ['team_boxscores'], group: 'phase3', batches: 6, seconds: 0.1, parallel: 0 },
      team_defense_game_summary: { deps: ['team_offense_game_summary'], group: 'phase3', batches: 6, seconds: 0.1, parallel: 0 },
      upcoming_team_game_context: { deps: ['schedule'], group: 'phase3', batches: 6, seconds: 0.1, parallel: 0 },
      upcoming_player_game_context: { deps: ['player_prop_lines', 'upcoming_team_game_context', 'player_boxscores'], group: 'phase3', batches: 6, seconds: 0.2, parallel: 0 },
      player_daily_cache: { deps: ['upcoming_player_game_context', 'player_game_summary'], group: 'precompute_1', batches: 6, seconds: 0.2, parallel: 0 },
      player_shot_zone_analysis: { deps: ['upcoming_player_game_context', 'shot_zones'], group: 'precompute_1', batches: 6, seconds: 0.2, parallel: 0 },
      team_defense_zone_analysis: { deps: ['upcoming_team_game_context', 'shot_zones', 'team_defense_game_summary'], group: 'precompute_1', batches: 6, seconds: 0.1, parallel: 0 },
      player_composite_factors: { deps: ['player_daily_cache', 'player_shot_zone_analysis', 'team_defense_zone_analysis', 'upcoming_player_game_context'], group: 'precompute_2', batches: 6, seconds: 0.15, parallel: 0 },
      ml_feature_store_v2: {
        deps: ['player_composite_factors', 'player_daily_cache', 'player_shot_zone_analysis', 'team_defense_zone_analysis', 'upcoming_team_game_context', 'player_game_summary'],
        group: 'precompute_3', batches: 6, seconds: 0.2, parallel: 0,
      },
    },
  },
};

/** How many ranges of a target can run at once: its parallel, its group's and the global limit. */
function width(shape, t) {
  const limits = [t.parallel || Infinity, (t.group && shape.groups[t.group]) || Infinity, shape.jobs];
  return Math.max(1, Math.min(...limits));
}

/**
 * A lower bound of the makespan in seconds: the longest chain, each group's work over its
 * concurrency, all work over -j, and for every pair a → … → b the chains up to a and from b
 * plus the work strictly between them (which can only run after a and before b).
 */
export function lowerBound(shape) {
  const names = Object.keys(shape.targets);
  const t = shape.targets;
  // a target of measured ranges (`durations`, seconds each) takes at least its longest range
  // and its work over its width; one of equal ranges, its rounds of them
  const own = (n) => (t[n].durations ? Math.max(...t[n].durations, work(n) / width(shape, t[n])) : Math.ceil(t[n].batches / width(shape, t[n])) * t[n].seconds);
  const work = (n) => (t[n].durations ? t[n].durations.reduce((a, b) => a + b, 0) : t[n].batches * t[n].seconds);
  const memo = new Map();
  const before = (n) => memo.get(`b${n}`) ?? (memo.set(`b${n}`, own(n) + Math.max(0, ...t[n].deps.map(before))), memo.get(`b${n}`));
  const dependents = (n) => names.filter((m) => t[m].deps.includes(n));
  const after = (n) => memo.get(`a${n}`) ?? (memo.set(`a${n}`, own(n) + Math.max(0, ...dependents(n).map(after))), memo.get(`a${n}`));
  const ancestors = (n, seen = new Set()) => (t[n].deps.forEach((d) => !seen.has(d) && (seen.add(d), ancestors(d, seen))), seen);
  const packed = (set) => {
    const byGroup = new Map();
    for (const n of set) if (t[n].group) byGroup.set(t[n].group, (byGroup.get(t[n].group) ?? 0) + work(n));
    const groupBound = Math.max(0, ...[...byGroup].map(([g, w]) => w / shape.groups[g]));
    return Math.max([...set].reduce((s, n) => s + work(n), 0) / shape.jobs, groupBound);
  };
  let bound = Math.max(packed(names), ...names.map((n) => before(n) + after(n) - own(n)));
  for (const b of names) {
    const upOfB = ancestors(b);
    for (const a of upOfB) {
      const between = [...upOfB].filter((m) => ancestors(m).has(a));
      if (between.length > 0) bound = Math.max(bound, before(a) + packed(between) + after(b));
    }
  }
  return bound;
}

/** The steps the planner would make for a shape (one date per batch). */
function stepsOf(shape) {
  return Object.entries(shape.targets).map(([name, t]) => ({
    target: name, group: t.group, days: [], reasons: ['bench'], after: [...t.deps].sort(), deferred: false,
    batches: Array.from({ length: t.batches }, (_, i) => ({ first: i, last: i, days: [i] })),
  }));
}

/**
 * Runs the real `Plan` on a virtual clock: ranges take their `seconds`, gates and
 * resolutions none. `estimate`: pass each target's seconds per range to the plan;
 * `priorityBudget`: the plan's (0: critical path only).
 */
export async function simulate(shape, { estimate, priorityBudget }) {
  const { Plan } = await import(pathToFileURL(path.join(DIST, 'scheduler/plan.js')).href);
  const plan = new Plan(stepsOf(shape), {
    jobs: shape.jobs,
    groups: new Map(Object.entries(shape.groups)),
    parallel: (n) => shape.targets[n].parallel,
    estimate: estimate ? (n) => shape.targets[n].seconds * 1000 : undefined,
    priorityBudget,
    failureMode: 'no-new',
  });
  let now = 0;
  const running = [];
  while (plan.moreToDo()) {
    for (let unit = plan.findWork(); unit; unit = plan.findWork()) {
      running.push({ unit, end: now + (unit.kind === 'range' ? shape.targets[unit.target].seconds : 0) });
    }
    running.sort((a, b) => a.end - b.end);
    const next = running.shift();
    if (!next) throw new Error('simulation stuck');
    now = next.end;
    plan.finished(next.unit);
  }
  return now;
}

/** Writes the shape as a pipeline of sleep commands over tables that already hold every date (sleep writes nothing). */
export async function makeScheduleProject(name, shape) {
  const dir = tempDir(`schedule-${name}`);
  const days = Math.max(...Object.values(shape.targets).map((t) => t.batches));
  const files = {
    'dag.json5': {
      warehouse: { type: 'duckdb', path: '.dagrun/warehouse.duckdb' },
      window: { start: '2020-01-01', end: addDaysIso('2020-01-01', days - 1) },
      calendar: { every: 'day' },
      defaults: { dateColumn: 'd', threshold: 0 },
      concurrency: shape.jobs,
      groups: Object.fromEntries(Object.entries(shape.groups).map(([g, c]) => [g, { concurrency: c }])),
      targets: ['targets/*.json5'],
    },
  };
  const tables = [];
  for (const [target, t] of Object.entries(shape.targets)) {
    // per-date over the whole window, cut to t.batches ranges with maxDays
    const maxDays = Math.ceil(days / t.batches);
    if (Math.ceil(days / maxDays) !== t.batches) throw new Error(`${name}/${target}: ${t.batches} batches cannot be cut from ${days} days`);
    files[`targets/${target}.json5`] = {
      table: `bench.${target}`, deps: t.deps, ...(t.group && { group: t.group }),
      build: { command: ['sleep', String(t.seconds)], ranges: 'contiguous', maxDays, parallel: t.parallel || 64, opensWarehouse: false },
    };
    // every date already present: a command that exits 0 must leave its dates in the table
    tables.push(`CREATE TABLE bench.${target} AS SELECT DATE '2020-01-01' + CAST(x AS INTEGER) AS d FROM range(${days}) t(x)`);
  }
  writeProject(dir, files);
  await duckdbExec(path.join(dir, '.dagrun/warehouse.duckdb'), ['CREATE SCHEMA bench', ...tables]);
  return dir;
}

/**
 * Measures one shape: bound, optimum, simulated makespans, and the real CLI's median wall
 * time (the warm-up run leaves the range durations the measured runs plan with).
 */
export async function benchSchedule(name, { runs, cli = CLI }) {
  const shape = SHAPES[name];
  const dir = await makeScheduleProject(name, shape);
  const real = timeCommand(['node', cli, '-B'], { cwd: dir, runs, warmup: 1 });
  const boundS = lowerBound(shape);
  return {
    boundS,
    optimumS: optimalSchedule(shape, { atLeastS: boundS }).makespanS,
    simulatedS: await simulate(shape, { estimate: false }),
    simulatedWithEstimateS: await simulate(shape, { estimate: true }),
    simulatedCriticalPathS: await simulate(shape, { estimate: true, priorityBudget: 0 }),
    realS: real.medianMs / 1000,
  };
}
