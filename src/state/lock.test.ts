/**
 * The pipeline lock's record of running commands: written at once after a quiet spell,
 * coalesced while commands start and end in quick succession, never written after release.
 * Real lock folders in a temp dir.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquirePipelineLock, clearStale, type PipelineLock } from './lock.js';
import { describeOwner, ownIdentity, readOwner, type LockOwner, type OwnerRead, type ProcessIdentity } from './lock-owner.js';
import { lockDir } from './paths.js';

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

describe('a lock held from another PID namespace', () => {
  /** Writes a lock as another dagrun would have: `pid`, in `identity`, touched `ageMs` ago. */
  function foreignLock(dir: string, pid: number, identity: Partial<ProcessIdentity> | undefined, ageMs: number): void {
    mkdirSync(lockDir(dir), { recursive: true });
    const own = ownIdentity()!;
    const owner = { pid, host: os.hostname(), runId: 'other', commandLine: 'dagrun', startedAt: new Date(0).toISOString(), purpose: 'build', token: 'feedfacefeedface', commands: [], ...(identity && { process: { ...own, ...identity } }) };
    const file = path.join(lockDir(dir), 'owner.json');
    writeFileSync(file, JSON.stringify(owner));
    const then = new Date(Date.now() - ageMs);
    utimesSync(file, then, then);
  }

  /** A pid that runs nothing here: a reaped child's. */
  const deadPid = (): number => {
    const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    return Number(child.stdout);
  };

  let other: string;
  beforeEach(() => {
    other = mkdtempSync(path.join(os.tmpdir(), 'dagrun-lock-ns-'));
  });
  afterEach(() => rmSync(other, { recursive: true, force: true }));

  const take = () => acquirePipelineLock(other, { runId: 'r2', commandLine: 'dagrun', startedAt: new Date(0).toISOString(), purpose: 'build' }, { wait: false });

  it('is busy while its heartbeat is fresh, though its pid runs nothing here', async () => {
    foreignLock(other, deadPid(), { pidNamespace: 'pid:[1]' }, 1_000);
    const result = await take();
    expect(result.kind).toBe('busy');
    if (result.kind === 'busy') expect(describeOwner(result.owner)).toContain('in another PID namespace');
  });

  it('is cleared once its heartbeat is a minute old', async () => {
    foreignLock(other, deadPid(), { pidNamespace: 'pid:[1]' }, 120_000);
    const cleared: string[] = [];
    const result = await acquirePipelineLock(other, { runId: 'r2', commandLine: 'dagrun', startedAt: new Date(0).toISOString(), purpose: 'build' }, { wait: false, onCleared: (m) => cleared.push(m) });
    expect(result.kind).toBe('acquired');
    if (result.kind === 'acquired') result.lock.release();
    expect(cleared[0]).toMatch(/its owner stopped updating it 1\d\ds ago/);
  });

  it('of an older dagrun (no identity recorded) is judged by its heartbeat too', async () => {
    foreignLock(other, deadPid(), undefined, 1_000);
    expect((await take()).kind).toBe('busy');
  });

  it('in our own namespace is cleared at once when its process is gone, or its pid is another process now', async () => {
    foreignLock(other, deadPid(), {}, 1_000);
    const first = await take();
    expect(first.kind).toBe('acquired');
    if (first.kind === 'acquired') first.lock.release();
    // our parent runs, but started at another time than the lock says
    foreignLock(other, process.ppid, { startTicks: '1' }, 1_000);
    const second = await take();
    expect(second.kind).toBe('acquired');
    if (second.kind === 'acquired') second.lock.release();
  });

  it('in our own namespace, of a live process, is busy', async () => {
    foreignLock(other, process.pid, {}, 1_000);
    expect((await take()).kind).toBe('busy');
  });
});

describe('the state folder', () => {
  it('makes the state folder private (0700), also one created world-readable before', async () => {
    const state = mkdtempSync(path.join(os.tmpdir(), 'dagrun-lock-mode-'));
    try {
      chmodSync(state, 0o755);
      const result = await acquirePipelineLock(state, { runId: 'r4', commandLine: 'dagrun', startedAt: new Date(0).toISOString(), purpose: 'build' }, { wait: false });
      expect(statSync(state).mode & 0o777).toBe(0o700);
      expect(statSync(path.join(lockDir(state), 'owner.json')).mode & 0o777).toBe(0o600);
      if (result.kind === 'acquired') result.lock.release();
    } finally {
      rmSync(state, { recursive: true, force: true });
    }
  });
});

describe('readOwner', () => {
  const owner = { pid: 4242, host: 'h', runId: 'r', commandLine: 'dagrun', startedAt: '2024-01-01T00:00:00.000Z', purpose: 'build', token: 't', commands: [4243] };
  const withOwner = (value: unknown): string => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'dagrun-owner-'));
    mkdirSync(lockDir(dir), { recursive: true });
    writeFileSync(path.join(lockDir(dir), 'owner.json'), typeof value === 'string' ? value : JSON.stringify(value));
    return dir;
  };

  it('reads an owner of its shape, keys of a newer dagrun left out', () => {
    const dir = withOwner({ ...owner, addedLater: 1 });
    expect(readOwner(lockDir(dir))).toEqual(owner);
    rmSync(dir, { recursive: true, force: true });
  });

  it('takes a purpose it does not know (a newer dagrun) as a build, never cleared while it lives', () => {
    const dir = withOwner({ ...owner, purpose: 'watch' });
    expect(readOwner(lockDir(dir))?.purpose).toBe('build');
    rmSync(dir, { recursive: true, force: true });
  });

  it('names no owner for a file of another shape, so no pid in it is trusted', () => {
    for (const damaged of [{ ...owner, pid: '4242' }, { ...owner, commands: ['x'] }, { ...owner, process: { bootId: 1 } }, '{"pid":', 'null']) {
      const dir = withOwner(damaged);
      expect([damaged, readOwner(lockDir(dir))]).toEqual([damaged, undefined]);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a lock whose owner file is damaged', () => {
  it('stays held while its heartbeat goes on, however old its folder, and goes stale when the heartbeat stops', async () => {
    const file = path.join(lockDir(stateDir), 'owner.json');
    writeFileSync(file, '{"pid": "not a number"}');
    const old = new Date(Date.now() - 10_000);
    utimesSync(lockDir(stateDir), old, old); // past the grace of a folder with no owner file yet
    const take = () => acquirePipelineLock(stateDir, { runId: 'r2', commandLine: 'dagrun', startedAt: new Date(0).toISOString(), purpose: 'build' }, { wait: false });
    expect((await take()).kind).toBe('busy');
    const stopped = new Date(Date.now() - 120_000);
    lock.release(); // the holder cannot tell the file is its own: the folder stays until its heartbeat is old
    utimesSync(file, stopped, stopped);
    const second = await take();
    expect(second.kind).toBe('acquired');
    if (second.kind === 'acquired') second.lock.release();
  });
});

describe('clearing a stale lock', () => {
  const fresh: LockOwner = { pid: process.pid, host: os.hostname(), runId: 'fresh', commandLine: 'dagrun', startedAt: new Date(0).toISOString(), purpose: 'build', token: 'b0b0b0b0', commands: [] };
  const freshLock = (): string => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'dagrun-clear-'));
    mkdirSync(lockDir(dir), { recursive: true });
    writeFileSync(path.join(lockDir(dir), 'owner.json'), JSON.stringify(fresh));
    return dir;
  };

  it('puts back a fresh lock taken between the judgement and the rename, whatever was judged', async () => {
    const judgements: OwnerRead[] = [{ kind: 'damaged' }, { kind: 'missing' }, { kind: 'found', owner: { ...fresh, token: 'a0a0a0a0' } }];
    for (const judged of judgements) {
      const dir = freshLock();
      const cleared: string[] = [];
      await clearStale(lockDir(dir), judged, 'stale', (m) => cleared.push(m));
      expect([judged.kind, readOwner(lockDir(dir))?.token, cleared]).toEqual([judged.kind, 'b0b0b0b0', []]);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('clears the lock it judged, naming its holder', async () => {
    const dir = freshLock();
    const cleared: string[] = [];
    await clearStale(lockDir(dir), { kind: 'found', owner: fresh }, 'its owner stopped updating it 61s ago', (m) => cleared.push(m));
    expect(existsSync(lockDir(dir))).toBe(false);
    expect(cleared).toEqual([expect.stringMatching(/^cleared a stale lock of pid \d+ \(run fresh, `dagrun`.*: its owner stopped updating it 61s ago$/)]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('with --wait, says whom it waits for when the owner file cannot be read', async () => {
    writeFileSync(path.join(lockDir(stateDir), 'owner.json'), 'not json');
    const said: string[] = [];
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const result = await acquirePipelineLock(stateDir, { runId: 'r2', commandLine: 'dagrun', startedAt: new Date(0).toISOString(), purpose: 'build' }, { wait: true, signal: controller.signal, pollMs: 20, onWait: (m) => said.push(m) });
    expect(result.kind).toBe('aborted');
    expect(said).toEqual(['waiting for a dagrun whose owner file (.dagrun/lock/owner.json) cannot be read to finish…']);
  });
});
