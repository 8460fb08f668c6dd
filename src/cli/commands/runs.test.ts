/** `dagrun runs` says a damaged run record instead of listing what it cannot trust. Real run folders in a temp dir. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { runDir, runRecordFile, stateDirOf } from '../../state/paths.js';
import { runsCommand } from './runs.js';

let project: string;
beforeEach(() => {
  project = mkdtempSync(path.join(os.tmpdir(), 'dagrun-runs-'));
});
afterEach(() => rmSync(project, { recursive: true, force: true }));

function record(id: string, text: string): string {
  const dir = runDir(stateDirOf(project), id);
  mkdirSync(dir, { recursive: true });
  writeFileSync(runRecordFile(dir), text);
  return runRecordFile(dir);
}

it('lists the trusted runs and names the damaged record on stderr', () => {
  record('20240101T000000Z-good', JSON.stringify({ runId: '20240101T000000Z-good', commandLine: 'dagrun a', finished: true, ok: true, outcomes: [{ target: 'a', status: 'done' }] }));
  const damaged = record('20240102T000000Z-bad', JSON.stringify({ runId: '20240102T000000Z-bad', ok: 'yes', outcomes: [] }));
  const out = { stdout: '', stderr: '' };
  const code = runsCommand({ config: path.join(project, 'dag.json5'), limit: 10, json: true }, { stdout: (t) => (out.stdout += t), stderr: (t) => (out.stderr += t) });
  expect(code).toBe(0);
  expect((JSON.parse(out.stdout) as { runs: { runId: string }[] }).runs.map((r) => r.runId)).toEqual(['20240101T000000Z-good']);
  expect(out.stderr).toBe(`dagrun: not listed: ${damaged} is damaged (ok: expected true or false, got the string "yes")\n`);
});
