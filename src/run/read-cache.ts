/**
 * Commands that only read a DuckDB warehouse (`--status`, `-n`, reports, `check --connect`)
 * read through the answers kept for its file as it is now (warehouse/read-cache.ts), and keep
 * what they had to ask for the next one (state/read-cache-file.ts). Whether kept answers hold is
 * the file's signature (warehouse/file-signature.ts): equal signatures, equal contents. Builds
 * never read kept answers: they read the warehouse they write.
 *
 * Set `DAGRUN_READ_CACHE=off` to read everything from the warehouse (and keep nothing).
 */
import { dagrunVersion } from '../core/version.js';
import { keepReads, readKeptReads, type ReadCacheScope } from '../state/read-cache-file.js';
import { fileSignature, settled, type FileSignature } from '../warehouse/file-signature.js';
import { openWarehouse } from '../warehouse/open.js';
import { CachedReads, noEntries } from '../warehouse/read-cache.js';
import type { Warehouse } from '../warehouse/warehouse.js';
import type { Session } from './session.js';

/** The environment variable that turns kept reads off. */
export const READ_CACHE_ENV = 'DAGRUN_READ_CACHE';

/** Whether this session's reads may go through kept answers: a DuckDB warehouse, unless turned off. */
export function readCacheApplies(session: Session, env: NodeJS.ProcessEnv = process.env): boolean {
  return session.config.warehouse.type === 'duckdb' && env[READ_CACHE_ENV]?.toLowerCase() !== 'off';
}

/**
 * Keeps what the file alone answered, under its signature while still open, unless that is
 * unsettled (written a moment ago: it could hide the next change; kept next time instead). A
 * speed-up only: whatever fails here leaves the answer as it is.
 */
async function keepWhatHolds(session: Session, scope: ReadCacheScope, reads: CachedReads, atOpen: FileSignature | undefined): Promise<void> {
  try {
    const entries = await reads.entriesToKeep();
    const now = fileSignature(scope.file);
    if (entries && now && now.key === atOpen?.key && settled(now)) keepReads(session.stateDir, scope, now.key, entries);
  } catch {
    // the next run asks the warehouse again
  }
}

/**
 * Runs `work` (which only reads) on the session's DuckDB warehouse through the kept answers,
 * opening the file only for what they do not hold, then keeps what the file alone answered.
 * When the file changed between the look at its signature and its opening while kept answers
 * were already served, `work` runs again on the file alone: one answer never mixes two states.
 */
export async function withCachedReads<T>(session: Session, work: (warehouse: Warehouse) => Promise<T>, onRetry?: (message: string) => void): Promise<T> {
  const { config, stateDir } = session;
  if (config.warehouse.type !== 'duckdb') throw new Error('internal: kept reads are for DuckDB warehouses');
  const file = config.warehouse.path;
  const scope: ReadCacheScope = { file, version: dagrunVersion(), timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone };
  for (let useKept = true; ; useKept = false) {
    const before = fileSignature(file);
    const kept = useKept && before ? readKeptReads(stateDir, scope, before.key) : undefined;
    let atOpen: FileSignature | undefined;
    const reads = new CachedReads('duckdb', kept ?? noEntries(), async () => {
      const warehouse = await openWarehouse(config, { runId: session.runId, onRetry, readOnly: true });
      // DuckDB holds the file alone from here: nothing else can change it until it is closed
      atOpen = fileSignature(file);
      return warehouse;
    });
    try {
      const result = await work(reads);
      if (!reads.opened) return result;
      if (reads.served > 0 && atOpen?.key !== before?.key) continue;
      await keepWhatHolds(session, scope, reads, atOpen);
      return result;
    } finally {
      await reads.close();
    }
  }
}
