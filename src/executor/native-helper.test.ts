/**
 * The helper process driven directly through its frames: requests split at every byte or all
 * in one write, and a dagrun that reads slowly while commands print megabytes — no event may
 * be lost or reordered, and each command's "exited" comes after all of its output.
 */
import { spawn } from 'node:child_process';
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { ensureHelper, HELPER } from '../../test/helpers/native-helper.js';
import { EventReader, encodeKillAll, encodeRun, environmentText, type HelperEvent } from './native-protocol.js';

const noHelper = ensureHelper();
const env = environmentText([`PATH=${process.env.PATH ?? '/usr/bin:/bin'}`]);

/** Starts the helper; `events` fills as it reports, `ended` resolves when its stdout ends. */
function startHelper() {
  const child = spawn(HELPER, ['200'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const reader = new EventReader();
  const events: HelperEvent[] = [];
  child.stdout.on('data', (chunk: Buffer) => events.push(...reader.read(chunk)));
  const ended = new Promise<void>((resolve) => child.on('close', () => resolve()));
  return { child, events, ended };
}

/** Resolves once `count` commands reported their end (stdin's end would SIGTERM those still running). */
async function allEnded(events: readonly HelperEvent[], count: number): Promise<void> {
  while ([...byCommand(events).values()].filter((c) => c.ended).length < count) await new Promise((resolve) => setTimeout(resolve, 20));
}

/** Per command id: its output, joined, and whether "exited" came last. */
function byCommand(events: readonly HelperEvent[]) {
  const commands = new Map<number, { output: string; ended: boolean; afterEnd: number }>();
  for (const event of events) {
    const command = commands.get(event.id) ?? { output: '', ended: false, afterEnd: 0 };
    commands.set(event.id, command);
    if (command.ended) command.afterEnd++;
    if (event.type === 'output') command.output += event.bytes.toString('latin1');
    if (event.type === 'exited' || event.type === 'failed') command.ended = true;
  }
  return commands;
}

describe.skipIf(noHelper !== undefined)('spawn-helper frames', () => {
  it('reads requests split at every byte and requests coalesced in one write', async () => {
    const { child, events, ended } = startHelper();
    const frames = Array.from({ length: 6 }, (_, id) => encodeRun(id, '/', ['sh', '-c', `printf "command${id}"`, 'x'.repeat(70_000)], env));
    for (const byte of frames.slice(0, 3).flatMap((frame) => [...frame])) child.stdin.write(Buffer.of(byte));
    child.stdin.write(Buffer.concat(frames.slice(3)));
    await allEnded(events, 6);
    child.stdin.end();
    await ended;
    const commands = byCommand(events);
    expect([...commands.keys()].sort()).toEqual([0, 1, 2, 3, 4, 5]);
    for (const [id, command] of commands) expect(command).toEqual({ output: `command${id}`, ended: true, afterEnd: 0 });
  });

  it('loses and reorders nothing while dagrun reads slowly, and exits after the last byte', async () => {
    const { child, events, ended } = startHelper();
    // Each prints 2 MB of numbered lines, far more than the pipes hold.
    const script = 'i=0; while [ $i -lt 2000 ]; do printf "%01000d\\n" $i; i=$((i+1)); done';
    child.stdin.write(Buffer.concat([0, 1, 2].map((id) => encodeRun(id, '/', ['sh', '-c', script], env))));
    child.stdout.pause();
    await new Promise((resolve) => setTimeout(resolve, 300));
    child.stdout.resume();
    await allEnded(events, 3);
    child.stdin.end();
    await ended;
    const expected = Array.from({ length: 2000 }, (_, i) => `${String(i).padStart(1000, '0')}\n`).join('');
    for (const command of byCommand(events).values()) expect(command.output === expected && command.afterEnd === 0).toBe(true);
  });

  it('refuses a request frame over 16 MiB without buffering it, failing its command, and goes on with the next', async () => {
    const { child, events, ended } = startHelper();
    const big = encodeRun(7, '/', ['sh', '-c', 'true', 'x'.repeat(17 << 20)], env);
    // Written in pieces, so the helper sees the header first and skips the rest as it arrives.
    for (let at = 0; at < big.length; at += 1 << 20) child.stdin.write(big.subarray(at, at + (1 << 20)));
    child.stdin.write(encodeRun(8, '/', ['sh', '-c', 'printf ok'], env));
    await allEnded(events, 2);
    child.stdin.end();
    await ended;
    expect(events.find((e) => e.id === 7)).toEqual({
      type: 'failed', id: 7, errno: os.constants.errno.E2BIG,
      message: `its request (cwd, arguments and environment) takes ${big.length - 4} bytes, over the spawn helper's limit of 16 MiB`,
    });
    expect(byCommand(events).get(8)).toEqual({ output: 'ok', ended: true, afterEnd: 0 });
    expect(events.filter((e) => e.id === 8 && e.type === 'exited')).toEqual([{ type: 'exited', id: 8, code: 0, signal: undefined }]);
  });

  it('a kill-all frame ends every group started before it', async () => {
    const { child, events, ended } = startHelper();
    child.stdin.write(Buffer.concat([encodeRun(0, '/', ['sh', '-c', 'trap "" TERM; sleep 30'], env), encodeRun(1, '/', ['sleep', '30'], env), encodeKillAll()]));
    await allEnded(events, 2);
    child.stdin.end();
    await ended;
    expect(events.filter((e) => e.type === 'exited')).toEqual([0, 1].map(() => ({ type: 'exited', id: expect.any(Number), code: undefined, signal: 9 })));
  });
});
