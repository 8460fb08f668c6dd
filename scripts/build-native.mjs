#!/usr/bin/env node
/**
 * Compiles native/spawn-helper.c into dist/native/spawn-helper: the posix_spawn helper that
 * starts build commands (src/executor/native-runner.ts). Optional by design: without a C
 * compiler, or if compiling fails, commands start through the Node spawners instead, so this
 * prints one line and exits 0 — `npm install` must never fail because of it.
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

const say = (line) => quiet || console.log(line);

if (spawnSync(compiler, [...compilerFlags, '--version'], { stdio: 'ignore' }).error) {
  say('no C compiler: commands start through Node spawners');
  process.exit(0);
}
mkdirSync(path.dirname(out), { recursive: true });
// Built beside, then renamed: a dagrun running now never sees a half-written helper.
const partial = `${out}.${process.pid}.tmp`;
const result = spawnSync(compiler, [...compilerFlags, '-O2', '-Wall', '-o', partial, source], { encoding: 'utf8' });
if (result.status !== 0) {
  rmSync(partial, { force: true });
  say(`could not compile native/spawn-helper.c (commands start through Node spawners):\n${result.stderr ?? result.error}`.trimEnd());
  process.exit(0);
}
renameSync(partial, out);
say(`built ${path.relative(root, out)}`);
