/**
 * Choosing the runner, from the built dist/ (where the helper is looked up beside the compiled
 * modules): the native runner when dist/native/spawn-helper exists, the Node spawners when it
 * does not or `DAGRUN_COMMAND_RUNNER=node`, dagrun's own process with `in-process`; and a dagrun that is SIGKILLed still has its
 * commands ended, by the helper, which sees its stdin close.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';
import { alive } from '../../test/helpers/processes.js';
// @ts-expect-error the built module has no declarations; its types are those of ./native-select.ts
import { createCommandRunner as builtCreate, NATIVE_HELPER_FILE as builtHelperFile } from '../../dist/executor/native-select.js';
import type { createCommandRunner as CreateType } from './native-select.js';

const createCommandRunner = builtCreate as typeof CreateType;
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const HELPER = path.join(ROOT, 'dist/native/spawn-helper');

const modified = (file: string) => statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? -1;
if (modified(HELPER) < modified(path.join(ROOT, 'native/spawn-helper.c'))) {
  spawnSync(process.execPath, [path.join(ROOT, 'scripts/build-native.mjs'), '--quiet'], { stdio: 'inherit' });
}
const noHelper = modified(HELPER) < 0 ? 'no C compiler, or native/spawn-helper.c did not compile' : undefined;

describe('createCommandRunner', () => {
  it('looks for the helper in dist/native/, one level up from the compiled modules (as from dist/bundle/)', () => {
    expect(builtHelperFile).toBe(HELPER);
  });

  it('falls back to the Node spawners without the helper, or when DAGRUN_COMMAND_RUNNER=node', async () => {
    const missing = createCommandRunner({ helperFile: path.join(ROOT, 'dist/native/no-such-helper') });
    const forced = createCommandRunner({ env: { DAGRUN_COMMAND_RUNNER: 'node' } });
    expect([missing.constructor.name, forced.constructor.name]).toEqual(['SpawnerRunner', 'SpawnerRunner']);
    await Promise.all([missing.close(), forced.close()]);
  });

  it('runs commands in-process when DAGRUN_COMMAND_RUNNER=in-process', async () => {
    const runner = createCommandRunner({ env: { DAGRUN_COMMAND_RUNNER: 'in-process' } });
    expect(runner.constructor.name).toBe('SpawnRunner');
    const result = await runner.run({ argv: ['sh', '-c', 'exit 3'], cwd: ROOT, env: {}, timeoutMs: undefined, logFile: '/dev/null/never', signal: new AbortController().signal });
    expect(result).toMatchObject({ exitCode: 3, failure: 'exited with code 3', logFile: undefined });
    await runner.close();
  });

  it.skipIf(noHelper !== undefined)(`picks the native runner when the helper was built${noHelper ? ` (skipped: ${noHelper})` : ''}`, async () => {
    const runner = createCommandRunner({ env: {} });
    expect(runner.constructor.name).toBe('NativeRunner');
    const result = await runner.run({ argv: ['sh', '-c', 'exit 7'], cwd: ROOT, env: {}, timeoutMs: undefined, logFile: '/dev/null/never', signal: new AbortController().signal });
    expect(result).toMatchObject({ exitCode: 7, failure: 'exited with code 7', logFile: undefined });
    await runner.close();
  });

  it.skipIf(noHelper !== undefined)('when dagrun is SIGKILLed, the helper ends its commands and exits', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'dagrun-native-orphan-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    // A stand-in for dagrun: starts a command through the built factory, prints the pids, waits.
    const script = `
      const { createCommandRunner } = await import(${JSON.stringify(path.join(ROOT, 'dist/executor/native-select.js'))});
      const runner = createCommandRunner({ killGraceMs: 200 });
      const log = ${JSON.stringify(path.join(dir, 'orphan.log'))};
      runner.run({ argv: ['sh', '-c', 'trap "" TERM; echo $PPID $$; sleep 30'], cwd: '/', env: {}, timeoutMs: undefined, logFile: log, signal: new AbortController().signal });
      const { readFileSync, existsSync } = await import('node:fs');
      const poll = setInterval(() => existsSync(log) && (console.log(readFileSync(log, 'utf8').trim()), clearInterval(poll)), 10);
      setInterval(() => {}, 1000);`;
    const dagrun = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const line = await new Promise<string>((resolve) => dagrun.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString().trim())));
    const [helper, command] = line.split(' ').map(Number);
    dagrun.kill('SIGKILL');
    const end = Date.now() + 10_000;
    while ((alive(helper!) || alive(command!)) && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 20));
    expect({ helper: alive(helper!), command: alive(command!) }).toEqual({ helper: false, command: false });
  });
});
