import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OutputLog } from './output-log.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'dagrun-output-log-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('OutputLog', () => {
  it('creates no file when nothing is written', () => {
    const log = new OutputLog(path.join(dir, 'quiet.log'));
    log.close();
    expect(log.file).toBeUndefined();
  });

  it('keeps a character whole when a chunk ends inside it', () => {
    const log = new OutputLog(path.join(dir, 'out.log'));
    const bytes = Buffer.from('größe 10 €\nnext\n');
    // cut inside "ö" (2 bytes) and inside "€" (3 bytes)
    for (const [from, to] of [[0, 3], [3, 13], [13, bytes.length]] as const) log.write(bytes.subarray(from, to));
    log.close();
    expect(readFileSync(log.file!, 'utf8')).toBe('größe 10 €\nnext\n');
    expect(log.tail()).toBe('größe 10 €\nnext');
  });

  it('masks a secret split across chunks, line by line', () => {
    const log = new OutputLog(path.join(dir, 'secret.log'), (text) => text.replaceAll('tok-1234', '***'));
    log.write(Buffer.from('using tok-'));
    log.write(Buffer.from('1234 now\nunfinished'));
    log.close();
    expect(readFileSync(log.file!, 'utf8')).toBe('using *** now\nunfinished');
  });
});
