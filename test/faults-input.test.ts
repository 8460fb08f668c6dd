/**
 * Bad input everywhere, through the real CLI: each case gets a message naming the target (or
 * file) and the cause, the exit code SPEC.md gives it, and no stack trace. Also: SQL builds
 * are atomic per range, a noisy command cannot blow memory, and secrets never get printed.
 */
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { ProjectRig, dagJson } from './helpers/rig.js';
import { FAULT_SCRIPT, faultProject, hasStackTrace, isoDays, recordedPids, stillRunning, tableDates, newFaultProject, endFaultProject } from './helpers/fault-scripts/harness.js';

let rig: ProjectRig;
let faultDir: string;
beforeEach(() => ({ rig, faultDir } = newFaultProject()));
afterEach(() => endFaultProject(rig, faultDir));

const cmd = (mode: string) => ['node', FAULT_SCRIPT, mode];

/** Builds `a` (command, all 6 days) so that other targets have something to read. */
async function withBuiltA(extra: Record<string, string>): Promise<void> {
  faultProject(rig, 'write', { maxDays: 6 });
  rig.write(extra);
  const built = await rig.exec(['a'], { env: { FAULT_DIR: faultDir } });
  expect(built.code).toBe(0);
}

describe('broken warehouse inputs', () => {
  test('a corrupt DuckDB file: exit 2, says what the file is and what to do', async () => {
    faultProject(rig, 'write');
    rig.write({ '.dagrun/warehouse.duckdb': 'this is not a database '.repeat(500) });
    for (const args of [[], ['--status']]) {
      const result = await rig.exec(args, { env: { FAULT_DIR: faultDir } });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('warehouse.duckdb: the file is not a DuckDB database (corrupt, or another kind of file); move it away');
      expect(hasStackTrace(result.stderr)).toBe(false);
    }
  });

  test('a failing calendar query names the targets using it and where it is written', async () => {
    faultProject(rig, 'write');
    rig.write({ 'targets/c.json5': JSON.stringify({ table: 's.c', calendar: { sql: 'SELECT d FROM s.nosuch' }, build: { command: cmd('write') } }) });
    const result = await rig.exec(['--status']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/the calendar of c \(targets\/c\.json5 › calendar\) failed: Catalog Error: Table with name .*nosuch/);
    expect(hasStackTrace(result.stderr)).toBe(false);
  });

  test('a calendar with no dates in the window is reported, not silently taken as complete', async () => {
    faultProject(rig, 'write');
    rig.write({ 'targets/c.json5': JSON.stringify({ table: 's.c', calendar: { sql: "SELECT DATE '2030-01-01' AS d" }, build: { command: cmd('write') } }) });
    const result = await rig.exec(['--status', 'c']);
    expect(result.stderr).toContain('warning: the calendar of c (targets/c.json5 › calendar) has no dates in 2024-01-01..2024-01-06');
  });

  test('a date column of the wrong type (text with garbage) names the target and column', async () => {
    await withBuiltA({ 'targets/g.json5': JSON.stringify({ table: 's.g', source: true }) });
    await rig.query("CREATE TABLE s.g (d VARCHAR); INSERT INTO s.g VALUES ('2024-01-01'), ('garbage')");
    const result = await rig.exec(['--status']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('target g: reading the dates of s.g (date column "d") failed: Conversion Error');
    expect(result.stderr).toContain('the date column must hold DATE, TIMESTAMP or YYYY-MM-DD text');
    expect(hasStackTrace(result.stderr)).toBe(false);
  });
});

describe('broken builds', () => {
  test('a .sql with a syntax error fails its target with the parser message', async () => {
    await withBuiltA({
      'targets/b.json5': JSON.stringify({ table: 's.b', deps: ['a'], build: { sql: 'b.sql' } }),
      'targets/b.sql': 'CREATE TABLE IF NOT EXISTS s.b AS SELEC d FROM s.a',
    });
    const result = await rig.exec(['b']);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/✗ b 2024-01-01\.\.2024-01-06: SQL b\.sql failed: .*syntax error at or near "SELEC"/);
  });

  test('a multi-statement .sql that fails halfway leaves nothing behind (one transaction per range)', async () => {
    await withBuiltA({
      'targets/b.json5': JSON.stringify({ table: 's.b', deps: ['a'], build: { sql: 'b.sql' } }),
      'targets/b.sql': [
        'CREATE TABLE IF NOT EXISTS s.b (d DATE);',
        'INSERT INTO s.b SELECT d FROM s.a WHERE d BETWEEN @start_date AND @end_date;',
        'INSERT INTO s.b SELECT * FROM s.does_not_exist;',
      ].join('\n'),
    });
    const result = await rig.exec(['b']);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('SQL b.sql failed: Catalog Error: Table with name does_not_exist does not exist');
    expect(await tableDates(rig, 's.b')).toEqual([]);
    expect(await tableDates(rig, 's.a')).toEqual(isoDays('2024-01-01', '2024-01-06'));
  });

  test('a command that does not exist, or is not executable, fails with that cause', async () => {
    writeFileSync(path.join(rig.dir, 'not-executable.sh'), '#!/bin/sh\necho hi\n', { mode: 0o644 });
    rig.write({
      'dag.json5': dagJson({ window: { start: '2024-01-01', end: '2024-01-06' } }),
      'targets/m.json5': JSON.stringify({ table: 's.m', build: { command: ['no-such-program-xyz', '{start}'] } }),
      'targets/n.json5': JSON.stringify({ table: 's.n', build: { command: ['./not-executable.sh'] } }),
    });
    const result = await rig.exec(['-k']);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('✗ m 2024-01-01..2024-01-06: command not found: no-such-program-xyz');
    expect(result.stdout).toContain('✗ n 2024-01-01..2024-01-06: command is not executable: ./not-executable.sh');
  });

  test('a command that prints megabytes: the log gets all of it, the message only the tail', async () => {
    faultProject(rig, 'spam', { maxDays: 6 });
    const result = await rig.exec([], { env: { FAULT_DIR: faultDir, FAULT_SPAM_MB: '16' } });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('exited with code 3');
    expect(result.stdout).toContain('the last line of a noisy command');
    expect(result.stdout.length).toBeLessThan(64 * 1024);
    const log = /full log: (\S+)/.exec(result.stdout)![1]!;
    expect(statSync(log).size).toBeGreaterThan(16 * 1024 * 1024);
    expect(await stillRunning(recordedPids(faultDir))).toEqual([]);
  });

  test('an unknown placeholder is a configuration error (exit 2) naming file and key', async () => {
    faultProject(rig, 'write', { command: ['node', FAULT_SCRIPT, '{strat}'] });
    const result = await rig.exec([]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('targets/a.json5 › build.command[2]: unknown placeholder {strat}');
    expect(hasStackTrace(result.stderr)).toBe(false);
  });
});

describe('secrets', () => {
  test('secret environment values and credential contents never reach logs, output, --json or run records', async () => {
    const privateKey = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n';
    const credentials = path.join(rig.dir, 'sa.json');
    writeFileSync(credentials, JSON.stringify({ type: 'service_account', private_key: privateKey, private_key_id: 'key-id-0123456789' }));
    faultProject(rig, 'env', { maxDays: 6, env: { SERVICE_PASSWORD: 'hunter2-from-build-env' } });
    const env = { FAULT_DIR: faultDir, FAULT_TOKEN: 'tok-4242-secret', GOOGLE_APPLICATION_CREDENTIALS: credentials };
    const text = await rig.exec([], { env });
    const json = await rig.exec(['--json'], { env });
    expect(text.code).toBe(1);
    expect(text.stdout).toContain('token is *** and password is ***');

    const runs = path.join(rig.dir, '.dagrun/runs');
    const files = readdirSync(runs, { recursive: true, encoding: 'utf8' }).map((f) => path.join(runs, f)).filter((f) => !statSync(f).isDirectory());
    expect(files.some((f) => f.endsWith('.log'))).toBe(true);
    const everything = [text.stdout, text.stderr, json.stdout, json.stderr, ...files.map((f) => readFileSync(f, 'utf8'))].join('\n');
    for (const secret of ['tok-4242-secret', 'hunter2-from-build-env', 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC', 'ya29.a0AfH6SMBexampleexample']) {
      expect(everything).not.toContain(secret);
    }
    expect(existsSync(credentials)).toBe(true);
  });
});
