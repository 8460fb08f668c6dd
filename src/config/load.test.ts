/** Loading: syntax errors with line, column and caret; shape errors of every file in one pass; finding files. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DagrunError } from '../core/errors.js';
import { formatDiagnostic } from './diagnostics.js';
import { findConfig, loadConfig, validateConfig } from './load.js';

const folders: string[] = [];
afterEach(() => folders.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

const DAG = `{
  warehouse: { type: 'duckdb' },
  window: { start: '2024-01-01', end: '2024-01-10' },
  calendar: { every: 'day' },
  defaults: { dateColumn: 'd' },
  targets: ['targets/**/*.json5'],
}
`;

/** Writes the files (dag.json5 defaults to DAG) into a fresh folder and returns it. */
function project(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'dagrun-load-'));
  folders.push(dir);
  for (const [name, content] of Object.entries({ 'dag.json5': DAG, ...files })) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), content);
  }
  return dir;
}

/** Every message for the project, as the CLI prints it (lines joined). */
function errorsOf(files: Record<string, string>): string[] {
  const dir = project(files);
  const result = validateConfig(path.join(dir, 'dag.json5'), { cwd: dir });
  return result.ok ? [] : result.error.map(formatDiagnostic);
}

describe('JSON5 syntax errors', () => {
  it('give file:line:col, the line and a caret under the column', () => {
    const text = "{\n  table: 'a.b',\n  deps: ['x'\n  build: {},\n}\n";
    expect(errorsOf({ 'targets/x.json5': text })).toEqual([
      ['targets/x.json5:4:3: syntax error: unexpected \'b\' (is a "," missing before it?)', '4 |   build: {},', '      ^'].join('\n'),
    ]);
  });

  it('keep tabs under the caret so it lines up', () => {
    expect(errorsOf({ 'targets/x.json5': '{\n\ttable: "a.b" }}\n' })).toEqual([
      ['targets/x.json5:2:16: syntax error: unexpected \'}\'', '2 | \ttable: "a.b" }}', '    \t              ^'].join('\n'),
    ]);
  });

  it('say when a file ends too early or is empty', () => {
    expect(errorsOf({ 'targets/x.json5': "{ table: 'a.b'" })).toEqual([
      ['targets/x.json5:1:15: syntax error: the file ends too early (is a "}", "]" or quote missing?)', "1 | { table: 'a.b'", '                  ^'].join('\n'),
    ]);
    expect(errorsOf({ 'targets/x.json5': '' })).toEqual([['targets/x.json5:1:1: syntax error: the file is empty (it should hold one object: { ... })', '1 | ', '    ^'].join('\n')]);
  });

  it('in dag.json5 stop before the target files, which it names', () => {
    expect(errorsOf({ 'dag.json5': "{ warehouse: { type: 'duckdb' } window: {} }", 'targets/x.json5': '{ nonsense' })).toEqual([
      [
        'dag.json5:1:33: syntax error: unexpected \'w\' (is a "," missing before it?)',
        "1 | { warehouse: { type: 'duckdb' } window: {} }",
        '                                    ^',
      ].join('\n'),
    ]);
  });
});

describe('shape errors', () => {
  it('of dag.json5 and of every target file come in one pass (a file with shape errors is not checked further)', () => {
    const dag = DAG.replace("calendar: { every: 'day' },", "calendar: { every: 'day' }, concurrency: 0,");
    expect(errorsOf({ 'dag.json5': dag, 'targets/a.json5': "{ table: 'a.b', treshold: 0.9 }", 'targets/b.json5': "{ table: 'a.c', build: { command: 'make' } }" })).toEqual([
      'dag.json5 › concurrency: must be at least 1, got 0',
      'targets/a.json5 › treshold: unknown key "treshold" (did you mean "threshold"?)',
      'targets/b.json5 › build.command: expected an array, got the string "make"',
    ]);
  });

  it('say when a file holds no object', () => {
    expect(errorsOf({ 'targets/x.json5': "['a.b']" })).toEqual(['targets/x.json5: expected an object, got an array']);
  });
});

describe('finding files', () => {
  it('says when the globs match no target file', () => {
    expect(errorsOf({ 'dag.json5': DAG.replace('targets/**/*.json5', 'tagrets/*.json5') })).toEqual(['dag.json5 › targets: no target files match "tagrets/*.json5"']);
  });

  it('never takes dag.json5 for a target, even when a glob matches it', () => {
    expect(errorsOf({ 'dag.json5': DAG.replace('targets/**/*.json5', '**/*.json5'), 'x.json5': "{ table: 's.x', build: { command: ['true'] } }" })).toEqual([]);
  });

  it('finds dag.json5 upward from a subfolder', () => {
    const dir = project({ 'targets/deep/x.json5': "{ table: 's.x', build: { command: ['true'] } }" });
    expect(findConfig(path.join(dir, 'targets', 'deep'))).toBe(path.join(dir, 'dag.json5'));
  });

  it('shows paths relative to the working folder', () => {
    const dir = project({ 'targets/x.json5': "{ table: 's.x' }" });
    const result = validateConfig(path.join(dir, 'dag.json5'), { cwd: path.join(dir, 'targets') });
    expect(result.ok ? [] : result.error.map(formatDiagnostic)).toEqual(['x.json5 › build: is required (or mark the target "source: true")']);
  });
});

describe('loadConfig', () => {
  it('returns the validated pipeline, targets by name with defaults filled', () => {
    const dir = project({ 'targets/b.json5': "{ table: 's.b', deps: ['a'], build: { command: ['true'] } }", 'targets/a.json5': "{ table: 's.a', source: true }" });
    const config = loadConfig(path.join(dir, 'dag.json5'));
    expect([...config.targets.keys()]).toEqual(['a', 'b']);
    expect(config.targets.get('b')).toMatchObject({ threshold: 1, dateColumn: 'd', deps: [{ target: 'a', lookback: 0 }], onChange: 'rebuild' });
    expect(config.targets.get('b')!.build).toMatchObject({ ranges: 'contiguous', parallel: 1, retries: 0, cwd: dir });
  });

  it('accepts a $schema key pointing editors at the committed JSON Schema', () => {
    const dir = project({ 'targets/raw/a.json5': "{ $schema: '../../schema/target.schema.json', table: 's.a', source: true }" });
    expect(validateConfig(path.join(dir, 'dag.json5'), { cwd: dir }).ok).toBe(true);
  });

  it('throws one config-invalid error that carries every diagnostic', () => {
    const dir = project({ 'targets/a.json5': "{ table: 's.a' }", 'targets/b.json5': "{ table: 's.b', source: 1 }" });
    const error = (() => {
      try {
        loadConfig(path.join(dir, 'dag.json5'));
      } catch (e) {
        return e;
      }
    })() as DagrunError;
    expect(error).toBeInstanceOf(DagrunError);
    expect([error.reason, error.message, error.diagnostics.length]).toEqual(['config-invalid', 'the configuration has 2 errors', 2]);
  });

  it('says when the configuration file does not exist', () => {
    const dir = project({});
    expect(() => loadConfig(path.join(dir, 'nope.json5'), { cwd: dir })).toThrow(new DagrunError('usage', 'nope.json5: no such configuration file'));
  });
});
