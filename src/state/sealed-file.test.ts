import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { readSealed, writeSealed } from './sealed-file.js';

let dir: string | undefined;
afterEach(() => dir && rmSync(dir, { recursive: true, force: true }));

it('reads back what it sealed, and nothing from a file cut, edited, or holding what JSON cannot', () => {
  dir = mkdtempSync(path.join(tmpdir(), 'dagrun-sealed-'));
  const file = path.join(dir, 'cache.json');
  writeSealed(file, { a: [1, 2], b: 'x' }, dir);
  expect(readSealed(file)).toEqual({ a: [1, 2], b: 'x' });
  const text = readFileSync(file, 'utf8');
  writeFileSync(file, text.replace('"x"', '"y"'));
  expect(readSealed(file)).toBeUndefined();
  writeFileSync(file, text.slice(0, -3));
  expect(readSealed(file)).toBeUndefined();
  rmSync(file);
  writeSealed(file, { limit: Number.POSITIVE_INFINITY }, dir);
  expect(existsSync(file)).toBe(false);
  // deep in arrays and objects, and what a toJSON gives
  for (const unwritable of [{ writes: { t: { times: [1.5, Number.NaN] } } }, [[[-Infinity]]], { at: { toJSON: () => Number.NaN } }]) {
    writeSealed(file, unwritable, dir);
    expect(existsSync(file), JSON.stringify(unwritable)).toBe(false);
  }
  writeSealed(file, { times: [1.5, -0, Number.MAX_VALUE], at: new Date(0), none: null }, dir);
  expect(readSealed(file)).toEqual({ times: [1.5, 0, Number.MAX_VALUE], at: '1970-01-01T00:00:00.000Z', none: null });
  rmSync(file);
  expect(readSealed(path.join(dir, 'none.json'))).toBeUndefined();
});
