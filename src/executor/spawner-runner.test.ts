/**
 * The spawner's settings and batching: settings come over IPC, not through the environment the
 * commands inherit (secrets of `build.env` masked, and not visible to the command), a spawner
 * ends with `close()`, and the requests of one turn (sent as one message) all come back. Uses
 * the built dist/ (the spawner is dist/executor/spawner-child.js).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
// @ts-expect-error the built module has no declarations; its types are those of ./spawner-runner.ts
import { SpawnerRunner as BuiltRunner } from '../../dist/executor/spawner-runner.js';
import type { CommandRequest } from './runner.js';
import type { SpawnerRunner as RunnerType } from './spawner-runner.js';

const SpawnerRunner = BuiltRunner as typeof RunnerType;

/** Process ids of this process's children running the spawner. */
function spawnerChildren(): number[] {
  const mine = String(process.pid);
  const pids: number[] = [];
  for (const name of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'latin1').replace(/^.*\) /s, '').split(' ');
      const cmdline = readFileSync(`/proc/${name}/cmdline`, 'latin1');
      if (stat[1] === mine && cmdline.includes('spawner-child')) pids.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

describe('SpawnerRunner start-up', () => {
  let dir: string;
  const request = (argv: string[], name: string): CommandRequest => ({
    argv, cwd: dir, env: {}, timeoutMs: undefined, logFile: path.join(dir, `${name}.log`), signal: new AbortController().signal,
  });

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'dagrun-spawner-start-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('gets its settings over IPC: secrets of build.env are masked, and the command does not see the settings', async () => {
    const runner = new SpawnerRunner({ buildEnvs: [{ WAREHOUSE_TOKEN: 'tok-98765432' }] });
    try {
      const result = await runner.run(request(['sh', '-c', 'echo "using tok-98765432"; echo "settings: ${DAGRUN_SPAWNER_OPTIONS:-none}"'], 'secret'));
      expect(readFileSync(result.logFile!, 'utf8')).toBe('using ***\nsettings: none\n');
    } finally {
      await runner.close();
    }
    expect(spawnerChildren()).toEqual([]);
  });

  it('runs every request of one turn (sent together) and reports each one', async () => {
    const runner = new SpawnerRunner({ processes: 1 });
    try {
      const results = await Promise.all([0, 1, 2, 3, 4, 5].map((n) => runner.run(request(['sh', '-c', `exit ${n}`], `r${n}`))));
      expect(results.map((r) => r.exitCode)).toEqual([0, 1, 2, 3, 4, 5]);
      expect(results.map((r) => r.failure)).toEqual([undefined, 'exited with code 1', 'exited with code 2', 'exited with code 3', 'exited with code 4', 'exited with code 5']);
    } finally {
      await runner.close();
    }
    expect(spawnerChildren()).toEqual([]);
  });
});
