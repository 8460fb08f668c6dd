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
import { setMaxListeners } from 'node:events';
import { onBrokenPipe } from '../broken-pipe.js';
import { DagrunError } from '../../core/errors.js';
import { KILL_GRACE_MS } from '../../executor/runner.js';
import { createCommandRunner } from '../../executor/native-select.js';
import { Redactor } from '../../executor/output-log.js';
import { createReporter, type ReportFiles } from '../../report/create.js';
import { describeInterruption } from '../../report/failure-text.js';
import { renderPlan } from '../../report/plan-text.js';
import { planJson } from '../../report/status-json.js';
import { addEstimatesToPlanJson, applyBudget, splitEstimates } from '../../scheduler/budget.js';
import type { PipelineLock } from '../../state/lock.js';
import { parseMaxBytes } from '../../warehouse/plan-estimate.js';
import { build, type BuildResult } from '../../run/build.js';
import { withPipeline } from '../../run/pipeline.js';
import { planBuild, planSelection } from '../../run/plan-selection.js';
import { RunTap } from '../../run/run-tap.js';
import { openSession, type SessionOptions } from '../../run/session.js';
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

/** The exit code of a build: 0 built, 1 failed (or a report not written), 130 interrupted. */
function exitCode(result: BuildResult): number {
  switch (result.kind) {
    case 'built':
      return 0;
    case 'failed':
    case 'reports-unwritten':
      return 1;
    case 'interrupted':
      return 130;
  }
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
      // On BigQuery every SQL step is dry-run once (free), so the plan shows what it would cost.
      const { plan, estimates, warnings } = await planSelection(session, warehouse, { force: options.force, fill: options.fill, estimate: true });
      for (const warning of warnings) say(`warning: ${warning}`);
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
        const { plan, estimates, state, freshness, fingerprints, warnings } = await planBuild(session, warehouse, { force: options.force, fill: options.fill, estimate: budget !== undefined });
        if (controller.signal.aborted) throw new DagrunError('interrupted', 'interrupted before the build started; nothing was built');
        if (budget !== undefined) applyBudget(estimates, budget, warehouse.engine, say);
        const screen = await createReporter({ json: options.json, graph: session.graph, write: safe.stdout, writeError: safe.stderr, stateDir: session.stateDir, reports: options.reports });
        ranges = new RunTap(screen, (t) => redactor.redact(t));
        for (const message of warnings) ranges.handle({ type: 'warning', message });
        if (options.explain && !options.json) safe.stdout(renderPlan(plan, { explain: true }) + '\n');
        try {
          const result = await build({
            session, options, jobs, warehouse, plan, reporter: ranges, runner, controller, redactor, fingerprints, freshness, expected: state.expected, out: safe,
            setStop: (stop) => (stopRun = stop), setQuitRecord: (write) => (recordQuit = write),
          });
          if (result.kind === 'interrupted') safe.stderr(`${describeInterruption(result)}\n`);
          return exitCode(result);
        } finally {
          await ranges.close();
        }
      },
      // Retries while measuring come before the reporter exists: they go straight to stderr.
      (message) => (ranges ? ranges.handle({ type: 'info', message }) : say(message)),
    );
  } finally {
    // the run is recorded; a signal now (the second Ctrl-C of a pair) only ends the process sooner.
    // Installed before the build's handlers go, so that no signal finds none.
    const quitAfterRun = () => {
      safe.stderr('dagrun: quit at once; killed the running commands. The next run picks up what is left.\n');
      process.exit(130);
    };
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, quitAfterRun);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('SIGHUP', onSignal);
    // a pipe that breaks on the last lines must not turn the run's exit code into 0: from here on
    // a broken pipe only means nobody reads the rest
    stopHandlingPipe();
    onBrokenPipe(() => undefined);
    await runner.close();
  }
}
