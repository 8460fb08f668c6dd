/**
 * The build loop with a fake command runner and a real DuckDB warehouse: limits per group
 * and globally, ordering behind gates, failure propagation and -k, all without sleeps.
 * The fake commands "write" their dates through the warehouse seam before the test ends them.
 */
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/load.js';
import { runBuildLoop } from '../src/executor/build-loop.js';
import type { ExecutionContext } from '../src/executor/context.js';
import { executePlan } from '../src/executor/execute.js';
import { assessTargets } from '../src/freshness/assess.js';
import { measureState } from '../src/freshness/check.js';
import { fingerprintAll } from '../src/freshness/fingerprint.js';
import { buildGraph } from '../src/graph/build.js';
import { dayOf } from '../src/intervals/day.js';
import type { RunEvent, TargetOutcome } from '../src/executor/events.js';
import { describeFailure } from '../src/report/failure-text.js';
import { computePlan } from '../src/scheduler/compute-plan.js';
import type { Plan } from '../src/scheduler/plan.js';
import { DuckDbWarehouse } from '../src/warehouse/duckdb.js';
import { FakeProject } from './helpers/fake-project.js';
import { FakeCommandRunner, type FakeInvocation } from './helpers/fake-runner.js';
import { dagJson, ProjectRig } from './helpers/rig.js';

/** A target file for a command target the fake runner plays. */
function commandTarget(options: { deps?: string[]; group?: string; parallel?: number; ranges?: string; threshold?: number }): string {
  return JSON.stringify({
    table: 'fake.__NAME__',
    deps: options.deps ?? [],
    ...(options.group ? { group: options.group } : {}),
    ...(options.threshold !== undefined ? { threshold: options.threshold } : {}),
    build: { command: ['fake-build', '{target}', '{start}', '{end}'], ranges: options.ranges ?? 'per-date', parallel: options.parallel ?? 1, opensWarehouse: false },
  });
}

/** A pipeline of command targets in a temp folder, measured and planned for real, executed with the fake runner. */
/** An outcome with its failure in the words reports use. */
type SaidOutcome = TargetOutcome & { readonly reason: string | undefined };
const byTarget = (outcomes: readonly TargetOutcome[]): Record<string, SaidOutcome> =>
  Object.fromEntries(outcomes.map((o) => [o.target, { ...o, reason: describeFailure(o.failure) }]));

class Harness {
  readonly rig = new ProjectRig();
  readonly runner = new FakeCommandRunner();
  readonly events: RunEvent[] = [];
  /** Aborting it is what Ctrl-C does, together with `interrupt()`. */
  readonly controller = new AbortController();
  interrupt: () => void = () => undefined;
  warehouse: DuckDbWarehouse | undefined;

  async start(dag: Record<string, unknown>, targets: Record<string, Parameters<typeof commandTarget>[0]>, keepGoing = false) {
    const files: Record<string, string> = { 'dag.json5': dagJson({ window: { start: '2024-01-01', end: '2024-01-04' }, ...dag }) };
    for (const [name, options] of Object.entries(targets)) files[`targets/${name}.json5`] = commandTarget(options).replace('__NAME__', name);
    this.rig.write(files);
    const config = loadConfig(path.join(this.rig.dir, 'dag.json5'));
    const graph = buildGraph(config.targets);
    const warehouse = (this.warehouse = new DuckDbWarehouse({ path: path.join(this.rig.dir, '.dagrun/warehouse.duckdb'), searchPath: this.rig.dir }));
    // Opened once up front, as the CLI does (concurrent first opens race: see the report).
    await warehouse.open();
    const window = { first: dayOf('2024-01-01'), last: dayOf('2024-01-04') };
    const fingerprints = fingerprintAll(config);
    const selected = graph.topologicalOrder();
    const state = await measureState(warehouse, { graph, names: selected, window, fingerprints });
    const before = assessTargets(graph, state, selected);
    const plan = computePlan({ graph, state, freshness: before, selected, force: new Set() });
    const ctx: ExecutionContext = {
      config, graph, warehouse, runner: this.runner, reporter: { handle: (e) => this.events.push(e) },
      runId: 'test-run', runDir: path.join(this.rig.dir, '.dagrun/runs/test-run'), window, fingerprints, before,
      now: () => performance.timeOrigin + performance.now(), sleep: async () => undefined, signal: this.controller.signal,
    };
    const execution = executePlan(ctx, plan, { jobs: config.concurrency, failureMode: keepGoing ? 'continue' : 'no-new' });
    this.interrupt = execution.interrupt;
    return execution.done;
  }

  /** What a real command would do: write its dates into its table. */
  async write(inv: FakeInvocation): Promise<void> {
    await this.warehouse!.runSql({
      target: inv.target, table: `fake.${inv.target}`, labels: {},
      sql: 'CREATE TABLE IF NOT EXISTS fake.__T__ (d DATE); INSERT INTO fake.__T__ SELECT unnest(@dates)'.replaceAll('__T__', inv.target),
      start: dayOf(inv.request.env.DAGRUN_START!), end: dayOf(inv.request.env.DAGRUN_END!),
      dates: inv.request.env.DAGRUN_DATES!.split(',').map((d) => dayOf(d)),
    });
  }

  /** Ends every command as `decide` says, one at a time in start order, until the run is done. */
  async drive(done: Promise<TargetOutcome[]>, decide: (inv: FakeInvocation) => 'write' | 'exit-only' | number = () => 'write'): Promise<Record<string, SaidOutcome>> {
    for (;;) {
      const inv = await Promise.race([this.runner.nextInvocation(), done.then(() => undefined)]);
      if (!inv) break;
      const what = decide(inv);
      if (what === 'write') await this.write(inv);
      if (typeof what === 'number') inv.exit(what, `boom from ${inv.target}\n`);
      else inv.exit(0);
    }
    return byTarget(await done);
  }

  /** Index of the first event matching. */
  indexOf(match: (e: RunEvent) => boolean): number {
    return this.events.findIndex(match);
  }

  async cleanup(): Promise<void> {
    await this.warehouse?.close();
    this.rig.cleanup();
  }
}

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.cleanup();
  harness = undefined;
});
const newHarness = () => (harness = new Harness());

describe('executePlan with a fake runner on DuckDB', () => {
  it('keeps groups and the global limit, and builds everything', async () => {
    const h = newHarness();
    const done = h.start({ concurrency: 3, groups: { g: { concurrency: 2 } } }, {
      g1: { group: 'g', parallel: 4 }, g2: { group: 'g', parallel: 4 }, free: { parallel: 4 },
    });
    const outcomes = await h.drive(done);
    expect(Object.values(outcomes).map((o) => o.status)).toEqual(['done', 'done', 'done']);
    expect(h.runner.commandsRan).toHaveLength(12); // 3 targets × 4 dates, per-date
    expect(h.runner.maxConcurrent()).toBe(3);
    expect(h.runner.maxConcurrent((t) => t.startsWith('g'))).toBe(2);
    expect(outcomes.free).toMatchObject({ batchesDone: 4, batches: 4, daysHandedOver: 4 });
    expect(outcomes.free!.after?.coverage).toBe(1);
  });

  it("keeps a target's parallel limit", async () => {
    const h = newHarness();
    const outcomes = await h.drive(h.start({ concurrency: 8 }, { t: { parallel: 2 } }));
    expect(outcomes.t!.status).toBe('done');
    expect(h.runner.maxConcurrent()).toBe(2);
  });

  it('starts a dependent only after its upstream passed its gate', async () => {
    const h = newHarness();
    const outcomes = await h.drive(h.start({ concurrency: 4 }, { raw: { parallel: 4 }, mid: { deps: ['raw'], parallel: 4 } }));
    expect(outcomes.mid!.status).toBe('done');
    const gate = h.indexOf((e) => e.type === 'gate-finished' && e.target === 'raw');
    const firstMid = h.indexOf((e) => e.type === 'range-started' && e.target === 'mid');
    const lastRaw = h.events.findLastIndex((e) => e.type === 'range-finished' && e.target === 'raw');
    expect(lastRaw).toBeLessThan(gate);
    expect(gate).toBeLessThan(firstMid);
  });

  it('a command that cannot write the table (opensWarehouse: false) and writes nothing fails its gate, and nothing downstream starts', async () => {
    const h = newHarness();
    const outcomes = await h.drive(h.start({}, { raw: { ranges: 'contiguous' }, mid: { deps: ['raw'] } }), () => 'exit-only');
    expect(outcomes.raw).toMatchObject({ status: 'failed', reason: '4 of 4 dates still missing after the build (0.0% < 100%)' });
    expect(outcomes.mid).toMatchObject({ status: 'skipped', reason: 'upstream raw failed' });
    expect(h.runner.commandsRan.map((argv) => argv[1])).toEqual(['raw']);
  });

  const failing = { raw: { parallel: 1 }, mid: { deps: ['raw'] }, top: { deps: ['mid'] }, other: { parallel: 1 } };

  it('without -k: a failure starts nothing new; the running command finishes; the tail is reported', async () => {
    const h = newHarness();
    const outcomes = await h.drive(h.start({ concurrency: 2 }, failing), (inv) => (inv.target === 'raw' ? 3 : 'write'));
    expect(outcomes.raw).toMatchObject({ status: 'failed', reason: 'exited with code 3' });
    expect(outcomes.mid).toMatchObject({ status: 'skipped', reason: 'upstream raw failed' });
    expect(outcomes.top).toMatchObject({ status: 'skipped', reason: 'upstream raw failed' });
    expect(outcomes.other!.status).not.toBe('done'); // one of its four dates ran, the rest never started
    expect(outcomes.other!.reason).toMatch(/the run stopped after raw failed/);
    expect(h.runner.commandsRan.map((a) => a[1])).toEqual(['raw', 'other']);
    const failure = h.events.find((e) => e.type === 'range-finished' && !e.ok);
    expect(failure).toMatchObject({ target: 'raw', tail: 'boom from raw\n' });
  });

  it('with -k: independent work goes on, dependents of the failure are skipped', async () => {
    const h = newHarness();
    const outcomes = await h.drive(h.start({ concurrency: 2 }, failing, true), (inv) => (inv.target === 'raw' && inv.range === '2024-01-01..2024-01-01' ? 1 : 'write'));
    expect(outcomes.raw).toMatchObject({ status: 'failed', batchesDone: 3, batches: 4 });
    expect(outcomes.other).toMatchObject({ status: 'done', batchesDone: 4 });
    expect(outcomes.mid!.status).toBe('skipped');
    expect(outcomes.top!.status).toBe('skipped');
    expect(h.runner.commandsRan.filter((a) => a[1] === 'mid' || a[1] === 'top')).toEqual([]);
  });
});

describe('interrupting executePlan', () => {
  it('kills running commands, starts nothing more, and says what was left', async () => {
    const h = newHarness();
    const done = h.start({ concurrency: 2 }, { raw: { parallel: 2 }, mid: { deps: ['raw'] } });
    await h.runner.nextInvocation();
    expect(h.runner.running).toHaveLength(2);
    h.interrupt();
    h.controller.abort(); // the fake runner ends its commands as killed, as execa does
    const outcomes = byTarget(await done);
    expect(outcomes.raw).toMatchObject({ status: 'active', batchesDone: 0, reason: '0 of 4 ranges built: interrupted' });
    expect(outcomes.mid).toMatchObject({ status: 'skipped', reason: 'not started: interrupted' });
    expect(h.runner.commandsRan).toHaveLength(2);
  });
});

describe('runBuildLoop', () => {
  it('turns an executor that throws into a failure of that unit', async () => {
    const plan = new FakeProject().addTarget('a').addTarget('b', { deps: ['a'] }).plan();
    await runBuildLoop(plan, () => {
      throw new Error('oops');
    });
    const outcomes = plan.outcomes();
    expect(outcomes.map((o) => [o.target, o.status, describeFailure(o.failure)])).toEqual([
      ['a', 'failed', 'Internal error: oops'],
      ['b', 'skipped', 'upstream a failed'],
    ]);
  });

  it('reports a plan that can make no progress as a bug instead of hanging', async () => {
    const stuck = { moreToDo: () => true, findWork: () => undefined, outcomes: () => [{ target: 'x', status: 'waiting' }] } as unknown as Plan;
    await expect(runBuildLoop(stuck, async () => ({ ok: true }))).rejects.toThrow('Internal error: the build is stuck (this is a bug): no work is running and none can start; left: x (waiting)');
  });

  it('runs units in the order the plan allows, waiting for each finish', async () => {
    const plan = new FakeProject({ jobs: 2 }).addTarget('a', { batches: 2, parallel: 2 }).addTarget('b', { deps: ['a'] }).plan();
    const log: string[] = [];
    let inFlight = 0;
    let most = 0;
    await runBuildLoop(plan, async (unit) => {
      inFlight++;
      most = Math.max(most, inFlight);
      log.push(unit.kind === 'range' ? `${unit.target}#${unit.index}` : `${unit.kind}:${unit.target}`);
      await Promise.resolve();
      inFlight--;
      return { ok: true };
    });
    expect(log).toEqual(['a#0', 'a#1', 'gate:a', 'b#0', 'gate:b']);
    expect(most).toBe(2);
    expect(plan.outcomes().every((o) => o.status === 'done')).toBe(true);
  });
});
