/**
 * Runs build commands through small spawner processes instead of dagrun's own.
 *
 * Why: starting a process forks the parent, and fork costs grow with the parent's memory
 * mappings. dagrun holds DuckDB (a large native library and its buffers) and a full module
 * graph; a bare Node process holds neither, so it starts commands faster. And a spawn blocks
 * its process until the child has exec'd, so two spawners start twice as many commands at
 * once. Spawners are forked lazily: the first on the first command, another (up to
 * `processes`) when every one has a command waiting. Each runs commands with
 * the spawn runner (`spawner-child.ts`); this side only forwards requests over IPC, the
 * requests of one event-loop turn in one message.
 *
 * Same contract as `SpawnRunner`: process groups, timeouts, aborts through the request's
 * signal, `killAll()` for a second Ctrl-C, `groupsChanged` for the pipeline lock. If a
 * spawner cannot start or dies, commands run in-process with `SpawnRunner` from then on.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { SpawnRunner, SpawnRunnerOptions } from './spawn-runner.js';
import { killGroup, type CommandRequest, type CommandResult, type CommandRunner } from './runner.js';
import type { FromSpawner, ToSpawner } from './spawner-protocol.js';

/** Options of the spawner runner. */
export interface SpawnerRunnerOptions extends SpawnRunnerOptions {
  /** `build.env` of every target: the spawners mask the same secrets in log files as dagrun does. */
  readonly buildEnvs?: readonly Readonly<Record<string, string>>[];
  /** At most this many spawner processes (default: 2, or 1 on a single CPU). */
  readonly processes?: number;
  /** Node options of the spawner processes (e.g. `--cpu-prof` when profiling); none by default. */
  readonly execArgv?: readonly string[];
}

interface Pending {
  readonly request: CommandRequest;
  readonly resolve: (result: CommandResult) => void;
  readonly onAbort: () => void;
  readonly spawner: Spawner;
}

/** One spawner process and what it runs now. */
interface Spawner {
  readonly child: ChildProcess;
  pending: number;
  groups: readonly number[];
  /** Whether it was ever given a command: one that never was has nothing to end when closed. */
  used: boolean;
  /** This turn's messages to it, written together once the turn ends (see `#post`). */
  outbox: ToSpawner[];
}

const CHILD_FILE = fileURLToPath(new URL('./spawner-child.js', import.meta.url));

function forkSpawner(execArgv: readonly string[]): ChildProcess {
  const child = fork(CHILD_FILE, [], { execArgv: [...execArgv], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  // Neither the process nor an idle channel keeps dagrun alive; pending commands ref the channel.
  child.unref();
  child.channel?.unref();
  return child;
}

/** The command seam implemented by separate, small spawning processes. */
export class SpawnerRunner implements CommandRunner {
  readonly #options: SpawnerRunnerOptions;
  readonly #max: number;
  readonly #pending = new Map<number, Pending>();
  #spawners: Spawner[] = [];
  /** In-process runner after a spawner failed; loaded only then. */
  #fallback: Promise<SpawnRunner> | undefined;
  #fallbackLoaded: SpawnRunner | undefined;
  #nextId = 0;

  constructor(options: SpawnerRunnerOptions = {}) {
    this.#options = options;
    this.#max = Math.max(1, options.processes ?? Math.min(2, availableParallelism()));
  }

  run(request: CommandRequest): Promise<CommandResult> {
    if (this.#fallback) return this.#fallback.then((runner) => runner.run(request));
    const spawner = this.#pick();
    const id = this.#nextId++;
    return new Promise<CommandResult>((resolve) => {
      const onAbort = () => this.#post(spawner, { type: 'abort', id });
      this.#pending.set(id, { request, resolve, onAbort, spawner });
      spawner.used = true;
      if (++spawner.pending === 1) spawner.child.channel?.ref();
      this.#post(spawner, { type: 'run', id, request: { argv: request.argv, cwd: request.cwd, env: request.env, timeoutMs: request.timeoutMs, logFile: request.logFile } });
      request.signal.addEventListener('abort', onAbort, { once: true });
      if (request.signal.aborted) onAbort();
    });
  }

  /** Kills every running command's process group at once (the second Ctrl-C: no grace). */
  killAll(): void {
    // Directly, not only through the spawners: the caller may exit right after this.
    for (const spawner of this.#spawners) {
      for (const group of spawner.groups) killGroup(group, 'SIGKILL');
      this.#post(spawner, { type: 'kill-all' });
      flush(spawner);
    }
    this.#fallbackLoaded?.killAll(); // synchronously: the caller may exit right after this
  }

  /**
   * Lets the spawners go: each exits once its channel closes, at once when nothing runs in it.
   * One that never got a command is killed instead (it may still be starting, and has nothing
   * to end): the run is over, and it holds dagrun's stdout and stderr open while it lives. Safe
   * to call when none started.
   */
  async close(): Promise<void> {
    const spawners = this.#spawners;
    this.#spawners = [];
    await Promise.all(
      spawners.map((spawner) => {
        const { child } = spawner;
        if (child.exitCode !== null || child.signalCode !== null) return undefined;
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.ref(); // wait for it, though it was unref'd so as not to keep dagrun alive
        flush(spawner);
        if (!spawner.used) child.kill('SIGKILL');
        else if (child.connected) child.disconnect();
        return exited;
      }),
    );
  }

  /**
   * Queues a message for a spawner; the turn's messages go in one IPC write once the turn ends.
   * A pass of the build loop starts several commands, and each write costs a system call here
   * and a wake-up, parse and dispatch there.
   */
  #post(spawner: Spawner, message: ToSpawner): void {
    if (spawner.outbox.push(message) === 1) setImmediate(() => flush(spawner));
  }

  /** The least busy spawner, or a new one when all are busy and the limit allows. */
  #pick(): Spawner {
    const idlest = this.#spawners.reduce<Spawner | undefined>((best, s) => (best === undefined || s.pending < best.pending ? s : best), undefined);
    if (idlest && (idlest.pending === 0 || this.#spawners.length >= this.#max)) return idlest;
    return this.#start();
  }

  #start(): Spawner {
    const child = forkSpawner(this.#options.execArgv ?? []);
    const spawner: Spawner = { child, pending: 0, groups: [], used: false, outbox: [] };
    // Settings come first on the channel, not in the environment: the commands inherit that.
    this.#post(spawner, { type: 'settings', settings: { killGraceMs: this.#options.killGraceMs, buildEnvs: this.#options.buildEnvs ?? [] } });
    child.on('message', (message: FromSpawner) => this.#received(spawner, message));
    child.on('error', (error) => this.#lost(spawner, `the command spawner failed: ${error.message}`));
    child.on('exit', (code, signal) => this.#lost(spawner, `the command spawner ended unexpectedly (${signal ?? `exit code ${code}`})`));
    this.#spawners.push(spawner);
    return spawner;
  }

  #received(spawner: Spawner, message: FromSpawner): void {
    if (message.groups !== undefined) {
      spawner.groups = message.groups;
      this.#options.groupsChanged?.(this.#spawners.flatMap((s) => s.groups));
    }
    for (const { id, result } of message.finished) this.#settle(id, result);
  }

  #settle(id: number, result: CommandResult): void {
    const pending = this.#pending.get(id);
    if (!pending) return;
    this.#pending.delete(id);
    if (--pending.spawner.pending === 0) pending.spawner.child.channel?.unref();
    pending.request.signal.removeEventListener('abort', pending.onAbort);
    const redact = pending.request.redact ?? ((text: string) => text);
    pending.resolve({ ...result, exitCode: result.exitCode ?? undefined, tail: redact(result.tail ?? ''), logFile: result.logFile ?? undefined });
  }

  /** A spawner is gone: fail what it was running (killing what is left of it) and go on in-process. */
  #lost(spawner: Spawner, why: string): void {
    if (!this.#spawners.includes(spawner)) return; // closed on purpose, or already handled
    this.#spawners = this.#spawners.filter((s) => s !== spawner);
    this.#fallback ??= import('./spawn-runner.js').then(({ SpawnRunner }) => (this.#fallbackLoaded = new SpawnRunner(this.#options)));
    for (const group of spawner.groups) killGroup(group, 'SIGKILL');
    spawner.groups = [];
    this.#options.groupsChanged?.(this.#spawners.flatMap((s) => s.groups));
    for (const [id, pending] of [...this.#pending]) {
      if (pending.spawner === spawner) this.#settle(id, { exitCode: undefined, failure: why, timedOut: false, tail: '', logFile: undefined });
    }
  }
}

/** Writes a spawner's queued messages, if any. */
function flush(spawner: Spawner): void {
  if (spawner.outbox.length === 0) return;
  const messages = spawner.outbox;
  spawner.outbox = [];
  // A spawner that died between the check and the write is reported by its 'exit' event.
  if (spawner.child.connected) spawner.child.send(messages, undefined, undefined, () => undefined);
}
