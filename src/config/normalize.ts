/**
 * Normalisation: written shapes → the validated types of `types.ts`, with defaults filled,
 * dates and durations parsed and paths resolved. Problems found on the way go to the sink;
 * references between targets are left to `rules.ts`.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ms from 'ms';
import { parseDay, type Day } from '../intervals/day.js';
import type { DiagnosticSink } from './diagnostics.js';
import type { WrittenCalendar, WrittenDag, WrittenTarget } from './schema.js';
import type { Build, CalendarSpec, DagConfig, Group, Target, WarehouseConfig, WindowEdge } from './types.js';

/** A parsed target file, before normalisation. */
export interface TargetSource {
  readonly file: string;
  /** The path shown in messages. */
  readonly shown: string;
  readonly name: string;
  readonly written: WrittenTarget;
}

interface Context {
  readonly sink: DiagnosticSink;
  readonly dir: string;
  readonly written: WrittenDag;
}

/** Default first retry delay: long enough for a flapping service to recover. */
const DEFAULT_RETRY_BACKOFF_MS = 5_000;

/** Parses "90s", "15m", "2h", "1d", "500ms"; undefined for anything else. */
export function parseDuration(text: string): number | undefined {
  const value = ms(text.trim() as ms.StringValue);
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined;
}

function duration(text: string | undefined, file: string, key: string, ctx: Context): number | undefined {
  if (text === undefined) return undefined;
  const value = parseDuration(text);
  if (value === undefined) ctx.sink.add(file, key, `${JSON.stringify(text)} is not a duration (use e.g. "90s", "15m", "2h")`);
  return value;
}

function date(text: string, file: string, key: string, ctx: Context): Day {
  const day = parseDay(text);
  if (day === undefined) ctx.sink.add(file, key, `${JSON.stringify(text)} is not a real date (YYYY-MM-DD)`);
  return day ?? (0 as Day);
}

function calendar(written: WrittenCalendar, file: string, key: string, ctx: Context): CalendarSpec {
  const forms = (['table', 'sql', 'every'] as const).filter((k) => written[k] !== undefined);
  if (forms.length !== 1) {
    ctx.sink.add(file, key, forms.length === 0 ? 'needs one of "table", "sql" or "every"' : `has ${forms.map((f) => `"${f}"`).join(' and ')}: use exactly one`);
  }
  if (written.table !== undefined) {
    const dateColumn = written.dateColumn ?? ctx.written.defaults?.dateColumn;
    if (dateColumn === undefined) ctx.sink.add(file, `${key}.dateColumn`, 'is required when defaults.dateColumn is not set');
    return { kind: 'table', table: written.table, dateColumn: dateColumn ?? '' };
  }
  if (written.dateColumn !== undefined) ctx.sink.add(file, `${key}.dateColumn`, 'only applies to a "table" calendar');
  if (written.sql !== undefined) return { kind: 'sql', sql: written.sql };
  return { kind: 'every-day' };
}

function warehouse(written: WrittenDag['warehouse'], file: string, ctx: Context): WarehouseConfig {
  const allowed = written.type === 'duckdb' ? ['type', 'path'] : ['type', 'project', 'location', 'maximumBytesBilled', 'apiEndpoint'];
  for (const key of Object.keys(written)) {
    if (!allowed.includes(key)) ctx.sink.add(file, `warehouse.${key}`, `does not apply to a ${written.type} warehouse`);
  }
  if (written.type === 'duckdb') {
    return { type: 'duckdb', path: path.resolve(ctx.dir, written.path ?? '.dagrun/warehouse.duckdb') };
  }
  if (written.project === undefined) ctx.sink.add(file, 'warehouse.project', 'is required for a bigquery warehouse');
  if (written.apiEndpoint !== undefined && !/^https?:\/\/[^\s/]+/.test(written.apiEndpoint)) {
    ctx.sink.add(file, 'warehouse.apiEndpoint', `${JSON.stringify(written.apiEndpoint)} is not an http(s) URL`);
  }
  return { type: 'bigquery', project: written.project ?? '', location: written.location, maximumBytesBilled: written.maximumBytesBilled, apiEndpoint: written.apiEndpoint };
}

function windowEnd(text: string, file: string, ctx: Context): WindowEdge {
  if (text === 'today' || text === 'yesterday') return { kind: text };
  return { kind: 'date', day: date(text, file, 'window.end', ctx) };
}

function timeZone(zone: string | undefined, file: string, ctx: Context): string {
  if (zone === undefined) return 'UTC';
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return zone;
  } catch {
    ctx.sink.add(file, 'window.timeZone', `${JSON.stringify(zone)} is not an IANA time zone (e.g. "America/New_York")`);
    return 'UTC';
  }
}

function build(source: TargetSource, ctx: Context): Build | undefined {
  const written = source.written.build;
  const file = source.shown;
  if (source.written.source) {
    if (written) ctx.sink.add(file, 'build', 'a source target is never built by dagrun: remove "build" or "source"');
    return undefined;
  }
  if (!written) {
    ctx.sink.add(file, 'build', 'is required (or mark the target "source: true")');
    return undefined;
  }
  const defaults = ctx.written.defaults ?? {};
  let action: Build['action'];
  if ((written.command === undefined) === (written.sql === undefined)) {
    ctx.sink.add(file, 'build', written.command ? 'has both "command" and "sql": use exactly one' : 'needs one of "command" or "sql"');
    action = { kind: 'command', argv: ['true'], opensWarehouse: false };
  } else if (written.command) {
    if (written.command[0]?.trim() === '') ctx.sink.add(file, 'build.command[0]', 'the program name is empty');
    action = { kind: 'command', argv: written.command, opensWarehouse: written.opensWarehouse ?? true };
  } else {
    const sqlFile = path.resolve(path.dirname(source.file), written.sql!);
    let sql = '';
    if (!existsSync(sqlFile)) ctx.sink.add(file, 'build.sql', `${JSON.stringify(written.sql)} does not exist (looked for ${path.relative(process.cwd(), sqlFile)})`);
    else sql = readFileSync(sqlFile, 'utf8');
    if (written.opensWarehouse !== undefined) ctx.sink.add(file, 'build.opensWarehouse', 'only applies to "command" builds');
    action = { kind: 'sql', file: sqlFile, sql };
  }
  return {
    action,
    ranges: written.ranges ?? 'contiguous',
    maxDays: written.maxDays,
    parallel: written.parallel ?? 1,
    timeoutMs: duration(written.timeout ?? defaults.timeout, file, written.timeout ? 'build.timeout' : 'defaults.timeout', ctx),
    retries: written.retries ?? defaults.retries ?? 0,
    retryBackoffMs: duration(written.retryBackoff ?? defaults.retryBackoff, file, 'build.retryBackoff', ctx) ?? DEFAULT_RETRY_BACKOFF_MS,
    env: written.env ?? {},
    cwd: path.resolve(ctx.dir, written.cwd ?? '.'),
  };
}

function target(source: TargetSource, pipelineCalendar: CalendarSpec, ctx: Context): Target {
  const w = source.written;
  const defaults = ctx.written.defaults ?? {};
  const dateColumn = w.dateColumn ?? defaults.dateColumn;
  if (dateColumn === undefined) ctx.sink.add(source.shown, 'dateColumn', 'is required when defaults.dateColumn is not set');
  return {
    name: source.name,
    file: source.file,
    table: w.table,
    deps: (w.deps ?? []).map((d) => (typeof d === 'string' ? { target: d, lookback: 0 } : { target: d.target, lookback: d.lookback ?? 0 })),
    group: w.group,
    threshold: w.threshold ?? defaults.threshold ?? 1,
    dateColumn: dateColumn ?? '',
    calendar: w.calendar ? calendar(w.calendar, source.shown, 'calendar', ctx) : pipelineCalendar,
    source: w.source ?? false,
    onChange: w.onChange ?? defaults.onChange ?? 'rebuild',
    build: build(source, ctx),
    checks: (w.checks ?? []).map((c) => ({ name: c.name, sql: c.sql, min: c.min, max: c.max })),
  };
}

/** Normalises a shape-checked dag.json5 and its target files. */
export function normalizeDag(
  input: { file: string; dir: string; shown: string; written: WrittenDag; targets: readonly TargetSource[] },
  sink: DiagnosticSink,
): DagConfig {
  const { written, shown } = input;
  const ctx: Context = { sink, dir: input.dir, written };
  const pipelineCalendar = calendar(written.calendar, shown, 'calendar', ctx);
  const groups = new Map<string, Group>(Object.entries(written.groups ?? {}).map(([name, g]) => [name, { name, concurrency: g.concurrency }]));
  const targets = new Map<string, Target>();
  for (const source of [...input.targets].sort((a, b) => a.name.localeCompare(b.name))) {
    if (!targets.has(source.name)) targets.set(source.name, target(source, pipelineCalendar, ctx));
  }
  return {
    file: input.file,
    dir: input.dir,
    warehouse: warehouse(written.warehouse, shown, ctx),
    window: { start: date(written.window.start, shown, 'window.start', ctx), end: windowEnd(written.window.end, shown, ctx), timeZone: timeZone(written.window.timeZone, shown, ctx) },
    calendar: pipelineCalendar,
    concurrency: written.concurrency ?? 8,
    groups,
    targets,
  };
}
