/** Shape and normalisation errors of single keys, each message pinned whole, on real files in a temp folder. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { formatDiagnostic } from './diagnostics.js';
import { validateConfig } from './load.js';
import { impossibleDate, parseDuration } from './normalize.js';

const folders: string[] = [];
afterEach(() => folders.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

const DAG = {
  warehouse: { type: 'duckdb' },
  window: { start: '2024-01-01', end: '2024-01-10' },
  calendar: { every: 'day' },
  defaults: { dateColumn: 'd' },
  targets: ['targets/**/*.json5'],
};
const OK_TARGET = { table: 's.x', build: { command: ['true'] } };

/** Validates dag.json5 (merged over DAG) with one target file (merged over OK_TARGET); every message as printed. */
function errorsOf(dag: Record<string, unknown>, target: Record<string, unknown> = {}, extra: Record<string, string> = {}): string[] {
  const dir = mkdtempSync(path.join(tmpdir(), 'dagrun-normalize-'));
  folders.push(dir);
  const files = { 'dag.json5': JSON.stringify({ ...DAG, ...dag }), 'targets/x.json5': JSON.stringify({ ...OK_TARGET, ...target }), ...extra };
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), content);
  }
  const result = validateConfig(path.join(dir, 'dag.json5'), { cwd: dir });
  return result.ok ? [] : result.error.map(formatDiagnostic);
}

describe('unknown keys, with a did-you-mean when one is close', () => {
  it('at the top level', () => {
    expect(errorsOf({ concurency: 3 }, { tabel: 's.y', colour: 'red' })).toEqual([
      'dag.json5 › concurency: unknown key "concurency" (did you mean "concurrency"?)',
      'targets/x.json5 › tabel: unknown key "tabel" (did you mean "table"?)',
      'targets/x.json5 › colour: unknown key "colour"',
    ]);
  });

  it('nested in build, window, warehouse, deps and checks', () => {
    const target = { build: { command: ['true'], timout: '5m' }, deps: [{ taget: 'y' }], checks: [{ name: 'c', sql: 'SELECT 1', minimum: 1 }] };
    expect(errorsOf({ window: { start: '2024-01-01', end: '2024-01-10', tmeZone: 'UTC' }, warehouse: { type: 'duckdb', paht: 'w.db' } }, target)).toEqual([
      'dag.json5 › warehouse.paht: unknown key "paht" (did you mean "path"?)',
      'dag.json5 › window.tmeZone: unknown key "tmeZone" (did you mean "timeZone"?)',
      'targets/x.json5 › build.timout: unknown key "timout" (did you mean "timeout"?)',
      'targets/x.json5 › deps[0].taget: unknown key "taget" (did you mean "target"?)',
      'targets/x.json5 › deps[0].target: is required',
      'targets/x.json5 › checks[0].minimum: unknown key "minimum" (did you mean "min"?)',
    ]);
  });
});

describe('numbers', () => {
  it.each([[-0.1], [1.5]])('a threshold of %d is outside [0, 1]', (threshold) => {
    expect(errorsOf({ defaults: { dateColumn: 'd', threshold } }, { threshold })).toEqual([
      `dag.json5 › defaults.threshold: must be between 0 and 1, got ${threshold}`,
      `targets/x.json5 › threshold: must be between 0 and 1, got ${threshold}`,
    ]);
  });

  it('concurrency, group concurrency and parallel are whole numbers of at least 1', () => {
    expect(errorsOf({ concurrency: 0, groups: { g: { concurrency: -2 }, h: { concurrency: 1.5 } } }, { build: { command: ['true'], parallel: 0 } })).toEqual([
      'dag.json5 › concurrency: must be at least 1, got 0',
      'dag.json5 › groups.g.concurrency: must be at least 1, got -2',
      'dag.json5 › groups.h.concurrency: expected a whole number, got 1.5',
      'targets/x.json5 › build.parallel: must be at least 1, got 0',
    ]);
  });

  it('a type mismatch says what was expected and what was found', () => {
    expect(errorsOf({ concurrency: '8' }, { threshold: '0.9', source: 'yes', deps: [3] })).toEqual([
      'dag.json5 › concurrency: expected a whole number, got the string "8"',
      'targets/x.json5 › threshold: expected a number, got the string "0.9"',
      'targets/x.json5 › source: expected true or false, got the string "yes"',
      'targets/x.json5 › deps[0]: expected a string or an object, got number 3',
    ]);
  });
});

describe('dates', () => {
  it.each([
    ['2023-02-30', 'February 2023 has 28 days'],
    ['2024-02-30', 'February 2024 has 29 days'],
    ['2024-04-31', 'April 2024 has 30 days'],
    ['2024-13-01', 'there is no month 13'],
    ['2024-00-10', 'there is no month 0'],
  ])('%s is impossible: %s', (text, why) => {
    expect(impossibleDate(text)).toBe(why);
    expect(errorsOf({ window: { start: text, end: '2025-01-01' } })).toEqual([`dag.json5 › window.start: "${text}" is not a real date: ${why}`]);
  });

  it('the end may be a date, "today" or "yesterday"', () => {
    expect(errorsOf({ window: { start: '2024-01-01', end: 'today' } })).toEqual([]);
    expect(errorsOf({ window: { start: '2024-1-1', end: 'tomorrow' } })).toEqual([
      'dag.json5 › window.start: expected a date YYYY-MM-DD, got "2024-1-1"',
      'dag.json5 › window.end: expected a date YYYY-MM-DD or one of "today", "yesterday", got "tomorrow"',
    ]);
    expect(errorsOf({ window: { start: '2024-01-01', end: '2024-02-30' } })).toEqual(['dag.json5 › window.end: "2024-02-30" is not a real date: February 2024 has 29 days']);
  });

  it('the time zone is an IANA zone', () => {
    expect(errorsOf({ window: { start: '2024-01-01', end: 'today', timeZone: 'Mars/Olympus' } })).toEqual([
      'dag.json5 › window.timeZone: "Mars/Olympus" is not an IANA time zone (e.g. "America/New_York")',
    ]);
  });
});

describe('durations', () => {
  it.each([
    ['90s', 90_000],
    ['15m', 900_000],
    ['2h', 7_200_000],
    ['1d', 86_400_000],
    ['1.5h', 5_400_000],
  ])('%s is good', (text, msValue) => {
    expect(parseDuration(text)).toBe(msValue);
    expect(errorsOf({}, { build: { command: ['true'], timeout: text } })).toEqual([]);
  });

  it.each([['2 hours'], ['abc'], ['-5m'], ['15'], ['']])('%j is bad', (text) => {
    expect(errorsOf({}, { build: { command: ['true'], timeout: text } })).toEqual([
      `targets/x.json5 › build.timeout: expected a duration like "90s", "15m" or "2h", got ${JSON.stringify(text)}`,
    ]);
  });

  it('zero is no timeout, and a bad default is reported once, in dag.json5', () => {
    expect(errorsOf({ defaults: { dateColumn: 'd', retryBackoff: '0s' } }, { build: { command: ['true'], timeout: '0m' } }, { 'targets/y.json5': '{ table: "s.y", build: { command: ["true"] } }' })).toEqual([
      'dag.json5 › defaults.retryBackoff: "0s" is not a duration longer than zero (use e.g. "90s", "15m", "2h")',
      'targets/x.json5 › build.timeout: "0m" is not a duration longer than zero (use e.g. "90s", "15m", "2h")',
    ]);
  });
});

describe('builds', () => {
  it('need exactly one of command and sql', () => {
    expect(errorsOf({}, { build: { command: ['true'], sql: 'x.sql' } })).toEqual(['targets/x.json5 › build: has both "command" and "sql": use exactly one']);
    expect(errorsOf({}, { build: { ranges: 'single' } })).toEqual(['targets/x.json5 › build: needs "command" (a program and its arguments) or "sql" (a .sql file)']);
  });

  it('a command names a program', () => {
    expect(errorsOf({}, { build: { command: [] } })).toEqual(['targets/x.json5 › build.command: must not be empty']);
    expect(errorsOf({}, { build: { command: [' ', '--x'] } })).toEqual([
      'targets/x.json5 › build.command[0]: the program to run is empty (the first element names it, e.g. "python3")',
    ]);
  });

  it('a .sql file exists next to the target file', () => {
    expect(errorsOf({}, { build: { sql: 'missing.sql' } })).toEqual([
      'targets/x.json5 › build.sql: file "missing.sql" not found (looked for targets/missing.sql; the path is relative to the target file)',
    ]);
    expect(errorsOf({}, { build: { sql: 'x.sql' } }, { 'targets/x.sql': 'SELECT 1' })).toEqual([]);
  });

  it('a source has no build, and any other target has one', () => {
    expect(errorsOf({}, { source: true })).toEqual(['targets/x.json5 › build: a source target is never built by dagrun: remove "build" or "source"']);
    expect(errorsOf({}, { build: undefined })).toEqual(['targets/x.json5 › build: is required (or mark the target "source: true")']);
  });

  it('enumerations list their choices', () => {
    expect(errorsOf({}, { onChange: 'ignore', build: { command: ['true'], ranges: 'weekly' } })).toEqual([
      'targets/x.json5 › build.ranges: expected one of "contiguous", "per-date", "single", got "weekly"',
      'targets/x.json5 › onChange: expected one of "rebuild", "warn", got "ignore"',
    ]);
  });
});

describe('calendar, date column and warehouse', () => {
  it('a calendar has exactly one form', () => {
    expect(errorsOf({ calendar: {} })).toEqual(['dag.json5 › calendar: needs one of "table", "sql" or "every"']);
    expect(errorsOf({ calendar: { every: 'day', sql: 'SELECT 1' } })).toEqual(['dag.json5 › calendar: has "sql" and "every": use exactly one']);
  });

  it('the date column comes from the target or the defaults', () => {
    expect(errorsOf({ defaults: {} })).toEqual(['targets/x.json5 › dateColumn: is required when defaults.dateColumn is not set']);
  });

  it('warehouse keys belong to its type', () => {
    expect(errorsOf({ warehouse: { type: 'duckdb', project: 'p' } })).toEqual(['dag.json5 › warehouse.project: does not apply to a duckdb warehouse']);
    expect(errorsOf({ warehouse: { type: 'bigquery', path: 'x', apiEndpoint: 'localhost:9050' } })).toEqual([
      'dag.json5 › warehouse.path: does not apply to a bigquery warehouse',
      'dag.json5 › warehouse.project: is required for a bigquery warehouse',
      'dag.json5 › warehouse.apiEndpoint: "localhost:9050" is not an http(s) URL',
    ]);
  });
});
