/**
 * Concurrency limits as ninja pools: the global `-j` limit is one pool, each group another,
 * and each target's `parallel` a third; a range starts only when all three have room.
 */
import { InternalError } from '../core/errors.js';

/** A counted limit. A depth of 0 means unlimited. */
export class Pool {
  readonly name: string;
  readonly depth: number;
  #inUse = 0;

  constructor(name: string, depth: number) {
    this.name = name;
    this.depth = depth;
  }

  /** How many slots are taken. */
  get inUse(): number {
    return this.#inUse;
  }

  /** Whether one more unit may start. */
  hasRoom(): boolean {
    return this.depth === 0 || this.#inUse < this.depth;
  }

  /** Takes a slot for a starting unit. */
  scheduled(): void {
    this.#inUse++;
  }

  /** Gives a slot back when a unit ends. */
  finished(): void {
    // More finishes than starts would silently raise the limit: a bug in the plan.
    if (this.#inUse === 0) throw new InternalError(`pool ${this.name} finished more units than it scheduled`);
    this.#inUse--;
  }
}
