/** The one place that uses chokidar: watches a set of files and folders and reports relevant changes. */
import { watch, type FSWatcher } from 'chokidar';
import { STATE_DIR_NAME } from '../state/paths.js';
import { isRelevant, type WatchedFiles } from './watched-files.js';

/** A running file watcher whose set of files can be replaced (after the pipeline changed). */
export class FileWatcher {
  readonly #onChange: (file: string) => void;
  #watcher: FSWatcher | undefined;
  #watched: WatchedFiles = { files: new Set(), folders: new Set() };

  constructor(onChange: (file: string) => void) {
    this.#onChange = onChange;
  }

  /** Watches exactly `watched` from now on. */
  async update(watched: WatchedFiles): Promise<void> {
    this.#watched = watched;
    const paths = [...watched.files, ...watched.folders];
    if (!this.#watcher) {
      // depth 0: a target folder's own files only; `.dagrun` (the warehouse, logs) never counts.
      this.#watcher = watch(paths, { ignoreInitial: true, depth: 0, ignored: (p) => p.split(/[\\/]/).includes(STATE_DIR_NAME) });
      for (const kind of ['add', 'change', 'unlink'] as const) {
        this.#watcher.on(kind, (file: string) => {
          if (isRelevant(this.#watched, file, kind)) this.#onChange(file);
        });
      }
      await new Promise<void>((resolve) => this.#watcher!.once('ready', () => resolve()));
      return;
    }
    const current = new Set(Object.entries(this.#watcher.getWatched()).flatMap(([dir, names]) => [dir, ...names.map((n) => `${dir}/${n}`)]));
    const added = paths.filter((p) => !current.has(p));
    if (added.length > 0) this.#watcher.add(added);
  }

  /** Stops watching. */
  async close(): Promise<void> {
    await this.#watcher?.close();
    this.#watcher = undefined;
  }
}
