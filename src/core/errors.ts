/**
 * The failures a user can cause or meet, as values. `cli/main.ts` alone maps them to exit
 * codes; everything else returns or throws them.
 */

/** One located problem in the configuration: file, key path (or line:col) and message. */
export interface Diagnostic {
  /** Path of the file, relative to the pipeline's folder where possible. */
  readonly file: string;
  /** Key path like `deps[1]` or `build.timeout`; empty for the whole file. */
  readonly path: string;
  /** What is wrong, in one sentence. */
  readonly message: string;
  /** For syntax errors: 1-based line and column, and the source line. */
  readonly location?: { readonly line: number; readonly column: number; readonly sourceLine: string };
}

/** Why a command stopped short of success. */
export type FailureReason =
  /** The configuration is invalid; `diagnostics` lists every problem found. */
  | 'config-invalid'
  /** The command line is wrong (unknown target, bad flag value). */
  | 'usage'
  /** The warehouse could not be opened or a query failed outside any one target. */
  | 'warehouse-unavailable'
  /** The run was interrupted by a signal. */
  | 'interrupted';

/** An expected, user-facing failure. Thrown only across stage boundaries; `cli/main.ts` catches it. */
export class DagrunError extends Error {
  readonly reason: FailureReason;
  readonly diagnostics: readonly Diagnostic[];
  constructor(reason: FailureReason, message: string, diagnostics: readonly Diagnostic[] = []) {
    super(message);
    this.name = 'DagrunError';
    this.reason = reason;
    this.diagnostics = diagnostics;
  }
}

/** A bug in dagrun itself: printed with an "internal error" prefix and a request to report it. */
export class InternalError extends Error {
  constructor(message: string) {
    super(`Internal error: ${message}`);
    this.name = 'InternalError';
  }
}

/** Exhaustiveness guard for switches over unions. */
export function unreachable(value: never): never {
  throw new InternalError(`unexpected value ${JSON.stringify(value)}`);
}

/** The message of anything thrown, without its stack. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
