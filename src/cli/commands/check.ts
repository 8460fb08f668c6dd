/** `dagrun check`: validate the configuration; with `--connect`, also reach the warehouse and say what is there. */
import path from 'node:path';
import pc from 'picocolors';
import { formatDiagnostic } from '../../config/diagnostics.js';
import { loadConfig } from '../../config/load.js';
import type { Diagnostic } from '../../core/errors.js';
import type { DagConfig, Target } from '../../config/types.js';
import { formatDay } from '../../intervals/day.js';
import { calendarKey, WarehouseError, type Warehouse } from '../../warehouse/warehouse.js';
import { openSession, resolveConfigFile, resolveWindow, type Session } from '../../run/session.js';
import type { Output } from './shared.js';
import { withPipeline, type PipelineAccess } from '../../run/pipeline.js';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** One line that sums the pipeline up. */
function summary(config: DagConfig, shown: string, warnings: number): string {
  const targets = [...config.targets.values()];
  const sources = targets.filter((t) => t.source).length;
  const warned = warnings > 0 ? ` (${plural(warnings, 'warning')})` : '';
  return `${pc.green('✓')} ${shown}: ${plural(targets.length, 'target')} (${plural(sources, 'source')}), ${plural(config.groups.size, 'group')}, no problems${warned}\n`;
}

/** How one table looks from the warehouse: its dates in the window, "not yet", or why it could not be read. */
async function probeTable(warehouse: Warehouse, target: Target, window: Session['window']): Promise<{ state: 'exists' | 'missing' | 'unreadable'; text: string }> {
  try {
    const found = (await warehouse.presentDates([{ table: target.table, dateColumn: target.dateColumn }], window)).get(target.table);
    return found?.exists ? { state: 'exists', text: `${plural(found.days.length, 'date')} in the window` } : { state: 'missing', text: 'not yet' };
  } catch (error) {
    if (!(error instanceof WarehouseError)) throw error;
    return { state: 'unreadable', text: `${pc.red('✗')} ${error.message}` };
  }
}

/**
 * What the warehouse holds of the pipeline: the calendar's dates and, table by table (so a
 * wrong date column names its table), whether it exists and how many dates it has.
 * Returns false when some table could not be read.
 */
async function describeWarehouse(session: Session, warehouse: Warehouse, out: Output): Promise<boolean> {
  const { config, window } = session;
  const targets: Target[] = [...config.targets.values()];
  const where = config.warehouse.type === 'duckdb' ? path.relative(process.cwd(), config.warehouse.path) || config.warehouse.path : `project ${config.warehouse.project}`;
  out.stdout(`${pc.green('✓')} ${warehouse.engine} warehouse reached (${where})\n`);
  const calendars = [...new Map(targets.map((t) => [calendarKey(t.calendar), t.calendar])).values()];
  if (warehouse.describeConnection) {
    for (const line of await warehouse.describeConnection(calendars, targets.map((t) => ({ table: t.table, dateColumn: t.dateColumn })))) out.stdout(`  ${line}\n`);
  }
  const expected = await warehouse.expectedDates(calendars, window);
  const main = expected.get(calendarKey(config.calendar)) ?? [];
  out.stdout(`  window ${formatDay(window.first)} .. ${formatDay(window.last)}: the calendar has ${plural(main.length, 'expected date')}\n`);
  const probes = await Promise.all(targets.map((t) => probeTable(warehouse, t, window)));
  const count = (state: string) => probes.filter((p) => p.state === state).length;
  const unreadable = count('unreadable') > 0 ? `, ${count('unreadable')} could not be read` : '';
  out.stdout(`  ${count('exists')} of ${plural(targets.length, 'table')} exist${unreadable}\n`);
  const width = Math.max(...targets.map((t) => t.table.length));
  targets.forEach((t, i) => out.stdout(`    ${t.table.padEnd(width)}  ${probes[i]!.text}\n`));
  return count('unreadable') === 0;
}

/** Runs `dagrun check`; returns the exit code (2 on any configuration error, thrown). */
export async function checkCommand(options: { config?: string; connect: boolean; now?: string }, out: Output): Promise<number> {
  const file = resolveConfigFile(options.config);
  const warnings: Diagnostic[] = [];
  const config = loadConfig(file, { onWarning: (w) => warnings.push(w) });
  // A window that ends 'today' can only be measured against the clock: refuse one too long now, not at the first run.
  resolveWindow(config, {}, options.now === undefined ? new Date() : new Date(options.now));
  out.stdout(summary(config, path.relative(process.cwd(), file) || file, warnings.length));
  for (const warning of warnings) out.stderr(`dagrun: warning: ${formatDiagnostic(warning)}\n`);
  if (!options.connect) return 0;
  const session = openSession({ config: file, targets: [], now: options.now });
  const say = (m: string) => out.stderr(`dagrun: ${m}\n`);
  const access: PipelineAccess = { purpose: 'read', wait: false, commandLine: 'dagrun check --connect', say };
  const readable = await withPipeline(session, access, (warehouse) => describeWarehouse(session, warehouse, out), say);
  if (readable) return 0;
  out.stderr('dagrun: some tables could not be read (see above); check their table names and date columns\n');
  return 2;
}
