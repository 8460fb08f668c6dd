/**
 * `dagrun --status --report F.md --junit F.xml --html F.html`: the status table (or JSON) as
 * usual, plus the validation document of the same answer (run/status-document.ts). During a
 * build, of the build's live state, as `--status` shows it (no rows counted: the warehouse is
 * the build's). Exit code as for `--status`; a requested file that cannot be written is a
 * failure (exit 1), naming it, as in a build.
 */
import type { ReportFiles } from '../../report/create.js';
import { openSession } from '../../run/session.js';
import { statusDocument, writeStatusDocument, type DocumentWrite } from '../../run/status-document.js';
import { readStatus, type StatusAnswer } from '../../run/status.js';
import type { Output } from './shared.js';
import { printStatus, statusAccess, type StatusOptions } from './status.js';

/** Options of `--status` with report files. */
export interface StatusReportOptions extends StatusOptions {
  readonly files: ReportFiles;
}

const WHAT: Readonly<Record<'--report' | '--junit' | '--html', string>> = { '--report': 'Report', '--junit': 'JUnit report', '--html': 'HTML report' };

/** Measures once, prints the status, writes the document; exit code as for `--status` (1 also when a file cannot be written). */
export async function statusReportCommand(opts: StatusReportOptions, out: Output): Promise<number> {
  const session = openSession(opts);
  const countRows = opts.files.markdown !== undefined || opts.files.junit !== undefined;
  const writeDocument = (answer: StatusAnswer) => {
    const source = statusDocument(session, answer, opts.commandLine);
    return source && writeStatusDocument(session, source, opts.files);
  };
  // from the warehouse, the document is written under the pipeline lock (it keeps the last report's state)
  let written: DocumentWrite | undefined;
  const answer = await readStatus(session, statusAccess(opts, out, 'dagrun --status --report'), { countRows, whileHeld: (measured) => (written = writeDocument(measured)) });
  const code = printStatus(session, answer, opts.json, out);
  const result = answer.kind === 'measured' ? written : writeDocument(answer);
  if (!result) return code; // a build still measuring: nothing to write yet
  if (!opts.json) for (const { flag, file } of result.written) out.stderr(`${WHAT[flag]}: ${file}\n`);
  if (result.warning) out.stderr(`dagrun: warning: ${result.warning}\n`);
  for (const failure of result.failures) out.stderr(`dagrun: ${failure}\n`);
  return result.failures.length > 0 ? 1 : code;
}
