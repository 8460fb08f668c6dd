/**
 * A tiny declarative shape language: the one source for both validation (`checkShape`)
 * and the JSON Schema editors use (`toJsonSchema`), so the two cannot drift apart.
 */
import { closest, distance } from 'fastest-levenshtein';

/** A declared shape of a JSON value. */
export type Shape =
  | {
      readonly kind: 'string';
      readonly description?: string;
      readonly enum?: readonly string[];
      readonly pattern?: string;
      /** What `pattern` means, for messages: `a duration like "90s", "15m" or "2h"`. */
      readonly patternName?: string;
      readonly minLength?: number;
    }
  | { readonly kind: 'number'; readonly description?: string; readonly min?: number; readonly max?: number; readonly integer?: boolean }
  | { readonly kind: 'boolean'; readonly description?: string }
  | { readonly kind: 'array'; readonly description?: string; readonly items: Shape; readonly minItems?: number }
  | {
      readonly kind: 'object';
      readonly description?: string;
      readonly fields?: Readonly<Record<string, Field>>;
      /** Shape of keys not in `fields` (a map); when absent, unknown keys are errors. */
      readonly values?: Shape;
    }
  | { readonly kind: 'either'; readonly description?: string; readonly options: readonly Shape[] };

/** A field of an object shape. */
export interface Field {
  readonly shape: Shape;
  readonly required?: boolean;
}

/** A shape problem at a key path. */
export interface ShapeProblem {
  readonly path: string;
  readonly message: string;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  // JSON.stringify would say "null" for these (JSON5 allows NaN and Infinity).
  if (typeof value === 'number' && Number.isNaN(value)) return 'NaN (not a number)';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return `${typeof value} ${JSON.stringify(value)}`;
}

function describe(shape: Shape): string {
  switch (shape.kind) {
    case 'string':
      if (shape.enum) return `one of ${shape.enum.map((e) => JSON.stringify(e)).join(', ')}`;
      return shape.patternName ?? 'a string';
    case 'number':
      return shape.integer ? 'a whole number' : 'a number';
    case 'boolean':
      return 'true or false';
    case 'array':
      return 'an array';
    case 'object':
      return 'an object';
    case 'either':
      return shape.options.map(describe).join(' or ');
  }
}

function outside(value: number, min: number | undefined, max: number | undefined): boolean {
  return (min !== undefined && value < min) || (max !== undefined && value > max);
}

function bounds(min: number | undefined, max: number | undefined): string {
  if (min !== undefined && max !== undefined) return `must be between ${min} and ${max}`;
  return min !== undefined ? `must be at least ${min}` : `must be at most ${max}`;
}

function join(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path === '' ? key : `${path}.${key}`;
}

/** Checks `value` against `shape`, collecting every problem (not just the first). */
export function checkShape(value: unknown, shape: Shape, path = '', problems: ShapeProblem[] = []): ShapeProblem[] {
  const fail = (message: string) => problems.push({ path, message });
  switch (shape.kind) {
    case 'string':
      if (typeof value !== 'string') fail(`expected ${describe(shape)}, got ${typeName(value)}`);
      else if (shape.enum && !shape.enum.includes(value)) fail(`expected ${describe(shape)}, got ${JSON.stringify(value)}`);
      else if (shape.minLength !== undefined && value.length < shape.minLength) fail('must not be empty');
      else if (shape.pattern && !new RegExp(shape.pattern).test(value)) fail(`expected ${shape.patternName ?? `a string matching ${shape.pattern}`}, got ${JSON.stringify(value)}`);
      break;
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) fail(`expected ${describe(shape)}, got ${typeName(value)}`);
      else if (shape.integer && !Number.isInteger(value)) fail(`expected a whole number, got ${value}`);
      else if (outside(value, shape.min, shape.max)) fail(`${bounds(shape.min, shape.max)}, got ${value}`);
      break;
    case 'boolean':
      if (typeof value !== 'boolean') fail(`expected true or false, got ${typeName(value)}`);
      break;
    case 'array':
      if (!Array.isArray(value)) fail(`expected an array, got ${typeName(value)}`);
      else {
        if (shape.minItems !== undefined && value.length < shape.minItems) {
          fail(shape.minItems === 1 ? 'must not be empty' : `must have at least ${shape.minItems} elements`);
        }
        value.forEach((item, i) => checkShape(item, shape.items, join(path, i), problems));
      }
      break;
    case 'object':
      checkObject(value, shape, path, problems);
      break;
    case 'either': {
      const matching = shape.options.find((option) => checkShape(value, option, path).length === 0);
      if (matching) break;
      // One option of the value's kind explains the problem best; several, only together.
      const sameType = shape.options.filter((o) => sameKind(value, o));
      if (sameType.length === 1) checkShape(value, sameType[0]!, path, problems);
      else fail(`expected ${describe(shape)}, got ${typeof value === 'string' ? JSON.stringify(value) : typeName(value)}`);
      break;
    }
  }
  return problems;
}

function sameKind(value: unknown, shape: Shape): boolean {
  switch (shape.kind) {
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number';
    case 'boolean':
      return typeof value === 'boolean';
    case 'array':
      return Array.isArray(value);
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    case 'either':
      return shape.options.some((o) => sameKind(value, o));
  }
}

function checkObject(value: unknown, shape: Extract<Shape, { kind: 'object' }>, path: string, problems: ShapeProblem[]): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    problems.push({ path, message: `expected an object, got ${typeName(value)}` });
    return;
  }
  const fields = shape.fields ?? {};
  const record = value as Record<string, unknown>;
  // Keys in the order the user wrote them, so messages follow the file; missing ones last.
  for (const [key, item] of Object.entries(record)) {
    const field = Object.hasOwn(fields, key) ? fields[key] : undefined;
    if (field) {
      if (item !== undefined) checkShape(item, field.shape, join(path, key), problems);
    } else if (shape.values) {
      checkShape(item, shape.values, join(path, key), problems);
    } else {
      problems.push({ path: join(path, key), message: `unknown key "${key}"${suggestion(key, Object.keys(fields))}` });
    }
  }
  for (const [key, field] of Object.entries(fields)) {
    if (field.required && record[key] === undefined) problems.push({ path: join(path, key), message: 'is required' });
  }
}

/** ` (did you mean "x"?)` when one of `candidates` is close to `word`, else empty. */
export function suggestion(word: string, candidates: readonly string[]): string {
  if (candidates.length === 0) return '';
  const guess = closest(word, [...candidates]);
  return similar(word, guess) ? ` (did you mean "${guess}"?)` : '';
}

/** True when `guess` is close enough to `word` to suggest it. */
export function similar(word: string, guess: string): boolean {
  const [a, b] = [word.toLowerCase(), guess.toLowerCase()];
  const edits = distance(a, b);
  // Up to a third of the word may be wrong (at least two letters), but never all of it: "x" is not a typo of "a".
  if (edits <= Math.max(2, Math.floor(b.length / 3)) && edits < Math.min(a.length, b.length)) return true;
  // A spelled-out or cut-short key: "minimum" for "min", "conc" for "concurrency".
  return Math.min(a.length, b.length) >= 3 && (a.startsWith(b) || b.startsWith(a));
}

/** The JSON Schema (draft-07) of a shape, for editors. */
export function toJsonSchema(shape: Shape): Record<string, unknown> {
  const base: Record<string, unknown> = shape.description ? { description: shape.description } : {};
  switch (shape.kind) {
    case 'string':
      return { ...base, type: 'string', ...(shape.enum && { enum: shape.enum }), ...(shape.pattern && { pattern: shape.pattern }), ...(shape.minLength !== undefined && { minLength: shape.minLength }) };
    case 'number':
      return { ...base, type: shape.integer ? 'integer' : 'number', ...(shape.min !== undefined && { minimum: shape.min }), ...(shape.max !== undefined && { maximum: shape.max }) };
    case 'boolean':
      return { ...base, type: 'boolean' };
    case 'array':
      return { ...base, type: 'array', items: toJsonSchema(shape.items), ...(shape.minItems !== undefined && { minItems: shape.minItems }) };
    case 'object': {
      const fields = Object.entries(shape.fields ?? {});
      return {
        ...base,
        type: 'object',
        properties: Object.fromEntries(fields.map(([k, f]) => [k, toJsonSchema(f.shape)])),
        required: fields.filter(([, f]) => f.required).map(([k]) => k),
        additionalProperties: shape.values ? toJsonSchema(shape.values) : false,
      };
    }
    case 'either':
      return { ...base, anyOf: shape.options.map(toJsonSchema) };
  }
}

/**
 * Keeps only the fields `shape` declares, at every level, and drops `null`s: JSON writes a
 * number that is not finite as `null`, which means "not known" like a missing field, and keys
 * a newer dagrun added are not this one's to interpret.
 */
export function declaredOnly(value: unknown, shape: Shape): unknown {
  if (shape.kind === 'array' && Array.isArray(value)) return value.map((item) => declaredOnly(item, shape.items));
  if (shape.kind !== 'object' || typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const fields = shape.fields ?? {};
  const kept = Object.entries(value).filter(([key, item]) => Object.hasOwn(fields, key) && item !== null);
  return Object.fromEntries(kept.map(([key, item]) => [key, declaredOnly(item, fields[key]!.shape)]));
}
