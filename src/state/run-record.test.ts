/** The run record: what the writer writes reads back whole; a damaged or foreign-shaped file is reported, not trusted. Real files in a temp dir. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runDir, runRecordFile } from './paths.js';
import { listRuns, newRunId, type DamagedRunRecord } from './run-history.js';
import { parseRunRecord, readRunRecord, writeRunRecord, type RunRecord } from './run-record.js';

let state: string;
beforeEach(() => {
  state = mkdtempSync(path.join(os.tmpdir(), 'dagrun-run-record-'));
});
afterEach(() => rmSync(state, { recursive: true, force: true }));

/** A finished run's record with every field the writer sets. */
const full: RunRecord = {
  runId: '20240101T120000Z-ab12', commandLine: 'dagrun -k', startedAt: '2024-01-01T12:00:00.000Z', endedAt: '2024-01-01T12:00:03.000Z',
  durationMs: 2500.5, wallMs: 3000, ok: false, interrupted: false, finished: true, pid: 4242, bytesBilled: 10_485_760,
  outcomes: [
    {
      target: 'a', status: 'done', batches: 2, batchesDone: 2, dates: 7, durationMs: 2000, coverageBefore: 0.5, coverageAfter: 1,
      ranges: [{ range: '2024-01-01..2024-01-04', dates: 4, durationMs: 900, bytesBilled: 10_485_760 }, { range: '2024-01-05..2024-01-07', dates: 3, durationMs: 1100 }],
      bytesBilled: 10_485_760, estimatedMsPerRange: 950,
    },
    { target: 'b', status: 'skipped', reason: "upstream 'a' failed", batches: 1, batchesDone: 0, dates: 0 },
  ],
};

/** Writes `text` as the record of run `id` and reads it back. */
function readBack(id: string, text: string) {
  const dir = runDir(state, id);
  mkdirSync(dir, { recursive: true });
  writeFileSync(runRecordFile(dir), text);
  return readRunRecord(dir);
}

describe('run record', () => {
  it('reads back what the writer wrote, with the folder it was found in', () => {
    writeRunRecord(state, full.runId, JSON.stringify(full, null, 2) + '\n');
    const dir = runDir(state, full.runId);
    expect(readRunRecord(dir)).toEqual({ kind: 'found', record: { ...full, dir } });
  });

  it('takes the oldest records as they are, and the folder name for a missing run id', () => {
    const oldest = { commandLine: 'dagrun', startedAt: '2023-06-01T00:00:00.000Z', durationMs: 5, ok: true, interrupted: false, outcomes: [{ target: 'a', status: 'done' }] };
    const read = readBack('20230601T000000Z-0000', JSON.stringify(oldest));
    expect(read).toMatchObject({ kind: 'found', record: { ...oldest, runId: '20230601T000000Z-0000' } });
  });

  it('drops keys it does not know and nulls (a number JSON could not write), keeping the rest', () => {
    const parsed = parseRunRecord(JSON.stringify({ ...full, newerField: { x: 1 }, outcomes: [{ target: 'a', status: 'done', durationMs: null, extra: 1 }] }), 'x');
    expect(parsed).toEqual({ ok: true, value: { ...full, outcomes: [{ target: 'a', status: 'done' }] } });
  });

  it('reports a damaged file, saying where, instead of trusting it', () => {
    expect(readBack('r1', '{"runId": "r1", "outcomes": [')).toMatchObject({ kind: 'damaged', file: runRecordFile(runDir(state, 'r1')), problem: expect.stringMatching(/^not JSON/) });
    expect(parseRunRecord('[]', 'x')).toEqual({ ok: false, error: 'expected an object, got an array' });
    expect(parseRunRecord('{"runId": "x"}', 'x')).toEqual({ ok: false, error: 'outcomes: is required' });
    const wrong = { ...full, ok: 'yes', outcomes: [{ target: 3, status: 'done' }, { target: 'b', status: 'done', ranges: [{ range: 'r', dates: -1, durationMs: 1 }] }] };
    expect(parseRunRecord(JSON.stringify(wrong), 'x')).toEqual({
      ok: false,
      error: 'ok: expected true or false, got the string "yes"; outcomes[0].target: expected a string, got number 3; outcomes[1].ranges[0].dates: must be at least 0, got -1',
    });
  });

  it('tells a folder with no record from a damaged one', () => {
    mkdirSync(runDir(state, 'r2'), { recursive: true });
    expect(readRunRecord(runDir(state, 'r2'))).toEqual({ kind: 'missing' });
  });

  it('lists only trusted records, handing the damaged ones over to be said', () => {
    writeRunRecord(state, '20240102T000000Z-good', JSON.stringify({ ...full, runId: '20240102T000000Z-good' }));
    readBack('20240103T000000Z-bad', '{"outcomes": {}}');
    mkdirSync(runDir(state, '20240104T000000Z-none'));
    const damaged: DamagedRunRecord[] = [];
    expect(listRuns(state, Infinity, (d) => damaged.push(d)).map((r) => r.runId)).toEqual(['20240102T000000Z-good']);
    expect(damaged).toEqual([{ kind: 'damaged', file: runRecordFile(runDir(state, '20240103T000000Z-bad')), problem: 'outcomes: expected an array, got an object' }]);
  });

  it('names a run by its UTC start, so that its folder sorts with the others', () => {
    expect(newRunId(new Date('2024-01-02T03:04:05.678Z'))).toMatch(/^20240102T030405Z-[0-9a-f]{4}$/);
  });
});
