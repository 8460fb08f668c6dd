/**
 * The pipeline lock's record of running commands: written at once after a quiet spell,
 * coalesced while commands start and end in quick succession, never written after release.
 * Real lock folders in a temp dir.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquirePipelineLock, lockDir, readOwner, type PipelineLock } from './lock.js';

let stateDir: string;
let lock: PipelineLock;

beforeEach(async () => {
  stateDir = mkdtempSync(path.join(os.tmpdir(), 'dagrun-lock-'));
  const result = await acquirePipelineLock(stateDir, { runId: 'r1', commandLine: 'dagrun', startedAt: new Date(0).toISOString(), purpose: 'build' }, { wait: false });
  if (result.kind !== 'acquired') throw new Error(`lock not acquired: ${result.kind}`);
  lock = result.lock;
});
afterEach(() => {
  lock.release();
  rmSync(stateDir, { recursive: true, force: true });
});

/** Polls the owner file until it lists `groups` (the throttled write is due within ~200 ms). */
async function ownerLists(groups: number[]): Promise<void> {
  for (let i = 0; i < 100 && JSON.stringify(readOwner(lockDir(stateDir))?.commands) !== JSON.stringify(groups); i++) await delay(10);
  expect(readOwner(lockDir(stateDir))?.commands).toEqual(groups);
}

describe('PipelineLock.setCommands', () => {
  it('writes the first change at once, then coalesces a burst into one later write of the latest list', async () => {
    lock.setCommands([101]);
    expect(readOwner(lockDir(stateDir))?.commands).toEqual([101]);

    lock.setCommands([101, 102]);
    lock.setCommands([102]);
    lock.setCommands([102, 103]);
    // Within the throttle period the file still says what the first write said…
    expect(readOwner(lockDir(stateDir))?.commands).toEqual([101]);
    // …and then the latest list, without another call.
    await ownerLists([102, 103]);
    expect(readOwner(lockDir(stateDir))?.token).toBeDefined();
  });

  it('drops a pending write on release: the lock folder stays removed', async () => {
    lock.setCommands([201]);
    lock.setCommands([201, 202]); // pending
    lock.release();
    expect(existsSync(lockDir(stateDir))).toBe(false);
    await delay(300); // past the throttle period: a stray write would recreate owner.json
    expect(existsSync(lockDir(stateDir))).toBe(false);
    lock.setCommands([203]); // after release: ignored
    expect(existsSync(lockDir(stateDir))).toBe(false);
  });
});
