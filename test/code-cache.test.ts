/**
 * The launcher's V8 code cache (bin/code-cache.cjs), in real Node processes: the first run
 * compiles and leaves a cache, the next one uses it, a damaged cache is rejected and replaced
 * without changing what the code does, and files outside the folder are left alone.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const HOOK = path.resolve('bin/code-cache.cjs');

let root: string;
/** The hooked folder, inside `root`; `root/outside.cjs` is not in it. */
let dir: string;
beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'dagrun-code-cache-'));
  dir = path.join(root, 'bundle');
  mkdirSync(dir);
  writeFileSync(path.join(root, 'package.json'), '{"type":"commonjs"}\n');
  writeFileSync(path.join(dir, 'lib.js'), 'module.exports = { double: (n) => n * 2, name: __filename };\n');
  writeFileSync(path.join(dir, 'main.js'), "const lib = require('./lib.js');\nmodule.exports = { answer: lib.double(21), libName: lib.name };\n");
  writeFileSync(path.join(root, 'outside.cjs'), 'module.exports = 1;\n');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** Runs a Node process that installs the hook on `dir/` and loads main.js; returns its report. */
function load(): { answer: number; libName: string; loaded: Record<string, string> } {
  const script = `
    const loaded = require(${JSON.stringify(HOOK)}).installCodeCache(${JSON.stringify(dir)});
    require(${JSON.stringify(path.join(root, 'outside.cjs'))});
    const main = require(${JSON.stringify(path.join(dir, 'main.js'))});
    console.log(JSON.stringify({ ...main, loaded: Object.fromEntries(loaded) }));`;
  const result = spawnSync(process.execPath, ['-e', script], { cwd: dir, encoding: 'utf8' });
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  return JSON.parse(result.stdout) as ReturnType<typeof load>;
}

describe('installCodeCache', () => {
  it('compiles on the first run, writes a cache per file, and uses it on the next run', () => {
    const main = path.join(dir, 'main.js');
    const lib = path.join(dir, 'lib.js');
    expect(load()).toEqual({ answer: 42, libName: lib, loaded: { [main]: 'compiled', [lib]: 'compiled' } });
    expect(existsSync(`${main}.cache`)).toBe(true);
    expect(existsSync(`${lib}.cache`)).toBe(true);
    expect(existsSync(path.join(root, 'outside.cjs.cache'))).toBe(false);

    expect(load()).toEqual({ answer: 42, libName: lib, loaded: { [main]: 'cached', [lib]: 'cached' } });
  });

  it('rejects a damaged cache, runs the code all the same and writes a good cache again', () => {
    const main = path.join(dir, 'main.js');
    load();
    writeFileSync(`${main}.cache`, 'not a code cache');
    expect(load()).toMatchObject({ answer: 42, loaded: { [main]: 'compiled' } });
    expect(readFileSync(`${main}.cache`, 'utf8')).not.toBe('not a code cache');
    expect(load()).toMatchObject({ answer: 42, loaded: { [main]: 'cached' } });
  });

  it('a cache of changed source is rejected: the new code runs', () => {
    load();
    writeFileSync(path.join(dir, 'lib.js'), 'module.exports = { double: (n) => n * 3, name: "changed" };\n');
    expect(load()).toMatchObject({ answer: 63, libName: 'changed', loaded: { [path.join(dir, 'lib.js')]: 'compiled' } });
  });
});
