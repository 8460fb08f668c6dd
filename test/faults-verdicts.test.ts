/**
 * Honest verdicts after any interruption. A build of target `d` (8 dates, one range each) is
 * stopped at the worst moment — kill -9, SIGHUP, a closed output pipe, a double Ctrl-C — just
 * after a range finished and while the next one is writing. Then the definition of `d` changes
 * and dagrun builds again: no date may be left holding rows of the old definition, or half of
 * its rows, while `--status` calls it fresh. Checked against the warehouse's rows.
 */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dagJson, ProjectRig } from './helpers/rig.js';

const HELPERS = path.join(path.dirname(fileURLToPath(import.meta.url)), 'helpers/processors');
const DATES = 8;
const ROWS = 4;

type Kind = 'processor' | 'self-writing command' | 'sql';
type Trigger = 'kill -9' | 'SIGHUP' | 'closed pipe' | 'double Ctrl-C';

describe('a build stopped at any moment leaves no date fresh with old or mixed rows', () => {
  let rig: ProjectRig;
  let faultDir: string;
  beforeEach(() => {
    rig = new ProjectRig();
    faultDir = path.join(rig.dir, 'faults');
    mkdirSync(faultDir);
  });
  afterEach(() => rig.cleanup());

  function project(kind: Kind, version: number, holdMs: number): void {
    const env = { VERSION: String(version), ROWS: String(ROWS), HOLD_MS: String(holdMs), FAULT_DIR: faultDir };
    const build =
      kind === 'processor'
        ? { command: ['python3', path.join(HELPERS, 'stamped.py')], output: 'csv', env: { ...env, MODE: 'version' } }
        : kind === 'self-writing command'
          ? { command: ['node', path.join(HELPERS, 'half-writer.mjs')], env }
          : { sql: 'd.sql' };
    rig.write({
      'dag.json5': dagJson({ window: { start: '2024-01-01', end: `2024-01-0${DATES}` } }),
      'targets/d.json5': JSON.stringify({ table: 's.d', build: { ...build, ranges: 'per-date' } }),
      // the SQL build: ROWS rows per date, slow enough to be caught in the middle
      'targets/d.sql':
        'CREATE TABLE IF NOT EXISTS s.d (d DATE, version INTEGER, k INTEGER);\n' +
        'DELETE FROM s.d WHERE d IN (SELECT unnest(@dates));\n' +
        `INSERT INTO s.d SELECT unnest(@dates), ${version}, k FROM range(0, ${ROWS}) t(k), (SELECT count(*) FROM range(0, ${holdMs * 20000})) slow;\n`,
    });
  }

  /** Per date: rows and versions. */
  async function contents(): Promise<{ d: string; n: number; versions: string }[]> {
    return (await rig.query(
      "SELECT CAST(d AS VARCHAR) AS d, count(*)::INTEGER AS n, string_agg(DISTINCT CAST(version AS VARCHAR), ',' ORDER BY CAST(version AS VARCHAR)) AS versions FROM s.d GROUP BY d ORDER BY d",
    )) as { d: string; n: number; versions: string }[];
  }

  /** Starts a build and stops it with `trigger` once the first date is done and the second is under way. */
  async function interruptedBuild(kind: Kind, trigger: Trigger): Promise<{ code: number | undefined; signal: string | undefined; stderr: string }> {
    const child = rig.spawn(['d']);
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const secondUnderWay = () =>
      kind === 'self-writing command' ? existsSync(path.join(faultDir, '2024-01-02.half')) : /✓ d 2024-01-01/.test(out) && /▶ d 2024-01-02/.test(out);
    for (const end = Date.now() + 60_000; !secondUnderWay(); await delay(10)) {
      if (Date.now() > end || child.exitCode !== null) throw new Error(`the build never reached its second range:\n${out}`);
    }
    switch (trigger) {
      case 'kill -9':
        child.kill('SIGKILL');
        break;
      case 'SIGHUP':
        child.kill('SIGHUP');
        break;
      case 'closed pipe':
        // `dagrun d | head -3`: the reader goes away; dagrun's next line meets EPIPE
        child.stdout!.destroy();
        break;
      case 'double Ctrl-C':
        child.kill('SIGINT');
        await delay(50);
        child.kill('SIGINT');
        break;
    }
    const result = await child;
    return { code: result.exitCode, signal: result.signal, stderr: String(result.stderr ?? '') };
  }

  const cases: [Kind, Trigger][] = [
    ['processor', 'kill -9'],
    ['processor', 'SIGHUP'],
    ['processor', 'closed pipe'],
    ['processor', 'double Ctrl-C'],
    ['self-writing command', 'kill -9'],
    ['self-writing command', 'SIGHUP'],
    ['self-writing command', 'closed pipe'],
    ['self-writing command', 'double Ctrl-C'],
    ['sql', 'kill -9'],
  ];

  it.each(cases)('%s, %s, then a definition change', async (kind, trigger) => {
    project(kind, 1, kind === 'sql' ? 40 : 1500);
    const stopped = await interruptedBuild(kind, trigger);
    // never a success: killed by the signal, or 130 (interrupted). A second Ctrl-C that lands
    // while Node is already tearing down (its signal handlers gone) ends it by SIGINT, which a
    // shell reports as 130 too; the run record was written before, so it reads as interrupted.
    if (trigger === 'kill -9') expect(stopped.signal).toBe('SIGKILL');
    else if (trigger === 'double Ctrl-C' && stopped.signal === 'SIGINT') expect(stopped.stderr).toContain('Interrupted:'); // it had said so
    else expect(stopped.code).toBe(130);
    // the run is listed, as interrupted or (killed without a word) crashed
    const { runs } = JSON.parse((await rig.exec(['runs', '--json'])).stdout) as { runs: { outcome: string }[] };
    expect(runs[0]!.outcome).toBe(trigger === 'kill -9' ? 'crashed' : 'interrupted');

    // what is in the table now was written under definition 1: after the change, nothing of it is fresh
    project(kind, 2, 0);
    const status = await rig.exec(['--status', '--json']);
    expect(status.code).toBe(1);
    const rebuilt = await rig.exec(['d']);
    expect(rebuilt.code, rebuilt.stdout + rebuilt.stderr).toBe(0);
    expect(await contents()).toEqual(
      Array.from({ length: DATES }, (_, i) => ({ d: `2024-01-0${i + 1}`, n: ROWS, versions: '2' })),
    );
    expect((await rig.exec(['--status'])).code).toBe(0);
  });

  it.each(['kill -9', 'SIGHUP'] as Trigger[])('a self-writing command stopped mid-write (%s): the half-written date is rebuilt, not trusted', async (trigger) => {
    project('self-writing command', 1, 1500);
    await interruptedBuild('self-writing command', trigger);
    const half = (await contents()).find((row) => row.d === '2024-01-02');
    expect(half?.n ?? 0).toBeLessThanOrEqual(ROWS); // may be half written: that is the point
    const status = JSON.parse((await rig.exec(['--status', '--json'])).stdout) as { targets: { name: string; reasons: string[] }[] };
    expect(status.targets[0]!.reasons.join('\n')).toMatch(/2024-01-02.*did not finish, so they may hold old or partial rows/);
    project('self-writing command', 1, 0);
    expect((await rig.exec(['d'])).code).toBe(0);
    expect(await contents()).toEqual(Array.from({ length: DATES }, (_, i) => ({ d: `2024-01-0${i + 1}`, n: ROWS, versions: '1' })));
  });
});
