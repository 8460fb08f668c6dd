/** Pools: counted limits, 0 meaning unlimited. */
import { describe, expect, it } from 'vitest';
import { InternalError } from '../core/errors.js';
import { Pool } from './pools.js';

describe('Pool', () => {
  it('has room until depth units are scheduled, and again after one finishes', () => {
    const pool = new Pool('bq', 2);
    expect(pool.hasRoom()).toBe(true);
    pool.scheduled();
    pool.scheduled();
    expect(pool.inUse).toBe(2);
    expect(pool.hasRoom()).toBe(false);
    pool.finished();
    expect(pool.hasRoom()).toBe(true);
  });

  it('a depth of 0 is unlimited', () => {
    const pool = new Pool('free', 0);
    for (let i = 0; i < 100; i++) pool.scheduled();
    expect(pool.hasRoom()).toBe(true);
  });

  it('refuses to finish more than it scheduled', () => {
    const pool = new Pool('bq', 1);
    expect(() => pool.finished()).toThrow(InternalError);
  });
});
