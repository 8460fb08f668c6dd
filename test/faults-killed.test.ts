/**
 * A killed dagrun: commands start from spawner processes, which end them when dagrun dies;
 * the lock it leaves behind is cleared by the next run, which builds what is left.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { ProjectRig } from './helpers/rig.js';
import { faultProject, invocations, isoDays, recordedPids, stillRunning, tableDates, waitForFile, newFaultProject, endFaultProject } from './helpers/fault-scripts/harness.js';

let rig: ProjectRig;
let faultDir: string;
beforeEach(() => ({ rig, faultDir } = newFaultProject()));
afterEach(() => endFaultProject(rig, faultDir));

/** Direct children of a process (dagrun's spawners), from /proc. */
function childrenOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((name) => {
      try {
        return Number(readFileSync(`/proc/${name}/stat`, 'latin1').replace(/^.*\) /s, '').split(' ')[1]) === pid;
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** The process groups the lock's owner file names (written at most every 200 ms). */
function lockedCommands(dir: string): number[] {
  try {
    return (JSON.parse(readFileSync(path.join(dir, '.dagrun/lock/owner.json'), 'utf8')) as { commands: number[] }).commands;
  } catch {
    return [];
  }
}

describe('a killed dagrun', () => {
  test('SIGKILL: its spawner ends the running command tree at once; the next run clears the stale lock and builds what is left', async () => {
    faultProject(rig, 'write');
    const killed = rig.spawn([], { env: { FAULT_DIR: faultDir, FAULT_HANG_FROM: '2024-01-03' } });
    await waitForFile(path.join(faultDir, '2024-01-03.pid'));
    killed.kill('SIGKILL');
    await killed;
    expect(await stillRunning(recordedPids(faultDir))).toEqual([]); // the hanging command and its grandchild
    expect(existsSync(path.join(rig.dir, '.dagrun/lock/owner.json'))).toBe(true);

    const next = await rig.exec([], { env: { FAULT_DIR: faultDir } });
    expect(next.code).toBe(0);
    expect(next.stderr).toMatch(new RegExp(`dagrun: cleared a stale lock of pid ${killed.pid} \\(run .*\\): its process \\(pid ${killed.pid}\\) is no longer running`));
    expect(existsSync(path.join(rig.dir, '.dagrun/lock'))).toBe(false);
    expect(await tableDates(rig)).toEqual(isoDays('2024-01-01', '2024-01-06'));
  });

  test('dagrun and its spawners killed together: the lock names the orphaned command, and the next run ends it', async () => {
    faultProject(rig, 'write');
    const killed = rig.spawn([], { env: { FAULT_DIR: faultDir, FAULT_HANG_FROM: '2024-01-03' } });
    await waitForFile(path.join(faultDir, '2024-01-03.pid'));
    const [command] = readFileSync(path.join(faultDir, '2024-01-03.pid'), 'utf8').split('\n').map(Number);
    for (let i = 0; i < 250 && !lockedCommands(rig.dir).includes(command!); i++) await delay(20);
    expect(lockedCommands(rig.dir)).toContain(command);
    // Frozen first, so that none of them can react to the others' death (as with an OOM kill of all).
    const processes = [killed.pid!, ...childrenOf(killed.pid!)];
    for (const pid of processes) process.kill(pid, 'SIGSTOP');
    for (const pid of processes) process.kill(pid, 'SIGKILL');
    await killed;
    const orphans = recordedPids(faultDir).filter((pid) => !invocations(faultDir).some((i) => i.event === 'end' && i.pid === pid));
    expect(await stillRunning(orphans)).toHaveLength(2); // the hanging command and its grandchild live on

    const next = await rig.exec([], { env: { FAULT_DIR: faultDir } });
    expect(next.code).toBe(0);
    expect(next.stderr).toMatch(
      new RegExp(`dagrun: cleared a stale lock of pid ${killed.pid} \\(run .*\\): its process \\(pid ${killed.pid}\\) is no longer running; ended 1 command it left running`),
    );
    expect(await stillRunning(recordedPids(faultDir))).toEqual([]);
    expect(await tableDates(rig)).toEqual(isoDays('2024-01-01', '2024-01-06'));
  });
});
