import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { onLogWriteFailure, OutputLog, Redactor } from './output-log.js';

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

describe('OutputLog across the forced cut of a long line', () => {
  const token = 'tok-9f8e7d6c5b4a3210';
  const redactor = new Redactor([token]);

  /** Writes `text` in chunks of `size` bytes, as a pipe hands it over. */
  function feed(log: OutputLog, text: string, size: number): void {
    const bytes = Buffer.from(text);
    for (let at = 0; at < bytes.length; at += size) log.write(bytes.subarray(at, at + size));
  }

  it.each([
    ['the cut', 64 * 1024 - 5],
    ['the end of a chunk', 64 * 1024 + 3],
    ['a carried part', 64 * 1024 + 4096 - 7],
  ])('masks a token printed across %s of a line with no line break', (_where, offset) => {
    const log = new OutputLog(path.join(dir, 'long.log'), (text) => redactor.redact(text));
    const text = `${'x'.repeat(offset)}${token}${'y'.repeat(70 * 1024)}\ndone ${token}\n`;
    feed(log, text, 65536);
    log.close();
    const written = readFileSync(log.file!, 'utf8');
    expect(written).not.toContain(token.slice(0, 8));
    expect(written).not.toContain(token.slice(-8));
    expect(written).toBe(redactor.redact(text));
    expect(log.tail()).not.toContain(token.slice(-8));
  });

  it('masks a bearer token and a private key cut by chunks of any size', () => {
    const key = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\nabcdefghijklmnopqrstuvwxyz012345\n-----END PRIVATE KEY-----';
    const text = `${'z'.repeat(65530)}Authorization: Bearer abcdefghijklmnop0123456789\n${key}\nafter\n`;
    for (const size of [7, 4096, 65536]) {
      const log = new OutputLog(path.join(dir, `shapes-${size}.log`), (t) => redactor.redact(t));
      feed(log, text, size);
      log.close();
      const written = readFileSync(log.file!, 'utf8');
      expect(written).not.toContain('abcdefghijklmnop0123456789');
      expect(written).not.toContain('MIIEvQIBADAN');
      expect(written).not.toContain('abcdefghijklmnopqrstuvwxyz012345');
      expect(written).toContain('Bearer ***');
      expect(written.endsWith('after\n')).toBe(true);
    }
  });

  it('keeps memory bounded: a line that never ends is written in pieces', () => {
    const log = new OutputLog(path.join(dir, 'endless.log'), (text) => redactor.redact(text));
    for (let i = 0; i < 64; i++) log.write(Buffer.from('q'.repeat(65536)));
    expect(statSync(path.join(dir, 'endless.log')).size).toBeGreaterThan(60 * 65536);
    log.close();
    expect(statSync(path.join(dir, 'endless.log')).size).toBe(64 * 65536);
  });
});

describe('OutputLog on a disk that cannot take it', () => {
  it('keeps the tail in memory, says why, and never throws (/dev/full answers ENOSPC)', () => {
    const told: string[] = [];
    onLogWriteFailure((message) => told.push(message));
    try {
      const failure = 'cannot write /dev/full: no space left on device; the log is incomplete, its last lines are kept for messages';
      const log = new OutputLog('/dev/full');
      log.write(Buffer.from('first line\nsecond line\n'));
      log.write(Buffer.from('third line\n'));
      log.close();
      expect(told).toEqual([`${failure} (a later log that cannot be written is not said again; a failed range's message says it)`]);
      expect(log.failure).toBe(failure);
      expect(log.file).toBeUndefined();
      expect(log.tail()).toBe(`first line\nsecond line\nthird line\n(dagrun: ${failure})`);
      // a second log on the same full disk: its own tail says so, the run is not told again
      const second = new OutputLog('/dev/full');
      second.write(Buffer.from('again\n'));
      second.close();
      expect(told).toHaveLength(1);
      expect(second.tail()).toBe(`again\n(dagrun: ${failure})`);
    } finally {
      onLogWriteFailure(undefined);
    }
  });

  it('creates its log private to the user (0600, folders 0700)', () => {
    const log = new OutputLog(path.join(dir, 'run', 'target', 'range.log'));
    log.write(Buffer.from('hello\n'));
    log.close();
    expect(statSync(log.file!).mode & 0o777).toBe(0o600);
    expect(statSync(path.join(dir, 'run', 'target')).mode & 0o777).toBe(0o700);
  });
});
