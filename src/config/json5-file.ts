/** Reading one JSON5 file: a syntax error becomes a located diagnostic with the line and a caret. */
import { readFileSync } from 'node:fs';
import JSON5 from 'json5';
import type { Diagnostic } from '../core/errors.js';
import type { DiagnosticSink } from './diagnostics.js';

/**
 * True when the text before `offset` ends a value (`'x'`, `1`, `]`, `}`, `true`) and a new
 * one starts at `offset`: the classic forgotten comma, which json5 calls "invalid character".
 */
function commaMissing(text: string, offset: number): boolean {
  const before = text.slice(0, offset).replace(/\/\/[^\n]*$/gm, '').trimEnd();
  return /[\w'"\]}]$/.test(before) && /^[\w'"{[$]/.test(text.slice(offset));
}

/** json5's own wording, made to say what a person should look for. */
function explain(raw: string, text: string, line: number, column: number): string {
  const message = raw.replace(/^JSON5: /, '').replace(/ at \d+:\d+$/, '');
  if (text.trim() === '') return 'the file is empty (it should hold one object: { ... })';
  if (message === 'invalid end of input') return 'the file ends too early (is a "}", "]" or quote missing?)';
  const offset = text.split('\n').slice(0, line - 1).reduce((sum, l) => sum + l.length + 1, 0) + column - 1;
  const unexpected = message.replace(/^invalid character /, 'unexpected ');
  return commaMissing(text, offset) ? `${unexpected} (is a "," missing before it?)` : unexpected;
}

/** Parses JSON5 text, turning a syntax error into a located diagnostic. */
export function parseJson5(text: string, file: string): { value: unknown } | { diagnostic: Diagnostic } {
  try {
    // Plain JSON (what scripts that generate big pipelines write) parses ~10× faster natively,
    // and JSON5 is a superset of JSON: the value is the same.
    return { value: JSON.parse(text) as unknown };
  } catch {
    // JSON5 syntax (comments, unquoted keys…), or an error that json5 locates and words below
  }
  try {
    return { value: JSON5.parse(text) };
  } catch (error) {
    const e = error as SyntaxError & { lineNumber?: number; columnNumber?: number };
    const line = e.lineNumber ?? 1;
    const column = e.columnNumber ?? 1;
    const sourceLine = text.split(/\r?\n/)[line - 1] ?? '';
    return { diagnostic: { file, path: '', message: `syntax error: ${explain(e.message, text, line, column)}`, location: { line, column, sourceLine } } };
  }
}

/** Reads and parses a JSON5 file; on failure records why and returns undefined. */
export function readJson5(absolute: string, shown: string, sink: DiagnosticSink): unknown {
  let text: string;
  try {
    text = readFileSync(absolute, 'utf8');
  } catch (error) {
    sink.add(shown, '', `cannot read the file (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    return undefined;
  }
  const parsed = parseJson5(text, shown);
  if ('diagnostic' in parsed) {
    sink.addLocated(parsed.diagnostic);
    return undefined;
  }
  return parsed.value;
}
