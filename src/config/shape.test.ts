/** The shape language: every problem with its key path, did-you-mean hints, and the JSON Schema it generates. */
import { describe, expect, it } from 'vitest';
import { checkShape, similar, suggestion, toJsonSchema, type Shape } from './shape.js';

const shape: Shape = {
  kind: 'object',
  fields: {
    name: { shape: { kind: 'string', minLength: 1 }, required: true },
    size: { shape: { kind: 'number', min: 1, integer: true } },
    tags: { shape: { kind: 'array', items: { kind: 'string', pattern: '^[a-z]+$', patternName: 'a lower-case word' }, minItems: 1 } },
    env: { shape: { kind: 'object', values: { kind: 'string' } } },
  },
};

describe('checkShape', () => {
  it('reports every problem, in the order the keys were written, missing keys last', () => {
    expect(checkShape({ tags: ['ok', 'Not OK'], sise: 2, size: 0, env: { A: 'x', B: 1 } }, shape)).toEqual([
      { path: 'tags[1]', message: 'expected a lower-case word, got "Not OK"' },
      { path: 'sise', message: 'unknown key "sise" (did you mean "size"?)' },
      { path: 'size', message: 'must be at least 1, got 0' },
      { path: 'env.B', message: 'expected a string, got number 1' },
      { path: 'name', message: 'is required' },
    ]);
  });

  it('accepts a valid value and says nothing', () => {
    expect(checkShape({ name: 'n', size: 3, tags: ['a'], env: {} }, shape)).toEqual([]);
  });

  it('names the whole value when it is not an object', () => {
    expect(checkShape(null, shape)).toEqual([{ path: '', message: 'expected an object, got null' }]);
  });
});

describe('did-you-mean', () => {
  it.each([
    ['timout', 'timeout', true],
    ['concurency', 'concurrency', true],
    ['tabel', 'table', true],
    ['minimum', 'min', true],
    ['x', 'a', false],
    ['colour', 'calendar', false],
  ])('%s → %s: %s', (word, guess, expected) => {
    expect(similar(word, guess)).toBe(expected);
  });

  it('suggests the closest candidate only when it is close', () => {
    expect(suggestion('phase_3', ['raw', 'phase3'])).toBe(' (did you mean "phase3"?)');
    expect(suggestion('zzz', ['raw', 'phase3'])).toBe('');
    expect(suggestion('x', [])).toBe('');
  });
});

it('toJsonSchema keeps bounds, patterns, required keys and closed objects', () => {
  expect(toJsonSchema(shape)).toEqual({
    type: 'object',
    properties: {
      name: { type: 'string', minLength: 1 },
      size: { type: 'integer', minimum: 1 },
      tags: { type: 'array', items: { type: 'string', pattern: '^[a-z]+$' }, minItems: 1 },
      env: { type: 'object', properties: {}, required: [], additionalProperties: { type: 'string' } },
    },
    required: ['name'],
    additionalProperties: false,
  });
});
