#!/usr/bin/env node
/**
 * Bundles the compiled CLI (dist/, from tsc) into dist/bundle/: `bin/dagrun.js` runs it.
 *
 * Why: every start used to load ~100 ES modules of dagrun and ~125 CommonJS files of
 * @duckdb/node-api, one file read, resolution and compile each — ~130 ms of a 0.55 s
 * `dagrun --status` on the demo (docs/performance.md, section d). The bundle is a handful
 * of files; command modules stay separate chunks, loaded only by the command that needs them.
 *
 * Not bundled: the native DuckDB bindings (a platform package with a .node file) and the
 * Google client (loaded only for BigQuery pipelines; its auth stack reads files beside its
 * own modules). The spawner is an entry of its own: it must stay small to start fast.
 *
 * CommonJS, not ES modules: it loads a little faster (and Node 22.1+ keeps its compiled code in
 * the user's cache folder: `module.enableCompileCache` in bin/dagrun.js). The folder's
 * package.json says so, which keeps the `.js` names that `spawner-runner.ts` looks for.
 *
 * The npm package ships these files (not the source maps, nor the rest of dist/): see `files`
 * in package.json; `prepack` runs this build.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'rolldown';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const out = path.join(dist, 'bundle');

rmSync(out, { recursive: true, force: true });
await build({
  cwd: root,
  input: {
    main: path.join(dist, 'cli/main.js'),
    // spawner-runner.ts finds it as `./spawner-child.js` beside its own module: same folder here.
    'spawner-child': path.join(dist, 'executor/spawner-child.js'),
  },
  platform: 'node',
  external: [/^@duckdb\/node-bindings/, /^@google-cloud\//, /^google-auth-library/],
  logLevel: 'warn',
  onLog(level, log, report) {
    // yargs resolves `extends` in config files with import.meta.resolve; dagrun does not use that.
    if (log.code === 'EMPTY_IMPORT_META' && /node_modules[\\/]yargs[\\/]/.test(log.message)) return;
    report(level, log);
  },
  output: { dir: out, format: 'cjs', sourcemap: true, chunkFileNames: '[name]-[hash].js' },
});
mkdirSync(out, { recursive: true });
writeFileSync(path.join(out, 'package.json'), JSON.stringify({ type: 'commonjs' }) + '\n');
// what this build is, whatever the version says: caches under .dagrun/ are kept per build (core/version.ts)
const digest = createHash('sha256');
for (const name of readdirSync(out).filter((n) => n.endsWith('.js')).sort()) digest.update(name).update(readFileSync(path.join(out, name)));
writeFileSync(path.join(out, 'build-id.json'), JSON.stringify({ id: digest.digest('hex').slice(0, 16) }) + '\n');
