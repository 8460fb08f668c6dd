/**
 * (c) Status and plan of a big pipeline, the warehouse served from memory, so that only the
 * pure part is measured: loading the config, assessing, planning, rendering.
 *
 *   node bench/status-big.mjs make <dir> <targets> <days>      writes the pipeline
 *   node bench/status-big.mjs run <dir> <targets> <days> [one-run|daily]
 *                                                              one cold pass; prints JSON
 *
 * The write records are served as both engines read them, `Warehouse.readWriteRanges` (runs
 * of consecutive days written alike), and present dates as ranges (`presentRanges`).
 * `one-run` (the default): every date of a target was written by one run, one range;
 * `daily`: each date by a run of its own, a day apart (a pipeline grown one run a day), so a
 * range per target-date.
 *
 * The pipeline: `targets` targets over `days` every-day dates; the first 2% are sources,
 * each other target reads 1–3 earlier ones (some with a 7-day lookback), one in ten has a
 * check, one in twenty misses every tenth date, a few have an upstream rewritten after them.
 * Every present date has a write record (as after builds by dagrun): days × targets of them,
 * stored by the fake as one batch per target and decoded into ranges per call.
 */
import { createHash } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import path from 'node:path';
import { DIST, addDaysIso, writeProject } from './lib/project.mjs';
import { MemoryWarehouse } from './lib/memory-warehouse.mjs';

export const START = '2020-01-01';
const GROUPS = ['g0', 'g1', 'g2', 'g3', 'g4'];

/** A small deterministic PRNG (mulberry32), so every run generates the same pipeline. */
function random(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const nameOf = (i) => `t${String(i).padStart(4, '0')}`;

/** The shape of target i: source or not, its deps, whether it has a hole pattern. */
function shapeOf(i, count) {
  const rand = random(i + 1);
  const sources = Math.max(1, Math.floor(count * 0.02));
  if (i < sources) return { source: true, deps: [] };
  const n = 1 + Math.floor(rand() * 3);
  const deps = new Map();
  for (let k = 0; k < n; k++) {
    const up = Math.floor(rand() * i);
    deps.set(nameOf(up), rand() < 0.1 ? 7 : 0);
  }
  return { source: false, deps: [...deps].map(([target, lookback]) => (lookback ? { target, lookback } : target)) };
}

/** Writes the pipeline files (`warehousePath`: for a real warehouse, bench/status-duckdb.mjs). */
export function makeBigProject(dir, count, days, { warehousePath = '.dagrun/never-opened.duckdb' } = {}) {
  const files = {
    'dag.json5': {
      warehouse: { type: 'duckdb', path: warehousePath },
      window: { start: START, end: addDaysIso(START, days - 1) },
      calendar: { every: 'day' },
      defaults: { dateColumn: 'd', threshold: 0.95 },
      concurrency: 8,
      groups: Object.fromEntries(GROUPS.map((g, i) => [g, { concurrency: i + 2 }])),
      targets: ['targets/*.json5'],
    },
    'targets/build.sql': 'INSERT INTO x SELECT * FROM y WHERE d IN (SELECT unnest(@dates))',
  };
  for (let i = 0; i < count; i++) {
    const shape = shapeOf(i, count);
    const target = { table: `ds.${nameOf(i)}`, deps: shape.deps, group: GROUPS[i % GROUPS.length] };
    if (shape.source) target.source = true;
    else target.build = { sql: 'build.sql', ranges: 'contiguous', maxDays: 31 };
    if (i % 10 === 5) target.checks = [{ name: 'rows', sql: `SELECT count(*) FROM ds.${nameOf(i)}`, min: 1 }];
    files[`targets/${nameOf(i)}.json5`] = target;
  }
  writeProject(dir, files);
}

/** The warehouse's answers for the generated pipeline. */
function makeWarehouse(config, fingerprints, window, { dailyRuns }) {
  const names = [...config.targets.keys()].sort();
  const all = [];
  for (let d = window.first; d <= window.last; d++) all.push(d);
  const tables = new Map();
  const writeBatches = [];
  const base = Date.UTC(2024, 0, 1);
  names.forEach((name, index) => {
    const holes = index % 20 === 7 && !config.targets.get(name).source;
    const present = holes ? all.filter((d) => d % 10 !== 0) : all;
    tables.set(config.targets.get(name).table, present);
    // upstream written before downstream (index order is a topological order), except a few
    const writtenAt = index % 97 === 3 ? base - 1 : base + index * 1000;
    writeBatches.push({ target: name, days: present, writtenAt, fingerprint: fingerprints.get(name), runId: 'r1' });
  });
  return new MemoryWarehouse({ tables, writeBatches, dailyRuns });
}

const load = (file) => import(pathToFileURL(path.join(DIST, file)).href);

/** CPU time used by this process so far, in ms. */
function cpuMs() {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** One cold pass: returns the time of each phase in ms, the warehouse calls, and the peak RSS in MB. */
async function pass(dir, history) {
  const t0 = performance.now();
  const { openSession } = await load('run/session.js');
  const { measureSelection } = await load('run/pipeline.js');
  const { renderStatusTable } = await load('report/status-table.js');
  const { statusJson, planJson } = await load('report/status-json.js');
  const { renderPlan } = await load('report/plan-text.js');
  const { computePlan } = await load('scheduler/compute-plan.js');
  const { fingerprintAll } = await load('freshness/fingerprint.js');
  const t1 = performance.now();
  const c1 = cpuMs();
  const session = openSession({ config: path.join(dir, 'dag.json5'), targets: [], now: '2026-01-01T00:00:00Z' });
  const t2 = performance.now();
  const c2 = cpuMs();
  const warehouse = makeWarehouse(session.config, fingerprintAll(session.config), session.window, { dailyRuns: history === 'daily' });
  const t3 = performance.now();
  const c3 = cpuMs();
  const { freshness, state } = await measureSelection(session, warehouse);
  const t4 = performance.now();
  const c4 = cpuMs();
  const rows = session.selected.map((n) => freshness.get(n));
  const table = renderStatusTable(session.graph, session.window, rows);
  const json = statusJson(session.graph, session.window, rows);
  const t5 = performance.now();
  const c5 = cpuMs();
  const plan = computePlan({ graph: session.graph, state, freshness, selected: session.selected, force: new Set() });
  const t6 = performance.now();
  const planText = renderPlan(plan, { explain: false });
  const planText2 = planJson(plan);
  const t7 = performance.now();
  const c7 = cpuMs();
  return {
    importMs: t1 - t0,
    loadConfigMs: t2 - t1,
    fakeAnswersMs: t3 - t2,
    measureAssessMs: t4 - t3,
    renderStatusMs: t5 - t4,
    computePlanMs: t6 - t5,
    renderPlanMs: t7 - t6,
    statusMs: t2 - t1 + (t5 - t3),
    dryRunMs: t2 - t1 + (t4 - t3) + (t7 - t5),
    // CPU of this process (all its threads, GC helpers included): unlike wall time, not
    // stretched by other processes competing for the cores
    statusCpuMs: c2 - c1 + (c5 - c3),
    dryRunCpuMs: c2 - c1 + (c4 - c3) + (c7 - c5),
    outputBytes: table.length + json.length + planText.length + planText2.length,
    // to check that a change leaves every output as it was
    outputSha1: createHash('sha1').update(table).update(json).update(planText).update(planText2).digest('hex'),
    steps: plan.steps.length,
    stale: rows.filter((r) => r.state !== 'fresh').length,
    history,
    warehouseCalls: Object.fromEntries(warehouse.calls),
    maxRssMb: process.resourceUsage().maxRSS / 1024,
  };
}

const [mode, dir, countArg, daysArg, history = 'one-run'] = process.argv.slice(2);
if (!process.argv[1] || import.meta.url !== pathToFileURL(process.argv[1]).href) {
  // imported (bench/status-duckdb.mjs): the pipeline's shape only
} else if (mode === 'make') makeBigProject(dir, Number(countArg), Number(daysArg));
else if (mode === 'run' && ['one-run', 'daily'].includes(history)) {
  console.log(JSON.stringify(await pass(dir, history)));
} else throw new Error(`usage: status-big.mjs make|run <dir> <targets> <days> [one-run|daily] (got ${process.argv.slice(2).join(' ')})`);
