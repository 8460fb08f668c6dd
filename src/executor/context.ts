/** What executing a plan needs: the pipeline, the warehouse, the command runner, the reporter, the clock. */
import type { DagConfig } from '../config/types.js';
import type { TargetToFreshness } from '../freshness/assess.js';
import type { TargetGraph } from '../graph/build.js';
import type { Reporter } from './reporter.js';
import type { DayWindow, Warehouse } from '../warehouse/warehouse.js';
import type { CommandRunner } from './runner.js';

/** Everything the units of a run share. */
export interface ExecutionContext {
  readonly config: DagConfig;
  readonly graph: TargetGraph;
  readonly warehouse: Warehouse;
  readonly runner: CommandRunner;
  readonly reporter: Reporter;
  readonly runId: string;
  /** The run's folder (`runDir` in state/paths.ts): logs of commands that printed anything, rows they handed over. */
  readonly runDir: string;
  readonly window: DayWindow;
  readonly fingerprints: ReadonlyMap<string, string>;
  /** Freshness measured before the run. */
  readonly before: TargetToFreshness;
  /** Epoch milliseconds, with sub-millisecond precision. */
  readonly now: () => number;
  /** Waits, unless the run is interrupted. */
  readonly sleep: (ms: number) => Promise<void>;
  /** Aborted on interrupt: running commands are ended. */
  readonly signal: AbortSignal;
  /** Masks secrets in command output (log files and tails); identity when left out. */
  readonly redact?: (text: string) => string;
}
