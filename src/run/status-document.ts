/**
 * The validation document of a status answer (`--status --report/--junit/--html`): coverage,
 * missing and outdated dates, checks, rows per date, what changed since the last report, in the
 * formats asked for. The last report's state is kept for the next comparison only when the
 * document came from the warehouse, not from a build's live state.
 */
import path from 'node:path';
import { messageOf } from '../core/errors.js';
import type { Freshness } from '../freshness/assess.js';
import type { Day } from '../intervals/day.js';
import type { ReportFiles } from '../report/create.js';
import { htmlInputFromStatus } from '../report/html-data.js';
import { renderHtmlReport } from '../report/html.js';
import { writeFileAtomic } from '../report/report-files.js';
import { documentTargets, type StatusDocument } from '../report/status-document.js';
import { renderStatusJunit } from '../report/status-junit.js';
import { renderStatusMarkdown } from '../report/status-markdown.js';
import { compareWithSnapshot, nextSnapshot } from '../report/status-snapshot.js';
import { describeWriteFailure } from '../state/disk.js';
import { readSnapshot, writeSnapshot, type StatusSnapshot } from '../state/last-status-file.js';
import type { DayWindow } from '../warehouse/warehouse.js';
import type { Session } from './session.js';
import type { RowCountsResult, StatusAnswer } from './status.js';

/** Where the state was read, in words. */
function warehouseText(session: Session): string {
  const w = session.config.warehouse;
  if (w.type === 'duckdb') return `DuckDB \`${path.relative(process.cwd(), w.path) || w.path}\``;
  return `BigQuery project \`${w.project}\`${w.location ? ` (${w.location})` : ''}`;
}

/** A document and what it was made from. */
export interface DocumentSource {
  readonly document: StatusDocument;
  readonly expected: ReadonlyMap<string, readonly Day[]>;
  /** From the warehouse (kept for the next comparison), not from a build's live state. */
  readonly measured: boolean;
  /** The last report's state, read once: compared with here, carried into the next one. */
  readonly previous: StatusSnapshot | undefined;
}

/** What a document is made of besides the session. */
interface DocumentParts {
  readonly window: DayWindow;
  readonly rows: readonly Freshness[];
  readonly expected: ReadonlyMap<string, readonly Day[]>;
  readonly measuredAt: string;
  readonly where: string;
  readonly counts: RowCountsResult | undefined;
  readonly rowsNote: string | undefined;
}

/** The document of a status answer; undefined while a build is still measuring (nothing to write yet). */
export function statusDocument(session: Session, answer: StatusAnswer, commandLine: string | undefined): DocumentSource | undefined {
  if (answer.kind === 'measuring') return undefined;
  const previous = readSnapshot(session.stateDir);
  const make = (parts: DocumentParts, measured: boolean): DocumentSource => {
    const targets = documentTargets(session.graph, parts.rows, parts.expected, parts.counts?.counts);
    const document: StatusDocument = {
      window: parts.window, measuredAt: parts.measuredAt, where: parts.where, rowsNote: parts.rowsNote, commandLine, targets,
      pipeline: path.relative(process.cwd(), session.config.file) || path.basename(session.config.file),
      changes: compareWithSnapshot(previous, targets),
    };
    return { document, expected: parts.expected, measured, previous };
  };
  if (answer.kind === 'live') {
    const view = answer.view;
    return make({
      window: view.window, rows: answer.selection.rows, expected: new Map([...view.targets].map(([name, target]) => [name, target.expected])), measuredAt: view.asOf,
      where: `live state of build ${view.runId} as of ${view.asOf.replace('T', ' ').slice(0, 19)} UTC (${warehouseText(session)})`, counts: undefined,
      rowsNote: 'Rows per date are not counted while a build holds the pipeline; run the report again when it has finished.',
    }, false);
  }
  return make({
    window: session.window, rows: answer.rows, expected: answer.state.expected, measuredAt: session.now.toISOString(), where: warehouseText(session),
    counts: answer.rowCounts, rowsNote: answer.rowCounts ? answer.rowCounts.note : 'Rows per date are in the Markdown report.',
  }, true);
}

function htmlFacts(doc: StatusDocument): string[] {
  const fresh = doc.targets.filter((t) => t.freshness.state === 'fresh').length;
  return [`measured ${doc.measuredAt.replace('T', ' ').slice(0, 16)} UTC`, doc.where.replaceAll('`', ''), `${fresh} of ${doc.targets.length} targets fresh`, doc.pipeline];
}

/** What writing the document did. */
export interface DocumentWrite {
  /** The files written, with the flag that asked for each. */
  readonly written: readonly { readonly flag: '--report' | '--junit' | '--html'; readonly file: string }[];
  /** Files that could not be written, each in a sentence naming it. */
  readonly failures: readonly string[];
  /** The last report's state could not be kept (the document itself was written). */
  readonly warning?: string;
}

/** Writes each requested file, then (when every file was written) the state for the next comparison. */
export function writeStatusDocument(session: Session, source: DocumentSource, files: ReportFiles): DocumentWrite {
  const doc = source.document;
  const written: DocumentWrite['written'][number][] = [];
  const failures: string[] = [];
  const jobs: [string | undefined, '--report' | '--junit' | '--html', () => string][] = [
    [files.markdown, '--report', () => renderStatusMarkdown(doc)],
    [files.junit, '--junit', () => renderStatusJunit(doc)],
    [files.html, '--html', () => renderHtmlReport(htmlInputFromStatus(session.graph, doc.window, doc.targets.map((t) => t.freshness), source.expected, htmlFacts(doc), doc))],
  ];
  for (const [file, flag, render] of jobs) {
    if (file === undefined) continue;
    try {
      writeFileAtomic(file, render());
      written.push({ flag, file: path.resolve(file) });
    } catch (error) {
      failures.push(`${describeWriteFailure(file, error)} (the report asked for with ${flag})`);
    }
  }
  if (!source.measured || failures.length > 0) return { written, failures };
  try {
    writeSnapshot(session.stateDir, nextSnapshot(source.previous, doc.targets, doc.window, doc.measuredAt));
    return { written, failures };
  } catch (error) {
    return { written, failures, warning: `could not keep this report's state for the next comparison: ${messageOf(error)}` };
  }
}
