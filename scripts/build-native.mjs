#!/usr/bin/env node
/**
 * Compiles native/spawn-helper.c into dist/native/spawn-helper: the posix_spawn helper that
 * starts build commands (src/executor/native-runner.ts). npm runs it as the package's `install`
 * script, in a clone of the repository and wherever the package is installed. Optional by
 * design: without a C compiler, or if compiling fails, commands start through the Node spawners
 * instead, so this prints one line and exits 0 — an install must never fail because of it.
 *
 *   node scripts/build-native.mjs [--quiet]      ($CC picks the compiler; default cc)
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const source = path.join(root, 'native', 'spawn-helper.c');
const out = path.join(root, 'dist', 'native', 'spawn-helper');
const quiet = process.argv.includes('--quiet');
// $CC may carry flags, as make's does: "cc -fsanitize=address,undefined -g".
const [compiler, ...compilerFlags] = (process.env.CC || 'cc').trim().split(/\s+/);

const say = (line) => quiet || console.log(`dagrun: ${line}`);

/** Builds the helper; returns the one line to print. */
function build() {
  if (process.platform === 'win32') return 'no posix_spawn on Windows: commands start through Node spawners';
  if (spawnSync(compiler, [...compilerFlags, '--version'], { stdio: 'ignore' }).error) {
    return 'no C compiler: commands start through Node spawners';
  }
  mkdirSync(path.dirname(out), { recursive: true });
  // Built beside, then renamed: a dagrun running now never sees a half-written helper.
  const partial = `${out}.${process.pid}.tmp`;
  const result = spawnSync(compiler, [...compilerFlags, '-O2', '-Wall', '-o', partial, source], { encoding: 'utf8' });
  if (result.status !== 0) {
    rmSync(partial, { force: true });
    return `could not compile native/spawn-helper.c (commands start through Node spawners):\n${result.stderr ?? result.error}`.trimEnd();
  }
  renameSync(partial, out);
  return `built ${path.relative(root, out)}`;
}

try {
  say(build());
} catch (error) {
  // A read-only folder, a vanished source: still not worth failing an install over.
  say(`could not build the spawn helper (commands start through Node spawners): ${error instanceof Error ? error.message : String(error)}`);
}
process.exitCode = 0;
