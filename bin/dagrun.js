#!/usr/bin/env node
// Thin launcher. The build (`npm run build`: `prepare` in a clone of the repository, `prepack`
// for the npm package) compiles src/ into dist/ and bundles that into dist/bundle/
// (scripts/bundle.mjs), which starts faster. The npm package ships the bundle alone. In a clone,
// after a bare `tsc` the bundle is older than dist/cli/ and would run stale code: then dist/ runs.
import { statSync } from 'node:fs';
import module, { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const file = (relative) => fileURLToPath(new URL(relative, import.meta.url));
const modified = (relative) => statSync(file(relative), { throwIfNoEntry: false })?.mtimeMs ?? -1;

/**
 * The user's cache folder for dagrun: $XDG_CACHE_HOME/dagrun, else ~/.cache/dagrun
 * (%LOCALAPPDATA%\dagrun on Windows); never the install folder, which may be read-only or shared.
 */
function cacheFolder() {
  const base = process.env.XDG_CACHE_HOME || (process.platform === 'win32' ? process.env.LOCALAPPDATA : undefined) || (os.homedir() && path.join(os.homedir(), '.cache'));
  return base ? path.join(base, 'dagrun') : undefined;
}

// Node 22.1+ keeps V8's compiled code between runs (`module.enableCompileCache`): a start skips
// compiling ~0.5 MB of JavaScript. Older Node versions run without a cache. A folder that cannot
// be written only means no cache; NODE_COMPILE_CACHE, when set, picks the folder instead.
const cache = cacheFolder();
if (typeof module.enableCompileCache === 'function' && cache) {
  try {
    module.enableCompileCache(path.join(cache, 'compile-cache'));
  } catch {
    // No cache: the same code runs, compiled as it loads.
  }
}

const argv = process.argv.slice(2);
const bundled = modified('../dist/bundle/main.js');
const compiled = modified('../dist/cli/main.js');
if (bundled < 0 && compiled < 0) {
  process.stderr.write(`dagrun: not built (no dist/ in ${file('..')}): run "npm run build" there\n`);
  process.exit(2);
} else if (bundled >= compiled) {
  createRequire(import.meta.url)('../dist/bundle/main.js').main(argv);
} else {
  import('../dist/cli/main.js').then((m) => m.main(argv));
}
