/**
 * An in-process readers-writer lock that prefers writers: dagrun's own queries share the
 * warehouse, while a command that opens the warehouse file itself needs it alone.
 */
export class ReadWriteLock {
  #readers = 0;
  #writing = false;
  #waitingWriters: (() => void)[] = [];
  #waitingReaders: (() => void)[] = [];

  /**
   * Runs `work` alongside other shared holders, once no writer holds or waits for the lock. An
   * `urgent` reader (a short measurement others wait on) passes writers that only wait: it
   * waits only for one that holds the lock.
   */
  async shared<T>(work: () => Promise<T>, options: { readonly urgent?: boolean } = {}): Promise<T> {
    if (this.#writing || (this.#waitingWriters.length > 0 && !options.urgent)) {
      await new Promise<void>((resolve) => this.#waitingReaders.push(resolve));
    } else {
      this.#readers++;
    }
    try {
      return await work();
    } finally {
      this.#readers--;
      this.#wake();
    }
  }

  /** Runs `work` alone: no shared holder and no other writer at the same time. */
  async exclusive<T>(work: () => Promise<T>): Promise<T> {
    if (this.#writing || this.#readers > 0) {
      await new Promise<void>((resolve) => this.#waitingWriters.push(resolve));
    } else {
      this.#writing = true;
    }
    try {
      return await work();
    } finally {
      this.#writing = false;
      this.#wake();
    }
  }

  #wake(): void {
    if (this.#writing || this.#readers > 0) return;
    const writer = this.#waitingWriters.shift();
    if (writer) {
      this.#writing = true;
      writer();
      return;
    }
    const readers = this.#waitingReaders.splice(0);
    this.#readers += readers.length;
    for (const reader of readers) reader();
  }
}
