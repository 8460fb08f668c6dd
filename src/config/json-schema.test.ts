/**
 * The committed JSON Schema files are what the validator's shapes generate, they accept
 * exactly what `checkShape` accepts, and the demo pipeline at the repository root loads.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import JSON5 from 'json5';
import { globSync } from 'tinyglobby';
import { describe, expect, it } from 'vitest';
import { jsonSchemaFiles, SCHEMA_DIR } from './json-schema.js';
import { loadConfig } from './load.js';
import { dagShape, targetShape } from './schema.js';
import { checkShape, type Shape } from './shape.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

type Schema = Record<string, unknown>;

/** A small JSON Schema (draft-07) checker for the keywords `toJsonSchema` emits; an independent reading of the schema. */
function accepts(schema: Schema, value: unknown): boolean {
  if (Array.isArray(schema.anyOf)) return (schema.anyOf as Schema[]).some((s) => accepts(s, value));
  switch (schema.type) {
    case 'string':
      if (typeof value !== 'string') return false;
      if (Array.isArray(schema.enum) && !schema.enum.includes(value)) return false;
      if (typeof schema.minLength === 'number' && value.length < schema.minLength) return false;
      return typeof schema.pattern !== 'string' || new RegExp(schema.pattern, 'u').test(value);
    case 'number':
    case 'integer':
      if (typeof value !== 'number' || (schema.type === 'integer' && !Number.isInteger(value))) return false;
      return !(typeof schema.minimum === 'number' && value < schema.minimum) && !(typeof schema.maximum === 'number' && value > schema.maximum);
    case 'boolean':
      return typeof value === 'boolean';
    case 'array':
      if (!Array.isArray(value) || (typeof schema.minItems === 'number' && value.length < schema.minItems)) return false;
      return value.every((item) => accepts(schema.items as Schema, item));
    case 'object': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
      const properties = (schema.properties ?? {}) as Record<string, Schema>;
      const record = value as Record<string, unknown>;
      if (!((schema.required ?? []) as string[]).every((k) => k in record)) return false;
      return Object.entries(record).every(([k, v]) =>
        k in properties ? accepts(properties[k]!, v) : schema.additionalProperties !== false && accepts(schema.additionalProperties as Schema, v),
      );
    }
    default:
      throw new Error(`the test checker does not know ${JSON.stringify(schema)}`);
  }
}

const demoDag = () => JSON5.parse(readFileSync(path.join(ROOT, 'dag.json5'), 'utf8')) as Record<string, unknown>;
const demoTargets = () =>
  globSync(['targets/**/*.json5'], { cwd: ROOT, absolute: true })
    .sort()
    .map((f) => JSON5.parse(readFileSync(f, 'utf8')) as Record<string, unknown>);

it('the committed schema files are what the shapes generate (run node scripts/gen-schema.mjs after changing schema.ts)', () => {
  for (const [name, text] of Object.entries(jsonSchemaFiles())) {
    expect(readFileSync(path.join(ROOT, SCHEMA_DIR, name), 'utf8'), name).toBe(text);
  }
});

describe('the demo pipeline', () => {
  it('loads without a problem', () => {
    const config = loadConfig(path.join(ROOT, 'dag.json5'), { cwd: ROOT });
    expect(config.targets.size).toBe(15);
    expect(config.targets.get('ml_feature_store_v2')?.group).toBe('precompute_3');
  });

  it('passes its own JSON Schema, file by file', () => {
    const schemas = Object.fromEntries(Object.entries(jsonSchemaFiles()).map(([name, text]) => [name, JSON.parse(text) as Schema]));
    expect(accepts(schemas['dag.schema.json']!, demoDag())).toBe(true);
    for (const target of demoTargets()) expect(accepts(schemas['target.schema.json']!, target), JSON.stringify(target)).toBe(true);
  });
});

/** Variants of a valid value, each changed at one key, so the schema and the validator are compared on both sides of each rule. */
function mutations(value: Record<string, unknown>): Record<string, unknown>[] {
  const set = (pathKeys: string[], next: unknown) => {
    const copy = structuredClone(value);
    let node = copy as Record<string, unknown>;
    for (const key of pathKeys.slice(0, -1)) node = (node[key] ??= {}) as Record<string, unknown>;
    node[pathKeys.at(-1)!] = next;
    return copy;
  };
  return [
    set(['threshold'], 1.01),
    set(['threshold'], 0),
    set(['concurrency'], 0),
    set(['concurrency'], 2.5),
    set(['tabel'], 'x'),
    set(['build', 'timeout'], '2 hours'),
    set(['build', 'timeout'], '90s'),
    set(['build', 'command'], []),
    set(['build', 'ranges'], 'weekly'),
    set(['deps'], [{ target: 'a', lookback: -1 }]),
    set(['deps'], ['a', { target: 'b', lookback: 3 }]),
    set(['window', 'end'], 'today'),
    set(['window', 'end'], 'tomorrow'),
    set(['window', 'start'], '2024-1-1'),
    set(['groups', 'g'], { concurrency: 0 }),
    set(['groups', 'g'], { concurrency: 2, limit: 1 }),
    set(['calendar'], { every: 'week' }),
    set(['warehouse', 'maximumBytesBilled'], '10GB'),
    set(['warehouse', 'maximumBytesBilled'], 'lots'),
    set(['checks'], [{ name: 'bad name', sql: 'SELECT 1', min: 0 }]),
  ];
}

it.each([
  ['dag.json5', dagShape, 'dag.schema.json', demoDag],
  ['a target file', targetShape, 'target.schema.json', () => demoTargets()[0]!],
] as const)('%s: the schema accepts exactly what the validator accepts', (_, shape: Shape, file, base) => {
  const schema = JSON.parse(jsonSchemaFiles()[file]!) as Schema;
  const verdicts = mutations(base()).map((v) => [accepts(schema, v), checkShape(v, shape).length === 0]);
  for (const [bySchema, byValidator] of verdicts) expect(bySchema).toBe(byValidator);
  // Both sides of the comparison happen: some variants pass and some fail.
  expect(new Set(verdicts.map(([ok]) => ok))).toEqual(new Set([true, false]));
});
