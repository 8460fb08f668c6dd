/**
 * Fault injection, one dagrun at a time: Ctrl-C in the middle of a build and the resume, a
 * command that hangs past its timeout, a flaky command, and one that exits 0 having written
 * nothing. Real processes, real DuckDB; each test checks the exit code, the message, that no
 * process is left, and what the warehouse holds afterwards.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { ProjectRig } from './helpers/rig.js';
import { captureOutput, faultProject, invocations, waitForText, isoDays, recordedPids, stillRunning, tableDates, waitForFile, newFaultProject, endFaultProject } from './helpers/fault-scripts/harness.js';

let rig: ProjectRig;
let faultDir: string;
beforeEach(() => ({ rig, faultDir } = newFaultProject()));
afterEach(() => endFaultProject(rig, faultDir));

function runRecords(): Record<string, unknown>[] {
  const runs = path.join(rig.dir, '.dagrun/runs');
  return readdirSync(runs).map((id) => JSON.parse(readFileSync(path.join(runs, id, 'run.json'), 'utf8')) as Record<string, unknown>);
}

describe('interrupt and resume', () => {
  test('Ctrl-C ends the running command tree, exits 130 saying what is left; the next run builds exactly that', async () => {
    faultProject(rig, 'write');
    const first = rig.spawn([], { env: { FAULT_DIR: faultDir, FAULT_HANG_FROM: '2024-01-03' } });
    await waitForFile(path.join(faultDir, '2024-01-03.pid'));
    first.kill('SIGINT');
    const interrupted = await first;

    expect(interrupted.exitCode).toBe(130);
    expect(interrupted.stderr).toContain('SIGINT: stopping — no new work starts; ending what runs: a 2024-01-03..2024-01-04');
    expect(interrupted.stderr).toContain('Interrupted: stopped a 2024-01-03..2024-01-04; left to build: a (2 of 3 ranges). The next run picks up what is left.');
    expect(await stillRunning(recordedPids(faultDir))).toEqual([]);
    expect(existsSync(path.join(rig.dir, '.dagrun/lock'))).toBe(false);
    expect(await tableDates(rig)).toEqual(isoDays('2024-01-01', '2024-01-02'));
    expect(runRecords()).toMatchObject([{ interrupted: true, ok: false, outcomes: [{ target: 'a', status: 'active', batchesDone: 1, batches: 3 }] }]);

    const before = invocations(faultDir).length;
    const resumed = await rig.exec(['--json'], { env: { FAULT_DIR: faultDir } });
    expect(resumed.code).toBe(0);
    const events = resumed.stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { type: string; batch?: { start: string; end: string } });
    const started = events.filter((e) => e.type === 'range-started').map((e) => [e.batch!.start, e.batch!.end]);
    // every event that carries a batch says it the same way, waiting for the warehouse included
    expect(events.filter((e) => e.type === 'range-waiting').length).toBeGreaterThan(0);
    for (const e of events.filter((e) => e.batch)) expect(Object.keys(e.batch!).sort()).toEqual(['dates', 'end', 'start']);
    expect(started).toEqual([['2024-01-03', '2024-01-04'], ['2024-01-05', '2024-01-06']]);
    expect(invocations(faultDir).slice(before).filter((i) => i.event === 'start').map((i) => i.start)).toEqual(['2024-01-03', '2024-01-05']);
    expect(await tableDates(rig)).toEqual(isoDays('2024-01-01', '2024-01-06'));
  });

  test('a second Ctrl-C quits at once, still killing the running command group', async () => {
    faultProject(rig, 'hang');
    const run = rig.spawn([], { env: { FAULT_DIR: faultDir, FAULT_IGNORE_TERM: '1' } });
    const output = captureOutput(run);
    await waitForFile(path.join(faultDir, '2024-01-01.pid'));
    run.kill('SIGINT');
    // The command ignores SIGTERM: without the second Ctrl-C the run would wait for the grace period.
    await waitForText(output, 'stopping');
    run.kill('SIGINT');
    const result = await run;
    expect(result.exitCode).toBe(130);
    expect(result.stderr).toContain('quit at once; killed the running commands');
    expect(await stillRunning(recordedPids(faultDir))).toEqual([]);
    expect(existsSync(path.join(rig.dir, '.dagrun/lock'))).toBe(false);
  });
});

describe('timeouts and retries', () => {
  test('a command that hangs past its timeout has its tree killed and its range failed', async () => {
    faultProject(rig, 'hang', { timeout: '3s', ranges: 'single', maxDays: 6 });
    const result = await rig.exec([], { env: { FAULT_DIR: faultDir } });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('✗ a 2024-01-01..2024-01-06: timed out after 3s');
    expect(await stillRunning(recordedPids(faultDir))).toHaveLength(0);
    expect(recordedPids(faultDir)).toHaveLength(2);
    expect(await tableDates(rig)).toEqual([]);
  });

  test('a flaky range is retried alone, with backoff, and succeeds on its second attempt', async () => {
    faultProject(rig, 'flaky', { maxDays: 3, retries: 2, retryBackoff: '10ms' });
    const result = await rig.exec([], { env: { FAULT_DIR: faultDir, FAULT_FLAKY_START: '2024-01-04' } });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/↻ a range 2: retrying in \d+ms \(attempt 2\) after: exited with code 1/);
    expect(result.stdout).toContain('▶ a 2024-01-04..2024-01-06 (3 dates) (attempt 2)');
    const starts = invocations(faultDir).filter((i) => i.event === 'start').map((i) => i.start);
    expect(starts.sort()).toEqual(['2024-01-01', '2024-01-04', '2024-01-04']);
    // Each attempt keeps its own log.
    const logs = readdirSync(path.join(rig.dir, '.dagrun/runs', readdirSync(path.join(rig.dir, '.dagrun/runs'))[0]!, 'a'));
    expect(logs).toContain('0002-2024-01-04_2024-01-06-attempt1.log');
    expect(await stillRunning(recordedPids(faultDir))).toEqual([]);
    expect(await tableDates(rig)).toEqual(isoDays('2024-01-01', '2024-01-06'));
  });

  test('a command that exits 0 but writes nothing fails its range, naming the dates, and is not counted as done', async () => {
    faultProject(rig, 'noop', { ranges: 'single', maxDays: 6 });
    const result = await rig.exec([], { env: { FAULT_DIR: faultDir } });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('a 2024-01-01..2024-01-06: exited 0 but 6 of the 6 dates handed over are not in s.a: 2024-01-01..2024-01-06');
    expect(await stillRunning(recordedPids(faultDir))).toEqual([]);
    expect(await tableDates(rig)).toEqual([]);
    const again = await rig.exec(['-n', '--json']);
    expect(JSON.parse(again.stdout)).toMatchObject({ steps: [{ target: 'a', ranges: [['2024-01-01', '2024-01-06']] }] });
  });
});
