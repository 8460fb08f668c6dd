/** Formatting of configuration diagnostics: `file › key: message`, or `file:line:col` with a caret. */
import type { Diagnostic } from '../core/errors.js';

/** One diagnostic as the lines a person reads. */
export function formatDiagnostic(d: Diagnostic): string {
  if (d.location) {
    const { line, column, sourceLine } = d.location;
    const gutter = `${line} | `;
    // Keep the tabs of the source line under the caret, so it lines up however tabs render.
    const indent = sourceLine.slice(0, Math.max(0, column - 1)).replace(/[^\t]/g, ' ');
    return [`${d.file}:${line}:${column}: ${d.message}`, `${gutter}${sourceLine}`, `${' '.repeat(gutter.length)}${indent}^`].join('\n');
  }
  return d.path ? `${d.file} › ${d.path}: ${d.message}` : `${d.file}: ${d.message}`;
}

/** Collects diagnostics while a pipeline loads. */
export class DiagnosticSink {
  readonly #items: Diagnostic[] = [];
  readonly #warnings: Diagnostic[] = [];

  /** Records a problem at a key path of a file (`''` for the whole file). */
  add(file: string, path: string, message: string): void {
    this.#items.push({ file, path, message });
  }

  /** Records a located (syntax) problem. */
  addLocated(d: Diagnostic): void {
    this.#items.push(d);
  }

  /** Records something that works but probably not as meant; warnings never fail a load. */
  warn(file: string, path: string, message: string): void {
    this.#warnings.push({ file, path, message });
  }

  /** The warnings, in the order found. */
  get warnings(): readonly Diagnostic[] {
    return this.#warnings;
  }

  /** True when no problem was recorded (warnings aside). */
  get empty(): boolean {
    return this.#items.length === 0;
  }

  /**
   * Everything recorded, grouped by file (the pipeline file first, then the others by
   * path) so a person fixes one file at a time; within a file, problems of the whole file
   * (its name, its syntax) first, then the rest in the order found.
   */
  sorted(firstFile: string): Diagnostic[] {
    const rank = (file: string) => (file === firstFile ? '' : `~${file}`);
    return this.#items
      .map((d, i) => ({ d, i }))
      .sort((a, b) => compare(rank(a.d.file), rank(b.d.file)) || wholeFileFirst(a.d) - wholeFileFirst(b.d) || a.i - b.i)
      .map(({ d }) => d);
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function wholeFileFirst(d: Diagnostic): number {
  return d.path === '' ? 0 : 1;
}
