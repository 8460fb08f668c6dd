/**
 * The npm package as a data team gets it: `npm pack` of this repository, installed from the
 * tarball into an empty project three ways — with install scripts (the spawn helper is compiled),
 * with --ignore-scripts (no helper), and with no C compiler (CC names a missing program and PATH
 * holds node and npm only: the install says so once and succeeds) — then `npx dagrun --version`,
 * `dagrun init` and a build in each. Real npm, real installs; packages come from the shared npm
 * cache (--prefer-offline), so the registry is asked for nothing it already gave.
 *
 * DAGRUN_TEST_NODE=/path/to/node also runs the installed package with that Node (another version).
 *
 * Packs the current build (`npm test` builds first; `prepack` would build again), with
 * --ignore-scripts: rebuilding dist/ here would disturb other tests reading it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import module from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const VERSION = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const HAS_CC = !spawnSync(process.env.CC || 'cc', ['--version'], { stdio: 'ignore' }).error;

let tmp: string;
let tarball: string;
let packed: string[];
/** The npm cache of this machine, shared so that installs reuse what it holds. */
const npmCache = spawnSync('npm', ['config', 'get', 'cache'], { encoding: 'utf8' }).stdout.trim();

/** The environment of a user's shell: none of the npm_* variables of an enclosing `npm test`, a home of its own. */
function userEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined && !/^npm_/i.test(key)) env[key] = value;
  return {
    ...env, HOME: path.join(tmp, 'home'), XDG_CACHE_HOME: path.join(tmp, 'home/.cache'), npm_config_cache: npmCache,
    NO_COLOR: '1', METADATA_SERVER_DETECTION: 'none', ...extra,
  };
}

/** Runs a program in `cwd` without throwing; returns the exit code and what it printed (both streams). */
async function run(cwd: string, file: string, args: string[], env: Record<string, string> = userEnv()): Promise<{ code: number; all: string }> {
  const result = await execa(file, args, { cwd, env, extendEnv: false, reject: false, all: true, stdin: 'ignore' });
  return { code: result.exitCode ?? -1, all: String(result.all ?? '') };
}

/** An empty project that installs the tarball as a dev dependency; returns its folder and the install's output. */
async function installInto(name: string, flags: string[], env?: Record<string, string>): Promise<{ dir: string; all: string }> {
  const dir = path.join(tmp, name);
  mkdirSync(dir);
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name, version: '9.9.9', private: true }) + '\n');
  const result = await run(dir, 'npm', ['install', '-D', tarball, '--prefer-offline', '--no-audit', '--no-fund', '--foreground-scripts', ...flags], env);
  expect(result.code, result.all).toBe(0);
  return { dir, all: result.all };
}

/** Every file under `dir` (relative paths), sorted. */
function filesUnder(dir: string): string[] {
  return (readdirSync(dir, { recursive: true, withFileTypes: true }) as import('node:fs').Dirent[])
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

/** `npx dagrun --version`, `dagrun init` in a new folder of the project, then a build and --status there. */
async function initAndBuild(project: string, env?: Record<string, string>): Promise<void> {
  const version = await run(project, 'npx', ['dagrun', '--version'], env);
  expect(version.all.trim()).toBe(VERSION);
  const pipeline = path.join(project, 'pipeline');
  mkdirSync(pipeline);
  const bin = path.join(project, 'node_modules/.bin/dagrun');
  const init = await run(pipeline, bin, ['init'], env);
  expect(init.code, init.all).toBe(0);
  expect(readFileSync(path.join(pipeline, 'dag.json5'), 'utf8')).toContain("$schema: '../node_modules/dagrun/schema/dag.schema.json'");
  expect(readFileSync(path.join(pipeline, 'targets/raw/orders.json5'), 'utf8')).toContain("$schema: '../../../node_modules/dagrun/schema/target.schema.json'");
  const build = await run(pipeline, bin, [], env);
  expect(build.all).toContain('Built 2 targets');
  expect(build.code, build.all).toBe(0);
  const status = await run(pipeline, bin, ['--status'], env);
  expect(status.code, status.all).toBe(0);
}

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'dagrun-pack-'));
  mkdirSync(path.join(tmp, 'home'));
  const pack = await execa('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', tmp], { cwd: ROOT, env: userEnv(), extendEnv: false, reject: false });
  expect(pack.exitCode, String(pack.stderr)).toBe(0);
  const [info] = JSON.parse(String(pack.stdout)) as { filename: string; files: { path: string }[] }[];
  tarball = path.join(tmp, info!.filename);
  packed = info!.files.map((f) => f.path).sort();
}, 60_000);

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('the npm package', () => {
  it('holds the built CLI (with its build id), the schema, the helper source and its build script, README and LICENSE, and nothing else', () => {
    for (const file of ['bin/dagrun.js', 'dist/bundle/main.js', 'dist/bundle/spawner-child.js', 'dist/bundle/package.json', 'dist/bundle/build-id.json', 'schema/dag.schema.json', 'schema/target.schema.json', 'native/spawn-helper.c', 'scripts/build-native.mjs', 'README.md', 'LICENSE', 'package.json']) {
      expect(packed).toContain(file);
    }
    const allowed = /^(bin\/dagrun\.js|dist\/bundle\/[^/]+\.js|dist\/bundle\/(package|build-id)\.json|schema\/[a-z]+\.schema\.json|native\/spawn-helper\.c|scripts\/build-native\.mjs|README\.md|LICENSE|package\.json)$/;
    expect(packed.filter((file) => !allowed.test(file))).toEqual([]);
    const manifest = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(manifest.scripts.prepack).toBe('npm run build');
    expect(manifest.scripts.install).toBe('node scripts/build-native.mjs');
  });

  it.runIf(HAS_CC)('installed with its scripts: compiles the spawn helper, runs, and writes nothing into its own folder', async () => {
    const { dir, all } = await installInto('with-scripts', []);
    expect(all).toContain('dagrun: built dist/native/spawn-helper');
    const installed = path.join(dir, 'node_modules/dagrun');
    expect(existsSync(path.join(installed, 'dist/native/spawn-helper'))).toBe(true);
    const before = filesUnder(installed);
    await initAndBuild(dir);
    expect(filesUnder(installed)).toEqual(before);
    // Node 22.1+ keeps compiled code in the user's cache folder; Node 20 has no cache at all.
    const cache = path.join(tmp, 'home/.cache/dagrun/compile-cache');
    expect(existsSync(cache)).toBe(typeof (module as { enableCompileCache?: unknown }).enableCompileCache === 'function');
    // Another Node version on the same installation (DAGRUN_TEST_NODE=/path/to/node, e.g. Node 22).
    const otherNode = process.env.DAGRUN_TEST_NODE;
    if (otherNode) {
      const env = userEnv({ XDG_CACHE_HOME: path.join(tmp, 'other-node-cache') });
      const bin = path.join(installed, 'bin/dagrun.js');
      const version = await run(path.join(dir, 'pipeline'), otherNode, [bin, '--version'], env);
      expect(version.all.trim()).toBe(VERSION);
      const build = await run(path.join(dir, 'pipeline'), otherNode, [bin, '-B'], env);
      expect(build.code, build.all).toBe(0);
      const nodeVersion = (await run(dir, otherNode, ['-p', "typeof require('node:module').enableCompileCache"])).all.trim();
      expect(existsSync(path.join(tmp, 'other-node-cache/dagrun/compile-cache'))).toBe(nodeVersion === 'function');
      expect(filesUnder(installed)).toEqual(before);
    }
  });

  it('installed with --ignore-scripts: no helper, and commands start through the Node spawners', async () => {
    const { dir } = await installInto('ignore-scripts', ['--ignore-scripts']);
    expect(existsSync(path.join(dir, 'node_modules/dagrun/dist/native'))).toBe(false);
    await initAndBuild(dir);
  });

  it('installed without a C compiler: the install says so once, succeeds, and dagrun runs', async () => {
    // PATH with node, npm and sh only (no cc), and CC naming a program that does not exist.
    const bin = path.join(tmp, 'bin-without-cc');
    mkdirSync(bin);
    for (const program of ['node', 'npm', 'npx', 'sh']) {
      symlinkSync(spawnSync('sh', ['-c', `command -v ${program}`], { encoding: 'utf8' }).stdout.trim(), path.join(bin, program));
    }
    const env = userEnv({ PATH: bin, CC: path.join(tmp, 'no-such-cc') });
    const { dir, all } = await installInto('no-compiler', [], env);
    expect(all.match(/no C compiler: commands start through Node spawners/g)).toHaveLength(1);
    expect(existsSync(path.join(dir, 'node_modules/dagrun/dist/native/spawn-helper'))).toBe(false);
    await initAndBuild(dir, env);
  });
});
