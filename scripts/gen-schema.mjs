#!/usr/bin/env node
// Writes schema/dag.schema.json and schema/target.schema.json from the validator's shapes
// (src/config/schema.ts), so editors check the same keys dagrun does. Run after
// `npx tsc -p tsconfig.json`; `--check` only reports whether the committed files are current.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { jsonSchemaFiles, SCHEMA_DIR } = await import(path.join(root, 'dist/config/json-schema.js'));
const check = process.argv.includes('--check');
let stale = 0;
for (const [name, text] of Object.entries(jsonSchemaFiles())) {
  const file = path.join(root, SCHEMA_DIR, name);
  let current = '';
  try {
    current = readFileSync(file, 'utf8');
  } catch {
    // not written yet
  }
  if (current === text) continue;
  stale++;
  if (check) console.error(`${path.relative(root, file)} is out of date: run node scripts/gen-schema.mjs`);
  else {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
    console.log(`wrote ${path.relative(root, file)}`);
  }
}
process.exitCode = check && stale > 0 ? 1 : 0;
