/**
 * The files and folders a pipeline's configuration is read from: dag.json5, every target file,
 * every .sql file, and the folders its `targets` globs look in (a file added to or removed from
 * one changes that folder's times). What a cached pipeline must find unchanged to stand.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';

/** What the configuration was read from. */
export interface ConfigInputs {
  /** Files read, absolute. */
  readonly files: readonly string[];
  /** Folders a glob looked in, absolute. */
  readonly dirs: readonly string[];
}

/** A path segment with glob syntax in it. */
const MAGIC = /[*?[\]{}()!+@]/;

/**
 * The folders `glob` (relative to `dir`) looks in: its base (the segments before the first
 * with glob syntax), and the folders below it as deep as the pattern reaches (all with `**`).
 * `node_modules` and dot folders are left out, as the globs leave them out: `.dagrun` changes
 * with every run.
 */
export function globDirs(dir: string, glob: string): string[] {
  const segments = glob.split('/').filter((s) => s !== '' && s !== '.');
  const first = segments.findIndex((s) => MAGIC.test(s));
  const baseSegments = first === -1 ? segments.slice(0, -1) : segments.slice(0, first);
  const rest = first === -1 ? [] : segments.slice(first, -1);
  const depth = rest.includes('**') ? Number.POSITIVE_INFINITY : rest.length;
  const base = path.resolve(dir, ...baseSegments);
  const out: string[] = [];
  const walk = (folder: string, level: number) => {
    out.push(folder);
    if (level >= depth) return;
    let entries;
    try {
      entries = readdirSync(folder, { withFileTypes: true });
    } catch {
      return; // not there (yet): its parent's times say when it appears
    }
    for (const entry of entries) {
      // a link to a folder is looked into like a folder; globs skip dot folders (`.dagrun`, `.git`) and node_modules
      if ((entry.isDirectory() || entry.isSymbolicLink()) && entry.name !== 'node_modules' && !entry.name.startsWith('.')) walk(path.join(folder, entry.name), level + 1);
    }
  };
  walk(base, 0);
  return out;
}
