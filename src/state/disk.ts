/**
 * Writing dagrun's own files under `.dagrun/`: private to the user (folders 0700, files 0600),
 * and a failed write (a full disk, a quota, a read-only file system) described in words that
 * name the file and what is wrong, never as a raw Node error with a stack.
 */
import { chmodSync, closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import path from 'node:path';
import { DagrunError, messageOf } from '../core/errors.js';

/** Mode of the folders dagrun creates under `.dagrun/`: only the user can list or enter them. */
export const PRIVATE_DIR_MODE = 0o700;
/** Mode of the files dagrun creates under `.dagrun/`: logs, run records, reports. */
export const PRIVATE_FILE_MODE = 0o600;

/** What an errno means for a file dagrun could not write, in a few words. */
const WRITE_PROBLEMS: Readonly<Record<string, string>> = {
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EISDIR: 'it is a folder',
  EMFILE: 'too many open files',
  EFBIG: 'the file is too large',
};

/** The errno code of a Node file-system error, if it has one. */
export function errnoOf(error: unknown): string | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** "no space left on device" for ENOSPC, else the error's first line. */
export function writeProblem(error: unknown): string {
  const code = errnoOf(error);
  // mkdir of a folder on the way finds a file there
  if (code === 'EEXIST' && (error as NodeJS.ErrnoException).syscall === 'mkdir') return WRITE_PROBLEMS.ENOTDIR!;
  if (code !== undefined && WRITE_PROBLEMS[code] !== undefined) return WRITE_PROBLEMS[code];
  return messageOf(error).split('\n')[0]!;
}

/** "cannot write FILE under STATEDIR: no space left on device" (or the file alone when it is elsewhere). */
export function describeWriteFailure(file: string, error: unknown, stateDir?: string): string {
  const inside = stateDir !== undefined && !path.relative(stateDir, file).startsWith('..') ? ` under ${stateDir}` : '';
  return `cannot write ${file}${inside}: ${writeProblem(error)}`;
}

/** Creates `dir` and its missing parents private to the user (existing folders are left as they are). */
export function makePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
}

/**
 * Creates the state folder (`.dagrun/`) private to the user, and makes one that an older
 * dagrun created world-readable private: it holds logs, run records and the warehouse.
 */
export function makeStateDirPrivate(stateDir: string): void {
  makePrivateDir(stateDir);
  try {
    if ((statSync(stateDir).mode & 0o077) !== 0) chmodSync(stateDir, PRIVATE_DIR_MODE);
  } catch {
    // not ours to change (another user's folder): what dagrun creates inside is private anyway
  }
}

/**
 * Writes all of `text` at the file's position. `writeSync` may write part of it (a disk that
 * fills up in the middle) without an error; the next call then says why.
 */
export function writeAll(fd: number, text: string): void {
  const bytes = Buffer.from(text);
  for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done, bytes.length - done);
}

/**
 * Writes a file whole and private (0600): into a temporary name, synced, then renamed, so that
 * a crash leaves the old file or the new one, never half of one. A failure removes the
 * temporary file and is thrown as a `DagrunError` naming the file and the problem.
 */
export function writePrivateFileAtomic(file: string, text: string, stateDir?: string): void {
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    makePrivateDir(path.dirname(file));
    const fd = openSync(temporary, 'w', PRIVATE_FILE_MODE);
    try {
      writeAll(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, file);
  } catch (error) {
    rmSync(temporary, { force: true });
    // exit 2, like a lock that cannot be taken: the run cannot be recorded, so it does not start
    throw new DagrunError('warehouse-unavailable', describeWriteFailure(file, error, stateDir));
  }
}
