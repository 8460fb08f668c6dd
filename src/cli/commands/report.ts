/**
 * `dagrun --status --report F.md --junit F.xml --html F.html`: the status table (or JSON) as
 * usual, plus the validation document of the same measurement — coverage, missing and
 * outdated dates, checks, rows per date, what changed since the last report, a sign-off
 * block — in the formats asked for. During a build, of the build's live state, as
 * `--status` shows it (no rows counted: the warehouse is the build's). Exit code as for
 * `--status`; a requested file that cannot be written is a failure (exit 1), naming it, as in a build.
 */
import path from 'node:path';
import { messageOf } from '../../core/errors.js';
import type { Freshness } from '../../freshness/assess.js';
import type { MeasuredState } from '../../freshness/state.js';
import type { Day } from '../../intervals/day.js';
import type { ReportFiles } from '../../report/create.js';
import { htmlInputFromStatus } from '../../report/html-data.js';
import { renderHtmlReport } from '../../report/html.js';
import { writeFileAtomic } from '../../report/report-files.js';
import { documentTargets, type StatusDocument } from '../../report/status-document.js';
import { renderStatusJunit } from '../../report/status-junit.js';
import { renderStatusMarkdown } from '../../report/status-markdown.js';
import { compareWithSnapshot, nextSnapshot } from '../../report/status-snapshot.js';
import { readSnapshot, writeSnapshot } from '../../state/last-status-file.js';
import { statusJson } from '../../report/status-json.js';
import { renderStatusTable } from '../../report/status-table.js';
import { countRowsPerDate, type RowCounts } from '../../warehouse/row-counts.js';
import type { DayWindow, Warehouse } from '../../warehouse/warehouse.js';
import { measureSelection, withPipeline, type PipelineAccess } from '../../run/pipeline.js';
import { openSession, type Session } from '../../run/session.js';
import { describeWriteFailure } from '../../state/disk.js';
import type { Output } from './shared.js';
import { answerFromLiveBuild, type StatusOptions } from './status.js';

/** Options of `--status` with report files. */
export interface StatusReportOptions extends StatusOptions {
  readonly files: ReportFiles;
}

/** Where the state was read, in words. */
function warehouseText(session: Session): string {
  const w = session.config.warehouse;
  if (w.type === 'duckdb') return `DuckDB \`${path.relative(process.cwd(), w.path) || w.path}\``;
  return `BigQuery project \`${w.project}\`${w.location ? ` (${w.location})` : ''}`;
}

/** What a document is made of besides the measured rows. */
interface DocumentParts {
  readonly window: DayWindow;
  readonly rows: readonly Freshness[];
  readonly expected: ReadonlyMap<string, readonly Day[]>;
  readonly measuredAt: string;
  readonly where: string;
  readonly rowCounts: ReadonlyMap<string, RowCounts> | undefined;
  readonly rowsNote: string | undefined;
}

function buildDocument(session: Session, options: StatusReportOptions, parts: DocumentParts): StatusDocument {
  const targets = documentTargets(session.graph, parts.rows, parts.expected, parts.rowCounts);
  return {
    window: parts.window, measuredAt: parts.measuredAt, where: parts.where, pipeline: path.relative(process.cwd(), session.config.file) || path.basename(session.config.file),
    commandLine: options.commandLine, targets, rowsNote: parts.rowsNote, changes: compareWithSnapshot(readSnapshot(session.stateDir), targets),
  };
}

/**
 * Writes each requested file; returns the messages of those that could not be written. The
 * snapshot for the next comparison is kept only when `keepSnapshot` (not from a live state).
 */
function writeDocument(session: Session, doc: StatusDocument, opts: StatusReportOptions, expected: DocumentParts['expected'], keepSnapshot: boolean, out: Output): string[] {
  const files = opts.files;
  const failures: string[] = [];
  const jobs: [string | undefined, string, () => string][] = [
    [files.markdown, '--report', () => renderStatusMarkdown(doc)],
    [files.junit, '--junit', () => renderStatusJunit(doc)],
    [files.html, '--html', () => renderHtmlReport(htmlInputFromStatus(session.graph, doc.window, doc.targets.map((t) => t.freshness), expected, htmlFacts(doc), doc))],
  ];
  for (const [file, flag, render] of jobs) {
    if (file === undefined) continue;
    try {
      writeFileAtomic(file, render());
      if (!opts.json) out.stderr(`${flag === '--report' ? 'Report' : flag === '--junit' ? 'JUnit report' : 'HTML report'}: ${path.resolve(file)}\n`);
    } catch (error) {
      failures.push(`${describeWriteFailure(file, error)} (the report asked for with ${flag})`);
    }
  }
  if (keepSnapshot && failures.length === 0) {
    try {
      writeSnapshot(session.stateDir, nextSnapshot(readSnapshot(session.stateDir), doc.targets, doc.window, doc.measuredAt));
    } catch (error) {
      out.stderr(`dagrun: warning: could not keep this report's state for the next comparison: ${messageOf(error)}\n`);
    }
  }
  return failures;
}

function htmlFacts(doc: StatusDocument): string[] {
  const fresh = doc.targets.filter((t) => t.freshness.state === 'fresh').length;
  return [`measured ${doc.measuredAt.replace('T', ' ').slice(0, 16)} UTC`, doc.where.replaceAll('`', ''), `${fresh} of ${doc.targets.length} targets fresh`, doc.pipeline];
}

/** Rows per date of the measured targets whose tables exist; a failure is a note, never the end of the report. */
async function rowCountsOf(session: Session, warehouse: Warehouse, state: MeasuredState): Promise<{ counts?: Map<string, RowCounts>; note?: string }> {
  const probes = session.selected
    .map((name) => session.graph.target(name))
    .filter((t) => state.present.get(t.name)?.exists ?? false)
    .map((t) => ({ table: t.table, dateColumn: t.dateColumn }));
  try {
    return { counts: await countRowsPerDate(warehouse, probes, session.window) };
  } catch (error) {
    return { note: `Rows per date were not counted: ${messageOf(error)}` };
  }
}

/** Measures once, prints the status, writes the document; exit code as for `--status` (1 also when a file cannot be written). */
export async function statusReportCommand(opts: StatusReportOptions, out: Output): Promise<number> {
  const session = openSession(opts);
  const say = (m: string) => out.stderr(`dagrun: ${m}\n`);
  const access: PipelineAccess = { purpose: 'read', wait: opts.wait ?? false, commandLine: opts.commandLine ?? 'dagrun --status --report', say };
  const finish = (code: number, failures: readonly string[]) => {
    for (const failure of failures) say(failure);
    return failures.length > 0 ? 1 : code;
  };
  if (!access.wait) {
    const live = await answerFromLiveBuild(session, opts.json, out);
    if (live) {
      const view = live.view;
      if (!view) return live.code; // still measuring: nothing to write yet
      const expected = new Map([...view.targets].map(([name, target]) => [name, target.expected]));
      const where = `live state of build ${view.runId} as of ${view.asOf.replace('T', ' ').slice(0, 19)} UTC (${warehouseText(session)})`;
      const rowsNote = 'Rows per date are not counted while a build holds the pipeline; run the report again when it has finished.';
      const doc = buildDocument(session, opts, { window: view.window, rows: live.rows, expected, measuredAt: view.asOf, where, rowCounts: undefined, rowsNote });
      return finish(live.code, writeDocument(session, doc, opts, expected, false, out));
    }
  }
  return withPipeline(session, access, async (warehouse) => {
    const { freshness, state, warnings } = await measureSelection(session, warehouse);
    for (const warning of warnings) say(`warning: ${warning}`);
    const rows: Freshness[] = session.selected.map((name) => freshness.get(name)!);
    out.stdout(opts.json ? statusJson(session.graph, session.window, rows) + '\n' : renderStatusTable(session.graph, session.window, rows));
    const needRows = opts.files.markdown !== undefined || opts.files.junit !== undefined;
    const { counts, note } = needRows ? await rowCountsOf(session, warehouse, state) : { counts: undefined, note: 'Rows per date are in the Markdown report.' };
    const parts = { window: session.window, rows, expected: state.expected, measuredAt: session.now.toISOString(), where: warehouseText(session), rowCounts: counts, rowsNote: note };
    const code = rows.every((r) => r.state === 'fresh') ? 0 : 1;
    return finish(code, writeDocument(session, buildDocument(session, opts, parts), opts, state.expected, true, out));
  }, say);
}
