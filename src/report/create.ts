/** Chooses the reporters of a build from the command-line options and the terminal. */
import type { TargetGraph } from '../graph/build.js';
import { JsonReporter } from './json-reporter.js';
import type { Reporter } from './reporter.js';
import { TextReporter } from './text-reporter.js';

/** What decides which reporters a build gets. */
export interface ReporterOptions {
  readonly json: boolean;
  readonly graph: TargetGraph;
  readonly write: (text: string) => void;
}

/** The reporter for a build. */
export function createReporter(options: ReporterOptions): Reporter {
  return options.json ? new JsonReporter(options.write, options.graph) : new TextReporter(options.write);
}
