/**
 * Fault injection across processes: two dagruns on one pipeline, a warehouse file held by
 * another program, and a SIGKILLed dagrun whose lock (and orphaned command) the next run
 * finds and clears. Real processes, real DuckDB.
 */
import { execa } from 'execa';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { ProjectRig } from './helpers/rig.js';
import { HOLD_SCRIPT, captureOutput, faultProject, waitForText, hasStackTrace, invocations, isoDays, maxOverlap, recordedPids, stillRunning, tableDates, waitForFile, newFaultProject, endFaultProject } from './helpers/fault-scripts/harness.js';

let rig: ProjectRig;
let faultDir: string;
const started: number[] = [];
beforeEach(() => ({ rig, faultDir } = newFaultProject()));
afterEach(() => endFaultProject(rig, faultDir, started.splice(0)));

describe('two dagrun processes on one pipeline', () => {
  test('started together: one builds, the other refuses at once and names the holder', async () => {
    faultProject(rig, 'write');
    const gate = path.join(faultDir, 'go');
    const env = { FAULT_DIR: faultDir, FAULT_GATE_FILE: gate };
    const runs = [rig.spawn([], { env }), rig.spawn([], { env })];
    // The loser ends while the winner's first command still waits for the gate file.
    const loser = await Promise.race(runs.map((run, i) => run.then((result) => ({ result, i }))));
    writeFileSync(gate, '');
    const winner = await runs[1 - loser.i]!;

    expect(loser.result.exitCode).toBe(2);
    expect(loser.result.stderr).toMatch(/another dagrun is building this pipeline: pid \d+ \(run \S+, `dagrun`, started /);
    expect(loser.result.stderr).toContain('add --wait to wait for it');
    expect(hasStackTrace(loser.result.stderr)).toBe(false);
    expect(winner.exitCode).toBe(0);
    expect(maxOverlap(faultDir)).toBe(1);
    expect(invocations(faultDir).filter((i) => i.event === 'start')).toHaveLength(3);
    expect(await stillRunning(recordedPids(faultDir))).toEqual([]);
    expect(await tableDates(rig)).toEqual(isoDays('2024-01-01', '2024-01-06'));
  });

  test('with --wait the second waits, then finds nothing left to do', async () => {
    faultProject(rig, 'write');
    const gate = path.join(faultDir, 'go');
    const env = { FAULT_DIR: faultDir, FAULT_GATE_FILE: gate };
    const first = rig.spawn(['--wait'], { env });
    await waitForFile(path.join(rig.dir, '.dagrun/lock/owner.json'));
    const second = rig.spawn(['--wait'], { env });
    const output = captureOutput(second);
    await waitForText(output, 'waiting for');
    expect(output()).toMatch(/dagrun: waiting for pid \d+ \(run .*\) to finish/);
    writeFileSync(gate, '');
    const [a, b] = await Promise.all([first, second]);

    expect(a.exitCode).toBe(0);
    expect(b.exitCode).toBe(0);
    expect(b.stdout).toContain('Nothing to do: every selected target is fresh.');
    expect(maxOverlap(faultDir)).toBe(1);
    expect(invocations(faultDir).filter((i) => i.event === 'start')).toHaveLength(3);
    expect(await tableDates(rig)).toEqual(isoDays('2024-01-01', '2024-01-06'));
  });

  test('--status while a build runs (its command holding the DuckDB file) answers from the live state instead of failing on the file', async () => {
    faultProject(rig, 'write');
    const gate = path.join(faultDir, 'go');
    const build = rig.spawn([], { env: { FAULT_DIR: faultDir, FAULT_GATE_FILE: gate } });
    await waitForFile(path.join(faultDir, 'invocations.log')); // its first command runs (and waits for the gate)
    const status = await rig.exec(['--status']);
    writeFileSync(gate, '');
    expect((await build).exitCode).toBe(0);

    expect(status.code).toBe(1);
    expect(status.stdout).toMatch(/^Live state of build \S+ \(pid \d+, `dagrun`/);
    expect(status.stderr).toBe('');
    expect((await rig.exec(['--status'])).code).toBe(0);
  });
});

describe('a warehouse file held by another program', () => {
  test('build and --status name the holding process and exit 2; nothing is written', async () => {
    faultProject(rig, 'write');
    const ready = path.join(rig.dir, 'held');
    const file = path.join(rig.dir, '.dagrun/warehouse.duckdb');
    mkdirSync(path.dirname(file), { recursive: true });
    const holder = execa('node', [HOLD_SCRIPT, file, ready], { cwd: rig.dir, reject: false });
    started.push(holder.pid!);
    await waitForFile(ready);

    const build = await rig.exec([], { env: { FAULT_DIR: faultDir } });
    const status = await rig.exec(['--status']);
    for (const result of [build, status]) {
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`cannot open the DuckDB warehouse ${file}: it is in use by another process (PID ${holder.pid}`);
      expect(hasStackTrace(result.stderr)).toBe(false);
    }
    holder.kill('SIGKILL');
    await holder;
    expect(await stillRunning([holder.pid!])).toEqual([]);
    expect(invocations(faultDir)).toEqual([]);
    expect(await tableDates(rig)).toEqual([]);
    expect(existsSync(path.join(rig.dir, '.dagrun/lock'))).toBe(false);
  });
});

// A SIGKILLed dagrun: see test/faults-killed.test.ts.
