/**
 * Picks how dagrun starts commands: the native posix_spawn helper when it was compiled
 * (`scripts/build-native.mjs`, at build time, when a C compiler was there), else the Node
 * spawners. `DAGRUN_COMMAND_RUNNER=node` forces the Node spawners, `in-process` dagrun's own
 * `child_process.spawn` (to compare, or to rule the helper out when something looks wrong).
 *
 * Why the spawners stay as the fallback rather than the in-process runner: dagrun's own process
 * holds DuckDB, and Node forks it for every command. 1000 x /bin/true at -j 8 through the CLI
 * (2-core Xeon VM, load 10-14): spawners 12.0 s wall / 11.6 s CPU, in-process 29.0 s / 19.0 s
 * (medians of 5; the helper: 9.1 s / 9.9 s).
 */
import { accessSync, constants } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { NativeRunner, type ManagedCommandRunner } from './native-runner.js';
import { SpawnRunner } from './spawn-runner.js';
import { SpawnerRunner, type SpawnerRunnerOptions } from './spawner-runner.js';

/**
 * Where the build puts the helper: dist/native/spawn-helper. Both dist/executor/ (tsc's output)
 * and dist/bundle/ (the bundle that `bin/dagrun.js` prefers) sit one level below dist/, so one
 * relative path serves both.
 */
export const NATIVE_HELPER_FILE = fileURLToPath(new URL('../native/spawn-helper', import.meta.url));

/** Options of `createCommandRunner`: those of the spawner runner, which is also the fallback. */
export interface CommandRunnerOptions extends SpawnerRunnerOptions {
  /** The environment to read `DAGRUN_COMMAND_RUNNER` from (default: `process.env`). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The helper to use (default: `NATIVE_HELPER_FILE`). */
  readonly helperFile?: string;
}

/** The native runner when its helper exists and is not turned off, else the Node spawner runner (or, when asked, the in-process one). */
export function createCommandRunner(options: CommandRunnerOptions = {}): ManagedCommandRunner {
  const { env = process.env, helperFile = NATIVE_HELPER_FILE, ...spawnerOptions } = options;
  const spawners = () => new SpawnerRunner(spawnerOptions);
  if (env.DAGRUN_COMMAND_RUNNER === 'in-process') return new SpawnRunner(spawnerOptions);
  if (env.DAGRUN_COMMAND_RUNNER === 'node' || !isExecutable(helperFile)) return spawners();
  return new NativeRunner({ helperFile, fallback: spawners, groupsChanged: options.groupsChanged, killGraceMs: options.killGraceMs });
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
