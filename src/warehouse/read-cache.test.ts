import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CalendarSpec } from '../config/types.js';
import type { Day } from '../intervals/day.js';
import { CachedReads, KeptReadsOutdated, noEntries, readConsistently, type ReadCacheEntries } from './read-cache.js';
import type { CheckOutcome, CheckProbe, DayWindow, PresentRanges, TableProbe, Warehouse, WriteRange } from './warehouse.js';

const window: DayWindow = { first: 100 as Day, last: 120 as Day };
const calendar: CalendarSpec = { kind: 'sql', sql: 'SELECT d FROM cal' };

/** A real warehouse as far as reads go: fixed answers, and a count of what it was asked. */
class AnsweringWarehouse {
  readonly asked: string[] = [];
  fixedTables = new Set(['s.a', 's.b']);
  fixedQueries = (sql: string) => !sql.includes('now()');
  /** The local files every fixed query reads. */
  fixedFiles: string[] = [];
  checkValue: number = 7;
  /** What opening says of the kept answers: false when the file changed since they were looked up. */
  keptStillHold = true;
  closed = false;

  presentRanges(tables: readonly TableProbe[]): Promise<Map<string, PresentRanges>> {
    this.asked.push(`present ${tables.map((t) => t.table).join(',')}`);
    return Promise.resolve(new Map(tables.map((t) => [t.table, t.table === 's.gone' ? { exists: false, ranges: [] } : { exists: true, ranges: [{ first: 101 as Day, last: 110 as Day }] }])));
  }
  readWriteRanges(targets: readonly string[]): Promise<WriteRange[]> {
    this.asked.push(`writes ${targets.join(',')}`);
    return Promise.resolve(targets.filter((t) => t !== 'new').map((target) => ({ target, first: 101 as Day, last: 110 as Day, writtenAt: 1.5, fingerprint: 'f1', runId: 'r1' })));
  }
  checkValues(checks: readonly CheckProbe[]): Promise<Map<string, CheckOutcome>> {
    this.asked.push(`checks ${checks.map((c) => c.key).join(',')}`);
    return Promise.resolve(new Map(checks.map((c) => [c.key, { ok: true, value: this.checkValue }])));
  }
  expectedDates(calendars: readonly CalendarSpec[]): Promise<Map<string, Day[]>> {
    this.asked.push(`calendars ${calendars.length}`);
    return Promise.resolve(new Map(calendars.map((c) => [c.kind === 'sql' ? `sql:${c.sql}` : 'x', [101 as Day, 102 as Day]])));
  }
  fixedReads(tables: readonly string[], queries: readonly string[]) {
    this.asked.push('fixed');
    return Promise.resolve({ tables: new Set(tables.filter((t) => this.fixedTables.has(t))), queries: queries.map((q) => (this.fixedQueries(q) ? { files: this.fixedFiles } : false as const)) });
  }
  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}

function reads(kept: ReadCacheEntries, real = new AnsweringWarehouse()) {
  let opened = 0;
  const cached = new CachedReads('duckdb', kept, () => {
    opened++;
    return Promise.resolve({ warehouse: real as unknown as Warehouse, keptStillHold: real.keptStillHold });
  });
  return { cached, real, opened: () => opened };
}

const probes: TableProbe[] = [
  { table: 's.a', dateColumn: 'd' },
  { table: 's.view', dateColumn: 'd' },
];


/** Kept reads of one table's dates, then a run over them whose file has changed since. */
async function keptThenChanged(): Promise<ReturnType<typeof reads>> {
  const first = reads(noEntries());
  await first.cached.presentRanges(probes.slice(0, 1), window);
  const kept = (await first.cached.entriesToKeep())!;
  const real = new AnsweringWarehouse();
  real.keptStillHold = false;
  return reads(kept, real);
}

describe('CachedReads', () => {
  it('asks the real warehouse for what is not kept, opening it once, and keeps only what the file alone answers', async () => {
    const { cached, real, opened } = reads(noEntries());
    await cached.presentRanges(probes, window);
    await cached.readWriteRanges(['a', 'new'], window);
    await cached.checkValues([{ key: 'a/rows', sql: 'SELECT 1' }, { key: 'a/today', sql: 'SELECT now()' }], window);
    await cached.expectedDates([calendar, { kind: 'every-day' }], window);
    expect(opened()).toBe(1);
    expect(cached.served).toBe(0);
    const kept = (await cached.entriesToKeep())!;
    // the view and the clock are asked again next time; a target with no records is kept as such
    expect(Object.keys(kept.present).map((k) => k.split('\u0000')[0])).toEqual(['s.a']);
    expect(Object.values(kept.writes)).toEqual([
      { fingerprints: ['f1'], runs: ['r1'], ranges: [101, 9, 0, 0], times: [1.5] },
      { fingerprints: [], runs: [], ranges: [], times: [] },
    ]);
    expect(Object.values(kept.checks)).toEqual([{ outcome: { ok: true, value: 7 }, files: [] }]);
    expect(Object.values(kept.calendars)).toEqual([{ days: [101, 102], files: [] }]);
    expect(real.asked).toContain('fixed');
    await cached.close();
    expect(real.closed).toBe(true);
  });

  it('answers from kept reads alone without opening the warehouse, the same as the warehouse answered', async () => {
    const first = reads(noEntries());
    const direct = {
      present: await first.cached.presentRanges(probes.slice(0, 1), window),
      writes: await first.cached.readWriteRanges(['a', 'new'], window),
      checks: await first.cached.checkValues([{ key: 'a/rows', sql: 'SELECT 1' }], window),
      calendars: await first.cached.expectedDates([calendar, { kind: 'every-day' }], window),
    };
    const kept = JSON.parse(JSON.stringify(await first.cached.entriesToKeep())) as ReadCacheEntries;

    const second = reads(kept);
    expect(await second.cached.presentRanges(probes.slice(0, 1), window)).toEqual(direct.present);
    expect(await second.cached.readWriteRanges(['a', 'new'], window)).toEqual(direct.writes);
    // the caller's key, not the kept one
    expect(await second.cached.checkValues([{ key: 'b/rows', sql: 'SELECT 1' }], window)).toEqual(new Map([['b/rows', { ok: true, value: 7 }]]));
    expect(await second.cached.expectedDates([calendar, { kind: 'every-day' }], window)).toEqual(direct.calendars);
    expect(second.opened()).toBe(0);
    expect(second.cached.served).toBe(5);
    expect(await second.cached.entriesToKeep()).toBeUndefined();
  });

  it('asks again for another window, another date column or a per-date check of the same text', async () => {
    const first = reads(noEntries());
    await first.cached.presentRanges(probes.slice(0, 1), window);
    await first.cached.checkValues([{ key: 'a/rows', sql: 'SELECT 1' }], window);
    const kept = (await first.cached.entriesToKeep())!;
    const second = reads(kept);
    await second.cached.presentRanges([{ table: 's.a', dateColumn: 'd' }], { first: 100 as Day, last: 121 as Day });
    await second.cached.presentRanges([{ table: 's.a', dateColumn: 'other' }], window);
    await second.cached.checkValues([{ key: 'a/rows', sql: 'SELECT 1', perDate: true }], window);
    expect(second.real.asked.filter((a) => a !== 'fixed')).toEqual(['present s.a', 'present s.a', 'checks a/rows']);
    expect(second.cached.served).toBe(0);
  });

  it('treats a kept entry that is not what dagrun wrote as not kept', async () => {
    const first = reads(noEntries());
    await first.cached.presentRanges(probes.slice(0, 1), window);
    await first.cached.readWriteRanges(['a'], window);
    const kept = (await first.cached.entriesToKeep())!;
    const good = { fingerprints: ['f1'], runs: ['r1'], ranges: [101, 9, 0, 0], times: [1.5] };
    // the layout before write ranges were kept column by column, a run index past the list, a negative span, a time that is text
    const badWrites = [[[101, 110, 1.5, 'f1', 'r1']], { ...good, ranges: [101, 9, 0, 1] }, { ...good, ranges: [101, -1, 0, 0] }, { ...good, times: ['late'] }];
    for (const bad of badWrites) {
      const damaged: ReadCacheEntries = {
        ...kept,
        present: Object.fromEntries(Object.keys(kept.present).map((k) => [k, [1, 101]])),
        writes: Object.fromEntries(Object.keys(kept.writes).map((k) => [k, bad])) as unknown as ReadCacheEntries['writes'],
      };
      const second = reads(damaged);
      await second.cached.presentRanges(probes.slice(0, 1), window);
      await second.cached.readWriteRanges(['a'], window);
      expect(second.cached.served, JSON.stringify(bad)).toBe(0);
      expect(second.opened()).toBe(1);
    }
    // and the undamaged entry is served
    const third = reads({ ...kept, writes: Object.fromEntries(Object.keys(kept.writes).map((k) => [k, good])) });
    expect(await third.cached.readWriteRanges(['a'], window)).toEqual([{ target: 'a', first: 101, last: 110, writtenAt: 1.5, fingerprint: 'f1', runId: 'r1' }]);
    expect(third.opened()).toBe(0);
  });

  it('keeps a query that reads a local file with its stamp, and asks again once the file changed', async () => {
    const folder = mkdtempSync(path.join(tmpdir(), 'dagrun-kept-'));
    const holidays = path.join(folder, 'holidays.csv');
    try {
      const real = new AnsweringWarehouse();
      real.fixedFiles = [holidays];
      const first = reads(noEntries(), real);
      await first.cached.expectedDates([calendar], window);
      const kept = (await first.cached.entriesToKeep())!;
      expect(Object.values(kept.calendars)).toEqual([{ days: [101, 102], files: [[holidays, '-']], cwd: process.cwd() }]);
      const unchanged = reads(kept);
      await unchanged.cached.expectedDates([calendar], window);
      expect(unchanged.opened()).toBe(0);
      writeFileSync(holidays, 'd\n2024-01-01\n');
      const changed = reads(kept, real);
      await changed.cached.expectedDates([calendar], window);
      expect(changed.opened()).toBe(1);
      // written a moment ago, it is not kept: a second change in the same tick could hide
      expect((await changed.cached.entriesToKeep())!.calendars).toEqual({});
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('does not keep a check value JSON cannot hold, nor a check that failed (it may pass with other limits)', async () => {
    const { cached, real } = reads(noEntries());
    real.checkValue = Number.POSITIVE_INFINITY;
    await cached.checkValues([{ key: 'a/rows', sql: 'SELECT 1' }], window);
    real.checkValues = (checks) => Promise.resolve(new Map(checks.map((c) => [c.key, { ok: false, error: 'Out of Memory Error' }])));
    await cached.checkValues([{ key: 'a/big', sql: 'SELECT 2' }], window);
    expect((await cached.entriesToKeep())!.checks).toEqual({});
  });

  it('serves nothing kept once the opened file is not the one they were kept for, and keeps none of them', async () => {
    const first = reads(noEntries());
    await first.cached.presentRanges(probes.slice(0, 1), window);
    await first.cached.readWriteRanges(['a'], window);
    const kept = (await first.cached.entriesToKeep())!;
    const real = new AnsweringWarehouse();
    real.keptStillHold = false;
    // a miss opens the file first: nothing served yet, so the kept answers are dropped, quietly
    const changed = reads(kept, real);
    await changed.cached.readWriteRanges(['b'], window);
    await changed.cached.presentRanges(probes.slice(0, 1), window);
    expect(changed.cached.served).toBe(0);
    expect(real.asked).toEqual(['writes b', 'present s.a']);
    expect(Object.keys((await changed.cached.entriesToKeep())!.writes).map((k) => k.split('\u0000')[0])).toEqual(['b']);
  });

  it('fails the read that opens a changed file after kept answers were served: the reads start again', async () => {
    const changed = await keptThenChanged();
    await changed.cached.presentRanges(probes.slice(0, 1), window);
    expect(changed.cached.served).toBe(1);
    await expect(changed.cached.readWriteRanges(['a'], window)).rejects.toBeInstanceOf(KeptReadsOutdated);
    await expect(changed.cached.presentRanges(probes.slice(0, 1), window)).rejects.toBeInstanceOf(KeptReadsOutdated);
    expect(await changed.cached.entriesToKeep()).toBeUndefined();
  });

  it('reads again, all from the file, when kept answers turned out outdated, even if the read caught the failure itself', async () => {
    const changed = await keptThenChanged();
    let attempts = 0;
    const answer = await readConsistently(changed.cached, async () => {
      attempts++;
      const present = await changed.cached.presentRanges(probes.slice(0, 1), window);
      // a catch-all inside the read (a note, a blamed target) must not keep the mixed answer
      const writes = await changed.cached.readWriteRanges(['a'], window).catch(() => 'swallowed' as const);
      return { served: changed.cached.served, present, writes };
    });
    expect(attempts).toBe(2);
    expect(answer.served).toBe(0);
    expect(answer.writes).not.toBe('swallowed');
    // the first attempt's miss found the file changed and asked nothing; the second asked it all
    expect(changed.real.asked.filter((a) => a !== 'fixed')).toEqual(['present s.a', 'writes a']);
  });

  it('refuses writes: it only reads', () => {
    const { cached } = reads(noEntries());
    expect(() => cached.runSql()).toThrow(/read-only/);
    expect(() => cached.exclusive()).toThrow(/read-only/);
  });

  it('closes nothing when the warehouse failed to open, and has nothing to keep', async () => {
    const cached = new CachedReads('duckdb', noEntries(), () => Promise.reject(new Error('locked')));
    await expect(cached.presentRanges(probes, window)).rejects.toThrow('locked');
    expect(await cached.entriesToKeep()).toBeUndefined();
    await cached.close();
  });
});
