/** Writing a new pipeline's files, never over a file that is there. */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** File contents by path relative to the project folder. */
export type ProjectFiles = ReadonlyMap<string, string>;

/** The paths (relative, as given) among `paths` that already exist in `dir`. */
export function existingFiles(dir: string, paths: Iterable<string>): string[] {
  return [...paths].filter((relative) => existsSync(path.join(dir, relative)));
}

/** Writes every file under `dir`, creating folders; the caller has checked that none exists. */
export function writeFiles(dir: string, files: ProjectFiles): void {
  for (const [relative, content] of files) {
    const file = path.join(dir, relative);
    mkdirSync(path.dirname(file), { recursive: true });
    // 'wx': a file that appeared since the check is still not overwritten
    writeFileSync(file, content, { flag: 'wx' });
  }
}
