/**
 * `--status --report` compares with the last report's state and keeps the new one while it
 * still holds the pipeline lock (run/status.ts `whileHeld`), so that two reports at once cannot
 * interleave: the hook runs with this process holding the lock, and the lock is gone after.
 */
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { openSession } from '../src/run/session.js';
import { readStatus } from '../src/run/status.js';
import { currentHolder } from '../src/state/lock.js';
import type { LockOwner } from '../src/state/lock-owner.js';
import { dagJson, ProjectRig } from './helpers/rig.js';

let rig: ProjectRig | undefined;
afterEach(() => rig?.cleanup());

it('runs the measured answer\'s hook while this process holds the pipeline lock, and releases it after', async () => {
  rig = new ProjectRig().write({ 'dag.json5': dagJson(), 'targets/a.json5': JSON.stringify({ table: 's.a', source: true }) });
  const session = openSession({ config: path.join(rig.dir, 'dag.json5'), targets: [] });
  let holder: LockOwner | undefined;
  const answer = await readStatus(session, { purpose: 'read', wait: false, commandLine: 'dagrun --status --report r.md', say: () => undefined }, {
    whileHeld: () => (holder = currentHolder(session.stateDir)),
  });
  expect(answer.kind).toBe('measured');
  expect(holder).toMatchObject({ pid: process.pid, purpose: 'read', commandLine: 'dagrun --status --report r.md' });
  expect(currentHolder(session.stateDir)).toBeUndefined();
});
