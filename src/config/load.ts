/**
 * Reading a pipeline: find dag.json5, parse it and every target file with JSON5, check
 * shapes, normalise, then run the rules. Every problem of every file is collected before
 * anything fails, so one `dagrun check` lists them all.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { globSync } from 'tinyglobby';
import { DagrunError, type Diagnostic } from '../core/errors.js';
import { err, ok, type Result } from '../core/result.js';
import { findBrokenLinks, linkTarget } from './broken-links.js';
import type { ConfigInputs } from './inputs.js';
import { DiagnosticSink } from './diagnostics.js';
import { readJson5 } from './json5-file.js';
import { normalizeDag, type TargetSource } from './normalize.js';
import { runFileRules, runRules, type TargetFile } from './rules.js';
import { checkShape } from './shape.js';
import { dagShape, targetShape, type WrittenDag, type WrittenTarget } from './schema.js';
import type { DagConfig } from './types.js';

/** The default config file name, searched upward from the working directory. */
export const CONFIG_NAME = 'dag.json5';

/** How a pipeline is loaded. */
export interface LoadOptions {
  /** The folder that paths in messages are relative to (default: the working directory). */
  readonly cwd?: string;
  /** Receives each warning of a valid pipeline (things that work, but probably not as meant). */
  readonly onWarning?: (warning: Diagnostic) => void;
  /** Receives, for a valid pipeline, what it was read from (a cache of it must find them unchanged). */
  readonly onInputs?: (inputs: ConfigInputs) => void;
}

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

/** The target name a file defines: its base name without `.json5`/`.json`. */
export function targetNameOf(file: string): string {
  return path.basename(file).replace(/\.json5?$/, '');
}

/** The `targets` globs when they are usable even though other keys of dag.json5 are not. */
function targetGlobs(raw: unknown): string[] | undefined {
  const globs = (raw as { targets?: unknown } | null)?.targets;
  return Array.isArray(globs) && globs.length > 0 && globs.every((g) => typeof g === 'string' && g !== '') ? globs : undefined;
}

/** The target files the `targets` globs of `configFile` (in `dir`) match, sorted. */
export function matchTargetFiles(dir: string, configFile: string, globs: readonly string[]): string[] {
  return (
    globSync([...globs], { cwd: dir, absolute: true, onlyFiles: true, ignore: ['**/node_modules/**'] })
      .map((f) => path.resolve(f))
      // A glob like `**/*.json5` also matches dag.json5 itself, which is no target.
      .filter((f) => f !== configFile)
      .sort()
  );
}

/** Reads and shape-checks every target file; files with problems are listed but carry no `written`. */
function readTargetFiles(input: { dir: string; configFile: string; globs: string[]; show: (p: string) => string }, sink: DiagnosticSink): TargetFile[] {
  const found = matchTargetFiles(input.dir, input.configFile, input.globs);
  for (const link of findBrokenLinks(input.dir, input.globs)) {
    sink.add(input.show(link), '', `the file is a symbolic link to ${JSON.stringify(linkTarget(link))}, which does not exist (fix the link or remove it)`);
  }
  return found.map((file) => {
    const shown = input.show(file);
    const name = targetNameOf(file);
    const value = readJson5(file, shown, sink);
    if (value === undefined) return { file, shown, name };
    const problems = checkShape(value, targetShape);
    for (const p of problems) sink.add(shown, p.path, p.message);
    return problems.length > 0 ? { file, shown, name } : { file, shown, name, written: value as WrittenTarget };
  });
}

/** Loads and validates the pipeline at `configFile`, returning every problem found instead of throwing. */
export function validateConfig(configFile: string, options: LoadOptions = {}): Result<DagConfig, Diagnostic[]> {
  const file = path.resolve(configFile);
  const dir = path.dirname(file);
  const cwd = options.cwd ?? process.cwd();
  const show = (p: string) => path.relative(cwd, p) || p;
  const dagFile = show(file);
  const sink = new DiagnosticSink();
  const done = () => err(sink.sorted(dagFile));

  const raw = readJson5(file, dagFile, sink);
  if (raw === undefined) return done();
  const dagProblems = checkShape(raw, dagShape);
  for (const p of dagProblems) sink.add(dagFile, p.path, p.message);
  const globs = targetGlobs(raw);
  if (globs === undefined) return done();

  // Target files are checked even when dag.json5 has problems, so one run lists both.
  const files = readTargetFiles({ dir, configFile: file, globs, show }, sink);
  if (files.length === 0) sink.add(dagFile, 'targets', `no target files match ${globs.map((g) => JSON.stringify(g)).join(', ')}`);
  runFileRules({ files, sink });
  if (dagProblems.length > 0) return done();

  const written = raw as WrittenDag;
  const sources: TargetSource[] = files.flatMap((f) => (f.written ? [{ file: f.file, shown: f.shown, name: f.name, written: f.written }] : []));
  const config = normalizeDag({ file, dir, shown: dagFile, written, targets: sources, show }, sink);
  runRules({ config, dagFile, files, sources, sink });
  if (!sink.empty) return done();
  for (const warning of sink.warnings) options.onWarning?.(warning);
  if (options.onInputs) {
    const sqlFiles = [...config.targets.values()].flatMap((t) => (t.build?.action.kind === 'sql' ? [t.build.action.file] : []));
    options.onInputs({ files: [file, ...files.map((f) => f.file), ...sqlFiles], globs, targetFiles: files.map((f) => f.file) });
  }
  return ok(config);
}

/** Loads and validates the pipeline at `configFile`; throws a `config-invalid` DagrunError listing every problem. */
export function loadConfig(configFile: string, options: LoadOptions = {}): DagConfig {
  const file = path.resolve(configFile);
  if (!existsSync(file) || !statSync(file).isFile()) {
    throw new DagrunError('usage', `${path.relative(options.cwd ?? process.cwd(), file) || file}: no such configuration file`);
  }
  const result = validateConfig(file, options);
  if (result.ok) return result.value;
  const count = result.error.length;
  throw new DagrunError('config-invalid', `the configuration has ${count} error${count === 1 ? '' : 's'}`, result.error);
}
