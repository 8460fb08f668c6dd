/**
 * The spawner runner with real processes: commands run in a separate spawner process with
 * the in-process runner's contract (exit codes, tails, lazily created and masked log files,
 * timeouts and aborts that end the whole process group), and a dagrun that dies does not
 * leave its commands running. Uses the built dist/ (the spawner is dist/executor/spawner-child.js).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { alive, until } from './helpers/processes.js';
// @ts-expect-error the built module has no declarations; its types are those of src/executor/spawner-runner.ts
import { SpawnerRunner } from '../dist/executor/spawner-runner.js';
import type { CommandRequest, CommandResult } from '../src/executor/runner.js';
import type { SpawnerRunner as SpawnerRunnerType } from '../src/executor/spawner-runner.js';

const DIST_RUNNER = path.resolve('dist/executor/spawner-runner.js');

describe('SpawnerRunner', () => {
  let dir: string;
  let runner: SpawnerRunnerType;
  let groups: (readonly number[])[];
  const request = (argv: string[], more: Partial<CommandRequest> = {}): CommandRequest => ({
    argv, cwd: dir, env: { DAGRUN_TARGET: 't' }, timeoutMs: undefined, logFile: path.join(dir, 'logs', `${argv.join('_').replace(/\W/g, '')}.log`),
    signal: new AbortController().signal, ...more,
  });
  const node = (code: string) => [process.execPath, '-e', code];

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'dagrun-spawner-'));
    groups = [];
    runner = new SpawnerRunner({ killGraceMs: 200, buildEnvs: [{ SERVICE_TOKEN: 'tok-1234567' }], groupsChanged: (g: readonly number[]) => groups.push(g) });
  });
  afterEach(async () => {
    await runner.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs commands with the in-process runner contract: exit codes, tails, log files only when printed, secrets masked', async () => {
    const quiet: CommandResult = await runner.run(request(['true']));
    expect(quiet).toEqual({ exitCode: 0, failure: undefined, timedOut: false, tail: '', logFile: undefined });

    const loud = await runner.run(request(node('console.log("one"); console.error("token tok-1234567"); process.exit(3)')));
    expect(loud.exitCode).toBe(3);
    expect(loud.failure).toBe('exited with code 3');
    expect(loud.tail).toBe('one\ntoken ***');
    expect(readFileSync(loud.logFile!, 'utf8')).toBe('one\ntoken ***\n');

    expect((await runner.run(request(['no-such-command-xyz']))).failure).toBe('command not found: no-such-command-xyz');
    // the process group of each command was reported while it ran, and none is left
    expect(groups.some((g) => g.length > 0)).toBe(true);
    expect(groups.at(-1)).toEqual([]);
  });

  it('ends the whole process group on a timeout and on an abort', async () => {
    const grandchild = (file: string) => node(`const c = require("child_process").spawn("sleep", ["30"], { stdio: "ignore" }); require("fs").writeFileSync(${JSON.stringify(file)}, String(c.pid)); setInterval(() => {}, 1000)`);
    const timedOutPid = path.join(dir, 'timeout.pid');
    const timedOut = await runner.run(request(grandchild(timedOutPid), { timeoutMs: 1_500 }));
    expect(timedOut).toMatchObject({ timedOut: true, failure: expect.stringMatching(/^timed out after/) });
    await until(() => !alive(Number(readFileSync(timedOutPid, 'utf8'))));

    const abortedPid = path.join(dir, 'abort.pid');
    const controller = new AbortController();
    const running = runner.run(request(grandchild(abortedPid), { signal: controller.signal }));
    await until(() => existsSync(abortedPid) && readFileSync(abortedPid, 'utf8') !== '');
    controller.abort();
    expect(await running).toMatchObject({ failure: 'interrupted', timedOut: false });
    await until(() => !alive(Number(readFileSync(abortedPid, 'utf8'))));
  });

  it('ends the commands of a dagrun that was killed (SIGKILL): the spawner sees its channel close', async () => {
    const pidFile = path.join(dir, 'orphan.pid');
    const driver = `
      const { SpawnerRunner } = await import(${JSON.stringify(DIST_RUNNER)});
      const runner = new SpawnerRunner({ killGraceMs: 200 });
      runner.run({ argv: ['sh', '-c', 'echo $$ > ${pidFile}; exec sleep 30'], cwd: ${JSON.stringify(dir)}, env: {}, timeoutMs: undefined,
        logFile: ${JSON.stringify(path.join(dir, 'orphan.log'))}, signal: new AbortController().signal });`;
    const dagrun = spawn(process.execPath, ['--input-type=module', '-e', driver], { stdio: 'ignore' });
    await until(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim() !== '');
    const command = Number(readFileSync(pidFile, 'utf8'));
    expect(alive(command)).toBe(true);
    dagrun.kill('SIGKILL');
    await until(() => !alive(command));
  });
});
