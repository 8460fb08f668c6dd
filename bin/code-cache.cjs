'use strict';
/**
 * A V8 code cache for the bundled CLI (dist/bundle/, CommonJS): each bundle file is compiled
 * with the cache V8 made of it on an earlier run, so a start skips parsing and compiling ~0.5 MB
 * of JavaScript (~50 ms of CPU of a `dagrun --status` here; docs/performance.md, section d).
 *
 * Node 22 has this built in (`module.enableCompileCache`); Node 20 does not, hence this hook.
 * A cache is written when a file had none or V8 rejected it (another Node version or flags),
 * at exit, so that it holds the functions the run compiled too; each file is written to a
 * temporary name and renamed, because concurrent runs share the folder. A folder that cannot be
 * written (a read-only install) only means no cache.
 */
const fs = require('node:fs');
const Module = require('node:module');
const path = require('node:path');
const vm = require('node:vm');

/** The cache file of a bundle file. */
function cacheFileOf(filename) {
  return `${filename}.cache`;
}

function readIfThere(file) {
  try {
    return fs.readFileSync(file);
  } catch {
    return undefined;
  }
}

/**
 * Compiles the CommonJS files under `dir` with their code caches from now on. Returns what
 * happened to each file so far (for tests): `cached` when V8 took the cache.
 */
function installCodeCache(dir) {
  const prefix = dir.endsWith(path.sep) ? dir : dir + path.sep;
  const compile = Module.prototype._compile;
  const loaded = new Map();
  const toWrite = [];
  Module.prototype._compile = function compileWithCache(content, filename) {
    if (!filename.startsWith(prefix)) return compile.call(this, content, filename);
    const cachedData = readIfThere(cacheFileOf(filename));
    const script = new vm.Script(Module.wrap(content), {
      filename,
      cachedData,
      importModuleDynamically: vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER,
    });
    const cached = cachedData !== undefined && !script.cachedDataRejected;
    loaded.set(filename, cached ? 'cached' : 'compiled');
    if (!cached) toWrite.push({ script, file: cacheFileOf(filename) });
    const wrapper = script.runInThisContext({ displayErrors: true });
    return wrapper.call(this.exports, this.exports, Module.createRequire(filename), this, filename, path.dirname(filename));
  };
  process.once('exit', () => {
    for (const { script, file } of toWrite) {
      const temporary = `${file}.${process.pid}.tmp`;
      try {
        fs.writeFileSync(temporary, script.createCachedData());
        fs.renameSync(temporary, file);
      } catch {
        fs.rmSync(temporary, { force: true });
      }
    }
  });
  return loaded;
}

module.exports = { installCodeCache };
