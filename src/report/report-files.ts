/**
 * Writing the reports of a finished run: `report.md` in the run's folder (private to the user)
 * when the run had something to do, and the files asked for with `--report`, `--junit` and
 * `--html`. A requested file that cannot be written fails the run (see `unwrittenReports`);
 * `report.md` that cannot be written is only said.
 */
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describeWriteFailure, writePrivateFileAtomic } from '../state/disk.js';
import { reportFile, runDir } from '../state/paths.js';
import type { TargetGraph } from '../graph/build.js';
import { formatDuration } from './format.js';
import { htmlInputFromRun } from './html-data.js';
import { renderHtmlReport } from './html.js';
import { renderJunitReport } from './junit.js';
import { renderMarkdownReport } from './markdown.js';
import type { RunModel } from './run-model.js';

/** Report files asked for on the command line (absolute paths or relative to the working directory). */
export interface ReportFiles {
  /** `--report FILE`: the Markdown report. */
  readonly markdown?: string;
  /** `--junit FILE`: JUnit XML. */
  readonly junit?: string;
  /** `--html FILE`: the self-contained HTML page. */
  readonly html?: string;
}

/** Writes a file whole: into a temporary name first, so a reader never sees half a report. */
export function writeFileAtomic(file: string, text: string): void {
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(temporary, text);
    renameSync(temporary, file);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}

/** Requested report files of each run that could not be written, with why. */
const unwritten = new Map<string, string[]>();

/**
 * The messages for the requested report files (`--report`, `--junit`, `--html`) of run `runId`
 * that could not be written; a build that asked for a report it did not get has failed.
 */
export function unwrittenReports(runId: string): readonly string[] {
  return unwritten.get(runId) ?? [];
}

/** Writes every report of a run; a file that cannot be written is reported through `complain`, not thrown. */
export function writeRunReports(
  model: RunModel,
  graph: TargetGraph,
  where: { readonly stateDir: string | undefined; readonly files: ReportFiles },
  complain: (message: string) => void,
): void {
  const markdown = renderMarkdownReport(model, graph);
  // a run with nothing to do leaves its record alone, no report beside it
  if (where.stateDir && model.plan.steps.length > 0) {
    try {
      writePrivateFileAtomic(reportFile(runDir(where.stateDir, model.runId)), markdown, where.stateDir);
    } catch (error) {
      complain(`${(error as Error).message} (the run's report; the run record is kept)`);
    }
  }
  const jobs: [string, string, () => string][] = [];
  if (where.files.markdown) jobs.push([where.files.markdown, '--report', () => markdown]);
  if (where.files.junit) jobs.push([where.files.junit, '--junit', () => renderJunitReport(model)]);
  if (where.files.html) {
    const facts = [`run ${model.runId}`, model.commandLine, `took ${formatDuration(model.durationMs)}`, model.ok ? 'succeeded' : model.interrupted ? 'interrupted' : 'failed'];
    jobs.push([where.files.html, '--html', () => renderHtmlReport(htmlInputFromRun(model, graph, facts))]);
  }
  for (const [file, flag, render] of jobs) {
    try {
      writeFileAtomic(file, render());
    } catch (error) {
      const message = `${describeWriteFailure(file, error)} (the report asked for with ${flag})`;
      unwritten.set(model.runId, [...unwrittenReports(model.runId), message]);
      complain(message);
    }
  }
}
