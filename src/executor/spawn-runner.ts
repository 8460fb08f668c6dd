/**
 * Runs build commands with Node's `child_process.spawn`: argv only (no shell), each command in
 * a process group of its own so that a timeout or an interrupt ends its whole tree, children
 * of children too. The runner knows every group it started, so an immediate quit (a second
 * Ctrl-C) can still end them all, and the pipeline lock can name them for a successor.
 *
 * Why not execa: its per-start work (option normalisation, environment copy, stream and
 * promise set-up) cost ~1.5 ms of CPU per command here, more than the spawn itself (~0.9 ms
 * with two pipes), and the per-command overhead goal is 1.5 ms in all (`docs/performance.md`).
 * What we used of it is small: exit code or signal, the spawn error, and output as it comes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { describeEnding } from './ending.js';
import { OutputLog } from './output-log.js';
import { KILL_GRACE_MS, killGroup, type CommandRequest, type CommandResult, type CommandRunner } from './runner.js';

/** Options of the spawn runner. */
export interface SpawnRunnerOptions {
  /** Called with the process groups running now, whenever one starts or ends. */
  readonly groupsChanged?: (groups: readonly number[]) => void;
  /** Between SIGTERM and SIGKILL (tests shorten it). */
  readonly killGraceMs?: number;
}

/** How a started command ended, as `child_process` tells it. */
interface Ended {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Set when it could not start (ENOENT, EACCES…). */
  readonly error: NodeJS.ErrnoException | undefined;
}

/** The `child_process` implementation of the command seam. */
export class SpawnRunner implements CommandRunner {
  readonly #groups = new Set<number>();
  readonly #options: SpawnRunnerOptions;
  /**
   * dagrun's environment, copied once: reading `process.env` goes through the C++ environment
   * on every key, which cost ~0.15 ms per command. dagrun does not change it while it runs.
   */
  readonly #baseEnv: Readonly<Record<string, string | undefined>> = { ...process.env };

  constructor(options: SpawnRunnerOptions = {}) {
    this.#options = options;
  }

  /** Kills every running command's process group at once (the second Ctrl-C: no grace). */
  killAll(): void {
    for (const group of this.#groups) killGroup(group, 'SIGKILL');
  }

  /** Nothing to let go: the commands are dagrun's own children, and each run awaits its end. */
  async close(): Promise<void> {}

  #track(pid: number | undefined, running: boolean): void {
    if (pid === undefined) return;
    if (running) this.#groups.add(pid);
    else this.#groups.delete(pid);
    this.#options.groupsChanged?.([...this.#groups]);
  }

  async run(request: CommandRequest): Promise<CommandResult> {
    const [file, ...args] = request.argv;
    const log = new OutputLog(request.logFile, request.redact);
    let child: ChildProcess;
    try {
      // detached: a new session, so the command leads a process group of its own.
      child = spawn(file!, args, { cwd: request.cwd, env: { ...this.#baseEnv, ...request.env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    } catch (error) {
      // Invalid arguments (a NUL byte in argv…): it cannot start, and nothing else is wrong.
      return { exitCode: undefined, failure: `could not start ${file}: ${(error as Error).message}`, timedOut: false, tail: '', logFile: undefined };
    }
    const pid = child.pid;
    this.#track(pid, true);
    const ended = new Promise<Ended>((resolve) => {
      let error: NodeJS.ErrnoException | undefined;
      child.on('error', (e: NodeJS.ErrnoException) => {
        error ??= e;
        // It never started (ENOENT, EACCES, EMFILE…): there is no output to wait for.
        if (pid === undefined) resolve({ code: null, signal: null, error });
      });
      // 'close' comes after the exit and the end of both pipes, so no output is lost.
      child.on('close', (code, signal) => resolve({ code: error ? null : code, signal, error }));
    });
    child.stdout?.on('data', (chunk: Buffer) => log.write(chunk));
    child.stderr?.on('data', (chunk: Buffer) => log.write(chunk));

    let timedOut = false;
    let aborted = false;
    let killTimer: NodeJS.Timeout | undefined;
    const terminate = () => {
      killGroup(pid, 'SIGTERM');
      killTimer ??= setTimeout(() => killGroup(pid, 'SIGKILL'), this.#options.killGraceMs ?? KILL_GRACE_MS);
    };
    const timer = request.timeoutMs === undefined ? undefined : setTimeout(() => ((timedOut = true), terminate()), request.timeoutMs);
    const onAbort = () => ((aborted = true), terminate());
    request.signal.addEventListener('abort', onAbort, { once: true });
    if (request.signal.aborted) onAbort();

    const result = await ended;
    clearTimeout(timer);
    request.signal.removeEventListener('abort', onAbort);
    // The leader is gone; make sure nothing it started lives on.
    killGroup(pid, 'SIGKILL');
    clearTimeout(killTimer);
    this.#track(pid, false);
    log.close();

    const failure = describeEnding(
      timedOut ? { kind: 'timed-out', timeoutMs: request.timeoutMs! }
      : aborted ? { kind: 'interrupted' }
      : result.error ? { kind: 'not-started', file: file!, code: result.error.code, message: result.error.message }
      : { kind: 'ended', code: result.code ?? undefined, signal: result.signal ?? undefined },
    );
    return { exitCode: result.code ?? undefined, failure, timedOut, tail: log.tail(), logFile: log.file };
  }
}
