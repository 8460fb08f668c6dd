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

const DAY_MS = 86_400_000;

/** The days of sorted `days` within the window, as a fresh array of exactly their number (as an engine decodes a list). */
function daysWithin(days, window) {
  const lo = firstAtOrAfter(days, window.first);
  return days.slice(lo, firstAtOrAfter(days, window.last + 1, lo));
}

/** The index of the first of sorted `days` at or after `day`, from `lo` on. */
function firstAtOrAfter(days, day, lo = 0) {
  let hi = days.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (days[mid] < day) lo = mid + 1;
    else hi = mid;
  }
  return lo;
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
   * `groupedWrites` (the default): offer `readWriteGroups`, as both engines do; false leaves
   * it out, so dagrun reads one record object per day through `readWrites`.
   * `groupRuns`: groups are per run too, as both engines grouped them before issue 9 (the
   * default, false, groups per target and definition, as they do now).
   * `dailyRuns`: serve every batch as if each of its days had been written by a run of its
   * own (a pipeline grown by one run a day), each a day later than the one before.
   */
  constructor({
    calendars = new Map(),
    tables = new Map(),
    writes = [],
    writeBatches = [],
    checks = new Map(),
    groupedWrites = true,
    groupRuns = false,
    dailyRuns = false,
  } = {}) {
    this.calendars = calendars;
    this.tables = tables;
    this.writes = writes;
    this.writeBatches = writeBatches;
    this.groupRuns = groupRuns;
    this.dailyRuns = dailyRuns;
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
      out.set(key, daysWithin(days, window));
    }
    return out;
  }

  async presentDates(tables, window) {
    this.#count('presentDates');
    const out = new Map();
    for (const { table } of tables) {
      const days = this.tables.get(table);
      out.set(table, days ? { exists: true, days: daysWithin(days, window) } : { exists: false, days: [] });
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
      const read = daysWithin(days, window);
      for (let i = 0; i < read.length; i++) {
        const day = read[i];
        // (one object shape for both histories: the fake must not be what is measured)
        out.push({ target, day, writtenAt: this.dailyRuns ? writtenAt + day * DAY_MS : writtenAt, fingerprint, runId: this.dailyRuns ? `${runId}.${day}` : runId });
      }
    }
    return out;
  }

  /**
   * The records grouped as both engines group them (DuckDB `GROUP BY target, fingerprint`
   * with `list()`, BigQuery `STRING_AGG` per target and definition): one group per (target,
   * fingerprint) whatever the runs, days and times as parallel lists decoded afresh on every
   * call, each list made at its final size (as an engine decodes a list column). With
   * `groupRuns`, one group per (target, fingerprint, run), carrying its `runId`: the grouping
   * before issue 9, kept to compare. The batches of one target are disjoint here, so no
   * (target, day) needs its latest picked.
   */
  async readWriteGroups(targets, window) {
    this.#count('readWriteGroups');
    const wanted = new Set(targets);
    const groups = new Map();
    const add = (target, fingerprint, runId, days, times) => {
      const key = this.groupRuns ? `${target}\0${fingerprint}\0${runId}` : `${target}\0${fingerprint}`;
      const group = groups.get(key) ?? { target, fingerprint, runId, pieces: [] };
      group.pieces.push({ days, times });
      groups.set(key, group);
    };
    for (const w of this.writes) {
      if (wanted.has(w.target) && w.day >= window.first && w.day <= window.last) add(w.target, w.fingerprint, w.runId, [w.day], [w.writtenAt]);
    }
    const daily = [];
    for (const { target, fingerprint, runId, days: all, writtenAt } of this.writeBatches) {
      if (!wanted.has(target)) continue;
      const days = daysWithin(all, window);
      if (days.length === 0) continue;
      if (!this.dailyRuns) add(target, fingerprint, runId, days, new Array(days.length).fill(writtenAt));
      else if (!this.groupRuns) add(target, fingerprint, runId, days, days.map((day) => writtenAt + day * DAY_MS));
      // a run per day, grouped per run: every day is a group of its own (its run id is unique)
      else for (const day of days) daily.push({ target, fingerprint, runId: `${runId}.${day}`, days: [day], writtenAt: [writtenAt + day * DAY_MS] });
    }
    const grouped = [...groups.values()].map(({ target, fingerprint, runId, pieces }) => {
      const days = pieces.length === 1 ? pieces[0].days : pieces.flatMap((p) => p.days);
      const writtenAt = pieces.length === 1 ? pieces[0].times : pieces.flatMap((p) => p.times);
      return this.groupRuns ? { target, fingerprint, runId, days, writtenAt } : { target, fingerprint, days, writtenAt };
    });
    return daily.length === 0 ? grouped : grouped.concat(daily);
  }

  async recordWrites() {
    this.#count('recordWrites');
  }

  async exclusive(work) {
    return work();
  }

  async close() {}
}
