/**
 * Edge cases of the runner contract, run against the native runner and the in-process spawn
 * runner, which must say the same: scripts without a `#!` line (run by sh, as execvp does),
 * a folder found on PATH, NUL bytes where C strings end, large argv and environments, many
 * requests in one turn, output written after the leader exited, no helper fd
 * leaking into commands, and `killAll()` or a timeout before the helper said "started".
 */
import { readFileSync, readdirSync, readlinkSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureHelper, HELPER } from '../../test/helpers/native-helper.js';
import { alive, until } from '../../test/helpers/processes.js';
import { NativeRunner, type ManagedCommandRunner } from './native-runner.js';
import type { CommandRequest } from './runner.js';
import { SpawnRunner } from './spawn-runner.js';

const noHelper = ensureHelper();
const noFallback = (): ManagedCommandRunner => {
  throw new Error('the helper should have started');
};
type Runner = { run: ManagedCommandRunner['run']; killAll(): void; close?(): Promise<void> };
const runners: [string, () => Runner][] = [
  [noHelper ? `NativeRunner (skipped: ${noHelper})` : 'NativeRunner', () => new NativeRunner({ helperFile: HELPER, fallback: noFallback, killGraceMs: 200 })],
  ['SpawnRunner', () => new SpawnRunner({ killGraceMs: 200 })],
];

describe.each(runners)('%s: edge cases', (name, make) => {
  const skip = name.includes('skipped');
  let dir: string;
  let runner: Runner;
  const request = (argv: string[], more: Partial<CommandRequest> = {}): CommandRequest => ({
    argv, cwd: dir, env: {}, timeoutMs: undefined, logFile: path.join(dir, 'command.log'), signal: new AbortController().signal, ...more,
  });

  beforeEach(() => {
    dir = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'dagrun-native-edges-')));
    runner = make();
  });
  afterEach(async () => {
    await runner.close?.();
    rmSync(dir, { recursive: true, force: true });
  });

  it.skipIf(skip)('runs an executable script without a #! line with sh, as execvp does', async () => {
    writeFileSync(path.join(dir, 'plain.sh'), 'echo "plain $1"\n', { mode: 0o755 });
    expect(await runner.run(request(['./plain.sh', 'arg']))).toMatchObject({ exitCode: 0, tail: 'plain arg' });
    expect(await runner.run(request(['plain.sh', 'onpath'], { env: { PATH: dir } }))).toMatchObject({ exitCode: 0, tail: 'plain onpath' });
  });

  it.skipIf(skip)('a folder found on PATH is not executable, as execvp says', async () => {
    mkdirSync(path.join(dir, 'tool'));
    expect((await runner.run(request(['tool'], { env: { PATH: dir } }))).failure).toBe('command is not executable: tool');
    expect((await runner.run(request([path.join(dir, 'tool')]))).failure).toBe(`command is not executable: ${path.join(dir, 'tool')}`);
  });

  it.skipIf(skip)('refuses NUL bytes in the environment or the cwd instead of cutting them short', async () => {
    const value = await runner.run(request(['sh', '-c', 'echo "$A|$B"'], { env: { A: 'x\0y', B: 'b' } }));
    expect(value).toMatchObject({ exitCode: undefined, failure: expect.stringMatching(/^could not start sh: /) });
    const cwd = await runner.run(request(['pwd'], { cwd: `${dir}\0elsewhere` }));
    expect(cwd).toMatchObject({ exitCode: undefined, failure: expect.stringMatching(/^could not start pwd: /) });
  });

  it.skipIf(skip)('passes argv and environments larger than a pipe buffer on whole, many requests in one turn', async () => {
    const args = Array.from({ length: 3000 }, (_, i) => `argument-${i}-${'x'.repeat(40)}`); // ~150 KB
    const env = Object.fromEntries(Array.from({ length: 1500 }, (_, i) => [`BIG_${i}`, 'v'.repeat(60)])); // ~100 KB
    const script = 'echo "$# $1 ${3000} ${#BIG_0} ${#BIG_1499}"';
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, n) => runner.run(request(['sh', '-c', script, 'sh', ...args], { env: { ...env, N: String(n) }, logFile: path.join(dir, `${n}.log`) }))),
    );
    for (const result of results) expect(result).toMatchObject({ exitCode: 0, tail: `3000 ${args[0]} ${args[2999]} 60 60` });
  });

  it.skipIf(skip)('keeps output a child writes after the leader exited, and ends once it is done', async () => {
    const result = await runner.run(request(['sh', '-c', '(sleep 0.2; echo late) & echo early']));
    expect(result).toMatchObject({ exitCode: 0, tail: 'early\nlate' });
  });

  it.skipIf(process.platform !== 'linux' || skip)('gives a command no descriptor but its stdio and what dagrun itself inherited', async () => {
    const targets = (pid: number | 'self') => readdirSync(`/proc/${pid}/fd`).map((fd) => [Number(fd), readlinkSafe(`/proc/${pid}/fd/${fd}`)] as const);
    const ours = new Set(targets(process.pid).map(([, target]) => target));
    // Others run meanwhile, so the helper holds their pipes when this one starts.
    const busy = [1, 2].map((n) => runner.run(request(['sleep', '0.5'], { logFile: path.join(dir, `busy${n}.log`) })));
    const result = await runner.run(request(['sh', '-c', 'exec ls -l /proc/self/fd']));
    await Promise.all(busy);
    const fds = result.tail.split('\n').filter((line) => line.includes(' -> ')).map((line) => line.replace(/^.* (\d+) -> /, '$1 -> ').split(' -> ') as [string, string]);
    expect(fds.filter(([fd]) => Number(fd) <= 2).map(([, target]) => target.replace(/:\[\d+\]$/, ''))).toEqual(['/dev/null', expect.stringMatching(/^(pipe|socket)$/), expect.stringMatching(/^(pipe|socket)$/)]);
    // Beyond stdio, only what the test process has open too (inherited by dagrun), and the listing's own.
    const extra = fds.filter(([fd, target]) => Number(fd) > 2 && !ours.has(target) && !target.includes(`/proc/`));
    expect(extra).toEqual([]);
  });

  it.skipIf(skip)('a timeout that fires before the command started still ends it', async () => {
    expect(await runner.run(request(['sleep', '30'], { timeoutMs: 1 }))).toMatchObject({ timedOut: true, failure: 'timed out after 1ms' });
  });

  it.skipIf(skip)('killAll() right after run() ends the commands it was given, started or not', async () => {
    const pids = path.join(dir, 'pids');
    mkdirSync(pids);
    const pending = [1, 2, 3].map((n) => runner.run(request(['sh', '-c', `echo $$ > pids/${n}; trap "" TERM; sleep 30`], { logFile: path.join(dir, `${n}.log`) })));
    runner.killAll();
    for (const result of await Promise.all(pending)) expect(result.exitCode).toBeUndefined();
    // A shell killed between creating its file and writing its pid leaves it empty: nothing to wait for.
    const started = readdirSync(pids).map((file) => Number(readFileSync(path.join(pids, file), 'utf8'))).filter((pid) => pid > 0);
    for (const pid of started) await until(() => !alive(pid));
  });
});

function readlinkSafe(file: string): string {
  try {
    return readlinkSync(file);
  } catch {
    return 'gone';
  }
}
