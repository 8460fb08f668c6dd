#!/usr/bin/env node
// Thin launcher: `npm install` (through `prepare`) compiles src/ into dist/ and bundles it into
// dist/bundle/, which starts faster (scripts/bundle.mjs). After a bare `tsc` the bundle is
// older than dist/ and would run stale code, so then the modules in dist/ run instead.
import { statSync } from 'node:fs';

const modified = (file) => statSync(new URL(file, import.meta.url), { throwIfNoEntry: false })?.mtimeMs ?? -1;
const entry = modified('../dist/bundle/main.js') >= modified('../dist/cli/main.js') ? '../dist/bundle/main.js' : '../dist/cli/main.js';
import(entry).then((m) => m.main(process.argv.slice(2)));
