/**
 * Reading a pipeline: find dag.json5, parse it and every target file with JSON5, check
 * shapes, normalise, then run the rules. Every problem of every file is collected before
 * anything fails, so one `dagrun check` lists them all.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import JSON5 from 'json5';
import { globSync } from 'tinyglobby';
import { DagrunError, type Diagnostic } from '../core/errors.js';
import { DiagnosticSink } from './diagnostics.js';
import { normalizeDag, type TargetSource } from './normalize.js';
import { runRules } from './rules.js';
import { checkShape } from './shape.js';
import { dagShape, targetShape, type WrittenDag, type WrittenTarget } from './schema.js';
import type { DagConfig } from './types.js';

/** The default config file name, searched upward from the working directory. */
export const CONFIG_NAME = 'dag.json5';

/** Finds dag.json5 in `from` or the nearest folder above it. */
export function findConfig(from: string): string | undefined {
  let dir = path.resolve(from);
  for (;;) {
    const candidate = path.join(dir, CONFIG_NAME);
    if (existsSync(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** Parses JSON5 text, turning a syntax error into a located diagnostic. */
export function parseJson5(text: string, file: string): { value: unknown } | { diagnostic: Diagnostic } {
  try {
    return { value: JSON5.parse(text) };
  } catch (error) {
    const e = error as SyntaxError & { lineNumber?: number; columnNumber?: number };
    const line = e.lineNumber ?? 1;
    const column = e.columnNumber ?? 1;
    const message = e.message.replace(/^JSON5: /, '').replace(/ at \d+:\d+$/, '');
    const sourceLine = text.split(/\r?\n/)[line - 1] ?? '';
    return { diagnostic: { file, path: '', message: `syntax error: ${message}`, location: { line, column, sourceLine } } };
  }
}

function readJson5(absolute: string, shown: string, sink: DiagnosticSink): unknown | undefined {
  let text: string;
  try {
    text = readFileSync(absolute, 'utf8');
  } catch (error) {
    sink.add(shown, '', `cannot read the file: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
    return undefined;
  }
  const parsed = parseJson5(text, shown);
  if ('diagnostic' in parsed) {
    sink.addLocated(parsed.diagnostic);
    return undefined;
  }
  return parsed.value;
}

/** Loads and validates the pipeline at `configFile`; throws a `config-invalid` DagrunError listing every problem. */
export function loadConfig(configFile: string): DagConfig {
  const file = path.resolve(configFile);
  const dir = path.dirname(file);
  const shown = (p: string) => path.relative(process.cwd(), p) || p;
  const sink = new DiagnosticSink();
  if (!existsSync(file) || !statSync(file).isFile()) {
    throw new DagrunError('usage', `${shown(file)}: no such configuration file`);
  }
  const dagFile = shown(file);
  const raw = readJson5(file, dagFile, sink);
  if (raw === undefined) throw invalid(sink);
  for (const p of checkShape(raw, dagShape)) sink.add(dagFile, p.path, p.message);
  if (!sink.empty) throw invalid(sink);
  const written = raw as WrittenDag;

  const sources: TargetSource[] = [];
  const targetFiles = globSync(written.targets, { cwd: dir, absolute: true, onlyFiles: true }).sort();
  if (targetFiles.length === 0) sink.add(dagFile, 'targets', `no target files match ${written.targets.map((g) => JSON.stringify(g)).join(', ')}`);
  for (const absolute of targetFiles) {
    const shownTarget = shown(absolute);
    const value = readJson5(absolute, shownTarget, sink);
    if (value === undefined) continue;
    const problems = checkShape(value, targetShape);
    for (const p of problems) sink.add(shownTarget, p.path, p.message);
    if (problems.length > 0) continue;
    sources.push({ file: absolute, shown: shownTarget, name: path.basename(absolute).replace(/\.json5?$/, ''), written: value as WrittenTarget });
  }
  const config = normalizeDag({ file, dir, shown: dagFile, written, targets: sources }, sink);
  runRules({ config, dagFile, sources, sink });
  if (!sink.empty) throw invalid(sink);
  return config;
}

function invalid(sink: DiagnosticSink): DagrunError {
  const count = sink.items.length;
  return new DagrunError('config-invalid', `the configuration has ${count} error${count === 1 ? '' : 's'}`, sink.items);
}
