/**
 * `dagrun logs TARGET [--run ID]`: the output of a target's commands in its last run (or
 * the given one), read from `.dagrun/runs/<id>/<target>/*.log`. A SQL target prints
 * nothing: for it, the SQL the run read and each range's outcome and error (`ranges.json`).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import pc from 'picocolors';
import { DagrunError } from '../../core/errors.js';
import { renderRangeLog } from '../../report/range-log.js';
import { LOG_EXTENSION, runsDir } from '../../state/paths.js';
import { readRangeLog } from '../../state/range-log-file.js';
import { commandLogFiles, listRunDirs, listRuns } from '../../state/run-history.js';
import { pipelineStateDir } from './runs.js';
import type { Output } from './shared.js';

/** Options of `dagrun logs`. */
export interface LogsOptions {
  readonly config?: string;
  /** Undefined when the user gave none: a usage error, said in words. */
  readonly target: string | undefined;
  /** A run id, or the start of one. */
  readonly run?: string;
  /** Only the last N lines of each log. */
  readonly lines?: number;
}

/** Whether `target` took part in the run of `runDir` (its record names it, or it left logs). */
function ranIn(runDir: string, target: string, recorded: ReadonlyMap<string, readonly string[]>): boolean {
  return commandLogFiles(runDir, target).length > 0 || (recorded.get(runDir) ?? []).includes(target);
}

function findRun(stateDir: string, options: LogsOptions & { readonly target: string }): string {
  const dirs = listRunDirs(stateDir);
  if (options.run !== undefined) {
    const matches = dirs.filter((d) => path.basename(d).startsWith(options.run!));
    if (matches.length === 1) return matches[0]!;
    if (matches.length === 0) throw new DagrunError('usage', `no run "${options.run}" under ${runsDir(stateDir)} (see "dagrun runs")`);
    throw new DagrunError('usage', `"${options.run}" matches ${matches.length} runs; give more of the id (see "dagrun runs")`);
  }
  const recorded = new Map(listRuns(stateDir).map((r) => [r.dir, r.outcomes.map((o) => o.target)]));
  const found = dirs.find((d) => ranIn(d, options.target, recorded));
  if (!found) throw new DagrunError('usage', `no run of "${options.target}" under ${runsDir(stateDir)} (see "dagrun runs")`);
  return found;
}

/** Prints the logs; returns 0, or 1 when the run has nothing for the target (no output, no range record). */
export function logsCommand(options: LogsOptions, out: Output): number {
  if (options.target === undefined || options.target === '') {
    throw new DagrunError('usage', 'dagrun logs needs a target: dagrun logs TARGET [--run ID] [-n LINES] ("dagrun runs" lists the runs)');
  }
  const target = options.target;
  const stateDir = pipelineStateDir(options.config);
  const runDir = findRun(stateDir, { ...options, target });
  const files = commandLogFiles(runDir, target);
  const runId = path.basename(runDir);
  if (files.length === 0) {
    const logged = readRangeLog(runDir)?.targets[target];
    if (logged) {
      out.stdout(renderRangeLog(runId, target, logged));
      return 0;
    }
    out.stderr(`"${target}" left no output in run ${runId}: its commands printed nothing, and the run kept no range record for it.\n`);
    return 1;
  }
  for (const file of files) {
    let text = readFileSync(file, 'utf8');
    if (options.lines !== undefined) text = text.split('\n').filter((l, i, all) => l !== '' || i < all.length - 1).slice(-options.lines).join('\n') + '\n';
    out.stdout(`${pc.bold(`==> run ${runId} · ${target} · ${path.basename(file, LOG_EXTENSION)} <==`)}\n${text}${text.endsWith('\n') ? '' : '\n'}`);
  }
  return 0;
}
