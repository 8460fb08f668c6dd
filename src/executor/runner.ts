/** The command-runner seam: how a build command is started and what came of it. */

/**
 * How long a command's process group gets between SIGTERM and SIGKILL. Here, not in a runner,
 * so that dagrun's own process can use it without loading the runner that spawners use.
 */
export const KILL_GRACE_MS = 3_000;

/** Sends `signal` to a whole process group; a group that is gone already is fine. */
export function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is already gone
  }
}

/** One command to run for one batch. */
export interface CommandRequest {
  readonly argv: readonly string[];
  readonly cwd: string;
  /** Variables added to dagrun's own environment. */
  readonly env: Readonly<Record<string, string>>;
  readonly timeoutMs: number | undefined;
  /** Where the output goes; the file is created only if the command prints anything. */
  readonly logFile: string;
  /** Aborts the command (its whole process tree). */
  readonly signal: AbortSignal;
  /** Masks secrets in the command's output before it reaches the log file or a message. */
  readonly redact?: (text: string) => string;
}

/** How a command ended. */
export interface CommandResult {
  /** Exit code, or undefined when killed by a signal or it never started. */
  readonly exitCode: number | undefined;
  /** Why it did not succeed, in words; undefined on success. */
  readonly failure: string | undefined;
  readonly timedOut: boolean;
  /** The last lines of its output (for failures). */
  readonly tail: string;
  /** The log file, when the command printed anything. */
  readonly logFile: string | undefined;
}

/**
 * Starts commands. Implementations: `native-runner.ts` (the posix_spawn helper, what dagrun uses),
 * `spawner-runner.ts` (its fallback, Node spawner processes), `spawn-runner.ts` (in-process, and
 * inside each spawner); `native-select.ts` picks one. Tests use fakes.
 */
export interface CommandRunner {
  run(request: CommandRequest): Promise<CommandResult>;
}
