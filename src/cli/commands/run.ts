/**
 * `dagrun [targets..]` and `dagrun -n`: lock the pipeline, measure, plan, then either show the
 * plan or execute it behind its gates, and write the run record.
 *
 * Interrupts: the first SIGINT/SIGTERM stops new work and ends every running command's
 * process group (SIGTERM, then SIGKILL after a grace period); the run then exits 130 saying
 * what was stopped and what is left. A second signal, or a run that has not stopped 10 s
 * after the first, kills the groups at once and exits. Nothing is lost either way: a range
 * counts only once its command succeeded, SQL ranges are one transaction each, and the next
 * run measures the warehouse again and builds what is missing.
 */
import path from 'node:path';
import { setMaxListeners } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import { onBrokenPipe } from '../broken-pipe.js';
import { DagrunError, messageOf } from '../../core/errors.js';
import { KILL_GRACE_MS } from '../../executor/runner.js';
import { createCommandRunner } from '../../executor/native-select.js';
import type { ManagedCommandRunner } from '../../executor/native-runner.js';
import { executePlan } from '../../executor/execute.js';
import { onLogWriteFailure, Redactor } from '../../executor/output-log.js';
import { formatRange } from '../../intervals/interval.js';
import type { RunEvent, TargetOutcome } from '../../report/events.js';
import { createReporter, type ReportFiles } from '../../report/create.js';
import { RangeDurations } from '../../report/durations.js';
import { writeRunRecord as writeRecordFile } from '../../report/history.js';
import { unwrittenReports } from '../../report/report-files.js';
import { pruneRunHistory } from '../../state/retention.js';
import { renderPlan } from '../../report/plan-text.js';
import type { Reporter } from '../../report/reporter.js';
import { planJson } from '../../report/status-json.js';
import { computePlan, isUnbuildable, type PlanData } from '../../scheduler/compute-plan.js';
import type { Warehouse } from '../../warehouse/warehouse.js';
import { estimatePlanBytes, parseMaxBytes } from '../../warehouse/bigquery-budget.js';
import { addEstimatesToPlanJson, applyBudget, splitEstimates } from '../../scheduler/budget.js';
import type { PipelineLock } from '../../executor/lock.js';
import { openSession, type Session, type SessionOptions } from '../../run/session.js';
import { measureSelection, withPipeline } from '../../run/pipeline.js';
import type { Output } from './shared.js';

/** Options of a build or dry run. */
export interface RunOptions extends SessionOptions {
  readonly dryRun: boolean;
  readonly json: boolean;
  readonly explain: boolean;
  readonly jobs?: number;
  readonly keepGoing: boolean;
  readonly force: boolean;
  /** `--fill`: also the missing dates of targets at or above their threshold. */
  readonly fill?: boolean;
  readonly commandLine: string;
  /** Wait for another run holding the pipeline instead of failing at once. */
  readonly wait?: boolean;
  /** Extra report files (`--report`, `--junit`, `--html`). */
  readonly reports?: ReportFiles;
  /** `--max-bytes`: refuse a plan whose SQL steps are estimated to process more (e.g. `50GB`). */
  readonly maxBytes?: string;
}

/** After the first interrupt, the run gets this long to stop before it is ended like a second Ctrl-C. */
const STOP_DEADLINE_MS = KILL_GRACE_MS + 7_000;

/** Selected targets that cannot be built in this run: blocked ones and stale sources. */
function unbuildable(plan: PlanData): TargetOutcome[] {
  return plan.omitted
    .filter(isUnbuildable)
    .map((o) => ({ target: o.target, status: 'skipped', reason: o.why, batchesDone: 0, batches: 0, daysHandedOver: 0, before: undefined, after: undefined, durationMs: undefined }));
}

/** Writes the run record so that a crash leaves either the old file or the new one, never half of one; a full disk throws a DagrunError naming the file. */
function writeRunRecord(session: Session, record: unknown, redactor: Redactor): void {
  writeRecordFile(session.stateDir, session.runId, redactor.redact(JSON.stringify(record, null, 2)) + '\n');
}

/**
 * Sits in front of every reporter: masks secrets in the free text of events (command output,
 * error messages), so that report files see no more than the terminal does, and remembers
 * which ranges run now (for the interrupt message).
 */
class RunTap implements Reporter {
  readonly #inner: Reporter;
  readonly #redact: (text: string) => string;
  readonly running = new Map<string, string>();
  /** Ranges that ended well (committed), by the same label: one running at an interrupt may still finish. */
  readonly succeeded = new Set<string>();
  constructor(inner: Reporter, redact: (text: string) => string) {
    this.#inner = inner;
    this.#redact = redact;
  }
  handle(event: RunEvent): void {
    if (event.type === 'range-started') this.running.set(`${event.target}#${event.index}`, `${event.target} ${formatRange(event.batch)}`);
    if (event.type === 'range-finished') this.running.delete(`${event.target}#${event.index}`);
    if (event.type === 'range-finished' && event.ok) this.succeeded.add(`${event.target} ${formatRange(event.batch)}`);
    this.#inner.handle(this.#masked(event));
  }
  #masked(event: RunEvent): RunEvent {
    const r = this.#redact;
    const maybe = (text: string | undefined) => (text === undefined ? undefined : r(text));
    switch (event.type) {
      case 'range-finished':
        return { ...event, error: maybe(event.error), tail: maybe(event.tail) };
      case 'range-retrying':
        return { ...event, error: r(event.error) };
      case 'gate-finished':
        return { ...event, message: r(event.message) };
      case 'target-skipped':
        return { ...event, reason: r(event.reason) };
      case 'info':
      case 'warning':
        return { ...event, message: r(event.message) };
      case 'run-finished':
        return { ...event, outcomes: event.outcomes.map((o) => ({ ...o, reason: maybe(o.reason) })) };
      case 'run-started':
      case 'range-started':
      case 'range-waiting':
        return event; // no free text
    }
  }
  close(): void | Promise<void> {
    return this.#inner.close?.();
  }
}

/** What is left after an interrupted run, per target. */
function describeLeft(outcomes: readonly TargetOutcome[]): string {
  const left = outcomes
    .filter((o) => o.status !== 'done' && o.status !== 'skipped')
    .map((o) => {
      if (o.batchesDone === 0) return `${o.target} (not started)`;
      if (o.batchesDone === o.batches) return `${o.target} (built, not yet measured)`;
      return `${o.target} (${o.batches - o.batchesDone} of ${o.batches} ranges)`;
    });
  return left.length === 0 ? 'nothing' : left.join(', ');
}

/** Runs a build (or a dry run); returns the exit code. */
export async function runCommand(options: RunOptions, out: Output): Promise<number> {
  const session = openSession(options);
  const jobs = options.jobs ?? session.config.concurrency;
  if (!Number.isInteger(jobs) || jobs < 1) throw new DagrunError('usage', `--jobs must be a whole number of at least 1, got ${options.jobs}`);
  const budget = parseMaxBytes(options.maxBytes);
  const buildEnvs = [...session.config.targets.values()].map((t) => t.build?.env ?? {});
  const redactor = Redactor.fromEnvironment(process.env, buildEnvs);
  // Everything printed passes the redactor: command tails, error messages, JSON events.
  const safe: Output = { stdout: (t) => out.stdout(redactor.redact(t)), stderr: (t) => out.stderr(redactor.redact(t)) };
  const say = (message: string) => safe.stderr(`dagrun: ${message}\n`);

  if (options.dryRun) {
    return withPipeline(session, { purpose: 'read', wait: options.wait ?? false, commandLine: options.commandLine, say }, async (warehouse) => {
      const { state, freshness, warnings } = await measureSelection(session, warehouse);
      for (const warning of warnings) say(`warning: ${warning}`);
      const plan = computePlan({ graph: session.graph, state, freshness, selected: session.selected, force: new Set(options.force ? session.named : []), fill: options.fill });
      // On BigQuery every SQL step is dry-run once (free), so the plan shows what it would cost.
      const estimates = await estimatePlanBytes(warehouse, plan.steps, session.config.targets, session.runId);
      if (options.json) safe.stdout((estimates ? addEstimatesToPlanJson(planJson(plan), estimates, budget) : planJson(plan)) + '\n');
      else safe.stdout(renderPlan(plan, { explain: options.explain, ...(estimates && splitEstimates(estimates)) }));
      applyBudget(estimates, budget, warehouse.engine, say);
      return 0;
    }, say);
  }

  const controller = new AbortController();
  // every running command listens for the abort: -j 15 is not a leak
  setMaxListeners(0, controller.signal);
  // Commands start from the posix_spawn helper when `npm install` could compile it, else from
  // small Node spawner processes; never from this DuckDB-laden one (native-runner.ts, spawner-runner.ts).
  const runner = createCommandRunner({ groupsChanged: (groups) => heldLock?.setCommands(groups), buildEnvs });
  let heldLock: PipelineLock | undefined;
  let ranges: RunTap | undefined;
  let stopRun: (() => void) | undefined;
  let interrupts = 0;
  let pipeBroken = false;
  let recordQuit: (() => void) | undefined;
  const quitNow = () => {
    runner.killAll();
    recordQuit?.();
    heldLock?.release();
    safe.stderr('dagrun: quit at once; killed the running commands. The next run picks up what is left.\n');
    process.exit(130);
  };
  const onSignal = (signal: NodeJS.Signals | 'EPIPE') => {
    if (++interrupts > 1) return quitNow();
    const running = [...(ranges?.running.values() ?? [])];
    const what = running.length > 0 ? `ending what runs: ${running.join(', ')}` : 'nothing was running';
    safe.stderr(`\n${signal}: stopping — no new work starts; ${what} (press Ctrl-C again to quit at once)\n`);
    stopRun?.();
    controller.abort();
    setTimeout(quitNow, STOP_DEADLINE_MS).unref();
  };
  // a closed output pipe stops the build as an interrupt would (once: every later write fails too)
  const onPipe = () => {
    if (pipeBroken) return;
    pipeBroken = true;
    onSignal('EPIPE');
  };
  const stopHandlingPipe = onBrokenPipe(onPipe);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
  try {
    return await withPipeline(
      session,
      { purpose: 'build', wait: options.wait ?? false, commandLine: options.commandLine, signal: controller.signal, say },
      async (warehouse, lock) => {
        heldLock = lock;
        const { state, freshness, fingerprints, warnings } = await measureSelection(session, warehouse);
        if (controller.signal.aborted) throw new DagrunError('interrupted', 'interrupted before the build started; nothing was built');
        const plan = computePlan({ graph: session.graph, state, freshness, selected: session.selected, force: new Set(options.force ? session.named : []), fill: options.fill });
        if (budget !== undefined) applyBudget(await estimatePlanBytes(warehouse, plan.steps, session.config.targets, session.runId), budget, warehouse.engine, say);
        const screen = await createReporter({ json: options.json, graph: session.graph, write: safe.stdout, writeError: safe.stderr, stateDir: session.stateDir, reports: options.reports });
        ranges = new RunTap(screen, (t) => redactor.redact(t));
        for (const message of warnings) ranges.handle({ type: 'warning', message });
        if (options.explain && !options.json) safe.stdout(renderPlan(plan, { explain: true }) + '\n');
        try {
          return await build({
            session, options, jobs, warehouse, plan, reporter: ranges, runner, controller, redactor, fingerprints, freshness, expected: state.expected, out: safe,
            setStop: (stop) => (stopRun = stop), setQuitRecord: (write) => (recordQuit = write),
          });
        } finally {
          await ranges.close();
        }
      },
      // Retries while measuring come before the reporter exists: they go straight to stderr.
      (message) => (ranges ? ranges.handle({ type: 'info', message }) : say(message)),
    );
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('SIGHUP', onSignal);
    // the run is recorded; a signal now (the second Ctrl-C of a pair) only ends the process sooner
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, () => process.exit(130));
    // a pipe that breaks on the last lines must not turn the run's exit code into 0: from here on
    // a broken pipe only means nobody reads the rest
    stopHandlingPipe();
    onBrokenPipe(() => undefined);
    await runner.close();
  }
}

/** What executing a computed plan needs. */
interface BuildInputs {
  readonly session: Session;
  readonly options: RunOptions;
  readonly jobs: number;
  readonly warehouse: Warehouse;
  readonly plan: PlanData;
  readonly reporter: RunTap;
  readonly runner: ManagedCommandRunner;
  readonly controller: AbortController;
  readonly redactor: Redactor;
  readonly fingerprints: Map<string, string>;
  readonly freshness: Awaited<ReturnType<typeof measureSelection>>['freshness'];
  readonly expected: Awaited<ReturnType<typeof measureSelection>>['state']['expected'];
  readonly out: Output;
  readonly setStop: (stop: () => void) => void;
  /** What to record if the run is quit at once (second signal, stop deadline). */
  readonly setQuitRecord: (write: () => void) => void;
}

/** Executes the plan, reports the end of the run, writes its record; returns the exit code. */
async function build(inputs: BuildInputs): Promise<number> {
  const { session, options, plan, reporter, controller } = inputs;
  const runDir = path.join(session.stateDir, 'runs', session.runId);
  const started = performance.now();
  reporter.handle({ type: 'run-started', runId: session.runId, plan, jobs: inputs.jobs, commandLine: options.commandLine, measured: { expected: inputs.expected, freshness: inputs.freshness } });
  // earlier runs' range durations weigh the plan's priority; this run's are kept for the next
  const durations = plan.steps.length > 0 ? RangeDurations.fromHistory(session.stateDir, reporter) : new RangeDurations(reporter);
  // Recorded before anything runs, so that a run that dies (kill -9, power) is still listed, as crashed.
  const header = { runId: session.runId, commandLine: options.commandLine, startedAt: session.now.toISOString(), pid: process.pid };
  writeRunRecord(session, { ...header, finished: false, outcomes: [] }, inputs.redactor);
  inputs.setQuitRecord(() => {
    try {
      writeRunRecord(session, { ...header, finished: true, ok: false, interrupted: true, durationMs: performance.now() - started, quitAtOnce: true, outcomes: [] }, inputs.redactor);
    } catch {
      // quitting at once: a record that cannot be written leaves the start record (listed as crashed)
    }
  });
  const execution = executePlan(
    {
      config: session.config, graph: session.graph, warehouse: inputs.warehouse, runner: inputs.runner, reporter: durations, runId: session.runId, runDir,
      window: session.window, fingerprints: inputs.fingerprints, before: inputs.freshness,
      now: () => performance.timeOrigin + performance.now(),
      sleep: (ms) => delay(ms, undefined, { signal: controller.signal }).catch(() => undefined),
      signal: controller.signal,
      redact: (text) => inputs.redactor.redact(text),
    },
    plan,
    { jobs: inputs.jobs, failureMode: options.keepGoing ? 'continue' : 'no-new', estimate: durations.estimate },
  );
  inputs.setStop(() => execution.interrupt());
  // a log that cannot be written (a full disk) does not stop the build: it is said, the tail kept
  onLogWriteFailure((message) => reporter.handle({ type: 'warning', message }));
  const stoppedRanges = () => [...reporter.running.values()];
  const interruptedRanges: string[] = [];
  controller.signal.addEventListener('abort', () => interruptedRanges.push(...stoppedRanges()), { once: true });

  const finished = [...(await execution.done), ...unbuildable(plan)];
  onLogWriteFailure(undefined);
  const interrupted = controller.signal.aborted;
  // A range ended by the interrupt did not fail: its target is simply not finished.
  const outcomes = finished.map((o): TargetOutcome => (interrupted && o.status === 'failed' && o.reason === 'interrupted' ? { ...o, status: 'active' } : o));
  const ok = !interrupted && outcomes.every((o) => o.status === 'done');
  const durationMs = performance.now() - started;
  reporter.handle({ type: 'run-finished', runId: session.runId, ok, interrupted, durationMs, outcomes });
  try {
    writeRunRecord(
      session,
      {
        ...header, finished: true, durationMs, ok, interrupted,
        outcomes: outcomes.map((o) => ({ target: o.target, status: o.status, reason: o.reason, batches: o.batches, batchesDone: o.batchesDone, dates: o.daysHandedOver, durationMs: o.durationMs, coverageBefore: o.before?.coverage, coverageAfter: o.after?.coverage, ranges: durations.rangesOf(o.target), estimatedMsPerRange: durations.estimate?.(o.target) })),
      },
      inputs.redactor,
    );
    durations.save(session.stateDir);
  } catch (error) {
    // the warehouse holds what was built; only the local history misses this run's end
    inputs.out.stderr(`dagrun: ${messageOf(error)}; the run's end is not recorded ("dagrun runs" lists it as crashed)\n`);
  }
  pruneRunHistory(session.stateDir, session.config.history, session.runId);
  // a report asked for (--report, --junit, --html) that could not be written fails the run
  const reportsMissing = unwrittenReports(session.runId).length > 0;
  if (interrupted) {
    // a range running at the signal that still committed is done, not stopped (it counts in batchesDone)
    const finishedAnyway = interruptedRanges.filter((r) => reporter.succeeded.has(r));
    const stoppedOnes = interruptedRanges.filter((r) => !reporter.succeeded.has(r));
    const stopped = (stoppedOnes.length > 0 ? `stopped ${stoppedOnes.join(', ')}; ` : '') + (finishedAnyway.length > 0 ? `finished meanwhile: ${finishedAnyway.join(', ')}; ` : '');
    inputs.out.stderr(`Interrupted: ${stopped}left to build: ${describeLeft(outcomes)}. The next run picks up what is left.\n`);
    return 130;
  }
  return ok && !reportsMissing ? 0 : 1;
}
