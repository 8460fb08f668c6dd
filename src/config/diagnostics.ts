/** Formatting of configuration diagnostics: `file › key: message`, or `file:line:col` with a caret. */
import type { Diagnostic } from '../core/errors.js';

/** One diagnostic as the lines a person reads. */
export function formatDiagnostic(d: Diagnostic): string {
  if (d.location) {
    const { line, column, sourceLine } = d.location;
    const gutter = `${line} | `;
    return [
      `${d.file}:${line}:${column}: ${d.message}`,
      `${gutter}${sourceLine}`,
      `${' '.repeat(gutter.length + Math.max(0, column - 1))}^`,
    ].join('\n');
  }
  return d.path ? `${d.file} › ${d.path}: ${d.message}` : `${d.file}: ${d.message}`;
}

/** Collects diagnostics for one file. */
export class DiagnosticSink {
  readonly items: Diagnostic[] = [];

  /** Records a problem at a key path of a file. */
  add(file: string, path: string, message: string): void {
    this.items.push({ file, path, message });
  }

  /** Records a located (syntax) problem. */
  addLocated(d: Diagnostic): void {
    this.items.push(d);
  }

  get empty(): boolean {
    return this.items.length === 0;
  }
}
