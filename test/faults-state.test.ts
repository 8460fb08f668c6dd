/**
 * Fault injection on what dagrun keeps and reports: a token printed across the 64 KiB cut of
 * a long line, private files under `.dagrun/`, a bounded run history, a requested report that
 * cannot be written, a truncated warehouse file, a lock held from another PID namespace, and
 * the message after an interrupt when a running range still commits. Real processes, real
 * DuckDB; each test checks the exit code, the message, that no stack trace is printed, and
 * what the warehouse holds.
 */
import { spawnSync } from 'node:child_process';
import { feedFifo, mkfifoSync } from './helpers/fifo.js';
import { existsSync, readdirSync, readFileSync, renameSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { DAGRUN_BIN, dagJson, type ProjectRig } from './helpers/rig.js';
import { captureOutput, endFaultProject, faultProject, hasStackTrace, isoDays, newFaultProject, recordedPids, stillRunning, tableDates, waitForFile, waitForText } from './helpers/fault-scripts/harness.js';

const NOISY = path.join(path.dirname(fileURLToPath(import.meta.url)), 'helpers/fault-scripts/noisy.mjs');

let rig: ProjectRig;
let faultDir: string;
const started: number[] = [];
beforeEach(() => ({ rig, faultDir } = newFaultProject()));
afterEach(() => endFaultProject(rig, faultDir, started.splice(0)));

const runIds = () => readdirSync(path.join(rig.dir, '.dagrun/runs')).sort();

describe('secrets', () => {
  test('a token printed across the 64 KiB cut of a line is masked in the log, the message and `dagrun logs`', async () => {
    const token = 'tok-5e3c2a1f0d9b8c7a';
    for (const offset of [64 * 1024 - 6, 64 * 1024 + 4096 - 9]) {
      rig.write({ 'dag.json5': dagJson({ window: { start: '2024-01-01', end: '2024-01-02' } }), 'targets/a.json5': JSON.stringify({ table: 's.a', build: { command: ['node', NOISY, String(offset), 'fail'], opensWarehouse: false } }) });
      const result = await rig.exec([], { env: { FAULT_DIR: faultDir, FAULT_TOKEN: token } });
      expect(result.code).toBe(1);
      expect(hasStackTrace(result.stdout + result.stderr)).toBe(false);
      const logs = await rig.exec(['logs', 'a']);
      expect(logs.code).toBe(0);
      const run = runIds().at(-1)!;
      const file = readdirSync(path.join(rig.dir, '.dagrun/runs', run, 'a'))[0]!;
      const log = readFileSync(path.join(rig.dir, '.dagrun/runs', run, 'a', file), 'utf8');
      for (const text of [result.stdout, result.stderr, logs.stdout, log]) {
        expect(text).not.toContain(token.slice(0, 9));
        expect(text).not.toContain(token.slice(-9));
      }
      expect(log).toContain('x***\nend of the noise');
      expect(await tableDates(rig)).toEqual([]);
    }
  });

  test('everything under .dagrun is private: folders 0700, files 0600', async () => {
    faultProject(rig, 'write');
    rig.write({ 'targets/b.json5': JSON.stringify({ table: 's.b', deps: ['a'], build: { command: ['node', NOISY, '10', 'fail'], opensWarehouse: false } }) });
    const result = await rig.exec(['-k'], { env: { FAULT_DIR: faultDir } });
    expect(result.code).toBe(1);
    const walk = (dir: string): string[] => readdirSync(dir).flatMap((name) => [path.join(dir, name), ...(statSync(path.join(dir, name)).isDirectory() ? walk(path.join(dir, name)) : [])]);
    const state = path.join(rig.dir, '.dagrun');
    expect(statSync(state).mode & 0o777).toBe(0o700);
    const run = path.join(state, 'runs', runIds()[0]!);
    for (const file of [path.join(run, 'run.json'), path.join(run, 'report.md'), path.join(state, 'durations.json'), ...walk(path.join(run, 'b'))]) expect([file, statSync(file).mode & 0o777]).toEqual([file, 0o600]);
    // what others cannot enter, they cannot read: the warehouse, durations, anything a command left
    for (const entry of walk(state)) if (statSync(entry).isDirectory()) expect([entry, statSync(entry).mode & 0o077]).toEqual([entry, 0]);
    expect(await tableDates(rig)).toEqual(isoDays('2024-01-01', '2024-01-06'));
  });
});

describe('run history', () => {
  test('keeps the newest `history.keepRuns` runs; a run with nothing to do keeps a record only until the next run', async () => {
    rig.write({
      'dag.json5': dagJson({ window: { start: '2024-01-01', end: '2024-01-06' }, history: { keepRuns: 2 } }),
      'targets/a.json5': JSON.stringify({ table: 's.a', build: { command: ['node', NOISY, '100', 'write'], maxDays: 2 } }),
    });
    const env = { FAULT_DIR: faultDir };
    for (let i = 0; i < 3; i++) expect((await rig.exec(['-B', 'a'], { env })).code).toBe(0);
    const built = runIds();
    expect(built).toHaveLength(2);
    const idle = await rig.exec([], { env });
    expect(idle.code).toBe(0);
    const afterIdle = runIds();
    expect(afterIdle).toHaveLength(2);
    expect(afterIdle[0]).toBe(built[1]);
    // the no-op run: its record, no logs, no report
    expect(readdirSync(path.join(rig.dir, '.dagrun/runs', afterIdle[1]!))).toEqual(['run.json']);
    expect((await rig.exec([], { env })).code).toBe(0);
    const afterTwoIdle = runIds();
    expect(afterTwoIdle[0]).toBe(built[1]);
    expect(afterTwoIdle).not.toContain(afterIdle[1]);
    const runs = await rig.exec(['runs']);
    expect(runs.code).toBe(0);
    expect(runs.stdout.trim().split('\n')).toHaveLength(3); // header, the idle run, the last build
    expect(await tableDates(rig)).toEqual(isoDays('2024-01-01', '2024-01-06'));
  });

  test('`history.maxMB` bounds the runs by size: a noisy run is removed after the next build', async () => {
    rig.write({
      'dag.json5': dagJson({ window: { start: '2024-01-01', end: '2024-01-02' }, history: { maxMB: 1 } }),
      'targets/a.json5': JSON.stringify({ table: 's.a', build: { command: ['node', NOISY, String(1536 * 1024), 'write'] } }),
    });
    const env = { FAULT_DIR: faultDir };
    expect((await rig.exec(['-B', 'a'], { env })).code).toBe(0);
    const first = runIds();
    expect((await rig.exec(['-B', 'a'], { env })).code).toBe(0);
    const second = runIds();
    expect(second).toHaveLength(1);
    expect(second[0]).not.toBe(first[0]);
    expect(await tableDates(rig)).toEqual(isoDays('2024-01-01', '2024-01-02'));
  });
});

describe('requested reports', () => {
  test('--junit, --report or --html to a path that cannot be written fails the build (exit 1), naming the path', async () => {
    faultProject(rig, 'write');
    writeFileSync(path.join(rig.dir, 'not-a-folder'), '');
    const result = await rig.exec(['--junit', 'not-a-folder/junit.xml', '--report', 'ok/report.md'], { env: { FAULT_DIR: faultDir } });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`dagrun: cannot write not-a-folder/junit.xml: a part of the path is a file, not a folder (the report asked for with --junit)`);
    expect(hasStackTrace(result.stdout + result.stderr)).toBe(false);
    expect(existsSync(path.join(rig.dir, 'ok/report.md'))).toBe(true);
    // the build itself succeeded: its rows are there, and the next run has nothing to do
    expect(await tableDates(rig)).toEqual(isoDays('2024-01-01', '2024-01-06'));
    const again = await rig.exec(['--html', path.join(rig.dir, 'not-a-folder', 'x.html')]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`(the report asked for with --html)`);
  });
});

describe('a damaged warehouse file', () => {
  test('cut short: exit 2 with what to do, not "a bug in dagrun"; moved away, the next run builds anew', async () => {
    faultProject(rig, 'write');
    expect((await rig.exec([], { env: { FAULT_DIR: faultDir } })).code).toBe(0);
    const file = path.join(rig.dir, '.dagrun/warehouse.duckdb');
    truncateSync(file, 5000);
    for (const args of [[], ['--status'], ['-n']]) {
      const result = await rig.exec(args, { env: { FAULT_DIR: faultDir } });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`dagrun: cannot open the DuckDB warehouse ${file}: the file is damaged (truncated or corrupt: Could not read enough bytes from file`);
      expect(result.stderr).toContain('move it away and the next run starts a new warehouse and rebuilds every target');
      expect(hasStackTrace(result.stdout + result.stderr)).toBe(false);
    }
    renameSync(file, `${file}.damaged`);
    expect((await rig.exec([], { env: { FAULT_DIR: faultDir } })).code).toBe(0);
    expect(await tableDates(rig)).toEqual(isoDays('2024-01-01', '2024-01-06'));
  });

  test('cut anywhere: every cut gives exit 2 with the advice, or reads fine — never "a bug in dagrun"', async () => {
    faultProject(rig, 'write');
    expect((await rig.exec([], { env: { FAULT_DIR: faultDir } })).code).toBe(0);
    const file = path.join(rig.dir, '.dagrun/warehouse.duckdb');
    const whole = readFileSync(file);
    for (const kb of [64, 300, 500, 700]) {
      if (kb * 1024 >= whole.length) continue;
      writeFileSync(file, whole.subarray(0, kb * 1024));
      const result = await rig.exec(['--status'], { env: { FAULT_DIR: faultDir } });
      expect(result.stderr).not.toMatch(/Internal error|a bug in dagrun/);
      expect(hasStackTrace(result.stdout + result.stderr)).toBe(false);
      if (result.code === 2) expect(result.stderr).toContain('the file is damaged');
      else expect(result.code).toBe(0);
    }
  });
});

const canUnshare = spawnSync('unshare', ['--pid', '--fork', 'true']).status === 0;

describe.skipIf(!canUnshare)('the lock across PID namespaces', () => {
  test('a dagrun in another PID namespace with the same hostname leaves a live lock alone (exit 2), the build goes on', async () => {
    faultProject(rig, 'write');
    const gate = path.join(faultDir, 'go');
    const first = rig.spawn([], { env: { FAULT_DIR: faultDir, FAULT_GATE_FILE: gate } });
    started.push(first.pid!);
    await waitForFile(path.join(rig.dir, '.dagrun/lock/owner.json'));
    const token = () => (JSON.parse(readFileSync(path.join(rig.dir, '.dagrun/lock/owner.json'), 'utf8')) as { token: string }).token;
    const owner = token();
    // the same dagrun, as a container with our hostname would start it: its pid 1 sees none of our processes
    const second = await execa('unshare', ['--pid', '--fork', 'node', DAGRUN_BIN], { cwd: rig.dir, env: rig.env({ FAULT_DIR: faultDir }), reject: false });
    expect(second.exitCode).toBe(2);
    expect(second.stderr).toMatch(/another dagrun is building this pipeline: pid \d+ in another PID namespace \(run /);
    expect(hasStackTrace(second.stderr)).toBe(false);
    expect(token()).toBe(owner);
    writeFileSync(gate, '');
    const result = await first;
    expect(result.exitCode).toBe(0);
    expect(await stillRunning(recordedPids(faultDir))).toEqual([]);
    expect(await tableDates(rig)).toEqual(isoDays('2024-01-01', '2024-01-06'));
  });
});

describe('interrupted while a range commits', () => {
  test('a range that commits after SIGTERM is counted done, not stopped; "left to build" counts the rest', async () => {
    const fifo = path.join(faultDir, 'rows.fifo');
    mkfifoSync(fifo);
    rig.write({
      'dag.json5': dagJson({ window: { start: '2024-01-01', end: '2024-01-06' } }),
      'targets/u.json5': JSON.stringify({ table: 's.u', build: { sql: 'u.sql', maxDays: 3 } }),
      // the first range's SQL reads its rows from a pipe: it runs until the test writes them
      'targets/u.sql': `CREATE TABLE IF NOT EXISTS s.u (d DATE);\nDELETE FROM s.u WHERE d IN (SELECT unnest($dates));\nINSERT INTO s.u SELECT d FROM read_csv('${fifo}', columns = {'d': 'DATE'}, header = true) WHERE d IN (SELECT unnest($dates));\n`,
    });
    const run = rig.spawn([], { env: { FAULT_DIR: faultDir } });
    const output = captureOutput(run);
    await waitForText(output, '▶ u 2024-01-01..2024-01-03');
    run.kill('SIGTERM');
    await waitForText(output, 'SIGTERM: stopping');
    await feedFifo(fifo, 'd\n2024-01-01\n2024-01-02\n2024-01-03\n', run);
    const result = await run;
    expect(result.exitCode).toBe(130);
    expect(result.stderr).toContain('Interrupted: finished meanwhile: u 2024-01-01..2024-01-03; left to build: u (1 of 2 ranges). The next run picks up what is left.');
    expect(hasStackTrace(result.stdout + result.stderr)).toBe(false);
    expect(await tableDates(rig, 's.u')).toEqual(isoDays('2024-01-01', '2024-01-03'));
    const plan = JSON.parse((await rig.exec(['-n', '--json'])).stdout) as { steps: { target: string; ranges: string[][] }[] };
    expect(plan.steps).toEqual([expect.objectContaining({ target: 'u', ranges: [['2024-01-04', '2024-01-06']] })]);
  });
});
