/**
 * Processors (`build.output`) through the built CLI on the embedded DuckDB warehouse: commands
 * that hand their rows to dagrun run in parallel as `parallel` allows (their own timestamps
 * show it), and what they hand over is checked before anything is written.
 */
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dagJson, ProjectRig } from './helpers/rig.js';

const PROCESSOR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'helpers/processors/stamped.py');

describe('processors that hand their rows to dagrun', () => {
  let rig: ProjectRig;
  beforeEach(() => (rig = new ProjectRig()));
  afterEach(() => rig.cleanup());

  function project(build: Record<string, unknown>, window = { start: '2024-01-01', end: '2024-01-15' }): void {
    rig.write({
      'dag.json5': dagJson({ window, concurrency: 16, groups: { workers: { concurrency: 15 } } }),
      'targets/p.json5': JSON.stringify({
        table: 'feat.p', group: 'workers',
        build: { command: ['python3', PROCESSOR], output: 'csv', ranges: 'per-date', ...build },
      }),
      'targets/q.json5': JSON.stringify({ table: 'feat.q', deps: ['p'], build: { sql: 'q.sql' } }),
      'targets/q.sql': 'CREATE TABLE IF NOT EXISTS feat.q AS SELECT * FROM feat.p WITH NO DATA;\n' +
        'DELETE FROM feat.q WHERE d IN (SELECT unnest(@dates));\nINSERT INTO feat.q SELECT * FROM feat.p WHERE d IN (SELECT unnest(@dates));\n',
    });
  }

  it('runs 15 per-date processes of one table at once, answers --status meanwhile, and loads every date once', async () => {
    const stamps = path.join(rig.dir, 'stamps');
    mkdirSync(stamps);
    project({ parallel: 15, env: { HOLD_MS: '2500', STAMPS: stamps } });
    const build = rig.spawn(['q', '--json']);
    // watching the backfill: --status answers from the build's live state while the 15 run
    let live: { code: number; running: number } | undefined;
    for (let tries = 0; tries < 200 && build.exitCode === null; tries++) {
      const status = await rig.exec(['--status', '--json']);
      const running = (JSON.parse(status.stdout || '{}') as { live?: { running: unknown[] } }).live?.running.length ?? 0;
      if (running === 15) {
        live = { code: status.code, running };
        break;
      }
    }
    expect(live).toEqual({ code: 1, running: 15 });
    const finished = await build;
    const result = { code: finished.exitCode, stdout: String(finished.stdout), stderr: String(finished.stderr) };
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toContain('MaxListenersExceededWarning');
    const runs = readdirSync(stamps).map((f) => JSON.parse(readFileSync(path.join(stamps, f), 'utf8')) as { start: number; end: number });
    expect(runs).toHaveLength(15);
    // every process was running at the moment the last one started: 15 overlapped
    const lastStart = Math.max(...runs.map((r) => r.start));
    expect(runs.filter((r) => r.start <= lastStart && r.end >= lastStart)).toHaveLength(15);
    // the events say 15 started before any finished
    const events = result.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { type: string; target?: string });
    const firstFinish = events.findIndex((e) => e.type === 'range-finished');
    expect(events.slice(0, firstFinish).filter((e) => e.type === 'range-started' && e.target === 'p')).toHaveLength(15);
    expect(await rig.query('SELECT count(*)::INTEGER AS n, count(DISTINCT d)::INTEGER AS dates FROM feat.p')).toEqual([{ n: 15, dates: 15 }]);
    expect(await rig.query('SELECT count(*)::INTEGER AS n FROM feat.q')).toEqual([{ n: 15 }]);
    expect(await rig.query("SELECT count(*)::INTEGER AS n FROM _dagrun.writes WHERE target = 'p' AND fingerprint <> ''")).toEqual([{ n: 15 }]);
    expect((await rig.exec(['--status'])).code).toBe(0);
  });

  it('fails a range whose rows are dated outside it, naming the date, and writes nothing of it', async () => {
    project({ ranges: 'contiguous', env: { MODE: 'outside' } });
    const result = await rig.exec(['p']);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('CSV output of p: rows dated outside the dates handed over: 1999-01-01');
    expect(await rig.query("SELECT count(*)::INTEGER AS n FROM information_schema.tables WHERE table_schema = 'feat'")).toEqual([{ n: 0 }]);
  });

  it('fails a range that leaves a date it was handed without rows, naming it; allowEmptyDates lets it through', async () => {
    project({ ranges: 'contiguous', env: { MODE: 'skip-last' } }, { start: '2024-01-01', end: '2024-01-03' });
    const result = await rig.exec(['p']);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('CSV output of p: no rows for 2024-01-03 (set build.allowEmptyDates if a date may have none)');
    project({ ranges: 'contiguous', env: { MODE: 'skip-last' }, allowEmptyDates: true }, { start: '2024-01-01', end: '2024-01-03' });
    const allowed = await rig.exec(['p']);
    // loaded, but the gate still wants every expected date (threshold 1): the empty date is missing
    expect(allowed.stdout).toContain('1 of 3 dates still missing after the build');
    expect(await rig.query('SELECT count(*)::INTEGER AS n FROM feat.p')).toEqual([{ n: 2 }]);
  });

  it('says what to do when a command declared not to open the warehouse opens it anyway', async () => {
    rig.write({
      'dag.json5': dagJson({ window: { start: '2024-01-01', end: '2024-01-02' } }),
      'targets/d.json5': JSON.stringify({
        table: 's.d', build: { command: ['node', path.join(path.dirname(PROCESSOR), 'half-writer.mjs')], opensWarehouse: false, retries: 2, retryBackoff: '10ms', env: { FAULT_DIR: path.join(rig.dir, 'f') } },
      }),
    });
    const result = await rig.exec([]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      'exited with code 1 (the command opened the DuckDB warehouse, which dagrun holds: hand the rows over with build.output, or drop opensWarehouse: false so it gets the file to itself)',
    );
    // retrying cannot help: tried once
    expect(result.stdout).not.toContain('attempt 2');
  });

  it('refuses {output} in a command without build.output, naming the key', async () => {
    rig.write({
      'dag.json5': dagJson(),
      'targets/p.json5': JSON.stringify({ table: 'feat.p', build: { command: ['python3', PROCESSOR, '{output}'] } }),
    });
    const result = await rig.exec(['check']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('targets/p.json5 › build.command[2]: {output} names the file a command hands its rows over in: set "build.output"');
  });
});
