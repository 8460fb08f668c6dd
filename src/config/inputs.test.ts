import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { globDirs } from './inputs.js';

let dir: string | undefined;
afterEach(() => dir && rmSync(dir, { recursive: true, force: true }));

it('names the folders a glob looks in: its base, and below it as deep as the pattern reaches, skipping dot folders and node_modules', () => {
  dir = mkdtempSync(path.join(tmpdir(), 'dagrun-globdirs-'));
  for (const d of ['targets/raw/x', 'targets/analytics', 'targets/.hidden', 'targets/node_modules/p', '.dagrun/runs']) mkdirSync(path.join(dir, d), { recursive: true });
  const rel = (dirs: string[]) => dirs.map((d) => path.relative(dir!, d) || '.').sort();
  expect(rel(globDirs(dir, 'targets/*.json5'))).toEqual(['targets']);
  expect(rel(globDirs(dir, 'targets/*/*.json5'))).toEqual(['targets', 'targets/analytics', 'targets/raw']);
  expect(rel(globDirs(dir, 'targets/**/*.json5'))).toEqual(['targets', 'targets/analytics', 'targets/raw', 'targets/raw/x']);
  expect(rel(globDirs(dir, '**/*.json5'))).toEqual(['.', 'targets', 'targets/analytics', 'targets/raw', 'targets/raw/x']);
  expect(rel(globDirs(dir, 'missing/*.json5'))).toEqual(['missing']);
});
