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

/**
 * Runs of consecutive days of sorted `days`, as `{first, last}` ranges (what engines return,
 * from gaps-and-islands in SQL).
 */
function rangesOf(days) {
  const out = [];
  for (const day of days) {
    const last = out[out.length - 1];
    if (last && last.last === day - 1) last.last = day;
    else out.push({ first: day, last: day });
  }
  return out;
}

/** The parts of `ranges` within the window, as fresh objects (as an engine decodes its rows). */
function clip(ranges, window) {
  const out = [];
  for (const { first, last } of ranges) {
    const [a, b] = [Math.max(first, window.first), Math.min(last, window.last)];
    if (a <= b) out.push({ first: a, last: b });
  }
  return out;
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
  /** Ranges of each table's and batch's days, made once (an engine stores or computes them, not the caller). */
  #ranges = new Map();

  /**
   * `calendars`: calendar key → sorted days; `tables`: table → sorted present days;
   * `writes`: WriteRecord[]; `writeBatches`: writes as the engines store them, one per
   * written range (`{ target, days, writtenAt, fingerprint, runId }`); `checks`: key → number.
   * `dailyRuns`: serve every batch as if each of its days had been written by a run of its
   * own (a pipeline grown by one run a day), each a day later than the one before: a range
   * per day, as the engines return them then.
   */
  constructor({ calendars = new Map(), tables = new Map(), writes = [], writeBatches = [], checks = new Map(), dailyRuns = false } = {}) {
    this.calendars = calendars;
    this.tables = tables;
    this.writes = writes;
    this.writeBatches = writeBatches;
    this.dailyRuns = dailyRuns;
    this.checkAnswers = checks;
  }

  #count(method) {
    this.calls.set(method, (this.calls.get(method) ?? 0) + 1);
  }

  #rangesOf(key, days) {
    let ranges = this.#ranges.get(key);
    if (!ranges) this.#ranges.set(key, (ranges = rangesOf(days)));
    return ranges;
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

  async presentRanges(tables, window) {
    this.#count('presentRanges');
    const out = new Map();
    for (const { table } of tables) {
      const days = this.tables.get(table);
      out.set(table, days ? { exists: true, ranges: clip(this.#rangesOf(days, days), window) } : { exists: false, ranges: [] });
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
   * The records as ranges, as both engines return them: one per run of consecutive days of a
   * written batch (a day each with `dailyRuns`), fresh objects on every call. The batches of
   * one target are disjoint here, so no (target, day) needs its latest picked.
   */
  async readWriteRanges(targets, window) {
    this.#count('readWriteRanges');
    const wanted = new Set(targets);
    const out = [];
    for (const w of this.writes) {
      if (wanted.has(w.target) && w.day >= window.first && w.day <= window.last) out.push({ target: w.target, first: w.day, last: w.day, writtenAt: w.writtenAt, fingerprint: w.fingerprint, runId: w.runId });
    }
    for (const batch of this.writeBatches) {
      const { target, fingerprint, runId, days, writtenAt } = batch;
      if (!wanted.has(target)) continue;
      if (this.dailyRuns) {
        for (const day of daysWithin(days, window)) out.push({ target, first: day, last: day, writtenAt: writtenAt + day * DAY_MS, fingerprint, runId: `${runId}.${day}` });
      } else {
        for (const { first, last } of clip(this.#rangesOf(batch, days), window)) out.push({ target, first, last, writtenAt, fingerprint, runId });
      }
    }
    return out.sort((a, b) => (a.target < b.target ? -1 : a.target > b.target ? 1 : a.first - b.first));
  }

  async recordWrites() {
    this.#count('recordWrites');
  }

  async exclusive(work) {
    return work();
  }

  async close() {}
}
