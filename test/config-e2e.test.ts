/**
 * Broken pipelines through the built CLI: `dagrun check` and `dagrun --status` exit 2 with
 * every problem listed, exactly as pinned, and never a stack trace. Run `npx tsc -p
 * tsconfig.json` first: the rig runs bin/dagrun.js → dist/.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { dagJson, ProjectRig } from './helpers/rig.js';

// Tests run concurrently, so folders are removed once all are done.
const rigs: ProjectRig[] = [];
afterAll(() => rigs.forEach((rig) => rig.cleanup()));

function project(files: Record<string, string>): ProjectRig {
  const rig = new ProjectRig().write({ 'dag.json5': dagJson(), ...files });
  rigs.push(rig);
  return rig;
}

const command = (table: string, extra = '') => `{ table: '${table}', build: { command: ['true'], opensWarehouse: false }${extra} }`;

/** Each broken pipeline and the stderr it must produce, line by line. */
const BROKEN: { name: string; files: Record<string, string>; stderr: string[] }[] = [
  {
    name: 'a typo in a dependency and an unknown key',
    files: {
      'targets/phase3/player_game_summary.json5': command('a.player_game_summary'),
      'targets/phase3/x.json5': `{ table: 'a.x', deps: ['player_game_summary', 'player_game_sumary'], build: { command: ['true'], timout: '5m' } }`,
      'targets/phase3/y.json5': command('a.y', ", deps: ['player_game_sumary']"),
    },
    stderr: [
      'targets/phase3/x.json5 › build.timout: unknown key "timout" (did you mean "timeout"?)',
      'targets/phase3/y.json5 › deps[0]: target "player_game_sumary", needed by "y", is not defined (did you mean "player_game_summary"?)',
      '',
      'dagrun: the configuration has 2 errors',
    ],
  },
  {
    name: 'a JSON5 syntax error',
    files: { 'targets/x.json5': "{\n  table: 'a.x',\n  deps: ['y'\n  build: { command: ['true'] },\n}\n" },
    stderr: ['targets/x.json5:4:3: syntax error: unexpected \'b\' (is a "," missing before it?)', '4 |   build: { command: [\'true\'] },', '      ^', '', 'dagrun: the configuration has 1 error'],
  },
  {
    name: 'problems in dag.json5 and in names, tables and groups at once',
    files: {
      'dag.json5': dagJson({ window: { start: '2023-02-30', end: '2024-01-10' }, concurrency: 0 }),
      'targets/my-target.json5': command('a.b.c.d', ", group: 'phase3'"),
      'targets/graph.json5': command('x; DROP TABLE y'),
    },
    stderr: [
      'dag.json5 › concurrency: must be at least 1, got 0',
      'targets/graph.json5: target name "graph" comes from the file name and is reserved for "dagrun graph" (rename the file)',
      'targets/my-target.json5: target name "my-target" comes from the file name and may only contain letters, digits and "_" (rename the file, e.g. to my_target.json5)',
      '',
      'dagrun: the configuration has 3 errors',
    ],
  },
  {
    name: 'impossible dates, bad durations, thresholds and builds',
    files: {
      'dag.json5': dagJson({ window: { start: '2023-02-30', end: '2024-01-10' } }),
      'targets/a.json5': `{ table: 's.a', threshold: 1.2, build: { command: ['true'], timeout: '2 hours' } }`,
      'targets/b.json5': `{ table: 's.b', build: { command: ['true'], sql: 'b.sql' } }`,
      'targets/c.json5': `{ table: 's.c', group: 'phase3', build: { sql: 'missing.sql' } }`,
      'targets/d.json5': `{ table: 'a.b.c.d', build: { command: [''] } }`,
    },
    stderr: [
      'dag.json5 › window.start: "2023-02-30" is not a real date: February 2023 has 28 days',
      'targets/a.json5 › threshold: must be between 0 and 1, got 1.2',
      'targets/a.json5 › build.timeout: expected a duration like "90s", "15m" or "2h", got "2 hours"',
      'targets/b.json5 › build: has both "command" and "sql": use exactly one',
      'targets/c.json5 › build.sql: file "missing.sql" not found (looked for targets/missing.sql; the path is relative to the target file)',
      'targets/c.json5 › group: group "phase3" is not declared in dag.json5 › groups (dag.json5 declares no groups)',
      'targets/d.json5 › build.command[0]: the program to run is empty (the first element names it, e.g. "python3")',
      'targets/d.json5 › table: "a.b.c.d" is not a plain table name (write dataset.table or project.dataset.table, with letters, digits and "_")',
      '',
      'dagrun: the configuration has 8 errors',
    ],
  },
  {
    name: 'duplicate names and a cycle',
    files: {
      'targets/one/a.json5': command('s.a', ", deps: ['b']"),
      'targets/two/a.json5': command('s.a2'),
      'targets/one/b.json5': command('s.b', ", deps: ['a']"),
    },
    stderr: [
      'targets/one/a.json5 › deps[0]: dependency cycle: a -> b -> a',
      'targets/two/a.json5: target "a" is already defined by targets/one/a.json5 (target names come from file names and must be unique)',
      '',
      'dagrun: the configuration has 2 errors',
    ],
  },
];

describe.concurrent.each(BROKEN)('$name', ({ files, stderr }) => {
  it.each([['check'], ['--status']])('dagrun %s exits 2 with every problem and no stack trace', async (arg) => {
    const result = await project(files).exec([arg]);
    expect(result.stderr.split('\n')).toEqual(stderr);
    expect(result.stderr).not.toMatch(/^ {4}at /m);
    expect([result.code, result.stdout]).toEqual([2, '']);
  });
});

describe.concurrent('usage errors', () => {
  it('no dag.json5 anywhere above: exit 2, one line', async () => {
    const rig = project({});
    const result = await rig.exec(['check', '--config', 'nope.json5']);
    expect([result.code, result.stderr]).toEqual([2, 'dagrun: nope.json5: no such configuration file']);
  });

  it('an unknown flag: exit 2 and a pointer to --help, no stack trace', async () => {
    const result = await project({ 'targets/a.json5': command('s.a') }).exec(['check', '--conect']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('dagrun: Unknown argument: conect\nRun "dagrun --help" for usage.');
  });
});

describe.concurrent('a valid pipeline', () => {
  it('dagrun check exits 0 and sums it up', async () => {
    const rig = project({ 'targets/raw/a.json5': `{ table: 's.a', source: true }`, 'targets/b.json5': command('s.b', ", deps: ['a']") });
    expect(await rig.exec(['check'])).toEqual({ code: 0, stdout: '✓ dag.json5: 2 targets (1 source), 0 groups, no problems', stderr: '' });
  });

  it('dagrun check from a subfolder finds dag.json5 above it', async () => {
    const rig = project({ 'targets/b.json5': command('s.b') });
    const result = await rig.exec(['check'], { cwd: `${rig.dir}/targets` });
    expect([result.code, result.stdout]).toEqual([0, '✓ ../dag.json5: 1 target (0 sources), 0 groups, no problems']);
  });

  it('dagrun check --connect reaches DuckDB and says what each table holds', async () => {
    const rig = project({
      'targets/a.json5': `{ table: 's.a', build: { sql: 'a.sql' } }`,
      'targets/a.sql': 'CREATE SCHEMA IF NOT EXISTS s; CREATE OR REPLACE TABLE s.a AS SELECT unnest(generate_series(DATE \'2024-01-03\', DATE \'2024-01-06\', INTERVAL 1 DAY))::DATE AS d;',
      'targets/b.json5': command('s.b', ", deps: ['a']"),
    });
    expect((await rig.exec(['a', '--now', '2024-02-01'])).code).toBe(1); // 4 of 10 dates: built but below its threshold
    expect(await rig.exec(['check', '--connect'])).toEqual({
      code: 0,
      stdout: [
        '✓ dag.json5: 2 targets (0 sources), 0 groups, no problems',
        '✓ duckdb warehouse reached (.dagrun/warehouse.duckdb)',
        '  window 2024-01-01 .. 2024-01-10: the calendar has 10 expected dates',
        '  1 of 2 tables exist',
        '    s.a  4 dates in the window',
        '    s.b  not yet',
      ].join('\n'),
      stderr: '',
    });
    rig.write({ 'targets/b.json5': command('s.a2', ", deps: ['a']"), 'targets/a.json5': `{ table: 's.a', dateColumn: 'day', build: { sql: 'a.sql' } }` });
    const wrongColumn = await rig.exec(['check', '--connect']);
    expect(wrongColumn.code).toBe(2);
    expect(wrongColumn.stdout).toMatch(/^ {4}s\.a {3}✗ .*"day"/m);
    expect(wrongColumn.stderr).toBe('dagrun: some tables could not be read (see above); check their table names and date columns');
  });
});
