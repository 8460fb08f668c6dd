/** `dagrun check`: validate the configuration; with `--connect`, also reach the warehouse and say what is there. */
import path from 'node:path';
import pc from 'picocolors';
import { loadConfig } from '../../config/load.js';
import { formatDay } from '../../intervals/day.js';
import { calendarKey } from '../../warehouse/warehouse.js';
import { openSession, resolveConfigFile } from '../session.js';
import { withWarehouse, type Output } from './shared.js';

/** Runs `dagrun check`; returns the exit code (2 on any configuration error, thrown). */
export async function checkCommand(options: { config?: string; connect: boolean; now?: string }, out: Output): Promise<number> {
  const file = resolveConfigFile(options.config);
  const config = loadConfig(file);
  const targets = [...config.targets.values()];
  const shown = path.relative(process.cwd(), file) || file;
  out.stdout(`${pc.green('✓')} ${shown}: ${targets.length} targets (${targets.filter((t) => t.source).length} sources), ${config.groups.size} groups, no problems\n`);
  if (!options.connect) return 0;

  const session = openSession({ config: file, targets: [], now: options.now });
  return withWarehouse(session, async (warehouse) => {
    const where = config.warehouse.type === 'duckdb' ? config.warehouse.path : `project ${config.warehouse.project}`;
    out.stdout(`${pc.green('✓')} ${warehouse.engine} warehouse reached (${where})\n`);
    if (warehouse.describeConnection) {
      for (const line of await warehouse.describeConnection([...new Map(targets.map((t) => [calendarKey(t.calendar), t.calendar])).values()], targets.map((t) => ({ table: t.table, dateColumn: t.dateColumn })))) out.stdout(`  ${line}\n`);
    }
    const calendars = new Map(targets.map((t) => [calendarKey(t.calendar), t.calendar]));
    const expected = await warehouse.expectedDates([...calendars.values()], session.window);
    const main = expected.get(calendarKey(config.calendar)) ?? [];
    out.stdout(`  window ${formatDay(session.window.first)} .. ${formatDay(session.window.last)}: the calendar has ${main.length} expected dates\n`);
    const present = await warehouse.presentDates(targets.map((t) => ({ table: t.table, dateColumn: t.dateColumn })), session.window);
    const existing = targets.filter((t) => present.get(t.table)?.exists);
    out.stdout(`  ${existing.length} of ${targets.length} tables exist${existing.length < targets.length ? ` (not yet: ${targets.filter((t) => !present.get(t.table)?.exists).map((t) => t.table).join(', ')})` : ''}\n`);
    return 0;
  });
}
