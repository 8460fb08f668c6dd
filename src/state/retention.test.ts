/** The bounded run history: by count, by size, oldest first, never the current or a running run; no-op runs only until the next. Real folders in a temp dir. */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pruneRunHistory } from './retention.js';

let state: string;
beforeEach(() => {
  state = mkdtempSync(path.join(os.tmpdir(), 'dagrun-retention-'));
});
afterEach(() => rmSync(state, { recursive: true, force: true }));

/** A run folder `20240101T0000<n>Z-abcd` with its record and `logBytes` of logs. */
function run(n: number, options: { logBytes?: number; outcomes?: number; finished?: boolean; pid?: number } = {}): string {
  const id = `20240101T0000${String(n).padStart(2, '0')}Z-abcd`;
  const dir = path.join(state, 'runs', id);
  mkdirSync(path.join(dir, 't'), { recursive: true });
  const outcomes = Array.from({ length: options.outcomes ?? 1 }, () => ({ target: 't', status: 'done' }));
  writeFileSync(path.join(dir, 'run.json'), JSON.stringify({ runId: id, finished: options.finished ?? true, ok: true, pid: options.pid, outcomes }));
  if (options.logBytes) writeFileSync(path.join(dir, 't', 'range.log'), 'x'.repeat(options.logBytes));
  return id;
}

const left = () => readdirSync(path.join(state, 'runs')).sort();

describe('pruneRunHistory', () => {
  it('keeps the newest keepRuns runs, removing the oldest first', () => {
    const ids = [1, 2, 3, 4, 5].map((n) => run(n));
    const pruned = pruneRunHistory(state, { keepRuns: 3, maxBytes: Infinity }, ids[4]!);
    expect(pruned.runs).toEqual([ids[1], ids[0]]);
    expect(left()).toEqual(ids.slice(2));
  });

  it('keeps runs up to maxBytes together, and the current run even when it alone is bigger', () => {
    const ids = [run(1, { logBytes: 3000 }), run(2, { logBytes: 3000 }), run(3, { logBytes: 3000 })];
    pruneRunHistory(state, { keepRuns: 50, maxBytes: 7000 }, ids[2]!);
    expect(left()).toEqual([ids[1], ids[2]]);
    const big = run(4, { logBytes: 20_000 });
    pruneRunHistory(state, { keepRuns: 50, maxBytes: 7000 }, big);
    expect(left()).toEqual([big]);
  });

  it('never removes a run that is still going, even an older one', () => {
    const going = run(1, { finished: false, pid: process.pid });
    const crashed = run(2, { finished: false, pid: 999_999_999 });
    const current = run(3);
    pruneRunHistory(state, { keepRuns: 1, maxBytes: Infinity }, current);
    expect(left()).toEqual([going, current]);
    expect(existsSync(path.join(state, 'runs', crashed))).toBe(false);
  });

  it('keeps a run that had nothing to do only until the next run', () => {
    const built = run(1);
    const idle1 = run(2, { outcomes: 0 }); // an earlier no-op run: pruned by the next
    const idle2 = run(3, { outcomes: 0 });
    const pruned = pruneRunHistory(state, { keepRuns: 50, maxBytes: Infinity }, idle2);
    expect(pruned.runs).toEqual([idle1]);
    expect(left()).toEqual([built, idle2]);
  });

  it('prunes a folder whose record is damaged like any other, and weighs only the fields it needs of the others', () => {
    const damaged = run(1);
    writeFileSync(path.join(state, 'runs', damaged, 'run.json'), '{"runId": "cut sh');
    // an outcome of another shape does not hide that the run is still going
    const going = run(2, { finished: false, pid: process.pid });
    writeFileSync(path.join(state, 'runs', going, 'run.json'), JSON.stringify({ finished: false, pid: process.pid, outcomes: [{ target: 7 }] }));
    const current = run(3);
    const pruned = pruneRunHistory(state, { keepRuns: 1, maxBytes: Infinity }, current);
    expect(pruned.runs).toEqual([damaged]);
    expect(left()).toEqual([going, current]);
  });

  it('reads a big record only to know whether its run still goes; one that big is not taken for a run that did nothing', () => {
    const going = run(1, { finished: false, pid: process.pid, outcomes: 2000 });
    const idleButLong = run(2, { outcomes: 0 });
    writeFileSync(path.join(state, 'runs', idleButLong, 'run.json'), JSON.stringify({ finished: true, ok: true, commandLine: 'x'.repeat(20_000), outcomes: [] }));
    const current = run(3);
    expect(pruneRunHistory(state, { keepRuns: 2, maxBytes: Infinity }, current).runs).toEqual([]);
    expect(left()).toEqual([going, idleButLong, current]);
  });

  it('takes a record whose pid is no process (0, negative: process groups) for a damaged one, pruned like any other', () => {
    const odd = [run(1), run(2)];
    for (const [i, pid] of [0, -1].entries()) writeFileSync(path.join(state, 'runs', odd[i]!, 'run.json'), JSON.stringify({ finished: false, pid, outcomes: [] }));
    const current = run(3);
    expect([...pruneRunHistory(state, { keepRuns: 1, maxBytes: Infinity }, current).runs].sort()).toEqual(odd);
    expect(left()).toEqual([current]);
  });

  it('does nothing without a runs folder', () => {
    rmSync(path.join(state, 'runs'), { recursive: true, force: true });
    expect(pruneRunHistory(state, { keepRuns: 1, maxBytes: 1 }, 'x')).toEqual({ runs: [], bytes: 0 });
  });
});
