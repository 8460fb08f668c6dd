/**
 * Why a target of a run did not end done, as data: the plan, the executor and the run record
 * pass these around, and only report/failure-text.ts turns them into words. Messages inside
 * are what a command, a SQL statement or a gate said, never dagrun's own prose to be parsed.
 */

/** Why the run stopped starting new work, for the targets it left behind. */
export type StopCause =
  /** A signal (Ctrl-C, SIGTERM, SIGHUP, a closed pipe) stopped the run. */
  | { readonly kind: 'interrupted' }
  /** Without -k, the first failure stops new work. */
  | { readonly kind: 'failed-elsewhere'; readonly target: string };

/** How a target failed, was skipped or was left part-built. */
export type TargetFailure =
  /** Skipped: a blocked target or a stale source, which no run can build (the planner's words). */
  | { readonly kind: 'cannot-build'; readonly why: string }
  /** A range's command or SQL failed (after its retries): what it said. */
  | { readonly kind: 'range-failed'; readonly message: string }
  /** A range was stopped by an interrupt while it waited to retry. */
  | { readonly kind: 'interrupted' }
  /** The target was built but its gate found it not fresh: what the gate found. */
  | { readonly kind: 'gate-failed'; readonly message: string }
  /** A deferred target (its calendar built in this run) could not be measured. */
  | { readonly kind: 'not-measured'; readonly message: string | undefined }
  /** A bug in dagrun turned into this target's failure. */
  | { readonly kind: 'internal'; readonly message: string }
  /** Skipped: something it depends on failed. */
  | { readonly kind: 'upstream-failed'; readonly upstream: string }
  /** Skipped: the run stopped before any of it started. `cause` is missing only through a bug. */
  | { readonly kind: 'not-started'; readonly cause: StopCause | undefined }
  /** Left part-built when the run stopped: its progress, or built and never measured again (`gating`). */
  | { readonly kind: 'unfinished'; readonly built: number; readonly batches: number; readonly gating: boolean; readonly cause: StopCause | undefined };
