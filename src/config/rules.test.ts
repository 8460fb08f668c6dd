/** The rules over a whole pipeline, each message pinned whole, on real files in a temp folder. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { formatDiagnostic } from './diagnostics.js';
import { validateConfig } from './load.js';

const folders: string[] = [];
afterEach(() => folders.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

const DAG = {
  warehouse: { type: 'duckdb' },
  window: { start: '2024-01-01', end: '2024-01-10' },
  calendar: { every: 'day' },
  defaults: { dateColumn: 'd' },
  groups: { phase3: { concurrency: 2 } },
  targets: ['targets/**/*.json5'],
};

/** A command target on `table` with `extra` keys. */
const target = (table: string, extra: Record<string, unknown> = {}) => ({ table, build: { command: ['true'] }, ...extra });

/** Writes a pipeline (dag.json5 defaults to DAG) and returns every message, formatted as the CLI prints it. */
function errorsOf(files: Record<string, unknown>): string[] {
  const dir = mkdtempSync(path.join(tmpdir(), 'dagrun-rules-'));
  folders.push(dir);
  for (const [name, content] of Object.entries({ 'dag.json5': DAG, ...files })) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  }
  const result = validateConfig(path.join(dir, 'dag.json5'), { cwd: dir });
  return result.ok ? [] : result.error.map(formatDiagnostic);
}

describe('target names', () => {
  it('come from file names of letters, digits and "_"', () => {
    expect(errorsOf({ 'targets/my-target.json5': target('a.my_target') })).toEqual([
      'targets/my-target.json5: target name "my-target" comes from the file name and may only contain letters, digits and "_" (rename the file, e.g. to my_target.json5)',
    ]);
  });

  it('cannot be a subcommand', () => {
    expect(errorsOf({ 'targets/graph.json5': target('a.graph') })).toEqual([
      'targets/graph.json5: target name "graph" comes from the file name and is reserved for "dagrun graph" (rename the file)',
    ]);
  });

  it('are unique across folders, even when one of the files has other problems', () => {
    expect(errorsOf({ 'targets/a/x.json5': target('a.x'), 'targets/b/x.json5': target('b.x', { threshold: 2 }) })).toEqual([
      'targets/b/x.json5: target "x" is already defined by targets/a/x.json5 (target names come from file names and must be unique)',
      'targets/b/x.json5 › threshold: must be between 0 and 1, got 2',
    ]);
  });
});

describe('table names', () => {
  it.each([
    ['x; DROP TABLE y'],
    ['a.b.c.d'],
    ['`proj`.ds.t'],
    ['just_a_table'],
    ['ds.t WHERE 1=1'],
    ['my-dataset.t'],
  ])('rejects %j, which is no plain dataset.table', (table) => {
    expect(errorsOf({ 'targets/x.json5': target(table) })).toEqual([
      `targets/x.json5 › table: ${JSON.stringify(table)} is not a plain table name (write dataset.table or project.dataset.table, with letters, digits and "_")`,
    ]);
  });

  it.each([['ds.t'], ['my-project.ds.t'], ['P_1.ds_2.t_3']])('accepts %j on BigQuery', (table) => {
    expect(errorsOf({ 'dag.json5': { ...DAG, warehouse: { type: 'bigquery', project: 'p' } }, 'targets/x.json5': target(table) })).toEqual([]);
  });

  it('checks date columns and calendar tables too', () => {
    expect(
      errorsOf({
        'dag.json5': { ...DAG, calendar: { table: 'raw.schedule;', dateColumn: 'game date' } },
        'targets/x.json5': target('a.x', { dateColumn: 'd)--' }),
      }),
    ).toEqual([
      'dag.json5 › calendar.table: "raw.schedule;" is not a plain table name (write dataset.table or project.dataset.table, with letters, digits and "_")',
      'dag.json5 › calendar.dateColumn: "game date" is not a plain column name (letters, digits and "_", not starting with a digit)',
      'targets/x.json5 › dateColumn: "d)--" is not a plain column name (letters, digits and "_", not starting with a digit)',
    ]);
  });

  it('belong to one target each', () => {
    expect(errorsOf({ 'targets/a.json5': target('ds.t'), 'targets/b.json5': target('DS.T') })).toEqual([
      'targets/b.json5 › table: table "DS.T" is already the table of target "a"',
    ]);
  });
});

describe('dependencies', () => {
  it('name a defined target, with a did-you-mean for a typo', () => {
    expect(
      errorsOf({
        'targets/phase3/player_game_summary.json5': target('a.pgs'),
        'targets/phase3/x.json5': target('a.x', { deps: ['player_game_summary', 'player_game_sumary', { target: 'nothing_like_it' }] }),
      }),
    ).toEqual([
      'targets/phase3/x.json5 › deps[1]: target "player_game_sumary", needed by "x", is not defined (did you mean "player_game_summary"?)',
      'targets/phase3/x.json5 › deps[2].target: target "nothing_like_it", needed by "x", is not defined',
    ]);
  });

  it('are not "not defined" when the target file exists but has its own problems', () => {
    expect(errorsOf({ 'targets/a.json5': target('a.a', { tabel: 'x' }), 'targets/b.json5': target('a.b', { deps: ['a'] }) })).toEqual([
      'targets/a.json5 › tabel: unknown key "tabel" (did you mean "table"?)',
    ]);
  });

  it('are not the target itself and not listed twice', () => {
    expect(errorsOf({ 'targets/a.json5': target('a.a'), 'targets/b.json5': target('a.b', { deps: ['b', 'a', { target: 'a', lookback: 3 }] }) })).toEqual([
      'targets/b.json5 › deps[0]: "b" cannot depend on itself',
      'targets/b.json5 › deps[2].target: "a" is listed twice',
    ]);
  });

  it('form no cycle, each printed once from its alphabetically first member', () => {
    expect(
      errorsOf({
        'targets/a.json5': target('s.a', { deps: ['c'] }),
        'targets/b.json5': target('s.b', { deps: ['a'] }),
        'targets/c.json5': target('s.c', { deps: ['b'] }),
        'targets/x.json5': target('s.x', { deps: ['y'] }),
        'targets/y.json5': target('s.y', { deps: [{ target: 'x', lookback: 2 }] }),
      }),
    ).toEqual(['targets/a.json5 › deps[0]: dependency cycle: a -> c -> b -> a', 'targets/x.json5 › deps[0]: dependency cycle: x -> y -> x']);
  });

  it('form no cycle through a calendar: a calendar table built by a dependent', () => {
    expect(
      errorsOf({
        'dag.json5': { ...DAG, calendar: { table: 's.schedule' } },
        'targets/schedule.json5': target('s.schedule', { deps: ['games'], calendar: { every: 'day' } }),
        'targets/games.json5': target('s.games'),
      }),
    ).toEqual(['dag.json5 › calendar.table: dependency cycle: games -> schedule -> games ("games" needs "schedule" because its calendar reads s.schedule)']);
  });
});

describe('groups, placeholders, checks, window', () => {
  it('a group must be declared, with a did-you-mean or the declared list', () => {
    expect(errorsOf({ 'targets/a.json5': target('s.a', { group: 'phase_3' }), 'targets/b.json5': target('s.b', { group: 'raw' }) })).toEqual([
      'targets/a.json5 › group: group "phase_3" is not declared in dag.json5 › groups (did you mean "phase3"?)',
      'targets/b.json5 › group: group "raw" is not declared in dag.json5 › groups (declared: phase3)',
    ]);
    const { groups: _, ...noGroups } = DAG;
    expect(errorsOf({ 'dag.json5': noGroups, 'targets/a.json5': target('s.a', { group: 'raw' }) })).toEqual([
      'targets/a.json5 › group: group "raw" is not declared in dag.json5 › groups (dag.json5 declares no groups)',
    ]);
  });

  it('command placeholders are known ones', () => {
    expect(errorsOf({ 'targets/a.json5': { table: 's.a', build: { command: ['run', '--from={strat}', '{day}'] } } })).toEqual([
      'targets/a.json5 › build.command[1]: unknown placeholder {strat} (did you mean {start}?)',
      'targets/a.json5 › build.command[2]: unknown placeholder {day} (known: {start} {end} {dates} {target} {table} {run_id} {output}; write {{ and }} for literal braces)',
    ]);
  });

  it('checks have bounds in order and unique names', () => {
    const checks = [
      { name: 'c', sql: 'SELECT 1', min: 2, max: 1 },
      { name: 'c', sql: 'SELECT 1' },
    ];
    expect(errorsOf({ 'targets/a.json5': target('s.a', { checks }) })).toEqual([
      'targets/a.json5 › checks[0]: min (2) is greater than max (1)',
      'targets/a.json5 › checks[1].name: check "c" is defined twice',
      'targets/a.json5 › checks[1]: needs "min" or "max"',
    ]);
  });

  it('the window ends after it starts', () => {
    expect(errorsOf({ 'dag.json5': { ...DAG, window: { start: '2024-02-01', end: '2024-01-01' } }, 'targets/a.json5': target('s.a') })).toEqual([
      'dag.json5 › window: ends (2024-01-01) before it starts (2024-02-01)',
    ]);
  });
});

it('lists every problem of every file in one pass, grouped by file', () => {
  expect(
    errorsOf({
      'dag.json5': { ...DAG, window: { start: '2023-02-30', end: '2024-01-10' } },
      'targets/b/bad-name.json5': target('s.b', { deps: ['ghost'] }),
      'targets/a/a.json5': target('s a', { group: 'nope' }),
    }),
  ).toEqual([
    'dag.json5 › window.start: "2023-02-30" is not a real date: February 2023 has 28 days',
    'targets/a/a.json5 › table: "s a" is not a plain table name (write dataset.table or project.dataset.table, with letters, digits and "_")',
    'targets/a/a.json5 › group: group "nope" is not declared in dag.json5 › groups (declared: phase3)',
    'targets/b/bad-name.json5: target name "bad-name" comes from the file name and may only contain letters, digits and "_" (rename the file, e.g. to bad_name.json5)',
    'targets/b/bad-name.json5 › deps[0]: target "ghost", needed by "bad-name", is not defined',
  ]);
});
