/**
 * A build: executes a computed plan behind its gates, with the run record written when it starts
 * (so a run that dies is listed as crashed) and when it ends, range durations kept for the next
 * plan, the run history pruned, and what is left said after an interrupt. The CLI command
 * (cli/commands/run.ts) owns the arguments, the signals and the exit code.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { messageOf } from '../core/errors.js';
import type { Output } from '../core/output.js';
import type { ManagedCommandRunner } from '../executor/native-runner.js';
import { executePlan } from '../executor/execute.js';
import { onLogWriteFailure, type Redactor } from '../executor/output-log.js';
import type { Day } from '../intervals/day.js';
import type { TargetToFreshness } from '../freshness/assess.js';
import type { TargetOutcome } from '../executor/events.js';
import { RangeDurations } from '../report/durations.js';
import { billedOf } from '../report/run-model.js';
import { describeFailure } from '../report/failure-text.js';
import { unwrittenReports } from '../report/report-files.js';
import { isUnbuildable, type PlanData } from '../scheduler/compute-plan.js';
import { pruneRunHistory } from '../state/retention.js';
import { runDir as runDirOf } from '../state/paths.js';
import { writeRunRecord as writeRecordFile, type RunRecord } from '../state/run-record.js';
import type { Warehouse } from '../warehouse/warehouse.js';
import type { RunTap } from './run-tap.js';
import type { Session } from './session.js';

/** Selected targets that cannot be built in this run: blocked ones and stale sources. */
function unbuildable(plan: PlanData): TargetOutcome[] {
  return plan.omitted
    .filter(isUnbuildable)
    .map((o) => ({ target: o.target, status: 'skipped', failure: { kind: 'cannot-build', why: o.why }, batchesDone: 0, batches: 0, daysHandedOver: 0, before: undefined, after: undefined, durationMs: undefined }));
}

/** Writes the run record so that a crash leaves either the old file or the new one, never half of one; a full disk throws a DagrunError naming the file. */
function writeRunRecord(session: Session, record: RunRecord, redactor: Redactor): void {
  writeRecordFile(session.stateDir, session.runId, redactor.redact(JSON.stringify(record, null, 2)) + '\n');
}

/** The run's wall time so far (the process's age: the clock is taken as it starts) and its end on the session's clock. */
function wallTime(now: Date): { wallMs: number; endedAt: string } {
  const wallMs = Math.round(performance.now());
  return { wallMs, endedAt: new Date(now.getTime() + wallMs).toISOString() };
}

/** What executing a computed plan needs. */
export interface BuildInputs {
  readonly session: Session;
  readonly options: { readonly commandLine: string; readonly keepGoing: boolean };
  readonly jobs: number;
  readonly warehouse: Warehouse;
  readonly plan: PlanData;
  readonly reporter: RunTap;
  readonly runner: ManagedCommandRunner;
  readonly controller: AbortController;
  readonly redactor: Redactor;
  readonly fingerprints: Map<string, string>;
  readonly freshness: TargetToFreshness;
  readonly expected: ReadonlyMap<string, readonly Day[]>;
  readonly out: Output;
  readonly setStop: (stop: () => void) => void;
  /** What to record if the run is quit at once (second signal, stop deadline). */
  readonly setQuitRecord: (write: () => void) => void;
}

/** How a build ended, with every target's outcome. */
export type BuildResult =
  /** Every step built and passed its gate. */
  | { readonly kind: 'built'; readonly outcomes: readonly TargetOutcome[] }
  /** Built, but a report file asked for could not be written. */
  | { readonly kind: 'reports-unwritten'; readonly outcomes: readonly TargetOutcome[] }
  /** A range or a gate failed, or a selected target could not be built. */
  | { readonly kind: 'failed'; readonly outcomes: readonly TargetOutcome[] }
  /**
   * Stopped by a signal or a closed pipe: the ranges running at the signal that it stopped, and
   * those that still committed (done, not stopped); report/failure-text.ts says it in words.
   */
  | { readonly kind: 'interrupted'; readonly outcomes: readonly TargetOutcome[]; readonly stopped: readonly string[]; readonly finishedMeanwhile: readonly string[] };

/** Executes the plan, reports the end of the run, writes its record. */
export async function build(inputs: BuildInputs): Promise<BuildResult> {
  const { session, options, plan, reporter, controller } = inputs;
  const runDir = runDirOf(session.stateDir, session.runId);
  const started = performance.now();
  reporter.handle({ type: 'run-started', runId: session.runId, plan, jobs: inputs.jobs, commandLine: options.commandLine, measured: { expected: inputs.expected, freshness: inputs.freshness } });
  // earlier runs' range durations weigh the plan's priority; this run's are kept for the next
  const durations = plan.steps.length > 0 ? RangeDurations.fromHistory(session.stateDir, reporter) : new RangeDurations(reporter);
  // Recorded before anything runs, so that a run that dies (kill -9, power) is still listed, as crashed.
  const header = { runId: session.runId, commandLine: options.commandLine, startedAt: session.now.toISOString(), pid: process.pid };
  writeRunRecord(session, { ...header, finished: false, outcomes: [] }, inputs.redactor);
  inputs.setQuitRecord(() => {
    try {
      writeRunRecord(session, { ...header, finished: true, ok: false, interrupted: true, durationMs: performance.now() - started, ...wallTime(session.now), quitAtOnce: true, outcomes: [] }, inputs.redactor);
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
  const outcomes = finished.map((o): TargetOutcome => (interrupted && o.status === 'failed' && o.failure?.kind === 'interrupted' ? { ...o, status: 'active' } : o));
  const ok = !interrupted && outcomes.every((o) => o.status === 'done');
  const durationMs = performance.now() - started;
  // what the warehouse billed (BigQuery), per target and in all, when its jobs said
  const billed = new Map(outcomes.map((o) => [o.target, billedOf(durations.rangesOf(o.target) ?? [])]));
  const runBilled = billedOf([...billed.values()].map((bytesBilled) => (bytesBilled === undefined ? {} : { bytesBilled })));
  reporter.handle({ type: 'run-finished', runId: session.runId, ok, interrupted, durationMs, outcomes });
  try {
    writeRunRecord(
      session,
      {
        // wallMs: the whole process so far (start-up and measuring too, which durationMs leaves out)
        ...header, finished: true, durationMs, ...wallTime(session.now), ok, interrupted, bytesBilled: runBilled,
        outcomes: outcomes.map((o) => ({ target: o.target, status: o.status, reason: describeFailure(o.failure), batches: o.batches, batchesDone: o.batchesDone, dates: o.daysHandedOver, durationMs: o.durationMs, coverageBefore: o.before?.coverage, coverageAfter: o.after?.coverage, ranges: durations.rangesOf(o.target), bytesBilled: billed.get(o.target), estimatedMsPerRange: durations.estimate?.(o.target) })),
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
    const finishedMeanwhile = interruptedRanges.filter((r) => reporter.succeeded.has(r));
    const stopped = interruptedRanges.filter((r) => !reporter.succeeded.has(r));
    return { kind: 'interrupted', outcomes, stopped, finishedMeanwhile };
  }
  if (!ok) return { kind: 'failed', outcomes };
  return reportsMissing ? { kind: 'reports-unwritten', outcomes } : { kind: 'built', outcomes };
}
