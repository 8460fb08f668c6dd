/**
 * `dagrun --status` while a build runs on the embedded DuckDB warehouse: it answers from the
 * build's live state without waiting for the build or touching the warehouse file the build
 * holds. The test holds the build's ranges back one by one (gated-command.mjs), so "the build
 * is still running when --status returns" is an ordering, never a timing.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { dagJson, ProjectRig, type CliResult } from './helpers/rig.js';
import { waitForFile } from './helpers/fault-scripts/harness.js';

const GATED = path.join(path.dirname(fileURLToPath(import.meta.url)), 'helpers/gated-command.mjs');

let rig: ProjectRig;
let gates: string;
beforeEach(() => {
  rig = new ProjectRig();
  gates = path.join(rig.dir, 'gates');
  mkdirSync(gates);
});
afterEach(() => {
  writeFileSync(path.join(gates, 'go-all'), ''); // lets a build a failed assertion left behind end
  rig.cleanup();
});

/** `a`: 2024-01-01..06 in three ranges of 2 days; `b` reads `a`, in two ranges of 3; both gated. */
function gatedProject(): void {
  const build = (maxDays: number) => ({ command: ['node', GATED], output: 'csv', maxDays, env: { GATE_DIR: gates } });
  rig.write({
    'dag.json5': dagJson({ window: { start: '2024-01-01', end: '2024-01-06' } }),
    'targets/a.json5': JSON.stringify({ table: 's.a', build: build(2) }),
    'targets/b.json5': JSON.stringify({ table: 's.b', deps: ['a'], build: build(3) }),
  });
}

/** Whether a process still runs. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const json = (result: CliResult) => JSON.parse(result.stdout) as { window: unknown; targets: Record<string, unknown>[]; live?: Record<string, unknown> };

/**
 * Runs `dagrun args` until `done(result)`: the build writes its state at most every 250 ms, so
 * the latest event may not be in the file yet. Every answer must be the live one (exit 1, at once).
 */
async function statusUntil(args: readonly string[], done: (result: CliResult) => boolean): Promise<CliResult> {
  let result = await rig.exec(args);
  for (let i = 0; i < 100 && !done(result); i++) {
    expect(result.code).toBe(1);
    result = await rig.exec(args);
  }
  return result;
}

describe('--status during a build', () => {
  test('answers at once from the build\'s live state (exit 1, not 2), coverage as of its finished ranges; the selection applies', async () => {
    gatedProject();
    const build = rig.spawn([]);
    await waitForFile(path.join(gates, 'started-a-2024-01-01'));
    const runId = (JSON.parse(rig.read('.dagrun/lock/owner.json')) as { runId: string }).runId;

    // the first range is held: nothing built yet
    const first = await statusUntil(['--status'], (r) => r.stdout.includes('Running: a'));
    expect(first.stderr).toBe('');
    expect(first.code).toBe(1);
    expect(first.stdout).toContain(`Live state of build ${runId}`);
    expect(first.stdout).toContain('Running: a 2024-01-01..2024-01-02');
    expect(first.stdout).toMatch(/^a +- +.* 0\/6 +6 +stale/m);
    expect(alive(build.pid!)).toBe(true);

    // the first range finishes, the second is held: a's coverage counts the first
    writeFileSync(path.join(gates, 'go-a-2024-01-01'), '');
    await waitForFile(path.join(gates, 'started-a-2024-01-03'));
    const second = await statusUntil(['--status', '--json', 'a'], (r) => json(r).targets[0]!.present === 2 && (json(r).live!.running as unknown[]).length > 0);
    expect(second.code).toBe(1);
    const live = json(second);
    expect(live.window).toEqual({ start: '2024-01-01', end: '2024-01-06' });
    expect(live.targets).toHaveLength(1);
    expect(live.targets[0]).toMatchObject({
      name: 'a', table: 's.a', state: 'stale', expected: 6, present: 2, missing: 4, outdated: 0, coverage: 0.3333,
      missingRanges: [['2024-01-03', '2024-01-06']], reasons: ['4 of 6 expected dates missing (33.3% < 100%)'],
    });
    expect(live.live).toMatchObject({ runId, ranges: { done: 1, planned: 5 }, notInBuild: [] });
    expect(live.live!.running).toEqual([expect.objectContaining({ target: 'a', range: ['2024-01-03', '2024-01-04'], dates: 2, attempt: 1 })]);

    // `b` selects b and its upstream, in dependency order
    const both = await rig.exec(['--status', '--json', 'b']);
    expect(both.code).toBe(1);
    expect(json(both).targets.map((t) => [t.name, t.present])).toEqual([['a', 2], ['b', 0]]);
    // --html (and the validation document, --report) draw the same live state
    const page = await rig.exec(['--status', '--html', 'page.html', '--report', 'page.md', 'b']);
    expect(page.code).toBe(1);
    expect(page.stdout).toContain(`Live state of build ${runId}`);
    expect(rig.read('page.html')).toContain(`live state of build ${runId} as of`);
    const doc = rig.read('page.md');
    expect(doc).toContain(`- **Warehouse:** live state of build ${runId} as of`);
    expect(doc).toContain('  - missing 4: 2024-01-03..2024-01-06');
    expect(doc).toContain('Rows per date are not counted while a build holds the pipeline');
    expect(alive(build.pid!)).toBe(true);
    expect(existsSync(path.join(gates, 'started-a-2024-01-05'))).toBe(false);

    // the build goes on and ends; --status reads the warehouse again
    writeFileSync(path.join(gates, 'go-all'), '');
    expect((await build).exitCode).toBe(0);
    expect(existsSync(path.join(rig.dir, '.dagrun/live.json'))).toBe(false);
    const after = await rig.exec(['--status']);
    expect(after.code).toBe(0);
    expect(after.stdout).not.toContain('Live state');
  });

  test('a build that holds the pipeline but is still measuring: exit 1 saying so, not 2; a live state of another run is not shown', async () => {
    gatedProject();
    // the pipeline lock of a live process on this host (this one) that has published nothing yet
    mkdirSync(path.join(rig.dir, '.dagrun/lock'), { recursive: true });
    const owner = { pid: process.pid, host: hostname(), runId: 'r-measuring', commandLine: 'dagrun', startedAt: new Date().toISOString(), purpose: 'build', token: 't', commands: [] };
    writeFileSync(path.join(rig.dir, '.dagrun/lock/owner.json'), JSON.stringify(owner));
    writeFileSync(path.join(rig.dir, '.dagrun/live.json'), JSON.stringify({ version: 1, runId: 'r-earlier', pid: process.pid, targets: {} }));

    const status = await rig.exec(['--status']);
    expect(status.code).toBe(1);
    expect(status.stdout).toBe('');
    expect(status.stderr).toContain(`pid ${process.pid} (run r-measuring, \`dagrun\``);
    expect(status.stderr).toContain('still measuring it');
    const asJson = await rig.exec(['--status', '--json']);
    expect(asJson.code).toBe(1);
    expect(json(asJson)).toMatchObject({ targets: [], live: { runId: 'r-measuring', measuring: true } });
    expect(readFileSync(path.join(rig.dir, '.dagrun/lock/owner.json'), 'utf8')).toContain('r-measuring'); // left alone
  });
});
