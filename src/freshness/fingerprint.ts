/**
 * Definition fingerprints: a hash of what decides a target's contents — its table, date
 * column, build action and environment, the text of its .sql file, and the repository files
 * its command names. Stored with every write, so a changed definition is seen on any machine.
 *
 * The hash must be the same on every CI runner and every clone: nothing machine-specific
 * goes in (no absolute paths, no mtimes), object keys are sorted, paths are written with
 * `/`, and line endings are normalised (a Windows checkout with autocrlf is the same file).
 * Operational knobs (ranges, maxDays, parallel, timeout, retries, group, threshold, checks,
 * deps) are left out on purpose: changing them does not change what a build writes.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { DagConfig, Target } from '../config/types.js';

/** Bumped when the recipe changes, so that a new scheme is one deliberate rebuild. */
const RECIPE_VERSION = 'v1';

/** Folders under the pipeline whose files are outputs or state, never definitions. */
const IGNORED_DIRS = ['.dagrun', '.git', 'node_modules'];

function isInside(dir: string, file: string): boolean {
  const relative = path.relative(dir, file);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}

/**
 * Files inside the pipeline folder that a command names in its argv (the scripts it runs),
 * sorted and as absolute paths. State and outputs (`.dagrun/`, the DuckDB warehouse file)
 * are excluded: they change with every build.
 */
export function commandFiles(config: DagConfig, target: Target): string[] {
  return commandFileCandidates(config, target).filter((file) => existsSync(file) && statSync(file).isFile());
}

/**
 * The paths inside the pipeline folder a command names in its argv, whether or not a file is
 * there: those that are count in its fingerprint (`commandFiles`), so one that appears changes it.
 */
export function commandFileCandidates(config: DagConfig, target: Target): string[] {
  const build = target.build;
  if (build?.action.kind !== 'command') return [];
  const warehouseFile = config.warehouse.type === 'duckdb' ? config.warehouse.path : undefined;
  const files = build.action.argv
    .filter((arg) => !arg.includes('{') && arg.trim() !== '')
    .map((arg) => path.resolve(build.cwd, arg))
    .filter((file) => isInside(config.dir, file))
    .filter((file) => !IGNORED_DIRS.some((dir) => isInside(path.join(config.dir, dir), file)))
    .filter((file) => file !== warehouseFile && !file.startsWith(`${warehouseFile}.`));
  return [...new Set(files)].sort();
}

/** JSON with object keys sorted at every level, so that key order never matters. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Text with CRLF and lone CR line endings turned into LF. */
function normalizeEol(text: string): string {
  return text.replace(/\r\n?/g, '\n');
}

/** The part of a target's build that decides what it writes, as plain data. */
function buildIdentity(config: DagConfig, target: Target): unknown {
  const build = target.build;
  if (!build) return { source: true };
  const action = build.action;
  switch (action.kind) {
    case 'sql':
      return { kind: 'sql', sql: normalizeEol(action.sql), env: build.env };
    case 'command':
      return {
        kind: 'command',
        argv: action.argv,
        env: build.env,
        // where it runs, relative to the pipeline, so two clones agree
        cwd: path.relative(config.dir, build.cwd).split(path.sep).join('/'),
        files: commandFiles(config, target).map((file) => ({
          path: path.relative(config.dir, file).split(path.sep).join('/'),
          sha256: createHash('sha256').update(normalizeEol(readFileSync(file, 'latin1')), 'latin1').digest('hex'),
        })),
      };
  }
}

/** The fingerprint of one target's definition (16 hex digits). */
export function fingerprintTarget(config: DagConfig, target: Target): string {
  const identity = { recipe: RECIPE_VERSION, table: target.table, dateColumn: target.dateColumn, build: buildIdentity(config, target) };
  return createHash('sha256').update(canonicalJson(identity)).digest('hex').slice(0, 16);
}

/** Fingerprints of every target. */
export function fingerprintAll(config: DagConfig): Map<string, string> {
  return new Map([...config.targets.values()].map((t) => [t.name, fingerprintTarget(config, t)]));
}
