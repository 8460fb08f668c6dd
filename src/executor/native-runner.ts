/**
 * Runs build commands through `native/spawn-helper.c`, a small C process that starts them with
 * posix_spawn and streams their output back over a pipe (frames: `native-protocol.ts`).
 *
 * Why: Node's `child_process.spawn` is libuv's fork(), which copies the parent's page tables and
 * then takes copy-on-write faults; measured at -j8, 2.3 ms of CPU per command from a bare Node
 * process and 3.35 ms through the Node spawners, against 1.33 ms for make. posix_spawn copies
 * nothing (vfork-like), and a Node parent feeding such a helper measured 1.42 ms. The helper also
 * starts in about a millisecond, where a Node spawner needs 100–400 ms before the first command.
 *
 * This side keeps what needs JavaScript or dagrun's state: the merged environment, the log file
 * (opened on the first byte, secrets masked: `OutputLog`), the tail, timeouts and aborts (it
 * signals process groups itself, by pid), `groupsChanged` for the pipeline lock, `killAll()`.
 * The helper is started on the first command and does not keep dagrun alive while idle. If it
 * dies, the commands it ran fail saying so, and later ones run on the fallback runner.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import { constants } from 'node:os';
import path from 'node:path';
import { unreachable } from '../core/errors.js';
import { describeEnding } from './ending.js';
import { EventReader, encodeKillAll, encodeRun, environmentText, type EnvironmentText, type HelperEvent } from './native-protocol.js';
import { OutputLog } from './output-log.js';
import { KILL_GRACE_MS, killGroup, type CommandRequest, type CommandResult, type CommandRunner } from './runner.js';

/** A runner that dagrun can also stop at once and close: what `run.ts` needs of one. */
export interface ManagedCommandRunner extends CommandRunner {
  /** SIGKILLs every running command's process group, synchronously (the second Ctrl-C). */
  killAll(): void;
  /** Lets its processes go once the run is over. */
  close(): Promise<void>;
}

/** Options of the native runner. */
export interface NativeRunnerOptions {
  /** The compiled `spawn-helper`. */
  readonly helperFile: string;
  /** Runs the commands once the helper cannot start or has died (the Node spawners, in dagrun). */
  readonly fallback: () => ManagedCommandRunner;
  /** Called with the process groups running now, whenever one starts or ends. */
  readonly groupsChanged?: (groups: readonly number[]) => void;
  /** Between SIGTERM and SIGKILL (tests shorten it). */
  readonly killGraceMs?: number;
}

/** One command between its run frame and its end. */
interface Running {
  readonly request: CommandRequest;
  readonly log: OutputLog;
  readonly resolve: (result: CommandResult) => void;
  readonly onAbort: () => void;
  /** Its process group, once the helper said it started. */
  pid: number | undefined;
  /** Why dagrun is ending it, if it is. */
  stop: 'timeout' | 'abort' | undefined;
  timer: NodeJS.Timeout | undefined;
  killTimer: NodeJS.Timeout | undefined;
}

/** The helper process, its pipes (sockets, so they can be unref'd) and its event reader. */
interface Helper {
  readonly child: ChildProcess;
  readonly stdin: Socket;
  readonly stdout: Socket;
  readonly reader: EventReader;
}

/** The command seam implemented by the native posix_spawn helper. */
export class NativeRunner implements ManagedCommandRunner {
  readonly #options: NativeRunnerOptions;
  readonly #running = new Map<number, Running>();
  readonly #groups = new Set<number>();
  /** dagrun's environment, copied once (reading `process.env` is slow, and it does not change). */
  readonly #baseEnv: Readonly<Record<string, string | undefined>> = { ...process.env };
  /**
   * dagrun's environment without the variables a request sets, encoded, per set of names: every
   * range of a target sets the same names, so a request encodes only its own few variables.
   */
  readonly #baseEnvWithout = new Map<string, EnvironmentText>();
  /** Request frames of this turn, written to the helper in one write when the turn ends. */
  #outbox: Buffer[] = [];
  #helper: Helper | undefined;
  #fallback: ManagedCommandRunner | undefined;
  #closing = false;
  #nextId = 0;

  constructor(options: NativeRunnerOptions) {
    this.#options = options;
  }

  run(request: CommandRequest): Promise<CommandResult> {
    const helper = this.#fallback === undefined ? (this.#helper ?? this.#start()) : undefined;
    if (helper === undefined) return this.#fallback!.run(request);
    const [file] = request.argv;
    // The helper reads C strings: a NUL would silently cut an argument, a variable or the cwd short.
    if (!file) return Promise.resolve(notStarted(`could not start ${file ?? 'an empty command'}: the command name is empty`));
    const withNul = request.argv.some((arg) => arg.includes('\0')) ? 'arguments' : request.cwd.includes('\0') ? 'the working folder'
      : Object.entries(request.env).some(([name, value]) => `${name}${value}`.includes('\0')) ? 'environment variables' : undefined;
    if (withNul !== undefined) return Promise.resolve(notStarted(`could not start ${file}: ${withNul} must not contain NUL bytes`));
    const id = this.#nextId++;
    return new Promise<CommandResult>((resolve) => {
      const command: Running = {
        request, resolve, log: new OutputLog(request.logFile, request.redact), onAbort: () => this.#stop(command, 'abort'),
        pid: undefined, stop: undefined, timer: undefined, killTimer: undefined,
      };
      this.#running.set(id, command);
      // The idle helper is unref'd; a pending command keeps dagrun waiting for its end.
      if (this.#running.size === 1) setRef(helper, true);
      this.#send(helper, encodeRun(id, path.resolve(request.cwd), request.argv, this.#environment(request.env)));
      if (request.timeoutMs !== undefined) command.timer = setTimeout(() => this.#stop(command, 'timeout'), request.timeoutMs);
      request.signal.addEventListener('abort', command.onAbort, { once: true });
      if (request.signal.aborted) command.onAbort();
    });
  }

  /**
   * Kills every running command's process group at once (the second Ctrl-C: no grace), also those
   * not reported or still queued: the queue goes out now (the caller may exit next), then a
   * kill-all frame that the helper handles after them.
   */
  killAll(): void {
    for (const group of this.#groups) killGroup(group, 'SIGKILL');
    if (this.#helper !== undefined) {
      this.#outbox.push(encodeKillAll());
      this.#flush(this.#helper);
    }
    this.#fallback?.killAll();
  }

  /**
   * Closes the helper's stdin: it exits at once when nothing runs, or ends what still runs
   * (SIGTERM, SIGKILL after the grace) and then exits. Waits for that. Safe to call when the
   * helper never started. The runner is not meant to be used after it.
   */
  async close(): Promise<void> {
    this.#closing = true;
    const helper = this.#helper;
    // Still set means its 'close' has not come yet (`#lost` clears it).
    const closed = helper && new Promise<void>((resolve) => helper.child.once('close', () => resolve()));
    if (helper) {
      setRef(helper, true);
      this.#flush(helper);
      helper.stdin.end();
    }
    await Promise.all([closed, this.#fallback?.close()]);
    this.#failAll('the runner was closed while the command ran');
  }

  /** Queues a frame for the helper; the turn's frames go out together (one write, not one per command). */
  #send(helper: Helper, frame: Buffer): void {
    if (this.#outbox.length === 0) setImmediate(() => this.#flush(helper));
    this.#outbox.push(frame);
  }

  #flush(helper: Helper): void {
    if (this.#outbox.length === 0) return;
    const frames = this.#outbox;
    this.#outbox = [];
    helper.stdin.write(frames.length === 1 ? frames[0]! : Buffer.concat(frames));
  }

  /** dagrun's environment with the request's variables on top. */
  #environment(added: Readonly<Record<string, string>>): EnvironmentText {
    const names = Object.keys(added);
    const key = names.join('\0');
    let base = this.#baseEnvWithout.get(key);
    if (base === undefined) {
      const pairs = Object.entries(this.#baseEnv).filter(([name, value]) => value !== undefined && !Object.hasOwn(added, name)).map(([name, value]) => `${name}=${value}`);
      base = environmentText(pairs);
      this.#baseEnvWithout.set(key, base);
    }
    const own = environmentText(names.map((name) => `${name}=${added[name]}`));
    return { text: base.text + own.text, count: base.count + own.count };
  }

  /** Starts the helper; undefined (and the fallback from now on) when it cannot start. */
  #start(): Helper | undefined {
    const grace = String(this.#options.killGraceMs ?? KILL_GRACE_MS);
    const child = spawn(this.#options.helperFile, [grace], { stdio: ['pipe', 'pipe', 'inherit'] });
    if (child.pid === undefined) {
      child.on('error', () => undefined); // the reason is moot: the fallback runs everything
      this.#fallback = this.#options.fallback();
      return undefined;
    }
    const helper: Helper = { child, stdin: child.stdin as Socket, stdout: child.stdout as Socket, reader: new EventReader() };
    // Neither the process nor its pipes keep dagrun alive while nothing runs.
    setRef(helper, false);
    helper.stdin.unref();
    helper.stdin.on('error', () => undefined); // a dead helper is reported by 'close', with its exit status
    helper.stdout.on('data', (chunk: Buffer) => {
      for (const event of helper.reader.read(chunk)) this.#received(event);
    });
    child.on('error', () => undefined);
    // 'close' comes after the helper's stdout ended, so every event it wrote was handled first.
    child.on('close', (code, signal) => this.#lost(`the native command helper ended unexpectedly (${signal ?? `exit code ${code}`})`));
    this.#helper = helper;
    return helper;
  }

  #received(event: HelperEvent): void {
    const command = this.#running.get(event.id);
    if (command === undefined) return;
    switch (event.type) {
      case 'started':
        command.pid = event.pid;
        this.#groups.add(event.pid);
        this.#options.groupsChanged?.([...this.#groups]);
        // Stopped before the helper had started it: end it now that it has a group.
        if (command.stop !== undefined) this.#terminate(command);
        return;
      case 'output':
        command.log.write(event.bytes);
        return;
      case 'failed':
        return this.#settle(event.id, describeStartFailure(event.errno, event.message, command.request.argv[0]!));
      case 'exited':
        return this.#settle(event.id, describeEnd(command, event.code, event.signal));
      default:
        unreachable(event);
    }
  }

  /** A timeout or an abort: SIGTERM to its group now, SIGKILL after the grace. */
  #stop(command: Running, why: 'timeout' | 'abort'): void {
    command.stop ??= why;
    this.#terminate(command);
  }

  #terminate(command: Running): void {
    if (command.pid === undefined) return; // not started yet: `started` ends it
    killGroup(command.pid, 'SIGTERM');
    const pid = command.pid;
    command.killTimer ??= setTimeout(() => killGroup(pid, 'SIGKILL'), this.#options.killGraceMs ?? KILL_GRACE_MS);
  }

  /** Ends a command's bookkeeping and hands out its result (with the tail and the log file). */
  #settle(id: number, outcome: { readonly exitCode: number | undefined; readonly failure: string | undefined }): void {
    const command = this.#running.get(id)!;
    this.#running.delete(id);
    if (this.#running.size === 0 && this.#helper !== undefined && !this.#closing) setRef(this.#helper, false);
    clearTimeout(command.timer);
    clearTimeout(command.killTimer);
    command.request.signal.removeEventListener('abort', command.onAbort);
    if (command.pid !== undefined && this.#groups.delete(command.pid)) this.#options.groupsChanged?.([...this.#groups]);
    command.log.close();
    command.resolve({ ...outcome, timedOut: command.stop === 'timeout', tail: command.log.tail(), logFile: command.log.file });
  }

  /** The helper is gone: kill what is left of its commands, fail them, run later ones on the fallback. */
  #lost(why: string): void {
    this.#helper = undefined;
    if (this.#closing) return;
    this.#fallback ??= this.#options.fallback();
    for (const group of this.#groups) killGroup(group, 'SIGKILL');
    this.#failAll(why);
  }

  #failAll(why: string): void {
    for (const id of [...this.#running.keys()]) this.#settle(id, { exitCode: undefined, failure: why });
  }
}

/**
 * Whether the helper keeps dagrun alive. Both handles together: with only its stdout ref'd, the
 * loop could end between the pipe's end and the exit status, and 'close' would never come.
 */
function setRef(helper: Helper, ref: boolean): void {
  if (ref) {
    helper.child.ref();
    helper.stdout.ref();
  } else {
    helper.child.unref();
    helper.stdout.unref();
  }
}

function notStarted(failure: string): CommandResult {
  return { exitCode: undefined, failure, timedOut: false, tail: '', logFile: undefined };
}

/** A start failure, as the helper reports it (an errno), in the words every runner uses. */
function describeStartFailure(errno: number, message: string, file: string): { exitCode: undefined; failure: string } {
  const code = Object.entries(constants.errno).find(([, number]) => number === errno)?.[0];
  return { exitCode: undefined, failure: describeEnding({ kind: 'not-started', file, code, message })! };
}

/** Why a command that ran did not succeed; undefined when it exited 0. */
function describeEnd(command: Running, code: number | undefined, signal: number | undefined): { exitCode: number | undefined; failure: string | undefined } {
  const { request, stop } = command;
  if (stop === 'timeout') return { exitCode: code, failure: describeEnding({ kind: 'timed-out', timeoutMs: request.timeoutMs! }) };
  if (stop === 'abort') return { exitCode: code, failure: describeEnding({ kind: 'interrupted' }) };
  return { exitCode: code, failure: describeEnding({ kind: 'ended', code, signal: signalName(signal) }) };
}

function signalName(signal: number | undefined): string | undefined {
  if (signal === undefined) return undefined;
  return Object.entries(constants.signals).find(([, number]) => number === signal)?.[0] ?? `signal ${signal}`;
}
