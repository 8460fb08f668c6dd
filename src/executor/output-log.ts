/** A command's output: written to its log file, opened only on the first byte, with the tail kept for messages. */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';

const TAIL_BYTES = 4096;

/** Collects output chunks of one command. */
export class OutputLog {
  readonly #file: string;
  #fd: number | undefined;
  #tail = '';
  #written = false;

  constructor(file: string) {
    this.#file = file;
  }

  /** Appends a chunk. */
  write(chunk: Buffer): void {
    if (this.#fd === undefined) {
      mkdirSync(path.dirname(this.#file), { recursive: true });
      this.#fd = openSync(this.#file, 'a');
    }
    writeSync(this.#fd, chunk);
    this.#written = true;
    this.#tail = (this.#tail + chunk.toString()).slice(-TAIL_BYTES);
  }

  /** Closes the file. */
  close(): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }

  /** The last lines written (at most `lines`). */
  tail(lines = 20): string {
    return this.#tail.split('\n').filter((l, i, all) => l !== '' || i < all.length - 1).slice(-lines).join('\n');
  }

  /** The file, if anything was written. */
  get file(): string | undefined {
    return this.#written ? this.#file : undefined;
  }
}
