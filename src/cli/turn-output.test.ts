import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { turnOutput } from './turn-output.js';

/** A stream that records its writes, tagged with its name, into one shared list. */
function recorder(name: string, log: string[]): NodeJS.WriteStream {
  return { write: (text: string) => (log.push(`${name}:${text}`), true) } as unknown as NodeJS.WriteStream;
}

describe('turnOutput', () => {
  it('writes nothing during the turn, then one write per run of one stream, in order', async () => {
    const log: string[] = [];
    const out = turnOutput(recorder('out', log), recorder('err', log));
    out.stdout('a\n');
    out.stdout('b\n');
    out.stderr('warning\n');
    out.stdout('c\n');
    expect(log).toEqual([]);
    await nextTurn();
    expect(log).toEqual(['out:a\nb\n', 'err:warning\n', 'out:c\n']);
  });

  it('each turn flushes what it wrote', async () => {
    const log: string[] = [];
    const out = turnOutput(recorder('out', log), recorder('err', log));
    out.stdout('1\n');
    await nextTurn();
    out.stdout('2\n');
    await nextTurn();
    expect(log).toEqual(['out:1\n', 'out:2\n']);
  });
});
