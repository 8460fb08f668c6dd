/**
 * Runs build commands with execa: argv only (no shell), each command in a process group of
 * its own so that a timeout or an interrupt ends its whole tree, children of children too.
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

/** The execa implementation of the command seam. */
export class ExecaRunner implements CommandRunner {
  async run(request: CommandRequest): Promise<CommandResult> {
    const log = new OutputLog(request.logFile);
    const [file, ...args] = request.argv;
    const child = execa(file!, args, {
      cwd: request.cwd,
      env: request.env,
      extendEnv: true,
      stdin: 'ignore',
      buffer: false,
      reject: false,
      detached: true,
      cleanup: true,
      stripFinalNewline: false,
    });
    child.stdout?.on('data', (chunk: Buffer) => log.write(chunk));
    child.stderr?.on('data', (chunk: Buffer) => log.write(chunk));

    let timedOut = false;
    let aborted = false;
    let killTimer: NodeJS.Timeout | undefined;
    const terminate = () => {
      killGroup(child.pid, 'SIGTERM');
      killTimer ??= setTimeout(() => killGroup(child.pid, 'SIGKILL'), KILL_GRACE_MS);
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
    log.close();

    let failure: string | undefined;
    if (timedOut) failure = `timed out after ${formatDuration(request.timeoutMs!)}`;
    else if (aborted) failure = 'interrupted';
    else if (result.failed) failure = describeFailure(result, file!);
    return { exitCode: result.exitCode, failure, timedOut, tail: log.tail(), logFile: log.file };
  }
}

function describeFailure(result: { exitCode?: number; signal?: string; code?: string; originalMessage?: string }, file: string): string {
  if (result.code === 'ENOENT') return `command not found: ${file}`;
  if (result.code === 'EACCES') return `command is not executable: ${file}`;
  if (result.exitCode !== undefined) return `exited with code ${result.exitCode}`;
  if (result.signal) return `killed by ${result.signal}`;
  return result.originalMessage ?? 'failed to start';
}
