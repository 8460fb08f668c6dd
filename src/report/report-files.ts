/**
 * Writing the reports of a finished run: `report.md` in the run's folder every time, and
 * the files asked for with `--report`, `--junit` and `--html`.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { messageOf } from '../core/errors.js';
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
  writeFileSync(temporary, text);
  renameSync(temporary, file);
}

/** Writes every report of a run; a file that cannot be written is reported through `complain`, not thrown. */
export function writeRunReports(
  model: RunModel,
  graph: TargetGraph,
  where: { readonly stateDir: string | undefined; readonly files: ReportFiles },
  complain: (message: string) => void,
): void {
  const markdown = renderMarkdownReport(model, graph);
  const jobs: [string, () => string][] = [];
  if (where.stateDir) jobs.push([path.join(where.stateDir, 'runs', model.runId, 'report.md'), () => markdown]);
  if (where.files.markdown) jobs.push([where.files.markdown, () => markdown]);
  if (where.files.junit) jobs.push([where.files.junit, () => renderJunitReport(model)]);
  if (where.files.html) {
    const facts = [`run ${model.runId}`, model.commandLine, `took ${formatDuration(model.durationMs)}`, model.ok ? 'succeeded' : model.interrupted ? 'interrupted' : 'failed'];
    jobs.push([where.files.html, () => renderHtmlReport(htmlInputFromRun(model, graph, facts))]);
  }
  for (const [file, render] of jobs) {
    try {
      writeFileAtomic(file, render());
    } catch (error) {
      complain(`could not write the report ${file}: ${messageOf(error)}`);
    }
  }
}
