/**
 * Who holds the pipeline lock (`lock/owner.json`) and whether that process still lives: the
 * owner file's shape and I/O, and what makes a pid name one process (the boot, the PID
 * namespace, the process's start time), so that a pid is only checked where it means the same
 * process. lock.ts decides from this when a lock is stale.
 */
import { readFileSync, readlinkSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { checkShape, declaredOnly, type Shape } from '../config/shape.js';
import { processAlive } from '../core/process.js';
import { PRIVATE_FILE_MODE } from './disk.js';
import { lockOwnerFile } from './paths.js';

/** What the holder does with the pipeline: reads are short, so other processes wait for them without `--wait`. */
export type LockPurpose = 'build' | 'read';

/** Who holds a lock, as written in `owner.json`. */
export interface LockOwner {
  readonly pid: number;
  readonly host: string;
  readonly runId: string;
  readonly commandLine: string;
  /** ISO instant. */
  readonly startedAt: string;
  readonly purpose: LockPurpose;
  /** Tells this holder's lock apart from a later one with a reused pid. */
  readonly token: string;
  /** Process groups of the commands running now, so a successor can end them if this process dies. */
  readonly commands: readonly number[];
  /** Where `pid` and `commands` mean something (absent in locks of older dagruns: judged by heartbeat only). */
  readonly process?: ProcessIdentity;
}

/** What makes a pid name one process: the boot, the PID namespace, and the process's start time. */
export interface ProcessIdentity {
  /** `/proc/sys/kernel/random/boot_id`: pids of an earlier boot name nothing. */
  readonly bootId: string;
  /** `/proc/self/ns/pid`, e.g. `pid:[4026531836]`: another container's pids are other processes. */
  readonly pidNamespace: string;
  /** Field 22 of `/proc/<pid>/stat` (clock ticks after boot): tells a reused pid apart. */
  readonly startTicks: string;
}

/** Writes the owner file whole (a temporary file, then a rename): a reader sees the old owner or the new one. */
export function writeOwner(dir: string, owner: LockOwner): void {
  const temp = path.join(dir, `owner.${owner.token}.tmp`);
  try {
    writeFileSync(temp, JSON.stringify(owner, null, 2) + '\n', { mode: PRIVATE_FILE_MODE });
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
  renameSync(temp, lockOwnerFile(dir));
}

const text: Shape = { kind: 'string' };
const pid: Shape = { kind: 'number', integer: true, min: 1 };
const required = (shape: Shape) => ({ shape, required: true });

/**
 * The fields of `owner.json` this dagrun relies on. `purpose` may be any word (a newer dagrun's
 * is taken as a build, which is never cleared while it lives); `process` is absent in locks of
 * older dagruns.
 */
const ownerShape: Shape = {
  kind: 'object',
  fields: {
    pid: required(pid), host: required(text), runId: required(text), commandLine: required(text), startedAt: required(text),
    purpose: required(text), token: required(text),
    commands: required({ kind: 'array', items: pid }),
    process: { shape: { kind: 'object', fields: { bootId: required(text), pidNamespace: required(text), startTicks: required(text) } } },
  },
};

/** What a lock folder's owner file holds. */
export type OwnerRead =
  /** No file: the owner has not written it yet, or the lock was released. */
  | { readonly kind: 'missing' }
  /** A file that is not an owner (damaged, or edited by hand): no pid or token in it is trusted. */
  | { readonly kind: 'damaged' }
  | { readonly kind: 'found'; readonly owner: LockOwner };

/** Reads the owner file of the lock folder `dir`, checked against its shape. */
export function readOwnerFile(dir: string): OwnerRead {
  let json: string;
  try {
    json = readFileSync(lockOwnerFile(dir), 'utf8');
  } catch {
    return { kind: 'missing' };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return { kind: 'damaged' };
  }
  const owner = declaredOnly(parsed, ownerShape) as LockOwner;
  if (checkShape(owner, ownerShape).length > 0) return { kind: 'damaged' };
  return { kind: 'found', owner: owner.purpose === 'read' ? owner : { ...owner, purpose: 'build' } };
}

/** The owner of the lock, if it is held and its owner file reads as one. */
export function readOwner(dir: string): LockOwner | undefined {
  const read = readOwnerFile(dir);
  return read.kind === 'found' ? read.owner : undefined;
}

/** "pid 123 (run 2024…-ab12, `dagrun x`, started 2024-01-01T10:00:00Z)", naming the host when it is another one. */
export function describeOwner(owner: LockOwner | undefined): string {
  if (!owner) return 'a dagrun whose owner file (.dagrun/lock/owner.json) cannot be read';
  const where = owner.host !== hostname() ? ` on ${owner.host}` : owner.process && owner.process.pidNamespace !== ownPidNamespace() ? ' in another PID namespace' : '';
  return `pid ${owner.pid}${where} (run ${owner.runId}, \`${owner.commandLine}\`, started ${owner.startedAt})`;
}

/**
 * Whether the owner's pid names a process we can see: same host, same boot, same PID
 * namespace. Otherwise (another container with the same hostname, a lock of an older dagrun
 * that did not record where it ran) only its heartbeat tells whether it lives.
 */
export function seesSameProcesses(owner: LockOwner): boolean {
  const mine = ownIdentity();
  const theirs = owner.process;
  if (owner.host !== hostname() || !mine || !theirs) return false;
  return theirs.bootId === mine.bootId && theirs.pidNamespace === mine.pidNamespace;
}

let pidNamespace: string | null | undefined;

/** `/proc/self/ns/pid` of this process (right even when /proc shows another namespace's processes). */
function ownPidNamespace(): string | undefined {
  if (pidNamespace === undefined) {
    try {
      pidNamespace = readlinkSync('/proc/self/ns/pid');
    } catch {
      pidNamespace = null;
    }
  }
  return pidNamespace ?? undefined;
}

let identity: ProcessIdentity | null | undefined;

/** This process's identity; undefined without /proc (then locks are judged by their heartbeat). */
export function ownIdentity(): ProcessIdentity | undefined {
  if (identity === undefined) {
    try {
      const bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'latin1').trim();
      const pidNamespace = ownPidNamespace();
      const startTicks = processStartTicks(process.pid, '/proc/self/stat');
      // A /proc of another PID namespace (unshare without --mount-proc) shows other processes
      // under our pids: then no pid can be checked, and locks are judged by their heartbeat.
      const procIsOurs = processStartTicks(process.pid) === startTicks;
      identity = bootId && pidNamespace && startTicks && procIsOurs ? { bootId, pidNamespace, startTicks } : null;
    } catch {
      identity = null;
    }
  }
  return identity ?? undefined;
}

/** The start time of a process in clock ticks after boot (`/proc/<pid>/stat` field 22), if it can be read. */
export function processStartTicks(pid: number, file = `/proc/${pid}/stat`): string | undefined {
  try {
    const stat = readFileSync(file, 'latin1');
    // the command name (field 2) may hold spaces and parentheses: count fields after its last ')'
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** Whether a process runs (a zombie, already dead but not yet reaped, does not). */
export function processRunning(pid: number): boolean {
  if (!processAlive(pid)) return false;
  try {
    return !/^\d+ \(.*\) Z/s.test(readFileSync(`/proc/${pid}/stat`, 'latin1'));
  } catch {
    return true;
  }
}

/** Who holds a lock, as far as its owner file tells. */
export function describeHolder(read: OwnerRead): string {
  switch (read.kind) {
    case 'found':
      return describeOwner(read.owner);
    case 'missing':
      return 'a dagrun that never wrote its owner file';
    case 'damaged':
      return describeOwner(undefined);
  }
}
