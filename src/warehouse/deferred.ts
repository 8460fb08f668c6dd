/**
 * A warehouse loaded on first use: the engine's module (DuckDB's native library: ~50 ms of
 * start-up) is not even loaded by a run that turns out to need none, such as a build with
 * nothing to do planned from kept reads.
 */
import type { CalendarSpec } from '../config/types.js';
import type { Day } from '../intervals/day.js';
import type {
  CheckOutcome,
  CheckProbe,
  DayWindow,
  FixedReads,
  LoadOutcome,
  LoadRequest,
  PresentDates,
  PresentRanges,
  SqlBuildOutcome,
  SqlBuildRequest,
  TableProbe,
  Warehouse,
  WriteBatch,
  WriteRange,
  WriteRecord,
} from './warehouse.js';

/** A `Warehouse` that loads the real one with `load` when first asked anything, once. */
export class DeferredWarehouse implements Warehouse {
  readonly engine: Warehouse['engine'];
  readonly commandsNeedExclusiveAccess: boolean;
  readonly #load: () => Promise<Warehouse>;
  #real: Promise<Warehouse> | undefined;

  constructor(engine: Warehouse['engine'], commandsNeedExclusiveAccess: boolean, load: () => Promise<Warehouse>) {
    this.engine = engine;
    this.commandsNeedExclusiveAccess = commandsNeedExclusiveAccess;
    this.#load = load;
  }

  #get(): Promise<Warehouse> {
    this.#real ??= this.#load().catch((error: unknown) => {
      this.#real = undefined;
      throw error;
    });
    return this.#real;
  }

  async open(): Promise<void> {
    await (await this.#get()).open?.();
  }
  async expectedDates(calendars: readonly CalendarSpec[], window: DayWindow): Promise<Map<string, Day[]>> {
    return (await this.#get()).expectedDates(calendars, window);
  }
  async presentRanges(tables: readonly TableProbe[], window: DayWindow): Promise<Map<string, PresentRanges>> {
    return (await this.#get()).presentRanges(tables, window);
  }
  async presentDates(tables: readonly TableProbe[], window: DayWindow): Promise<Map<string, PresentDates>> {
    return (await this.#get()).presentDates(tables, window);
  }
  async checkValues(checks: readonly CheckProbe[], window: DayWindow): Promise<Map<string, CheckOutcome>> {
    return (await this.#get()).checkValues(checks, window);
  }
  async runSql(request: SqlBuildRequest): Promise<SqlBuildOutcome | void> {
    return (await this.#get()).runSql(request);
  }
  async loadRows(request: LoadRequest): Promise<LoadOutcome> {
    return (await this.#get()).loadRows(request);
  }
  async beginWrites(batch: WriteBatch): Promise<void> {
    return (await this.#get()).beginWrites(batch);
  }
  async readWrites(targets: readonly string[], window: DayWindow): Promise<WriteRecord[]> {
    return (await this.#get()).readWrites(targets, window);
  }
  async readWriteRanges(targets: readonly string[], window: DayWindow): Promise<WriteRange[]> {
    return (await this.#get()).readWriteRanges(targets, window);
  }
  async recordWrites(batches: readonly WriteBatch[]): Promise<void> {
    return (await this.#get()).recordWrites(batches);
  }
  async exclusive<T>(work: () => Promise<T>): Promise<T> {
    return (await this.#get()).exclusive(work);
  }
  async urgent<T>(work: () => Promise<T>): Promise<T> {
    const real = await this.#get();
    return real.urgent ? real.urgent(work) : work();
  }
  async fixedReads(tables: readonly string[], queries: readonly string[]): Promise<FixedReads> {
    const real = await this.#get();
    if (!real.fixedReads) throw new Error(`internal: the ${this.engine} warehouse cannot say which reads are fixed`);
    return real.fixedReads(tables, queries);
  }
  async describeConnection(calendars: readonly CalendarSpec[], tables: readonly TableProbe[]): Promise<string[]> {
    const real = await this.#get();
    return real.describeConnection ? real.describeConnection(calendars, tables) : [];
  }
  /** Closes the real warehouse if it was loaded; a load that failed has nothing to close. */
  async close(): Promise<void> {
    const real = await this.#real?.catch(() => undefined);
    await real?.close();
  }
}
