/**
 * The pipeline lock: one `.dagrun/lock/` folder per pipeline, so that two dagrun processes
 * never build (or, on DuckDB, even open the warehouse) at the same time.
 *
 * `mkdir` is the atomic step. The holder writes `owner.json` inside (pid, host, run, command
 * line, the process groups of its running commands, and where its pid means something: the
 * boot, the PID namespace and the process's start time) and touches it every few seconds. A lock
 * is stale when its owner is a process that no longer runs, as seen from the same boot and PID
 * namespace (a SIGKILLed dagrun: detected at once; a reused pid: by its start time), when its
 * heartbeat stopped (another host, another container's PID namespace, a run before a reboot), or
 * when it never got an owner file. A pid from another PID namespace says nothing here: two
 * containers with the same hostname see different processes under the same number, so such a
 * lock is only judged by its heartbeat. A stale lock is renamed away (only one process wins the rename),
 * the commands its dead owner left running are ended, and the lock is taken again.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync } from 'node:fs';
import { hostname } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import { describeWriteFailure, makeStateDirPrivate, PRIVATE_DIR_MODE } from './disk.js';
import { describeHolder, ownIdentity, processRunning, processStartTicks, readOwner, readOwnerFile, seesSameProcesses, writeOwner, type LockOwner, type OwnerRead } from './lock-owner.js';
import { lockDir, lockOwnerFile } from './paths.js';

/** How often the holder touches its owner file. */
const HEARTBEAT_MS = 5_000;
/** A lock whose owner file has not been touched for this long is stale, whoever holds it. */
const STALE_AFTER_MS = 60_000;
/** A lock folder with no owner file yet is being created; older than this, its creator died. */
const UNOWNED_GRACE_MS = 5_000;
/**
 * The running process groups are written to `owner.json` at most this often. A write (and
 * rename) per command start and end cost ~2 ms each, more than starting the command; the
 * list is only a second line of defence (the spawners end their commands when dagrun dies).
 */
const COMMANDS_WRITE_MS = 200;

/** Options of `acquirePipelineLock`. */
export interface AcquireOptions {
  /** Wait for a build lock to be released instead of giving up at once. */
  readonly wait: boolean;
  /** Ends the wait (Ctrl-C). */
  readonly signal?: AbortSignal;
  /** Said once when the lock is busy and we wait for it. */
  readonly onWait?: (message: string) => void;
  /** Said when a stale lock was cleared. */
  readonly onCleared?: (message: string) => void;
  /** Polling interval while waiting. */
  readonly pollMs?: number;
}

/** How acquiring ended: the lock, a busy lock with its owner (no `--wait`), or an interrupted wait. */
export type AcquireResult =
  | { readonly kind: 'acquired'; readonly lock: PipelineLock }
  | { readonly kind: 'busy'; readonly owner: LockOwner | undefined }
  | { readonly kind: 'aborted' };

/** A held pipeline lock. `release()` is synchronous so that it also runs on `process.exit`. */
export class PipelineLock {
  readonly #dir: string;
  #owner: LockOwner;
  readonly #heartbeat: NodeJS.Timeout;
  readonly #releaseOnExit = () => this.release();
  #released = false;
  /** A write of the latest command list, due at the end of the current throttle period. */
  #commandsWrite: NodeJS.Timeout | undefined;
  #lastCommandsWrite = -Infinity;

  constructor(dir: string, owner: LockOwner) {
    this.#dir = dir;
    this.#owner = owner;
    this.#heartbeat = setInterval(() => this.#touch(), HEARTBEAT_MS).unref();
    process.on('exit', this.#releaseOnExit);
  }

  /**
   * Records the process groups of the running commands (for a successor, should this process be
   * killed). The first change after a quiet spell is written at once; quick successions become
   * one write per `COMMANDS_WRITE_MS`, carrying the latest list.
   */
  setCommands(groups: readonly number[]): void {
    if (this.#released) return;
    this.#owner = { ...this.#owner, commands: [...groups] };
    if (this.#commandsWrite !== undefined) return; // the pending write takes the latest list
    const wait = this.#lastCommandsWrite + COMMANDS_WRITE_MS - performance.now();
    if (wait <= 0) return this.#writeCommands();
    this.#commandsWrite = setTimeout(() => {
      this.#commandsWrite = undefined;
      this.#writeCommands();
    }, wait).unref();
  }

  #writeCommands(): void {
    if (this.#released) return;
    this.#lastCommandsWrite = performance.now();
    try {
      writeOwner(this.#dir, this.#owner);
    } catch {
      // The lock was cleared under us (a heartbeat stalled for a minute): nothing to update.
    }
  }

  #touch(): void {
    const now = new Date();
    try {
      utimesSync(lockOwnerFile(this.#dir), now, now);
    } catch {
      // The lock was cleared under us (a heartbeat stalled for a minute); nothing to touch.
    }
  }

  /** Removes the lock if it is still ours; safe to call twice. */
  release(): void {
    if (this.#released) return;
    this.#released = true;
    clearInterval(this.#heartbeat);
    clearTimeout(this.#commandsWrite); // no final write: the folder is removed just below
    process.off('exit', this.#releaseOnExit);
    if (readOwner(this.#dir)?.token === this.#owner.token) rmSync(this.#dir, { recursive: true, force: true });
  }
}

/** A held lock as judged: its owner file as read, and why it is stale (undefined when its owner is alive). */
interface Judgement {
  readonly read: OwnerRead;
  readonly stale: string | undefined;
}

/** Judges the lock folder `dir`; undefined when it was released meanwhile (the next mkdir succeeds). */
function judge(dir: string, now: number): Judgement | undefined {
  const read = readOwnerFile(dir);
  let touched: number;
  try {
    // the heartbeat touches the owner file; a folder with none yet is judged by its own age
    touched = statSync(read.kind === 'missing' ? dir : lockOwnerFile(dir)).mtimeMs;
  } catch {
    return undefined;
  }
  const age = Math.round((now - touched) / 1000);
  switch (read.kind) {
    case 'missing':
      return { read, stale: now - touched > UNOWNED_GRACE_MS ? 'its creator died before writing its owner file' : undefined };
    case 'damaged':
      // no pid in it is trusted: only a heartbeat that stopped makes it stale
      return { read, stale: now - touched > STALE_AFTER_MS ? `its owner file is not one dagrun can read, and nothing updated it for ${age}s` : undefined };
    case 'found': {
      const owner = read.owner;
      if (seesSameProcesses(owner)) {
        if (!processRunning(owner.pid)) return { read, stale: `its process (pid ${owner.pid}) is no longer running` };
        if (processStartTicks(owner.pid) !== owner.process!.startTicks) return { read, stale: `its process (pid ${owner.pid}) ended; that pid is now another process` };
      }
      return { read, stale: now - touched > STALE_AFTER_MS ? `its owner stopped updating it ${age}s ago` : undefined };
    }
  }
}

/** Whether two reads of an owner file are of one lock: the same token, or both without a readable owner of the same kind. */
function sameLock(judged: OwnerRead, moved: OwnerRead): boolean {
  if (judged.kind === 'found' || moved.kind === 'found') return judged.kind === 'found' && moved.kind === 'found' && judged.owner.token === moved.owner.token;
  return judged.kind === moved.kind;
}

/**
 * Ends the commands a dead owner left running. Only where its pids mean the same processes (this
 * host, boot and PID namespace), and only a process whose environment carries the dead run's
 * id: a pid that was reused since is left alone.
 */
async function endOrphans(owner: LockOwner): Promise<number> {
  if (!seesSameProcesses(owner)) return 0;
  const ended: number[] = [];
  for (const group of owner.commands ?? []) {
    let environ: string;
    try {
      environ = readFileSync(`/proc/${group}/environ`, 'latin1');
    } catch {
      continue; // gone, or no /proc on this system
    }
    if (!environ.split('\0').includes(`DAGRUN_RUN_ID=${owner.runId}`)) continue;
    try {
      process.kill(-group, 'SIGKILL');
      ended.push(group);
    } catch {
      // ended meanwhile
    }
  }
  // A killed command may hold the warehouse file until it is really gone.
  for (let i = 0; i < 50 && ended.some(processRunning); i++) await delay(20);
  return ended.length;
}

/**
 * Moves a stale lock away (one process wins the rename) and ends what its owner left running.
 * What was judged stale is what is compared after the rename, never a second read: a fresh lock
 * taken in between is put back.
 */
export async function clearStale(dir: string, judged: OwnerRead, reason: string, onCleared: ((message: string) => void) | undefined): Promise<void> {
  const aside = `${dir}.stale-${randomBytes(4).toString('hex')}`;
  try {
    renameSync(dir, aside);
  } catch {
    return; // another process cleared it first
  }
  const moved = readOwnerFile(aside);
  if (!sameLock(judged, moved)) {
    // A fresh lock replaced the stale one between our look and the rename: put it back.
    try {
      renameSync(aside, dir);
    } catch {
      rmSync(aside, { recursive: true, force: true });
    }
    return;
  }
  rmSync(aside, { recursive: true, force: true });
  const orphans = moved.kind === 'found' ? await endOrphans(moved.owner) : 0;
  const ended = orphans > 0 ? `; ended ${orphans} command${orphans === 1 ? '' : 's'} it left running` : '';
  onCleared?.(`cleared a stale lock of ${describeHolder(moved)}: ${reason}${ended}`);
}

/**
 * Whether we wait for the current holder without being asked to: reads are short, and an owner
 * file not written yet comes in a moment. A damaged one names nobody and may never end: busy.
 */
function waitsAnyway(read: OwnerRead): boolean {
  return read.kind === 'missing' || (read.kind === 'found' && read.owner.purpose === 'read');
}

/**
 * Takes the pipeline lock under `stateDir`. A busy build lock is returned as `busy` unless
 * `wait` is set; a read lock (another `--status`) is always waited for.
 */
export async function acquirePipelineLock(
  stateDir: string,
  owner: Omit<LockOwner, 'token' | 'commands' | 'pid' | 'host'>,
  options: AcquireOptions,
): Promise<AcquireResult> {
  const dir = lockDir(stateDir);
  const identity = ownIdentity();
  const full: LockOwner = { ...owner, pid: process.pid, host: hostname(), token: randomBytes(8).toString('hex'), commands: [], ...(identity && { process: identity }) };
  let announced = false;
  makeStateDirPrivate(stateDir);
  for (;;) {
    if (options.signal?.aborted) return { kind: 'aborted' };
    if (tryCreate(dir, full)) return { kind: 'acquired', lock: new PipelineLock(dir, full) };
    // released meanwhile: like a lock whose owner file is not written yet, tried again after a pause
    const judgement = judge(dir, Date.now()) ?? { read: { kind: 'missing' }, stale: undefined };
    if (judgement.stale !== undefined) {
      await clearStale(dir, judgement.read, judgement.stale, options.onCleared);
      continue;
    }
    const read = judgement.read;
    const holder = read.kind === 'found' ? read.owner : undefined;
    if (!options.wait && !waitsAnyway(read)) return { kind: 'busy', owner: holder };
    // an owner file not written yet comes in a moment: say nothing until there is a holder to name
    if (!announced && read.kind !== 'missing') options.onWait?.(`waiting for ${describeHolder(read)} to finish…`);
    announced ||= read.kind !== 'missing';
    await delay(options.pollMs ?? 200, undefined, { signal: options.signal }).catch(() => undefined);
  }
}

function tryCreate(dir: string, owner: LockOwner): boolean {
  try {
    mkdirSync(dir, { mode: PRIVATE_DIR_MODE });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new Error(describeWriteFailure(dir, error));
  }
  try {
    writeOwner(dir, owner);
  } catch (error) {
    // A full disk: leave no owner-less lock behind for the next run to wait out.
    rmSync(dir, { recursive: true, force: true });
    throw new Error(describeWriteFailure(lockOwnerFile(dir), error));
  }
  return true;
}

/** The current holder of a pipeline's lock, if a live one holds it (for messages). */
export function currentHolder(stateDir: string): LockOwner | undefined {
  const dir = lockDir(stateDir);
  if (!existsSync(dir)) return undefined;
  const judgement = judge(dir, Date.now());
  return judgement && judgement.stale === undefined && judgement.read.kind === 'found' ? judgement.read.owner : undefined;
}
