#!/usr/bin/env node
// Thin launcher. `npm install` (through `prepare`) compiles src/ into dist/ and bundles that into
// dist/bundle/ (scripts/bundle.mjs), which starts faster, the more so with its code cache. After
// a bare `tsc` the bundle is older than dist/ and would run stale code: then dist/ runs instead.
import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const file = (relative) => fileURLToPath(new URL(relative, import.meta.url));
const modified = (relative) => statSync(file(relative), { throwIfNoEntry: false })?.mtimeMs ?? -1;
const argv = process.argv.slice(2);
if (modified('../dist/bundle/main.js') >= modified('../dist/cli/main.js')) {
  const require = createRequire(import.meta.url);
  require('./code-cache.cjs').installCodeCache(file('../dist/bundle'));
  require('../dist/bundle/main.js').main(argv);
} else {
  import('../dist/cli/main.js').then((m) => m.main(argv));
}
