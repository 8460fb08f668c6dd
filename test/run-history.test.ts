/**
 * Honest run history through the built CLI (build first): Ctrl-C names the downstream
 * targets it never started; `dagrun runs` names the target an interrupted run left
 * part-built, calls the rest "not started", and shows each run's wall time (the whole
 * process, recorded as `wallMs`), not the build alone.
 *
 *   a (command: fault.mjs write, 3 ranges of 2 days) ──▶ down (SQL)
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { ProjectRig } from './helpers/rig.js';
import { endFaultProject, faultProject, newFaultProject, waitForFile } from './helpers/fault-scripts/harness.js';

const DOWN_SQL = `
CREATE SCHEMA IF NOT EXISTS s;
CREATE TABLE IF NOT EXISTS s.down (d DATE);
DELETE FROM s.down WHERE d IN (SELECT unnest(@dates));
INSERT INTO s.down SELECT DISTINCT d FROM s.a WHERE d IN (SELECT unnest(@dates));
`;

let rig: ProjectRig;
let faultDir: string;
beforeEach(() => ({ rig, faultDir } = newFaultProject()));
afterEach(() => endFaultProject(rig, faultDir));

const strip = (text: string) => text.replace(/\x1b\[[0-9;]*m/g, '');

function records(): Record<string, unknown>[] {
  const runs = path.join(rig.dir, '.dagrun/runs');
  return readdirSync(runs).sort().map((id) => JSON.parse(readFileSync(path.join(runs, id, 'run.json'), 'utf8')) as Record<string, unknown>);
}

describe('run history', () => {
  test('an interrupted run names what it never started, and runs shows what it left part-built', async () => {
    faultProject(rig, 'write');
    rig.write({ 'targets/down.json5': JSON.stringify({ table: 's.down', deps: ['a'], build: { sql: 'down.sql' } }), 'targets/down.sql': DOWN_SQL });
    const first = rig.spawn([], { env: { FAULT_DIR: faultDir, FAULT_HANG_FROM: '2024-01-03' } });
    await waitForFile(path.join(faultDir, '2024-01-03.pid'));
    first.kill('SIGINT');
    const interrupted = await first;
    expect(interrupted.exitCode).toBe(130);
    expect(interrupted.stderr).toContain('left to build: a (2 of 3 ranges), down (not started). The next run picks up what is left.');

    const listed = await rig.exec(['runs']);
    expect(listed.code).toBe(0);
    const line = strip(listed.stdout).split('\n').find((l) => l.includes('interrupted'))!;
    expect(line).toMatch(/interrupted\s+0 built, a: 1 of 3 ranges, 1 not started/);

    // the record keeps the wall time, and runs shows it rather than the build's own duration
    const [record] = records();
    expect(record).toMatchObject({ finished: true, interrupted: true });
    expect(record!.wallMs as number).toBeGreaterThanOrEqual(record!.durationMs as number);
    expect(Date.parse(record!.endedAt as string)).toBeGreaterThan(Date.parse(record!.startedAt as string));
    const json = JSON.parse((await rig.exec(['runs', '--json'])).stdout) as { runs: { wallMs: number; targets: { target: string; ranges?: number; rangesBuilt?: number }[] }[] };
    expect(json.runs[0]!.wallMs).toBe(record!.wallMs);
    expect(json.runs[0]!.targets).toContainEqual({ target: 'a', status: 'active', reason: expect.any(String), ranges: 3, rangesBuilt: 1 });
  });
});
