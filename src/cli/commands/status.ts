/**
 * `dagrun --status`: print what run/status.ts answers, the table or JSON; exit 0 only when all
 * selected targets are fresh. During a build, the build's live state.
 */
import { describeOwner } from '../../state/lock-owner.js';
import { liveExitCode, liveStatusJson, renderLiveStatus } from '../../report/status-live.js';
import { renderStatusTable } from '../../report/status-table.js';
import { statusJson, windowJson } from '../../report/status-json.js';
import type { PipelineAccess } from '../../run/pipeline.js';
import { openSession, type Session, type SessionOptions } from '../../run/session.js';
import { readStatus, type StatusAnswer } from '../../run/status.js';
import type { Output } from './shared.js';

/** Options of `--status`. */
export interface StatusOptions extends SessionOptions {
  readonly json: boolean;
  /** Wait for a build that holds the pipeline instead of failing at once. */
  readonly wait?: boolean;
  readonly commandLine?: string;
}

/** How the pipeline is opened for `--status`. */
export function statusAccess(options: StatusOptions, out: Output, commandLine: string): PipelineAccess {
  return { purpose: 'read', wait: options.wait ?? false, commandLine: options.commandLine ?? commandLine, say: (m) => out.stderr(`dagrun: ${m}\n`) };
}

/** Prints a status answer as a table or JSON; returns its exit code. */
export function printStatus(session: Session, answer: StatusAnswer, json: boolean, out: Output): number {
  switch (answer.kind) {
    case 'measuring': {
      const what = `${describeOwner(answer.owner)} is building this pipeline and still measuring it; its live state appears once it starts building`;
      if (json) out.stdout(JSON.stringify({ window: windowJson(session.window), targets: [], live: { runId: answer.owner.runId, pid: answer.owner.pid, measuring: true } }, null, 2) + '\n');
      out.stderr(`dagrun: ${what}. Run --status again in a moment, or add --wait for the state after the build.\n`);
      return 1;
    }
    case 'live':
      out.stdout(json ? liveStatusJson(session.graph, answer.view, answer.selection) + '\n' : renderLiveStatus(session.graph, answer.view, answer.selection, session.now));
      return liveExitCode(answer.selection);
    case 'measured':
      for (const warning of answer.warnings) out.stderr(`dagrun: warning: ${warning}\n`);
      out.stdout(json ? statusJson(session.graph, session.window, answer.rows) + '\n' : renderStatusTable(session.graph, session.window, answer.rows));
      return answer.rows.every((r) => r.state === 'fresh') ? 0 : 1;
  }
}

/** Runs `--status`; returns the exit code. `--wait` waits for a build holding the pipeline instead of showing its live state. */
export async function statusCommand(options: StatusOptions, out: Output): Promise<number> {
  const session = openSession(options);
  const answer = await readStatus(session, statusAccess(options, out, 'dagrun --status'));
  return printStatus(session, answer, options.json, out);
}
