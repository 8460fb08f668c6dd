/**
 * An in-memory `Warehouse` (src/warehouse/warehouse.ts) for the benchmarks: answers come
 * from prepared maps, so a status or plan run measures only dagrun's own pure work. It
 * counts every call per method: the warehouse round trips a run would make.
 */

/** Every day from `first` to `last` (epoch days), inclusive. */
function everyDay(window) {
  const out = [];
  for (let d = window.first; d <= window.last; d++) out.push(d);
  return out;
}

/** Implements the warehouse seam over plain maps. */
export class MemoryWarehouse {
  engine = 'duckdb';
  commandsNeedExclusiveAccess = false;
  /** Calls per method. */
  calls = new Map();

  /**
   * `calendars`: calendar key → sorted days; `tables`: table → sorted present days;
   * `writes`: WriteRecord[]; `writeBatches`: writes as the engines store them, one per
   * written range (`{ target, days, writtenAt, fingerprint, runId }`); `checks`: key → number.
   * `groupedWrites`: also offer the optional `readWriteGroups`, as an engine that reads its
   * write records grouped would; without it, dagrun reads one record object per day.
   */
  constructor({ calendars = new Map(), tables = new Map(), writes = [], writeBatches = [], checks = new Map(), groupedWrites = false } = {}) {
    this.calendars = calendars;
    this.tables = tables;
    this.writes = writes;
    this.writeBatches = writeBatches;
    this.checkAnswers = checks;
    if (!groupedWrites) this.readWriteGroups = undefined;
  }

  #count(method) {
    this.calls.set(method, (this.calls.get(method) ?? 0) + 1);
  }

  /** The number of calls to every method together. */
  get totalCalls() {
    return [...this.calls.values()].reduce((a, b) => a + b, 0);
  }

  async expectedDates(calendars, window) {
    this.#count('expectedDates');
    const out = new Map();
    for (const spec of calendars) {
      const key = spec.kind === 'every-day' ? 'every-day' : spec.kind === 'table' ? `table:${spec.table}:${spec.dateColumn}` : `sql:${spec.sql}`;
      const days = spec.kind === 'every-day' ? everyDay(window) : (this.calendars.get(key) ?? []);
      out.set(key, days.filter((d) => d >= window.first && d <= window.last));
    }
    return out;
  }

  async presentDates(tables, window) {
    this.#count('presentDates');
    const out = new Map();
    for (const { table } of tables) {
      const days = this.tables.get(table);
      out.set(table, days ? { exists: true, days: days.filter((d) => d >= window.first && d <= window.last) } : { exists: false, days: [] });
    }
    return out;
  }

  async checkValues(checks) {
    this.#count('checkValues');
    return new Map(checks.map((c) => [c.key, { ok: true, value: this.checkAnswers.get(c.key) ?? 1 }]));
  }

  async runSql() {
    this.#count('runSql');
  }

  /**
   * Batches are decoded into one fresh record per day on every call, as an engine adapter
   * decodes its result rows: the records are the caller's to keep or drop, so the caller's
   * memory and time include them and the fake's storage does not.
   */
  async readWrites(targets, window) {
    this.#count('readWrites');
    const wanted = new Set(targets);
    const out = this.writes.filter((w) => wanted.has(w.target) && w.day >= window.first && w.day <= window.last);
    for (const { target, days, writtenAt, fingerprint, runId } of this.writeBatches) {
      if (!wanted.has(target)) continue;
      for (const day of days) if (day >= window.first && day <= window.last) out.push({ target, day, writtenAt, fingerprint, runId });
    }
    return out;
  }

  /**
   * The records grouped per target, definition and run, days and times as parallel lists
   * decoded afresh on every call (as an engine returns list columns).
   */
  async readWriteGroups(targets, window) {
    this.#count('readWriteGroups');
    const wanted = new Set(targets);
    const inWindow = (day) => day >= window.first && day <= window.last;
    const groups = this.writes
      .filter((w) => wanted.has(w.target) && inWindow(w.day))
      .map((w) => ({ target: w.target, fingerprint: w.fingerprint, runId: w.runId, days: [w.day], writtenAt: [w.writtenAt] }));
    for (const { target, days, writtenAt, fingerprint, runId } of this.writeBatches) {
      if (!wanted.has(target)) continue;
      const read = days.filter(inWindow);
      groups.push({ target, fingerprint, runId, days: read, writtenAt: read.map(() => writtenAt) });
    }
    return groups;
  }

  async recordWrites() {
    this.#count('recordWrites');
  }

  async exclusive(work) {
    return work();
  }

  async close() {}
}
