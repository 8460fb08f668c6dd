/**
 * What a pipeline's configuration is read from: dag.json5, every target file and every .sql
 * file, and the target files its `targets` globs matched. A cached pipeline must find the files
 * unchanged and the globs matching the same files, with no broken link among them, to stand.
 */

/** What the configuration was read from. */
export interface ConfigInputs {
  /** Files read, absolute. */
  readonly files: readonly string[];
  /** The `targets` globs of dag.json5. */
  readonly globs: readonly string[];
  /** The target files they matched, sorted, absolute (`matchTargetFiles`). */
  readonly targetFiles: readonly string[];
}
