/**
 * The in-process spawn runner (what each spawner runs, and dagrun's fallback) with real
 * processes: how a command ended, in words; commands that never start; output only in a log
 * file when there is any; the process group reported while it runs and ended after.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CommandRequest } from './runner.js';
import { SpawnRunner } from './spawn-runner.js';

let dir: string;
let groups: (readonly number[])[];
let runner: SpawnRunner;
const node = (code: string) => [process.execPath, '-e', code];
const request = (argv: string[], more: Partial<CommandRequest> = {}): CommandRequest => ({
  argv, cwd: dir, env: { DAGRUN_TARGET: 't' }, timeoutMs: undefined, logFile: path.join(dir, 'logs', 'command.log'), signal: new AbortController().signal, ...more,
});

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'dagrun-spawn-'));
  groups = [];
  runner = new SpawnRunner({ killGraceMs: 200, groupsChanged: (g) => groups.push(g) });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('SpawnRunner', () => {
  it('reports exit codes, signals and output, and passes its variables to the command', async () => {
    expect(await runner.run(request(['true']))).toEqual({ exitCode: 0, failure: undefined, timedOut: false, tail: '', logFile: undefined });

    const loud = await runner.run(request(node('console.log(process.env.DAGRUN_TARGET); console.error("secret-value"); process.exit(4)'), { redact: (t) => t.replaceAll('secret-value', '***') }));
    expect(loud).toMatchObject({ exitCode: 4, failure: 'exited with code 4', tail: 't\n***' });
    expect(readFileSync(loud.logFile!, 'utf8')).toBe('t\n***\n');

    const killed = await runner.run(request(node('process.kill(process.pid, "SIGKILL")')));
    expect(killed).toMatchObject({ exitCode: undefined, failure: 'killed by SIGKILL' });
    expect(groups.some((g) => g.length === 1)).toBe(true);
    expect(groups.at(-1)).toEqual([]);
  });

  it('says why a command could not start: not found, not executable, no such working folder', async () => {
    const script = path.join(dir, 'script.sh');
    writeFileSync(script, '#!/bin/sh\nexit 0\n');
    chmodSync(script, 0o644);
    expect((await runner.run(request(['no-such-command-xyz']))).failure).toBe('command not found: no-such-command-xyz');
    expect((await runner.run(request([script]))).failure).toBe(`command is not executable: ${script}`);
    expect(await runner.run(request(['true'], { cwd: path.join(dir, 'missing') }))).toMatchObject({ exitCode: undefined, failure: 'command not found: true' });
    expect(groups.every((g) => g.length === 0)).toBe(true);
  });

  it('ends the process group on a timeout, saying how long it was given', async () => {
    const result = await runner.run(request(node('process.on("SIGTERM", () => {}); setInterval(() => {}, 1000)'), { timeoutMs: 300 }));
    expect(result).toMatchObject({ timedOut: true, failure: 'timed out after 300ms', exitCode: undefined });
  });
});
