/** The messages between `SpawnerRunner` (in dagrun) and its spawner child process, over Node's IPC channel. */
import type { CommandResult } from './runner.js';

/** A command to start, as `CommandRequest` minus what cannot cross a process boundary (signal, redact). */
export interface SpawnRequest {
  readonly argv: readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  readonly timeoutMs: number | undefined;
  readonly logFile: string;
}

/** Parent → child; the parent sends the messages of one event-loop turn together, as one `ToSpawner[]`. */
export type ToSpawner =
  /** Always the first message: how to run commands. */
  | { readonly type: 'settings'; readonly settings: SpawnerSettings }
  /** Start a command; `id` names it in later messages. */
  | { readonly type: 'run'; readonly id: number; readonly request: SpawnRequest }
  /** End a running command's process group (SIGTERM, then SIGKILL after the grace). */
  | { readonly type: 'abort'; readonly id: number }
  /** SIGKILL every running group now (the second Ctrl-C). */
  | { readonly type: 'kill-all' };

/**
 * Child → parent: what changed during one turn of the spawner's event loop, in one message
 * (a command that ends and the next that starts cost one IPC write, not three).
 */
export interface FromSpawner {
  /** Commands that ended. */
  readonly finished: readonly { readonly id: number; readonly result: CommandResult }[];
  /** The process groups running now, when they changed (a command started or ended). */
  readonly groups: readonly number[] | undefined;
}

/** How the child runs commands: its first message, since it may be forked before the config is read. */
export interface SpawnerSettings {
  readonly killGraceMs: number | undefined;
  /** `build.env` of every target, so the child masks the same secrets as dagrun. */
  readonly buildEnvs: readonly Readonly<Record<string, string>>[];
}
