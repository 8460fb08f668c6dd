/** Fingerprints change with what a build writes, and with nothing else: not key order, folder, line endings or state files. */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Build, DagConfig, Target } from '../config/types.js';
import { canonicalJson, commandFiles, fingerprintTarget } from './fingerprint.js';

const folders: string[] = [];
afterEach(() => {
  for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A pipeline folder with a script, a data file and a warehouse file. */
function project(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'dagrun-fp-'));
  folders.push(dir);
  mkdirSync(path.join(dir, 'scripts'));
  mkdirSync(path.join(dir, '.dagrun'));
  writeFileSync(path.join(dir, 'scripts', 'load.py'), 'print("hi")\nprint("there")\n');
  writeFileSync(path.join(dir, '.dagrun', 'warehouse.duckdb'), 'binary state');
  return dir;
}

function config(dir: string): DagConfig {
  return {
    file: path.join(dir, 'dag.json5'), dir, warehouse: { type: 'duckdb', path: path.join(dir, '.dagrun', 'warehouse.duckdb') },
    window: { start: 0 as never, end: { kind: 'today' }, timeZone: 'UTC' }, calendar: { kind: 'every-day' }, concurrency: 1,
    groups: new Map(), targets: new Map(), history: { keepRuns: 50, maxBytes: 500e6 },
  };
}

function commandTarget(dir: string, argv: string[], build: Partial<Build> = {}): Target {
  return {
    name: 't', file: path.join(dir, 'targets', 't.json5'), table: 's.t', group: undefined, threshold: 1, dateColumn: 'd', deps: [],
    calendar: { kind: 'every-day' }, source: false, onChange: 'rebuild', checks: [],
    build: { action: { kind: 'command', argv, opensWarehouse: true, output: undefined, allowEmptyDates: false }, ranges: 'contiguous', maxDays: undefined, parallel: 1, timeoutMs: undefined, retries: 0, retryBackoffMs: 0, env: {}, cwd: dir, ...build },
  };
}

const ARGV = ['python3', 'scripts/load.py', '--db', '.dagrun/warehouse.duckdb', '--start', '{start}'];

describe('fingerprintTarget', () => {
  it('is the same for a copy of the project in another folder (a second CI runner)', () => {
    const a = project();
    const b = mkdtempSync(path.join(tmpdir(), 'dagrun-fp-other-'));
    folders.push(b);
    cpSync(a, b, { recursive: true });
    expect(fingerprintTarget(config(b), commandTarget(b, ARGV))).toBe(fingerprintTarget(config(a), commandTarget(a, ARGV)));
  });

  it('changes when a script the command names changes, but not with its line endings or the warehouse file', () => {
    const dir = project();
    const before = fingerprintTarget(config(dir), commandTarget(dir, ARGV));
    writeFileSync(path.join(dir, '.dagrun', 'warehouse.duckdb'), 'other state');
    writeFileSync(path.join(dir, 'scripts', 'load.py'), 'print("hi")\r\nprint("there")\r\n');
    expect(fingerprintTarget(config(dir), commandTarget(dir, ARGV))).toBe(before);
    writeFileSync(path.join(dir, 'scripts', 'load.py'), 'print("bye")\n');
    expect(fingerprintTarget(config(dir), commandTarget(dir, ARGV))).not.toBe(before);
  });

  it('ignores env key order and operational knobs, but not env values or argv', () => {
    const dir = project();
    const base = fingerprintTarget(config(dir), commandTarget(dir, ARGV, { env: { A: '1', B: '2' } }));
    expect(fingerprintTarget(config(dir), commandTarget(dir, ARGV, { env: { B: '2', A: '1' }, retries: 3, parallel: 4, maxDays: 7, ranges: 'single' }))).toBe(base);
    expect(fingerprintTarget(config(dir), commandTarget(dir, ARGV, { env: { A: '1', B: '3' } }))).not.toBe(base);
    expect(fingerprintTarget(config(dir), commandTarget(dir, [...ARGV, '--full'], { env: { A: '1', B: '2' } }))).not.toBe(base);
  });

  it('follows the text of a .sql build', () => {
    const dir = project();
    const sql = (text: string): Target => ({ ...commandTarget(dir, []), build: { ...commandTarget(dir, []).build!, action: { kind: 'sql', file: path.join(dir, 't.sql'), sql: text } } });
    expect(fingerprintTarget(config(dir), sql('SELECT 1;\n'))).toBe(fingerprintTarget(config(dir), sql('SELECT 1;\r\n')));
    expect(fingerprintTarget(config(dir), sql('SELECT 1;'))).not.toBe(fingerprintTarget(config(dir), sql('SELECT 2;')));
  });
});

describe('commandFiles', () => {
  it('lists repository files named in argv, not state, placeholders, programs outside the project or missing files', () => {
    const dir = project();
    const files = commandFiles(config(dir), commandTarget(dir, [...ARGV, '/etc/hostname', 'scripts/nope.py', 'scripts/load.py']));
    expect(files).toEqual([path.join(dir, 'scripts', 'load.py')]);
  });
});

describe('canonicalJson', () => {
  it('sorts keys at every level and drops undefined', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: undefined } })).toBe('{"a":{"d":[1,{"y":2,"z":1}]},"b":1}');
  });
});
