/**
 * `dagrun [targets..]` and `dagrun -n`: measure, plan, then either show the plan or execute
 * it behind its gates, and write the run record.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { DagrunError } from '../../core/errors.js';
import { ExecaRunner } from '../../executor/execa-runner.js';
import { executePlan } from '../../executor/execute.js';
import type { TargetOutcome } from '../../report/events.js';
import { createReporter } from '../../report/create.js';
import { renderPlan } from '../../report/plan-text.js';
import type { Reporter } from '../../report/reporter.js';
import { planJson } from '../../report/status-json.js';
import { computePlan, type PlanData } from '../../scheduler/compute-plan.js';
import { openSession, type Session, type SessionOptions } from '../session.js';
import { measureSelection } from './status.js';
import { withWarehouse, type Output } from './shared.js';

/** Options of a build or dry run. */
export interface RunOptions extends SessionOptions {
  readonly dryRun: boolean;
  readonly json: boolean;
  readonly explain: boolean;
  readonly jobs?: number;
  readonly keepGoing: boolean;
  readonly force: boolean;
  readonly commandLine: string;
}

/** Selected targets that cannot be built in this run: blocked ones and stale sources. */
function unbuildable(plan: PlanData): TargetOutcome[] {
  return plan.omitted
    .filter((o) => o.why.startsWith('blocked') || o.why.startsWith('source, not built'))
    .map((o) => ({ target: o.target, status: 'skipped', reason: o.why, batchesDone: 0, batches: 0, daysHandedOver: 0, before: undefined, after: undefined, durationMs: undefined }));
}

function writeRunRecord(session: Session, record: unknown): void {
  const dir = path.join(session.stateDir, 'runs', session.runId);
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'run.json');
  writeFileSync(`${file}.tmp`, JSON.stringify(record, null, 2));
  renameSync(`${file}.tmp`, file);
}

/** Runs a build (or a dry run); returns the exit code. */
export async function runCommand(options: RunOptions, out: Output): Promise<number> {
  const session = openSession(options);
  const jobs = options.jobs ?? session.config.concurrency;
  if (!Number.isInteger(jobs) || jobs < 1) throw new DagrunError('usage', `--jobs must be a whole number of at least 1, got ${options.jobs}`);
  const reporter: Reporter = createReporter({ json: options.json, graph: session.graph, write: out.stdout });
  const onRetry = (message: string) => reporter.handle({ type: 'info', message });

  return withWarehouse(session, async (warehouse) => {
    const { state, freshness, fingerprints } = await measureSelection(session, warehouse);
    const plan = computePlan({ graph: session.graph, state, freshness, selected: session.selected, force: new Set(options.force ? session.named : []) });
    if (options.dryRun) {
      out.stdout(options.json ? planJson(plan) + '\n' : renderPlan(plan, { explain: options.explain }));
      return 0;
    }
    if (options.explain && !options.json) out.stdout(renderPlan(plan, { explain: true }) + '\n');

    const controller = new AbortController();
    const runDir = path.join(session.stateDir, 'runs', session.runId);
    const started = performance.now();
    reporter.handle({ type: 'run-started', runId: session.runId, plan, jobs, commandLine: options.commandLine });
    const execution = executePlan(
      {
        config: session.config, graph: session.graph, warehouse, runner: new ExecaRunner(), reporter, runId: session.runId, runDir,
        window: session.window, fingerprints, before: freshness,
        now: () => performance.timeOrigin + performance.now(),
        sleep: (ms) => delay(ms, undefined, { signal: controller.signal }).catch(() => undefined),
        signal: controller.signal,
      },
      plan,
      { jobs, failureMode: options.keepGoing ? 'continue' : 'no-new' },
    );
    let interrupts = 0;
    const onSignal = (signal: NodeJS.Signals) => {
      interrupts++;
      if (interrupts > 1) process.exit(130);
      out.stderr(`\n${signal}: stopping — no new work starts; running commands are being ended (press Ctrl-C again to quit at once)\n`);
      execution.interrupt();
      controller.abort();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      const outcomes = [...(await execution.done), ...unbuildable(plan)];
      const interrupted = controller.signal.aborted;
      const ok = !interrupted && outcomes.every((o) => o.status === 'done');
      const durationMs = performance.now() - started;
      reporter.handle({ type: 'run-finished', runId: session.runId, ok, interrupted, durationMs, outcomes });
      writeRunRecord(session, {
        runId: session.runId, commandLine: options.commandLine, startedAt: session.now.toISOString(), durationMs, ok, interrupted,
        outcomes: outcomes.map((o) => ({ target: o.target, status: o.status, reason: o.reason, batches: o.batches, batchesDone: o.batchesDone, dates: o.daysHandedOver, durationMs: o.durationMs, coverageBefore: o.before?.coverage, coverageAfter: o.after?.coverage })),
      });
      if (interrupted) {
        const left = outcomes.filter((o) => o.status !== 'done').map((o) => o.target);
        out.stderr(`Interrupted. Not finished: ${left.join(', ') || 'nothing'}. The next run picks up what is left.\n`);
        return 130;
      }
      return ok ? 0 : 1;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      await reporter.close?.();
    }
  }, onRetry);
}
