/** The command-runner seam: how a build command is started and what came of it. */

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

/** Starts commands. Implementations: `execa-runner.ts`; tests use fakes. */
export interface CommandRunner {
  run(request: CommandRequest): Promise<CommandResult>;
}
