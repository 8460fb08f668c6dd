/** Chooses the reporters of a build from the command-line options and the terminal. */
import { messageOf } from '../core/errors.js';
import type { TargetGraph } from '../graph/build.js';
import { projectDirOf } from '../state/paths.js';
import { paceFromHistory } from './history.js';
import { JsonReporter } from './json-reporter.js';
import { LiveStateWriter } from './live-writer.js';
import { writeRunReports, type ReportFiles } from './report-files.js';
import { CombinedReporter, type Reporter } from '../executor/reporter.js';
import { writeRangeLog } from './range-log.js';
import { RunRecorder } from './run-model.js';
import { withStateChanges } from './run-state.js';
import { TextReporter } from './text-reporter.js';

export type { ReportFiles } from './report-files.js';

/** What decides which reporters a build gets. Only `json`, `graph` and `write` are required. */
export interface ReporterOptions {
  readonly json: boolean;
  readonly graph: TargetGraph;
  readonly write: (text: string) => void;
  /** The pipeline's `.dagrun` folder: `runs/<id>/report.md` is written there, and earlier runs give first ETAs. */
  readonly stateDir?: string;
  /** Extra report files (`--report`, `--junit`, `--html`). */
  readonly reports?: ReportFiles;
  /** Draw live progress. Default: standard output is a terminal, not `--json`, not CI, not TERM=dumb. */
  readonly tty?: boolean;
  /** Where problems writing reports go (default: `write`). */
  readonly writeError?: (text: string) => void;
}

/** Whether the live view fits this process: a real terminal that can redraw lines. */
export function isInteractiveTerminal(stream: NodeJS.WriteStream = process.stdout, env: NodeJS.ProcessEnv = process.env): boolean {
  return stream.isTTY === true && env.TERM !== 'dumb' && !env.CI;
}

/**
 * The reporters for a build: NDJSON, live progress or plain lines, plus the written reports
 * and the live state that `--status` reads during the build.
 * The live view (and log-update with it) is loaded only on a terminal.
 */
export async function createReporter(options: ReporterOptions): Promise<Reporter> {
  const tty = !options.json && (options.tty ?? isInteractiveTerminal());
  const screen: Reporter = options.json
    ? new JsonReporter(options.write, options.graph)
    : tty
      ? new (await import('./progress.js')).ProgressReporter({ stream: process.stdout, history: paceFromHistory(options.stateDir) })
      : new TextReporter(options.write);
  const files = options.reports ?? {};
  if (!options.stateDir && !files.markdown && !files.junit && !files.html) return screen;
  const complain = options.writeError ?? options.write;
  const recorder = new RunRecorder((finished) => {
    // nothing built and a report asked for: the report shows the state, and what changed since the last one
    const { model, keep } = options.stateDir ? withStateChanges(finished, options.graph, options.stateDir, files) : { model: finished, keep: () => undefined };
    writeRunReports(model, options.graph, { stateDir: options.stateDir, files }, (message) => complain(`dagrun: ${message}\n`));
    try {
      keep();
    } catch (error) {
      complain(`dagrun: warning: could not keep this report's state for the next comparison: ${messageOf(error)}\n`);
    }
    // what each range ran and how it ended, for `dagrun logs` (SQL targets print nothing)
    if (options.stateDir) {
      try {
        writeRangeLog(options.stateDir, model, options.graph, projectDirOf(options.stateDir));
      } catch (error) {
        complain(`dagrun: ${messageOf(error)} (the run's range log; "dagrun logs" shows less of this run)\n`);
      }
    }
  });
  // `.dagrun/live.json`: what `--status` shows while this build holds the pipeline
  const live = options.stateDir ? [new LiveStateWriter(options.stateDir, { onError: (message) => complain(`dagrun: ${message}\n`) })] : [];
  return new CombinedReporter([screen, recorder, ...live]);
}
