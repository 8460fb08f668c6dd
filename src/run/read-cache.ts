/**
 * Commands that only read a DuckDB warehouse (`--status`, `-n`, reports, `check --connect`)
 * read through the answers kept for its file as it is now (warehouse/read-cache.ts), and keep
 * what they had to ask for the next one (state/read-cache-file.ts). Whether kept answers hold is
 * the file's signature (warehouse/file-signature.ts): equal signatures, equal contents. A build
 * plans from them too (`keptReadsForBuild`), so that one with nothing to do never opens the file;
 * one with work confirms, once it holds the file, that it is still what they were kept for.
 *
 * Set `DAGRUN_READ_CACHE=off` to read everything from the warehouse (and keep nothing).
 */
import { dagrunBuild } from '../core/version.js';
import { keepReads, readKeptReads, type ReadCacheScope } from '../state/read-cache-file.js';
import { duckdbEngineVersion } from '../warehouse/embedded-engine-version.js';
import { fileSignature, settled, type FileSignature } from '../warehouse/file-signature.js';
import { openWarehouse } from '../warehouse/open.js';
import { CachedReads, noEntries, type OpenedForReads } from '../warehouse/read-cache.js';
import type { Warehouse } from '../warehouse/warehouse.js';
import type { Session } from './session.js';

/** The environment variable that turns kept reads off. */
export const READ_CACHE_ENV = 'DAGRUN_READ_CACHE';

/** What kept answers hold for, besides the file's contents. */
function scopeOf(file: string): ReadCacheScope {
  const { timeZone, locale, calendar } = Intl.DateTimeFormat().resolvedOptions();
  const variables = ['TZ', 'LC_ALL', 'LC_TIME', 'LANG'].map((name) => `${name}=${process.env[name] ?? ''}`).join(' ');
  return { file, version: dagrunBuild(), engine: duckdbEngineVersion(), timeZone, locale: `${locale} ${calendar} ${variables}` };
}

/** Whether this session's reads may go through kept answers: a DuckDB warehouse, unless turned off. */
export function readCacheApplies(session: Session, env: NodeJS.ProcessEnv = process.env): boolean {
  return session.config.warehouse.type === 'duckdb' && env[READ_CACHE_ENV]?.toLowerCase() !== 'off';
}

/**
 * Keeps what the file alone answered, under its signature while still open, unless that is
 * unsettled (written a moment ago: it could hide the next change; kept next time instead). A
 * speed-up only: whatever fails here leaves the answer as it is.
 */
async function keepWhatHolds(scope: ReadCacheScope, stateDir: string, reads: CachedReads, atOpen: FileSignature | undefined): Promise<void> {
  try {
    const entries = await reads.entriesToKeep();
    const now = fileSignature(scope.file);
    if (entries && now && now.key === atOpen?.key && settled(now)) keepReads(stateDir, scope, now.key, entries);
  } catch {
    // the next run asks the warehouse again
  }
}

/**
 * Runs `work` on the session's DuckDB warehouse through the kept answers, opening the file
 * only for what they do not hold, then keeps what the file alone answered. `work` reads
 * through `readConsistently`, so that one answer never mixes two states of the file.
 */
export async function withCachedReads<T>(session: Session, work: (warehouse: Warehouse) => Promise<T>, onRetry?: (message: string) => void): Promise<T> {
  const { config, stateDir } = session;
  if (config.warehouse.type !== 'duckdb') throw new Error('internal: kept reads are for DuckDB warehouses');
  const file = config.warehouse.path;
  const scope = scopeOf(file);
  const before = fileSignature(file);
  const kept = before ? readKeptReads(stateDir, scope, before.key) : undefined;
  let atOpen: FileSignature | undefined;
  const reads = new CachedReads('duckdb', kept ?? noEntries(), async () => {
    const warehouse = await openWarehouse(config, { runId: session.runId, onRetry, readOnly: true });
    // DuckDB holds the file alone from here: nothing else can change it until it is closed
    atOpen = fileSignature(file);
    return { warehouse, keptStillHold: atOpen !== undefined && atOpen.key === before?.key };
  });
  try {
    const result = await work(reads);
    if (reads.opened) await keepWhatHolds(scope, stateDir, reads, atOpen);
    return result;
  } finally {
    await reads.close();
  }
}

/** A build's planning reads, through kept answers over the build's own warehouse. */
export interface KeptReadsForBuild {
  /** What to measure with: kept answers, and the build's warehouse (opened on first need) for the rest. */
  readonly reads: Warehouse;
  /**
   * Before a plan with work starts: whether it may stand, the file being (now that the build
   * holds it) what the kept answers served were for. False: plan again from the file.
   */
  confirm(): Promise<boolean>;
  /** After a plan with nothing to do: keeps what the file alone answered, for the next run. */
  keep(): Promise<void>;
}

/**
 * Kept reads for planning a build on `warehouse` (opened lazily, `OpenOptions.lazy`), or
 * undefined when the session's reads do not go through kept answers.
 */
export function keptReadsForBuild(session: Session, warehouse: Warehouse): KeptReadsForBuild | undefined {
  const { config, stateDir } = session;
  if (!readCacheApplies(session) || config.warehouse.type !== 'duckdb') return undefined;
  const file = config.warehouse.path;
  const scope = scopeOf(file);
  const before = fileSignature(file);
  const kept = before ? readKeptReads(stateDir, scope, before.key) : undefined;
  let atOpen: FileSignature | undefined;
  const open = async (): Promise<OpenedForReads> => {
    await warehouse.open?.();
    atOpen ??= fileSignature(file);
    return { warehouse, keptStillHold: atOpen !== undefined && atOpen.key === before?.key };
  };
  const reads = new CachedReads('duckdb', kept ?? noEntries(), open);
  return {
    reads,
    confirm: async () => {
      if (reads.served === 0) return true;
      return (await open()).keptStillHold;
    },
    keep: async () => {
      if (reads.opened) await keepWhatHolds(scope, stateDir, reads, atOpen);
    },
  };
}
