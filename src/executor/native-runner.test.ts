/**
 * The command-runner contract, with real processes, run against the native runner (commands
 * started by dist/native/spawn-helper, compiled here if missing, or by the helper that
 * `DAGRUN_TEST_SPAWN_HELPER` names: test/native-sanitizers.test.ts) and against the in-process
 * spawn runner, so the two keep saying the same things: exit codes and signals in words,
 * commands that never start, cwd and the request's PATH, output only in a log file when there
 * is any (secrets masked, tail kept), timeouts and aborts that end the whole process group,
 * `killAll()`, `groupsChanged`, and many commands at once all accounted for.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureHelper, HELPER } from '../../test/helpers/native-helper.js';
import { alive, until } from '../../test/helpers/processes.js';
import { NativeRunner, type ManagedCommandRunner } from './native-runner.js';
import type { CommandRequest, CommandRunner } from './runner.js';
import { SpawnRunner } from './spawn-runner.js';

const noHelper = ensureHelper();

/** A fallback that must not be needed: the helper is there. */
const noFallback = (): ManagedCommandRunner => {
  throw new Error('the helper should have started');
};

type Made = { runner: CommandRunner & { killAll(): void; close?(): Promise<void> }; groups: (readonly number[])[] };
const runners: [string, () => Made][] = [
  [noHelper ? `NativeRunner (skipped: ${noHelper})` : 'NativeRunner', () => {
    const groups: (readonly number[])[] = [];
    return { runner: new NativeRunner({ helperFile: HELPER, fallback: noFallback, killGraceMs: 200, groupsChanged: (g) => groups.push(g) }), groups };
  }],
  ['SpawnRunner', () => {
    const groups: (readonly number[])[] = [];
    return { runner: new SpawnRunner({ killGraceMs: 200, groupsChanged: (g) => groups.push(g) }), groups };
  }],
];

describe.each(runners)('%s: the runner contract', (name, make) => {
  const skip = name.includes('skipped');
  let dir: string;
  let made: Made;
  const request = (argv: string[], more: Partial<CommandRequest> = {}): CommandRequest => ({
    argv, cwd: dir, env: { DAGRUN_TARGET: 't' }, timeoutMs: undefined, logFile: path.join(dir, 'logs', 'command.log'), signal: new AbortController().signal, ...more,
  });

  beforeEach(() => {
    dir = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'dagrun-native-')));
    made = make();
  });
  afterEach(async () => {
    await made?.runner.close?.();
    rmSync(dir, { recursive: true, force: true });
  });

  it.skipIf(skip)('reports exit codes and signals, and writes output (masked) to the log file only when there is any', async () => {
    const { runner, groups } = made;
    expect(await runner.run(request(['true']))).toEqual({ exitCode: 0, failure: undefined, timedOut: false, tail: '', logFile: undefined });

    const loud = await runner.run(request(['sh', '-c', 'echo "$DAGRUN_TARGET"; echo secret-value >&2; exit 4'], { redact: (t) => t.replaceAll('secret-value', '***') }));
    expect(loud).toMatchObject({ exitCode: 4, failure: 'exited with code 4', tail: 't\n***' });
    expect(readFileSync(loud.logFile!, 'utf8')).toBe('t\n***\n');

    const many = await runner.run(request(['sh', '-c', 'i=0; while [ $i -lt 30 ]; do echo line$i; i=$((i+1)); done; printf unfinished'], { logFile: path.join(dir, 'many.log') }));
    expect(many.tail.split('\n')).toEqual([...Array.from({ length: 19 }, (_, i) => `line${i + 11}`), 'unfinished']);

    expect(await runner.run(request(['sh', '-c', 'kill -9 $$']))).toMatchObject({ exitCode: undefined, failure: 'killed by SIGKILL' });
    expect(await runner.run(request(['sh', '-c', 'kill -TERM $$']))).toMatchObject({ exitCode: undefined, failure: 'killed by SIGTERM' });
    expect(groups.some((g) => g.length === 1)).toBe(true);
    expect(groups.at(-1)).toEqual([]);
  });

  it.skipIf(skip)('passes large output on whole, in order', async () => {
    const result = await made.runner.run(request(['sh', '-c', 'yes 0123456789 | head -n 100000; echo end']));
    const log = readFileSync(result.logFile!, 'utf8');
    expect(log).toBe('0123456789\n'.repeat(100_000) + 'end\n');
    expect(result.tail.split('\n').slice(-2)).toEqual(['0123456789', 'end']);
  });

  it.skipIf(skip)('says why a command could not start: not found, not executable, no such working folder', async () => {
    const { runner, groups } = made;
    const script = path.join(dir, 'script.sh');
    writeFileSync(script, '#!/bin/sh\nexit 0\n');
    chmodSync(script, 0o644);
    expect((await runner.run(request(['no-such-command-xyz']))).failure).toBe('command not found: no-such-command-xyz');
    expect((await runner.run(request([script]))).failure).toBe(`command is not executable: ${script}`);
    expect(await runner.run(request(['true'], { cwd: path.join(dir, 'missing') }))).toMatchObject({ exitCode: undefined, failure: 'command not found: true' });
    expect(groups.every((g) => g.length === 0)).toBe(true);
  });

  it.skipIf(skip)('runs in the request cwd, finding the command on the request PATH, with dagrun variables plus the request ones', async () => {
    const bin = path.join(dir, 'tools');
    mkdirSync(path.join(dir, 'work'));
    mkdirSync(bin);
    writeFileSync(path.join(bin, 'my-tool'), '#!/bin/sh\necho "$PWD $DAGRUN_TARGET $HOME"\n', { mode: 0o755 });
    const result = await made.runner.run(request(['my-tool'], { cwd: path.join(dir, 'work'), env: { DAGRUN_TARGET: 'orders', PATH: `${bin}:/usr/bin:/bin` } }));
    expect(result).toMatchObject({ exitCode: 0, tail: `${path.join(dir, 'work')} orders ${process.env.HOME}` });
  });

  it.skipIf(skip)('a timeout ends the whole process group, children that ignore SIGTERM too', async () => {
    const result = await made.runner.run(request(['sh', '-c', 'trap "" TERM; sleep 30 & echo $!; wait'], { timeoutMs: 300 }));
    expect(result).toMatchObject({ timedOut: true, failure: 'timed out after 300ms', exitCode: undefined });
    const grandchild = Number(result.tail);
    expect(grandchild).toBeGreaterThan(0);
    await until(() => !alive(grandchild));
  });

  it.skipIf(skip)('an abort ends a running command, and one aborted before it starts', async () => {
    const { runner, groups } = made;
    const controller = new AbortController();
    const pending = runner.run(request(['sleep', '30'], { signal: controller.signal }));
    await until(() => groups.at(-1)?.length === 1);
    controller.abort();
    expect(await pending).toMatchObject({ failure: 'interrupted', timedOut: false, exitCode: undefined });
    expect(await runner.run(request(['sleep', '30'], { signal: AbortSignal.abort() }))).toMatchObject({ failure: 'interrupted' });
    expect(groups.at(-1)).toEqual([]);
  });

  it.skipIf(skip)('killAll() kills every running group at once', async () => {
    const { runner, groups } = made;
    const pending = [1, 2, 3].map((n) => runner.run(request(['sh', '-c', 'trap "" TERM; sleep 30'], { logFile: path.join(dir, `${n}.log`) })));
    await until(() => groups.at(-1)?.length === 3);
    runner.killAll();
    for (const result of await Promise.all(pending)) expect(result).toMatchObject({ failure: 'killed by SIGKILL' });
    expect(groups.at(-1)).toEqual([]);
  });

  it.skipIf(skip)('runs 200 commands, 8 at a time, and accounts for every one', async () => {
    const { runner, groups } = made;
    const results: { n: number; exitCode: number | undefined; log: string }[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < 200) {
          const n = next++;
          const result = await runner.run(request(['sh', '-c', `echo out${n}; echo err${n} >&2; exit ${n % 3}`], { logFile: path.join(dir, 'many', `${n}.log`) }));
          results.push({ n, exitCode: result.exitCode, log: readFileSync(result.logFile!, 'utf8') });
        }
      }),
    );
    expect(results).toHaveLength(200);
    for (const { n, exitCode, log } of results) expect({ exitCode, log }).toEqual({ exitCode: n % 3, log: `out${n}\nerr${n}\n` });
    expect(Math.max(...groups.map((g) => g.length))).toBeLessThanOrEqual(8);
    expect(groups.at(-1)).toEqual([]);
  });
});

describe.skipIf(noHelper !== undefined)('NativeRunner: the helper process', () => {
  let dir: string;
  const request = (argv: string[], name: string): CommandRequest => ({
    argv, cwd: dir, env: {}, timeoutMs: undefined, logFile: path.join(dir, `${name}.log`), signal: new AbortController().signal,
  });
  /** The complete lines a command wrote to its log so far. */
  const linesOf = (name: string) => (existsSync(path.join(dir, `${name}.log`)) ? readFileSync(path.join(dir, `${name}.log`), 'utf8').split('\n').slice(0, -1) : []);
  /** A fallback that runs in this process, so a command's parent shows which runner started it. */
  const inProcess = (): ManagedCommandRunner => Object.assign(new SpawnRunner({ killGraceMs: 200 }), { close: async () => undefined });

  beforeEach(() => {
    dir = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'dagrun-native-helper-')));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('when the helper dies, its commands fail saying so, their groups are killed, and later commands run on the fallback', async () => {
    const groups: (readonly number[])[] = [];
    const runner = new NativeRunner({ helperFile: HELPER, fallback: inProcess, killGraceMs: 200, groupsChanged: (g) => groups.push(g) });
    try {
      // The command prints its parent, the helper, and its child's pid, then waits.
      const pending = runner.run(request(['sh', '-c', 'trap "" TERM; echo $PPID; sleep 30 & echo $!; wait'], 'victim'));
      await until(() => linesOf('victim').length === 2);
      const [helper, sleeper] = linesOf('victim').map(Number);
      process.kill(helper!, 'SIGKILL');
      expect(await pending).toMatchObject({ exitCode: undefined, failure: 'the native command helper ended unexpectedly (SIGKILL)' });
      expect(groups.at(-1)).toEqual([]);
      await until(() => !alive(sleeper!));

      const after = await runner.run(request(['sh', '-c', 'echo $PPID'], 'after'));
      expect(after).toMatchObject({ exitCode: 0, tail: String(process.pid) });
    } finally {
      await runner.close();
    }
  });

  it('a helper that cannot start leaves every command to the fallback', async () => {
    const runner = new NativeRunner({ helperFile: path.join(dir, 'no-such-helper'), fallback: inProcess });
    expect(await runner.run(request(['sh', '-c', 'echo $PPID'], 'fallback'))).toMatchObject({ exitCode: 0, tail: String(process.pid) });
    await runner.close();
  });

  it('close() lets the helper end what still runs (SIGTERM, then SIGKILL after the grace) and waits for it', async () => {
    const runner = new NativeRunner({ helperFile: HELPER, fallback: noFallback, killGraceMs: 200 });
    const polite = runner.run(request(['sleep', '30'], 'polite'));
    const stubborn = runner.run(request(['sh', '-c', 'trap "" TERM; echo ready; sleep 30'], 'stubborn'));
    await until(() => linesOf('stubborn').length === 1);
    await runner.close();
    expect(await polite).toMatchObject({ failure: 'killed by SIGTERM' });
    expect(await stubborn).toMatchObject({ failure: 'killed by SIGKILL' });
  });

  it('rejects argv it cannot pass on, without starting anything', async () => {
    const runner = new NativeRunner({ helperFile: HELPER, fallback: noFallback });
    expect((await runner.run(request(['echo', 'a\0b'], 'nul'))).failure).toMatch(/^could not start echo: /);
    await runner.close();
  });
});
