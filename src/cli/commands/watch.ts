/**
 * `dagrun --watch [targets..]`: build once, then re-plan and build what became stale each
 * time dag.json5, a target file, or a .sql file or script a target uses changes. Each build
 * is a child `dagrun` process, so a broken config or a crash in one build never ends the
 * watch, and cancelling a build is an ordinary interrupt.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { loadConfig } from '../../config/load.js';
import { buildGraph } from '../../graph/build.js';
import { describeOutdatedDownstream, outdatedDownstream } from '../../watch/downstream.js';
import { FileWatcher } from '../../watch/fs-watcher.js';
import { fallbackFiles, watchedFiles, type WatchedFiles } from '../../watch/watched-files.js';
import { Watcher, type BuildHandle, type WatchCause, type WatchState } from '../../watch/watcher.js';
import { resolveConfigFile } from '../../run/session.js';
import { stateDirOf } from '../../state/paths.js';
import { listRuns } from '../../state/run-history.js';
import type { Output } from './shared.js';

/** Options of a watch. */
export interface WatchOptions {
  readonly config?: string;
  /** The arguments of each build (the command line without the watch options). */
  readonly buildArgs: readonly string[];
  readonly debounceMs: number;
  /** The dagrun script to run builds with (default: this process's). */
  readonly bin?: string;
}

/** The command line of each build: the watch's own, without `--watch` and `--debounce`. */
export function withoutWatchOptions(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--watch' || arg === '--watch=true' || arg.startsWith('--debounce=')) continue;
    if (arg === '--debounce') {
      i++;
      continue;
    }
    out.push(arg);
  }
  return out;
}

function filesOf(configFile: string, previous: WatchedFiles | undefined): WatchedFiles {
  try {
    return watchedFiles(loadConfig(configFile));
  } catch {
    // The build that just ran printed the error; keep watching what we had, and dag.json5.
    return fallbackFiles(configFile, previous);
  }
}

/** The id of the newest run recorded for the pipeline, if any. */
function newestRunId(stateDir: string): string | undefined {
  return listRuns(stateDir, 1)[0]?.runId;
}

/**
 * After a build: names the targets downstream of what it rebuilt that the watch's selection
 * left out, now outdated. Only for a run newer than `before` (a build that failed before
 * recording anything says nothing), and silent when the pipeline cannot be read.
 */
function sayOutdatedDownstream(configFile: string, before: string | undefined, out: Output): void {
  try {
    const run = listRuns(stateDirOf(path.dirname(configFile)), 1)[0];
    if (!run || run.runId === before || run.finished === false) return;
    const line = describeOutdatedDownstream(outdatedDownstream(buildGraph(loadConfig(configFile).targets), run.outcomes));
    if (line) out.stderr(`${line}\n`);
  } catch {
    // a broken pipeline: the build that just ran said what is wrong
  }
}

function startBuild(bin: string, args: readonly string[], out: Output): BuildHandle {
  // Its own process group: a Ctrl-C reaches only the watcher, which then interrupts the build once.
  const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'inherit', 'inherit'], detached: true });
  const done = new Promise<void>((resolve) => {
    child.on('error', (error) => {
      out.stderr(`[watch] could not start a build: ${error.message}\n`);
      resolve();
    });
    child.on('exit', (code, signal) => {
      const how = signal ? `was ended by ${signal}` : code === 0 ? 'succeeded' : `exited with ${code}`;
      out.stderr(`[watch] build ${how}\n`);
      resolve();
    });
  });
  return { done, cancel: () => void child.kill('SIGINT') };
}

function describeCause(why: WatchCause): string {
  switch (why.kind) {
    case 'initial-build':
      return 'initial build';
    case 'file-changed':
      return `changed: ${why.file}`;
    case 'file-changed-during-build':
      return `changed during the build: ${why.file}`;
    case 'files-quiet':
      return 'files quiet';
    case 'build-finished':
      return 'build finished';
    case 'changes-waiting':
      return 'build finished; changes are waiting';
    case 'stopped':
      return 'stopped';
  }
}

function describe(to: WatchState, why: WatchCause, fileCount: number): string | undefined {
  switch (to) {
    case 'running':
      return `[watch] building (${describeCause(why)})`;
    case 'queued':
      return `[watch] ${describeCause(why)}; another build follows this one`;
    case 'idle':
      return `[watch] watching ${fileCount} files for changes (Ctrl-C to stop)`;
    case 'debouncing':
      return why.kind === 'file-changed' ? `[watch] ${describeCause(why)}` : undefined;
    case 'aborted':
      return '[watch] stopping';
  }
}

/** Watches until interrupted; resolves to 130 (interrupted), as SPEC.md says for Ctrl-C. */
export async function watchCommand(options: WatchOptions, out: Output): Promise<number> {
  const configFile = resolveConfigFile(options.config);
  const bin = options.bin ?? process.argv[1]!;
  const args = [...options.buildArgs, '--config', configFile];
  let watched = filesOf(configFile, undefined);
  let lastLine = '';
  const files = new FileWatcher((file) => watcher.fileChanged(file));
  const watcher: Watcher = new Watcher({
    debounceMs: options.debounceMs,
    startBuild: () => {
      const before = newestRunId(stateDirOf(path.dirname(configFile)));
      const build = startBuild(bin, args, out);
      // After each build the pipeline may name other files (a new target, another script).
      void build.done.then(() => {
        sayOutdatedDownstream(configFile, before, out);
        watched = filesOf(configFile, watched);
        return files.update(watched);
      });
      return build;
    },
    onTransition: (_from, to, why) => {
      const line = describe(to, why, watched.files.size);
      if (line && line !== lastLine) out.stderr(`${line}\n`);
      lastLine = line ?? lastLine;
    },
  });
  await files.update(watched);
  const stopped = new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void watcher.abort().then(resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  watcher.start();
  await stopped;
  await files.close();
  return 130;
}
