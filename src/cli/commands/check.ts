/** `dagrun check`: validate the configuration; with `--connect`, also reach the warehouse and say what is there. */
import path from 'node:path';
import pc from 'picocolors';
import { formatDiagnostic } from '../../config/diagnostics.js';
import { loadConfig } from '../../config/load.js';
import type { Diagnostic } from '../../core/errors.js';
import type { DagConfig } from '../../config/types.js';
import { formatDay } from '../../intervals/day.js';
import { openSession, resolveConfigFile, resolveWindow, type Session } from '../../run/session.js';
import type { Output } from './shared.js';
import { withPipeline, type PipelineAccess } from '../../run/pipeline.js';
import { inspectConnection, type ConnectionReport, type TableProbe } from '../../run/connection.js';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** One line that sums the pipeline up. */
function summary(config: DagConfig, shown: string, warnings: number): string {
  const targets = [...config.targets.values()];
  const sources = targets.filter((t) => t.source).length;
  const warned = warnings > 0 ? ` (${plural(warnings, 'warning')})` : '';
  return `${pc.green('✓')} ${shown}: ${plural(targets.length, 'target')} (${plural(sources, 'source')}), ${plural(config.groups.size, 'group')}, no problems${warned}\n`;
}

/** How one table looks from the warehouse: its dates in the window, "not yet", or why it could not be read. */
function probeText(probe: TableProbe): string {
  switch (probe.state) {
    case 'exists':
      return `${plural(probe.dates, 'date')} in the window`;
    case 'missing':
      return 'not yet';
    case 'unreadable':
      return `${pc.red('✗')} ${probe.error}`;
  }
}

/** Prints what `check --connect` found; whether every table could be read. */
function printConnection(session: Session, report: ConnectionReport, out: Output): boolean {
  const { config, window } = session;
  const where = config.warehouse.type === 'duckdb' ? path.relative(process.cwd(), config.warehouse.path) || config.warehouse.path : `project ${config.warehouse.project}`;
  out.stdout(`${pc.green('✓')} ${report.engine} warehouse reached (${where})\n`);
  for (const line of report.description) out.stdout(`  ${line}\n`);
  out.stdout(`  window ${formatDay(window.first)} .. ${formatDay(window.last)}: the calendar has ${plural(report.expected.length, 'expected date')}\n`);
  const count = (state: TableProbe['state']) => report.tables.filter((t) => t.probe.state === state).length;
  const unreadable = count('unreadable') > 0 ? `, ${count('unreadable')} could not be read` : '';
  out.stdout(`  ${count('exists')} of ${plural(report.tables.length, 'table')} exist${unreadable}\n`);
  const width = Math.max(...report.tables.map((t) => t.target.table.length));
  for (const { target, probe } of report.tables) out.stdout(`    ${target.table.padEnd(width)}  ${probeText(probe)}\n`);
  return count('unreadable') === 0;
}

export async function checkCommand(options: { config?: string; connect: boolean; now?: string }, out: Output): Promise<number> {
  const file = resolveConfigFile(options.config);
  const warnings: Diagnostic[] = [];
  const config = loadConfig(file, { onWarning: (w) => warnings.push(w) });
  // A window that ends 'today' can only be measured against the clock: refuse one too long now, not at the first run.
  resolveWindow(config, {}, options.now === undefined ? new Date() : new Date(options.now));
  out.stdout(summary(config, path.relative(process.cwd(), file) || file, warnings.length));
  for (const warning of warnings) out.stderr(`dagrun: warning: ${formatDiagnostic(warning)}\n`);
  if (!options.connect) return 0;
  const session = openSession({ config: file, targets: [], now: options.now, fromFiles: true });
  const say = (m: string) => out.stderr(`dagrun: ${m}\n`);
  const access: PipelineAccess = { purpose: 'read', wait: false, commandLine: 'dagrun check --connect', say };
  const report = await withPipeline(session, access, (warehouse) => inspectConnection(session, warehouse), say);
  const readable = printConnection(session, report, out);
  if (readable) return 0;
  out.stderr('dagrun: some tables could not be read (see above); check their table names and date columns\n');
  return 2;
}
