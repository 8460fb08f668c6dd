/**
 * `dagrun --status --html FILE`: the status table (or JSON) as usual, plus the HTML report of the
 * same measurement; during a build, of the build's live state, as `--status` shows it.
 */
import path from 'node:path';
import type { Freshness } from '../../freshness/assess.js';
import { htmlInputFromStatus } from '../../report/html-data.js';
import { renderHtmlReport } from '../../report/html.js';
import { writeFileAtomic } from '../../report/report-files.js';
import { statusJson } from '../../report/status-json.js';
import { renderStatusTable } from '../../report/status-table.js';
import { openSession, type Session } from '../../run/session.js';
import type { Output } from './shared.js';
import { measureSelection, withPipeline, type PipelineAccess } from '../../run/pipeline.js';
import { answerFromLiveBuild, type LiveAnswer, type StatusOptions } from './status.js';

/** Options of `--status --html`. */
export interface StatusHtmlOptions extends StatusOptions {
  readonly html: string;
}

/** Measures once, prints the status and writes the page; exit code as for `--status`. */
export async function statusHtmlCommand(options: StatusHtmlOptions, out: Output): Promise<number> {
  const session = openSession(options);
  const say = (m: string) => out.stderr(`dagrun: ${m}\n`);
  const access: PipelineAccess = { purpose: 'read', wait: options.wait ?? false, commandLine: options.commandLine ?? 'dagrun --status --html', say };
  if (!access.wait) {
    const live = await answerFromLiveBuild(session, options.json, out);
    if (live) {
      writeLivePage(session, live, options.html);
      if (live.view && !options.json) out.stderr(`HTML report: ${path.resolve(options.html)}\n`);
      return live.code;
    }
  }
  return withPipeline(session, access, async (warehouse) => {
    const { freshness, state } = await measureSelection(session, warehouse);
    const rows: Freshness[] = session.selected.map((name) => freshness.get(name)!);
    out.stdout(options.json ? statusJson(session.graph, session.window, rows) + '\n' : renderStatusTable(session.graph, session.window, rows));
    const fresh = rows.filter((r) => r.state === 'fresh').length;
    const facts = [`measured ${session.now.toISOString().replace('T', ' ').slice(0, 16)} UTC`, `${fresh} of ${rows.length} targets fresh`, path.basename(session.config.file)];
    writeFileAtomic(options.html, renderHtmlReport(htmlInputFromStatus(session.graph, session.window, rows, state.expected, facts)));
    if (!options.json) out.stderr(`HTML report: ${path.resolve(options.html)}\n`);
    return rows.every((r) => r.state === 'fresh') ? 0 : 1;
  }, say);
}

/** The page of a build's live state (none while the build is still measuring: there is nothing to draw yet). */
function writeLivePage(session: Session, live: LiveAnswer, file: string): void {
  const view = live.view;
  if (!view) return;
  const expected = new Map([...view.targets].map(([name, target]) => [name, target.expected]));
  const fresh = live.rows.filter((r) => r.state === 'fresh').length;
  const facts = [`live state of build ${view.runId} as of ${view.asOf.replace('T', ' ').slice(0, 19)} UTC`, `${fresh} of ${live.rows.length} targets fresh`, path.basename(session.config.file)];
  writeFileAtomic(file, renderHtmlReport(htmlInputFromStatus(session.graph, view.window, live.rows, expected, facts)));
}
