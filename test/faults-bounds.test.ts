/**
 * Input that cannot make sense, through the built CLI: SQL that would break the range's
 * transaction or write where it should read, numbers past their bounds, paths outside the
 * project, names the warehouse cannot hold, flags that would plan millennia, and graphs deep
 * enough to overflow a recursive walk. Each gets exit 2 and a located message, whole and
 * without a stack trace, before anything touches the warehouse. Run `npx tsc -p
 * tsconfig.json` first: the rig runs bin/dagrun.js → dist/.
 */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FAULT_SCRIPT, hasStackTrace, isoDays, tableDates } from './helpers/fault-scripts/harness.js';
import { dagJson, ProjectRig } from './helpers/rig.js';

const rigs: ProjectRig[] = [];
afterAll(() => rigs.forEach((rig) => rig.cleanup()));

function project(files: Record<string, string>, links: Record<string, string> = {}): ProjectRig {
  const rig = new ProjectRig().write({ 'dag.json5': dagJson(), ...files });
  for (const [name, to] of Object.entries(links)) symlinkSync(to, path.join(rig.dir, name));
  rigs.push(rig);
  return rig;
}

const command = (table: string, extra = '') => `{ table: '${table}', build: { command: ['true'], opensWarehouse: false }${extra} }`;
const TRANSACTION = 'controls the transaction, but dagrun runs each range in one transaction of its own (so that nothing half-done counts as done): remove it';
const QUERY = 'a query (SELECT, WITH … SELECT, FROM, VALUES or TABLE)';

/** Each refused pipeline and its whole stderr, line by line. */
const REFUSED: { name: string; files: Record<string, string>; links?: Record<string, string>; stderr: string[] }[] = [
  {
    name: 'SQL that breaks its promises',
    files: {
      'dag.json5': dagJson({ calendar: { sql: "DELETE FROM s.games RETURNING d" } }),
      'targets/b.json5': `{ table: 's.b', build: { sql: 'b.sql' } }`,
      'targets/b.sql': "BEGIN;\n-- COMMIT in a comment is fine, and so is 'ROLLBACK' in a string\nINSERT INTO s.b SELECT @start_date, 'ROLLBACK';\nCOMMIT;\n",
      'targets/c.json5': command('s.c', ", checks: [{ name: 'fixup', sql: 'UPDATE s.c SET d = NULL', min: 0 }]"),
    },
    stderr: [
      `dag.json5 › calendar.sql: runs DELETE, but a calendar is ${QUERY} returning one DATE column, and never changes the warehouse`,
      `targets/b.json5 › build.sql: b.sql line 1: BEGIN ${TRANSACTION}`,
      `targets/b.json5 › build.sql: b.sql line 4: COMMIT ${TRANSACTION}`,
      `targets/c.json5 › checks[0].sql: runs UPDATE, but a check is ${QUERY} returning one number, and never changes the warehouse`,
      '',
      'dagrun: the configuration has 4 errors',
    ],
  },
  {
    name: 'numbers past their bounds',
    files: {
      'dag.json5': dagJson({ window: { start: '0050-01-01', end: '2024-01-10' } }),
      'targets/a.json5': command('s.a'),
      'targets/b.json5': `{ table: 's.b', deps: [{ target: 'a', lookback: 1e9 }], build: { command: ['true'] } }`,
      'targets/c.json5': `{ table: 's.c', build: { command: ['true'], timeout: '30d' } }`,
      'targets/d.json5': `{ table: 's.d', threshold: NaN, build: { command: ['true'] } }`,
    },
    stderr: [
      'dag.json5 › window.start: "0050-01-01" is in the year 50: dagrun plans years 1000..9999',
      'targets/b.json5 › deps[0].lookback: must be between 0 and 3660, got 1000000000',
      'targets/c.json5 › build.timeout: "30d" is longer than the longest timer dagrun can set (about 24.8 days): use at most "24d"',
      'targets/d.json5 › threshold: expected a number, got NaN (not a number)',
      '',
      'dagrun: the configuration has 4 errors',
    ],
  },
  {
    name: 'a window of a hundred years of days',
    files: { 'dag.json5': dagJson({ window: { start: '1925-01-01', end: '2024-12-31' } }), 'targets/a.json5': command('s.a') },
    stderr: ['dag.json5 › window: 1925-01-01 .. 2024-12-31 is 36,525 days: a window can cover at most 10,000 days (about 27 years)', '', 'dagrun: the configuration has 1 error'],
  },
  {
    name: 'paths and names',
    files: {
      'targets/a.json5': `{ table: 's.a', build: { sql: '../../../../../../../../etc/passwd' } }`,
      'targets/b.json5': `{ table: 's.b', dateColumn: '', build: { command: ['true'] } }`,
      'targets/c.json5': command('my-project.s.c'),
      'targets/d.json5': command('_dagrun.writes'),
    },
    links: { 'targets/e.json5': 'moved-away.json5' },
    stderr: [
      'targets/a.json5 › build.sql: "../../../../../../../../etc/passwd" is outside the project folder: a .sql file must be inside the folder that holds the pipeline file (the path is relative to the target file)',
      'targets/b.json5 › dateColumn: must not be empty',
      `targets/c.json5 › table: "my-project.s.c" has three parts, but DuckDB tables are schema.table (project.dataset.table is BigQuery's form)`,
      `targets/d.json5 › table: "_dagrun.writes" is in the _dagrun schema, which is reserved for dagrun's own records: put the table in another schema`,
      'targets/e.json5: the file is a symbolic link to "moved-away.json5", which does not exist (fix the link or remove it)',
      '',
      'dagrun: the configuration has 5 errors',
    ],
  },
];

describe.concurrent.each(REFUSED)('$name', ({ files, links, stderr }) => {
  it.each([['check'], ['--status'], ['-n'], ['a build']])('dagrun %s exits 2 with every problem, located, and no stack trace', async (arg) => {
    const result = await project(files, links).exec(arg === 'a build' ? [] : [arg]);
    expect(result.stderr.split('\n')).toEqual(stderr);
    expect(hasStackTrace(result.stderr)).toBe(false);
    expect(result.stderr).not.toContain('root:');
    expect([result.code, result.stdout]).toEqual([2, '']);
  });
});

describe.concurrent('refused before the warehouse is touched', () => {
  /** A pipeline whose `a` is built over all six days by the fault script. */
  async function builtA(): Promise<ProjectRig> {
    const rig = project({
      'dag.json5': dagJson({ window: { start: '2024-01-01', end: '2024-01-06' } }),
      'targets/a.json5': JSON.stringify({ table: 's.a', build: { command: ['node', FAULT_SCRIPT, 'write'], maxDays: 6 } }),
    });
    mkdirSync(path.join(rig.dir, 'fault'));
    expect((await rig.exec(['a'], { env: { FAULT_DIR: path.join(rig.dir, 'fault') } })).code).toBe(0);
    return rig;
  }

  it('a check that would UPDATE is refused by --status, and the rows stay', async () => {
    const rig = await builtA();
    rig.write({ 'targets/a.json5': JSON.stringify({ table: 's.a', build: { command: ['node', FAULT_SCRIPT, 'write'], maxDays: 6 }, checks: [{ name: 'wipe', sql: 'WITH x AS (SELECT 1) DELETE FROM s.a', max: 0 }] }) });
    const result = await rig.exec(['--status']);
    expect([result.code, result.stderr.split('\n')[0]]).toEqual([
      2,
      `targets/a.json5 › checks[0].sql: runs WITH … DELETE, but a check is ${QUERY} returning one number, and never changes the warehouse`,
    ]);
    expect(await tableDates(rig, 's.a')).toEqual(isoDays('2024-01-01', '2024-01-06'));
  });

  it('a build .sql with its own COMMIT is refused by a run, and its table is never written', async () => {
    const rig = await builtA();
    rig.write({
      'targets/b.json5': JSON.stringify({ table: 's.b', deps: ['a'], build: { sql: 'b.sql' } }),
      'targets/b.sql': 'CREATE TABLE IF NOT EXISTS s.b (d DATE); COMMIT; INSERT INTO s.b SELECT d FROM s.a WHERE d BETWEEN @start_date AND @end_date;',
    });
    const result = await rig.exec(['b']);
    expect([result.code, result.stderr]).toEqual([2, `targets/b.json5 › build.sql: b.sql line 1: COMMIT ${TRANSACTION}\n\ndagrun: the configuration has 1 error`]);
    expect(await rig.query("SELECT count(*)::INTEGER AS n FROM information_schema.tables WHERE table_name = 'b'")).toEqual([{ n: 0 }]);
  });
});

describe.concurrent('flags that would plan millennia', () => {
  it.each([
    [['-n', '--since', '99999999d'], 'dagrun: --since: "99999999d" is more than 10,000 days, the longest window dagrun plans'],
    [['-n', '--since', '3000000d'], 'dagrun: --since: "3000000d" is more than 10,000 days, the longest window dagrun plans'],
    [['--status', '--start', '0050-01-01'], 'dagrun: --start: "0050-01-01" is in the year 50: dagrun plans years 1000..9999'],
    [['-n', '--end', '2024-02-30'], 'dagrun: --end: "2024-02-30" is not a real date: February 2024 has 29 days'],
    [['-n', '--start', '1000-01-01', '--end', '9999-12-31'], 'dagrun: the window 1000-01-01 .. 9999-12-31 is 3,287,182 days, more than the 10,000 days dagrun plans: narrow it (--start/--end)'],
    [['check', '--now', '2026-01-01'], 'dagrun: the window 1990-01-01 .. 2026-01-01 is 13,150 days, more than the 10,000 days dagrun plans: narrow it (window in dag.json5)'],
  ])('dagrun %j exits 2 at once, naming the flag', async (args, stderr) => {
    const rig = project({ 'dag.json5': dagJson({ window: { start: args[0] === 'check' ? '1990-01-01' : '2024-01-01', end: args[0] === 'check' ? 'today' : '2024-01-10' } }), 'targets/a.json5': command('s.a') });
    const started = Date.now();
    const result = await rig.exec(args);
    expect(result).toEqual({ code: 2, stdout: '', stderr });
    expect(Date.now() - started).toBeLessThan(15_000);
  });
});

describe.concurrent('warnings', () => {
  it('dagrun check warns, and exits 0, when a DuckDB command that opens the warehouse asks for parallel > 1', async () => {
    const rig = project({ 'targets/a.json5': `{ table: 's.a', build: { command: ['true'], parallel: 15 } }`, 'targets/b.json5': command('s.b', ", deps: ['a']") });
    expect(await rig.exec(['check'])).toEqual({
      code: 0,
      stdout: '✓ dag.json5: 2 targets (0 sources), 0 groups, no problems (1 warning)',
      stderr:
        'dagrun: warning: targets/a.json5 › build.parallel: runs one at a time on DuckDB: the command opens the warehouse file itself (build.opensWarehouse, the default without build.output) and only one process can hold it; use build.output to hand rows over and run in parallel',
    });
  });
});

describe('deep graphs', () => {
  it('a chain of 3,000 targets: check, graph, --status and -n answer without overflowing the stack', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 3000; i++) files[`targets/t${i}.json5`] = JSON.stringify({ table: `s.t${i}`, deps: i > 0 ? [`t${i - 1}`] : [], build: { command: ['true'], opensWarehouse: false } });
    const rig = project(files);
    const check = await rig.exec(['check']);
    expect(check).toEqual({ code: 0, stdout: '✓ dag.json5: 3000 targets (0 sources), 0 groups, no problems', stderr: '' });
    const graph = await rig.exec(['graph']);
    expect([graph.code, graph.stderr]).toEqual([0, '']);
    expect(graph.stdout.split('\n').at(-1)).toBe('  t2998 --> t2999');
    const status = await rig.exec(['--status', 't2999']);
    expect([status.code, hasStackTrace(status.stderr), status.stdout.split('\n').at(-1)]).toEqual([1, false, expect.stringMatching(/^t2999 .* stale /)]);
    const plan = await rig.exec(['-n', 't2999']);
    expect([plan.code, hasStackTrace(plan.stderr), plan.stdout]).toEqual([0, false, expect.stringContaining('3000. t2999  10 dates in 1 range after t2998')]);

    // A cycle closed around the whole chain is found and printed, not a stack overflow.
    writeFileSync(path.join(rig.dir, 'targets/t0.json5'), JSON.stringify({ table: 's.t0', deps: ['t2999'], build: { command: ['true'], opensWarehouse: false } }));
    const cycle = await rig.exec(['check']);
    expect([cycle.code, hasStackTrace(cycle.stderr)]).toEqual([2, false]);
    expect(cycle.stderr).toMatch(/^targets\/t0\.json5 › deps\[0\]: dependency cycle: t0 -> t2999 -> t2998 -> .* -> t1 -> t0\n\ndagrun: the configuration has 1 error$/);
  }, 60_000);
});

describe('placeholders', () => {
  it('{{ and }} reach the command as literal braces', async () => {
    // The script's own braces are escaped too (`{{ ok: … }}` is a syntax error unless it reaches node as `{ ok: … }`),
    // and the value it expects is spelled without braces, so the comparison cannot pass by accident.
    const script = "const expected = {{ ok: '\\x7bprint $1\\x7d \\x7b2024-01-01\\x7d' }}; const [out, dates, braces] = process.argv.slice(1); if (braces !== expected.ok) process.exit(3); require('fs').writeFileSync(out, 'd\\n' + dates.split(',').join('\\n') + '\\n')";
    const rig = project({
      'targets/a.json5': JSON.stringify({ table: 's.a', build: { command: ['node', '-e', script, '{output}', '{dates}', '{{print $1}} {{{start}}}'], output: 'csv' } }),
    });
    expect((await rig.exec(['check'])).code).toBe(0);
    const result = await rig.exec(['a']);
    expect([result.code, result.stderr]).toEqual([0, '']);
    expect(await tableDates(rig, 's.a')).toEqual(isoDays('2024-01-01', '2024-01-10'));
  });
});
