/**
 * Runs build commands with execa: argv only (no shell), each command in a process group of
 * its own so that a timeout or an interrupt ends its whole tree, children of children too.
 * The runner knows every group it started, so an immediate quit (a second Ctrl-C) can still
 * end them all, and the pipeline lock can name them for a successor should dagrun be killed.
 */
import { execa } from 'execa';
import { formatDuration } from '../report/format.js';
import { OutputLog } from './output-log.js';
import type { CommandRequest, CommandResult, CommandRunner } from './runner.js';

/** How long a process group gets between SIGTERM and SIGKILL. */
export const KILL_GRACE_MS = 3_000;

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is already gone
  }
}

/** Options of the execa runner. */
export interface ExecaRunnerOptions {
  /** Called with the process groups running now, whenever one starts or ends. */
  readonly groupsChanged?: (groups: readonly number[]) => void;
  /** Between SIGTERM and SIGKILL (tests shorten it). */
  readonly killGraceMs?: number;
}

/** The execa implementation of the command seam. */
export class ExecaRunner implements CommandRunner {
  readonly #groups = new Set<number>();
  readonly #options: ExecaRunnerOptions;

  constructor(options: ExecaRunnerOptions = {}) {
    this.#options = options;
  }

  /** Kills every running command's process group at once (the second Ctrl-C: no grace). */
  killAll(): void {
    for (const group of this.#groups) killGroup(group, 'SIGKILL');
  }

  #track(pid: number | undefined, running: boolean): void {
    if (pid === undefined) return;
    if (running) this.#groups.add(pid);
    else this.#groups.delete(pid);
    this.#options.groupsChanged?.([...this.#groups]);
  }

  async run(request: CommandRequest): Promise<CommandResult> {
    const log = new OutputLog(request.logFile, request.redact);
    const [file, ...args] = request.argv;
    const child = execa(file!, args, {
      cwd: request.cwd,
      env: request.env,
      extendEnv: true,
      shell: false,
      stdin: 'ignore',
      buffer: false,
      reject: false,
      detached: true,
      cleanup: true,
      stripFinalNewline: false,
    });
    this.#track(child.pid, true);
    child.stdout?.on('data', (chunk: Buffer) => log.write(chunk));
    child.stderr?.on('data', (chunk: Buffer) => log.write(chunk));

    let timedOut = false;
    let aborted = false;
    let killTimer: NodeJS.Timeout | undefined;
    const terminate = () => {
      killGroup(child.pid, 'SIGTERM');
      killTimer ??= setTimeout(() => killGroup(child.pid, 'SIGKILL'), this.#options.killGraceMs ?? KILL_GRACE_MS);
    };
    const timer = request.timeoutMs === undefined ? undefined : setTimeout(() => ((timedOut = true), terminate()), request.timeoutMs);
    const onAbort = () => ((aborted = true), terminate());
    request.signal.addEventListener('abort', onAbort, { once: true });
    if (request.signal.aborted) onAbort();

    const result = await child;
    clearTimeout(timer);
    request.signal.removeEventListener('abort', onAbort);
    // The leader is gone; make sure nothing it started lives on.
    killGroup(child.pid, 'SIGKILL');
    clearTimeout(killTimer);
    this.#track(child.pid, false);
    log.close();

    let failure: string | undefined;
    if (timedOut) failure = `timed out after ${compactDuration(request.timeoutMs!)}`;
    else if (aborted) failure = 'interrupted';
    else if (result.failed) failure = describeFailure(result, file!);
    return { exitCode: result.exitCode, failure, timedOut, tail: log.tail(), logFile: log.file };
  }
}

/** "2h", "90m" → "1h 30m", "30s": a configured timeout the way the user wrote it, near enough. */
function compactDuration(ms: number): string {
  for (const [unit, size] of [['h', 3_600_000], ['m', 60_000], ['s', 1_000]] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return formatDuration(ms);
}

function describeFailure(result: { exitCode?: number; signal?: string; code?: string; originalMessage?: string }, file: string): string {
  if (result.code === 'ENOENT') return `command not found: ${file}`;
  if (result.code === 'EACCES') return `command is not executable: ${file}`;
  if (result.exitCode !== undefined) return `exited with code ${result.exitCode}`;
  if (result.signal) return `killed by ${result.signal}`;
  return result.originalMessage ?? 'failed to start';
}
