/**
 * Which files a watch looks at: dag.json5, every target file, every `.sql` file of a SQL
 * build, and every file inside the project that a command names (scripts), so editing any
 * of them re-plans. Pure over the validated config, apart from asking whether a path is a file.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import type { DagConfig } from '../config/types.js';
import { STATE_DIR_NAME } from '../state/paths.js';

/** The files and folders to watch. */
export interface WatchedFiles {
  /** Files whose change starts a build. */
  readonly files: ReadonlySet<string>;
  /** Folders where a new or removed target file (`.json5`) starts a build. */
  readonly folders: ReadonlySet<string>;
}

const isFile = (file: string) => {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
};

/** Whether `file` lies inside `dir` (the project; never the `.dagrun` state folder). */
function insideProject(file: string, dir: string): boolean {
  const relative = path.relative(dir, file);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative) && !relative.split(path.sep).includes(STATE_DIR_NAME);
}

/** Files named by a command's argv that exist inside the project (placeholders are never files). */
function commandFiles(argv: readonly string[], cwd: string, projectDir: string): string[] {
  return argv
    .filter((arg) => !arg.includes('{') && !arg.startsWith('-'))
    .map((arg) => path.resolve(cwd, arg))
    .filter((file) => insideProject(file, projectDir) && isFile(file));
}

/** The files of a loaded pipeline. */
export function watchedFiles(config: DagConfig): WatchedFiles {
  const files = new Set<string>([config.file]);
  const folders = new Set<string>();
  for (const target of config.targets.values()) {
    files.add(target.file);
    folders.add(path.dirname(target.file));
    const action = target.build?.action;
    if (action?.kind === 'sql') files.add(action.file);
    if (action?.kind === 'command') for (const file of commandFiles(action.argv, target.build!.cwd, config.dir)) files.add(file);
  }
  return { files, folders };
}

/** What to watch when the pipeline does not load: at least dag.json5 and what was watched before. */
export function fallbackFiles(configFile: string, previous: WatchedFiles | undefined): WatchedFiles {
  return { files: new Set([configFile, ...(previous?.files ?? [])]), folders: new Set(previous?.folders ?? []) };
}

/** Whether a file-system event on `file` concerns the pipeline. */
export function isRelevant(watched: WatchedFiles, file: string, kind: 'add' | 'change' | 'unlink'): boolean {
  const absolute = path.resolve(file);
  if (watched.files.has(absolute)) return true;
  // A new or deleted target file changes the pipeline; other files in those folders do not.
  return kind !== 'change' && absolute.endsWith('.json5') && watched.folders.has(path.dirname(absolute));
}
