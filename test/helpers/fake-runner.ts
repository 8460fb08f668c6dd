/**
 * A command runner whose commands end only when the test says so (ninja's
 * FakeCommandRunner, wireit's `rig.newCommand()`): `await runner.nextInvocation()` →
 * `inv.exit(0)`. It records what ran and how many ran at once, so concurrency and pool
 * limits are asserted without sleeps.
 */
import type { CommandRequest, CommandResult, CommandRunner } from '../../src/executor/runner.js';

/** One started command, waiting for the test to end it. */
export class FakeInvocation {
  readonly request: CommandRequest;
  readonly #resolve: (result: CommandResult) => void;
  readonly #onEnd: () => void;
  #ended = false;

  constructor(request: CommandRequest, resolve: (result: CommandResult) => void, onEnd: () => void) {
    this.request = request;
    this.#resolve = resolve;
    this.#onEnd = onEnd;
  }

  /** The target this command builds (`DAGRUN_TARGET`). */
  get target(): string {
    return this.request.env.DAGRUN_TARGET ?? '?';
  }

  /** `start..end` of the batch (`DAGRUN_START`/`DAGRUN_END`). */
  get range(): string {
    return `${this.request.env.DAGRUN_START}..${this.request.env.DAGRUN_END}`;
  }

  /** Whether the command has ended. */
  get ended(): boolean {
    return this.#ended;
  }

  /** Ends the command with an exit code; `output` becomes its tail. */
  exit(code: number, output = ''): void {
    this.#end({
      exitCode: code,
      failure: code === 0 ? undefined : `exited with code ${code}`,
      timedOut: false,
      tail: output,
      logFile: output ? this.request.logFile : undefined,
    });
  }

  #end(result: CommandResult): void {
    if (this.#ended) throw new Error(`FakeInvocation: ${this.request.argv.join(' ')} already ended`);
    this.#ended = true;
    this.#onEnd();
    this.#resolve(result);
  }

  /** Ends as killed, the way an interrupt or a timeout does. */
  kill(failure = 'interrupted'): void {
    this.#end({ exitCode: undefined, failure, timedOut: false, tail: '', logFile: undefined });
  }
}

/** The fake runner. */
export class FakeCommandRunner implements CommandRunner {
  /** The argv of every command started, in order. */
  readonly commandsRan: string[][] = [];
  /** Commands started and not yet ended. */
  readonly running: FakeInvocation[] = [];
  /** The set of running targets each time a command started (for concurrency asserts). */
  readonly snapshots: string[][] = [];
  readonly #unclaimed: FakeInvocation[] = [];
  readonly #waiters: ((inv: FakeInvocation) => void)[] = [];

  run(request: CommandRequest): Promise<CommandResult> {
    return new Promise((resolve) => {
      // An interrupt kills running commands, as the real runner does.
      const onAbort = () => inv.ended || inv.kill();
      const inv: FakeInvocation = new FakeInvocation(request, resolve, () => {
        this.running.splice(this.running.indexOf(inv), 1);
        request.signal.removeEventListener('abort', onAbort);
      });
      this.commandsRan.push([...request.argv]);
      this.running.push(inv);
      this.snapshots.push(this.running.map((r) => r.target));
      request.signal.addEventListener('abort', onAbort, { once: true });
      const waiter = this.#waiters.shift();
      if (waiter) waiter(inv);
      else this.#unclaimed.push(inv);
    });
  }

  /** The next command to start (already started ones first, in start order). */
  nextInvocation(): Promise<FakeInvocation> {
    const ready = this.#unclaimed.shift();
    if (ready) return Promise.resolve(ready);
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** The most commands that ran at once, of the targets `filter` accepts (all by default). */
  maxConcurrent(filter: (target: string) => boolean = () => true): number {
    return Math.max(0, ...this.snapshots.map((s) => s.filter(filter).length));
  }
}
