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
import { readSnapshot, writeSnapshot } from '../state/last-status-file.js';
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
}

/** The document of a status answer; undefined while a build is still measuring (nothing to write yet). */
export function statusDocument(session: Session, answer: StatusAnswer, commandLine: string | undefined): DocumentSource | undefined {
  const make = (window: DayWindow, rows: readonly Freshness[], expected: ReadonlyMap<string, readonly Day[]>, measuredAt: string, where: string, counts: RowCountsResult | undefined, rowsNote: string | undefined): StatusDocument => {
    const targets = documentTargets(session.graph, rows, expected, counts?.counts);
    return {
      window, measuredAt, where, pipeline: path.relative(process.cwd(), session.config.file) || path.basename(session.config.file),
      commandLine, targets, rowsNote, changes: compareWithSnapshot(readSnapshot(session.stateDir), targets),
    };
  };
  switch (answer.kind) {
    case 'measuring':
      return undefined;
    case 'live': {
      const view = answer.view;
      const expected = new Map([...view.targets].map(([name, target]) => [name, target.expected]));
      const where = `live state of build ${view.runId} as of ${view.asOf.replace('T', ' ').slice(0, 19)} UTC (${warehouseText(session)})`;
      const note = 'Rows per date are not counted while a build holds the pipeline; run the report again when it has finished.';
      return { document: make(view.window, answer.selection.rows, expected, view.asOf, where, undefined, note), expected, measured: false };
    }
    case 'measured': {
      const note = answer.rowCounts ? answer.rowCounts.note : 'Rows per date are in the Markdown report.';
      const document = make(session.window, answer.rows, answer.state.expected, session.now.toISOString(), warehouseText(session), answer.rowCounts, note);
      return { document, expected: answer.state.expected, measured: true };
    }
  }
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
    writeSnapshot(session.stateDir, nextSnapshot(readSnapshot(session.stateDir), doc.targets, doc.window, doc.measuredAt));
    return { written, failures };
  } catch (error) {
    return { written, failures, warning: `could not keep this report's state for the next comparison: ${messageOf(error)}` };
  }
}
