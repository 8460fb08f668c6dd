/**
 * `.dagrun/read-cache.json`: answers of the DuckDB warehouse kept for its file as it last was
 * (warehouse/read-cache.ts), with what they hold for: the file's signature, the file, dagrun's
 * build, DuckDB's engine, the time zone and the locale. Sealed (sealed-file.ts); only a
 * speed-up: a missing, damaged or foreign file is no cache (nothing under `.dagrun/` is needed
 * for correctness).
 */
import type { ReadCacheEntries } from '../warehouse/read-cache.js';
import { readCacheFile } from './paths.js';
import { readSealed, writeSealed } from './sealed-file.js';

/** Bumped whenever what is kept, or how it is asked, changes meaning. */
const FORMAT = 5;

/** What kept answers hold for besides the file's contents. */
export interface ReadCacheScope {
  /** The warehouse file, absolute. */
  readonly file: string;
  /** dagrun's version: another one may ask differently. */
  readonly version: string;
  /** DuckDB's engine version: another engine may answer differently. */
  readonly engine: string;
  /**
   * DuckDB casts timestamps to dates in the session's time zone, and its calendar follows the
   * locale (ICU): the zone, the locale's calendar and the locale variables.
   */
  readonly timeZone: string;
  readonly locale: string;
}

/** The file's contents. */
interface StoredReadCache extends ReadCacheScope {
  readonly format: number;
  /** `FileSignature.key` of the warehouse file the entries hold for. */
  readonly signature: string;
  readonly entries: ReadCacheEntries;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The kept answers, if they were kept for `scope` and the warehouse file's signature `signature`; else none. */
export function readKeptReads(stateDir: string, scope: ReadCacheScope, signature: string): ReadCacheEntries | undefined {
  const stored = readSealed(readCacheFile(stateDir));
  if (!isRecord(stored) || stored.format !== FORMAT || stored.signature !== signature) return undefined;
  if ((['file', 'version', 'engine', 'timeZone', 'locale'] as const).some((key) => stored[key] !== scope[key])) return undefined;
  const entries = stored.entries;
  if (!isRecord(entries) || !['present', 'writes', 'checks', 'calendars'].every((k) => isRecord(entries[k]))) return undefined;
  return entries as unknown as ReadCacheEntries;
}

/** Keeps `entries` for `scope` and the signature `signature`; gives up silently when it cannot write. */
export function keepReads(stateDir: string, scope: ReadCacheScope, signature: string, entries: ReadCacheEntries): void {
  const stored: StoredReadCache = { format: FORMAT, ...scope, signature, entries };
  writeSealed(readCacheFile(stateDir), stored, stateDir);
}
