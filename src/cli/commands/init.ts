/**
 * `dagrun init`: writes a small working pipeline into the current folder, or, with
 * `--from duckdb:FILE` or `--from bigquery:PROJECT.DATASET[,DATASET…]`, a source target for
 * every table of an existing warehouse that has a date column. Never overwrites a file.
 */
import path from 'node:path';
import { loadConfig } from '../../config/load.js';
import { DagrunError, messageOf } from '../../core/errors.js';
import type { MetadataReader } from '../../init/bigquery-tables.js';
import { pipelineFromTables, type PipelineFromTables } from '../../init/from-tables.js';
import { existingFiles, schemaLinks, starterPipeline, STARTER_SEED_SQL, writeFiles, type ProjectFiles, type SchemaLinks } from '../../init/index.js';
import { daysBetween, dayOf } from '../../intervals/day.js';
import { openWarehouse, retryPolicyFromEnv } from '../../warehouse/open.js';
import type { Output } from './shared.js';

/** Options of `dagrun init`. */
export interface InitOptions {
  /** The folder to write into (the working directory). */
  readonly dir: string;
  /** `duckdb:FILE` or `bigquery:PROJECT.DATASET[,DATASET…]`; undefined: the starter pipeline. */
  readonly from?: string;
  /** The clock, for the starter's window. */
  readonly now: Date;
}

/** Refuses (exit 2, naming them) when any of `files` (or `also`) is already there. */
function refuseOverwrite(dir: string, files: ProjectFiles, also: readonly string[] = []): void {
  const there = existingFiles(dir, [...files.keys(), ...also]);
  if (there.length > 0) {
    throw new DagrunError('usage', `init: not overwriting ${there.join(', ')} in ${dir}; run it in a folder without them, or move them away`);
  }
}

async function writeStarter(options: InitOptions, out: Output): Promise<number> {
  const starter = starterPipeline(schemaLinks(options.dir), options.now);
  const warehouseFile = '.dagrun/warehouse.duckdb';
  refuseOverwrite(options.dir, starter.files, [warehouseFile]);
  writeFiles(options.dir, starter.files);
  // The source target's sample rows, through the warehouse seam like any SQL build.
  const config = loadConfig(path.join(options.dir, 'dag.json5'));
  const warehouse = await openWarehouse(config, { runId: 'init' });
  try {
    const [start, end] = [dayOf(starter.window.start), dayOf(starter.window.end)];
    await warehouse.runSql({
      target: 'exchange_rates', table: starter.seedTable, sql: STARTER_SEED_SQL, start, end, dates: daysBetween(start, end),
      labels: { tool: 'dagrun', purpose: 'init' },
    });
  } finally {
    await warehouse.close();
  }
  const width = Math.max(...starter.summary.map(([file]) => file.length));
  out.stdout(`Wrote a pipeline in ${options.dir}:\n`);
  for (const [file, what] of starter.summary) out.stdout(`  ${file.padEnd(width)}  ${what}\n`);
  out.stdout(`  (and targets/marts/daily_revenue.sql, scripts/extract_orders.mjs)\n`);
  out.stdout(`Next: npx dagrun (build it), npx dagrun --status. Add .dagrun/ to .gitignore: it holds the warehouse file and run logs.\n`);
  return 0;
}

/** Reads the tables of the warehouse `from` names; returns the pipeline written from them. */
async function fromWarehouse(options: InitOptions & { from: string }): Promise<PipelineFromTables> {
  const links = schemaLinks(options.dir);
  const colon = options.from.indexOf(':');
  const [kind, rest] = colon < 0 ? [options.from, ''] : [options.from.slice(0, colon), options.from.slice(colon + 1)];
  if (kind === 'duckdb' && rest !== '') {
    const file = path.resolve(options.dir, rest);
    const { readDuckDbTables } = await import('../../init/duckdb-tables.js');
    const relative = path.relative(options.dir, file).split(path.sep).join('/');
    const warehouse = `{ type: 'duckdb', path: ${JSON.stringify(relative)} }`;
    return pipelineFromTables(await readDuckDbTables(file, rest), { warehouse, links, origin: options.from });
  }
  if (kind === 'bigquery') return fromBigQuery(options.from, rest, links);
  throw new DagrunError('usage', `--from ${options.from}: expected duckdb:FILE or bigquery:PROJECT.DATASET[,DATASET…]`);
}

/**
 * `--from bigquery:PROJECT.DATASET[,DATASET…]`: INFORMATION_SCHEMA queries through the
 * adapter's port (its credentials: Application Default Credentials, none for
 * BIGQUERY_EMULATOR_HOST; its labels and retries), never a table scan.
 */
async function fromBigQuery(origin: string, rest: string, links: SchemaLinks): Promise<PipelineFromTables> {
  const { parseBigQuerySource, readBigQueryTables } = await import('../../init/bigquery-tables.js');
  const source = parseBigQuerySource(rest);
  // Loaded on demand, as openWarehouse does: the Google client costs start-up time.
  const { openBigQueryPort } = await import('../../warehouse/bigquery.js');
  const settings = { type: 'bigquery', project: source.project, location: undefined, maximumBytesBilled: undefined, apiEndpoint: undefined } as const;
  const port = openBigQueryPort(settings, { runId: 'init', retry: retryPolicyFromEnv(process.env) });
  const locations = new Set<string>();
  const reader: MetadataReader = {
    query: (sql, tables) =>
      port.query({
        sql,
        ...(tables ? { params: { tables: { type: 'ARRAY<STRING>', value: tables } } } : {}),
        purpose: 'connect',
        labels: { command: 'init' },
      }),
    datasetExists: async (dataset) => {
      const info = await port.dataset({ project: source.project, dataset });
      if (info.exists && info.location) locations.add(info.location);
      return info.exists;
    },
  };
  let tables;
  try {
    tables = await readBigQueryTables(reader, source);
  } catch (error) {
    if (error instanceof DagrunError) throw error;
    throw new DagrunError('warehouse-unavailable', `--from ${origin}: cannot read INFORMATION_SCHEMA of project ${source.project}: ${messageOf(error)}`);
  } finally {
    await port.cancelRunning();
  }
  // Queries run in one location: the datasets' own, when they agree.
  const location = locations.size === 1 ? `, location: '${[...locations][0]}'` : '';
  const warehouse = `{ type: 'bigquery', project: '${source.project}'${location} }`;
  return pipelineFromTables(tables, { warehouse, links, origin });
}

/** Runs `dagrun init`; resolves to the exit code. */
export async function initCommand(options: InitOptions, out: Output): Promise<number> {
  if (options.from === undefined) return writeStarter(options, out);
  const pipeline = await fromWarehouse({ ...options, from: options.from });
  for (const line of pipeline.report) out.stdout(`${line}\n`);
  if (pipeline.found === 0) {
    out.stderr(`dagrun: init: no table of ${options.from} has a DATE or TIMESTAMP column; nothing written\n`);
    return 2;
  }
  refuseOverwrite(options.dir, pipeline.files);
  writeFiles(options.dir, pipeline.files);
  out.stdout(`Wrote dag.json5 and ${pipeline.found} target file(s) (${pipeline.skipped} table(s) skipped). Next: npx dagrun check --connect, npx dagrun --status.\n`);
  return 0;
}
