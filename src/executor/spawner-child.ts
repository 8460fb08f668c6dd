/**
 * The spawner: a small Node process that starts build commands for dagrun (see
 * `spawner-runner.ts` for why). It runs each request with the spawn runner — process groups,
 * timeouts, the lazily opened log file, the output tail, secrets masked — and answers over
 * the IPC channel.
 *
 * It outlives nothing: when dagrun goes away (the channel closes, even after a SIGKILL), it
 * ends every command it started and exits. A Ctrl-C reaches it too (same terminal process
 * group); it ignores that and lets dagrun decide, because dagrun stops commands through it.
 * Its settings (kill grace, the secrets of `build.env`) come as dagrun's first message, not in
 * its environment, which the commands inherit.
 */
import { Redactor } from './output-log.js';
import { KILL_GRACE_MS, type CommandResult } from './runner.js';
import { SpawnRunner } from './spawn-runner.js';
import type { FromSpawner, SpawnerSettings, ToSpawner } from './spawner-protocol.js';

/** A `FromSpawner` message being filled during one turn of the event loop. */
interface Outbox {
  readonly finished: { id: number; result: CommandResult }[];
  groups: readonly number[] | undefined;
}
let outbox: Outbox | undefined;

/** This turn's message to dagrun, sent once the turn ends: changes of one turn share one IPC write. */
function post(): Outbox {
  if (outbox === undefined) {
    outbox = { finished: [], groups: undefined };
    setImmediate(() => {
      const message: FromSpawner = outbox!;
      outbox = undefined;
      // dagrun may be gone between the check and the write: `orphaned` handles that, not a crash.
      if (process.connected) process.send?.(message, undefined, undefined, () => undefined);
    });
  }
  return outbox;
}

/** What runs commands, made from the settings (dagrun's first message). */
interface Setup {
  readonly killGraceMs: number | undefined;
  readonly redactor: Redactor;
  readonly runner: SpawnRunner;
}
let setup: Setup | undefined;

function configure(settings: SpawnerSettings): Setup {
  const redactor = Redactor.fromEnvironment(process.env, settings.buildEnvs);
  const runner = new SpawnRunner({ killGraceMs: settings.killGraceMs, groupsChanged: (groups) => (post().groups = groups) });
  return { killGraceMs: settings.killGraceMs, redactor, runner };
}

const aborts = new Map<number, AbortController>();
function handle(message: ToSpawner): void {
  switch (message.type) {
    case 'settings':
      setup = configure(message.settings);
      return;
    case 'run': {
      const { runner, redactor } = (setup ??= configure({ killGraceMs: undefined, buildEnvs: [] }));
      const controller = new AbortController();
      aborts.set(message.id, controller);
      void runner
        .run({ ...message.request, signal: controller.signal, redact: (text) => redactor.redact(text) })
        .then(
          (result) => result,
          (error: unknown) => ({ exitCode: undefined, failure: `could not run: ${String(error)}`, timedOut: false, tail: '', logFile: undefined }),
        )
        .then((result) => {
          aborts.delete(message.id);
          post().finished.push({ id: message.id, result });
        });
      return;
    }
    case 'abort':
      aborts.get(message.id)?.abort();
      return;
    case 'kill-all':
      setup?.runner.killAll();
      return;
  }
}

/** dagrun is gone or done: end what runs (SIGTERM, then SIGKILL after the grace) and leave. */
function orphaned(): void {
  // dagrun's close() waits for this process to exit: with nothing running, at once.
  if (aborts.size === 0) process.exit(0);
  for (const controller of aborts.values()) controller.abort();
  const waited = setInterval(() => {
    if (aborts.size === 0) process.exit(0);
  }, 20);
  waited.unref();
  // The runner's own SIGKILL timer ends stragglers; this is the backstop.
  setTimeout(() => (setup?.runner.killAll(), process.exit(0)), (setup?.killGraceMs ?? KILL_GRACE_MS) + 1_000).unref();
}

process.on('message', (messages: readonly ToSpawner[]) => messages.forEach(handle));
process.on('disconnect', orphaned);
process.on('SIGINT', () => undefined);
process.on('SIGTERM', orphaned);
