/**
 * The rules a shape-valid pipeline must also follow. Each rule is a small named function
 * that pushes every problem it finds; `runRules` runs them all, so one pass reports all.
 */
import { findCycles, formatCycle, type Cycle } from '../core/cycles.js';
import { targetEdges } from './edges.js';
import { parseArg } from '../core/placeholder-text.js';
import { isIdentifier, isTableName } from '../core/sql-text.js';
import type { DiagnosticSink } from './diagnostics.js';
import type { TargetSource } from './normalize.js';
import { SQL_RULES } from './rules-sql.js';
import { TABLE_RULES } from './rules-tables.js';
import type { WrittenTarget } from './schema.js';
import { suggestion } from './shape.js';
import type { DagConfig, Target } from './types.js';

/** A target file found by the `targets` globs; `written` is absent when it could not be read or has shape problems. */
export interface TargetFile {
  /** Absolute path. */
  readonly file: string;
  /** The path shown in messages. */
  readonly shown: string;
  /** The target name, from the file name. */
  readonly name: string;
  readonly written?: WrittenTarget;
}

/** What a rule sees. */
export interface RuleContext {
  readonly config: DagConfig;
  readonly dagFile: string;
  /** Every target file found, including those whose problems were already reported. */
  readonly files: readonly TargetFile[];
  /** The target files that passed the shape check, and so were normalised. */
  readonly sources: readonly TargetSource[];
  readonly sink: DiagnosticSink;
}

/** A named check over the whole pipeline. */
export type Rule = (ctx: RuleContext) => void;

/** What a file rule sees: only the files, so it runs even when dag.json5 itself has problems. */
export type FileRuleContext = Pick<RuleContext, 'files' | 'sink'>;

/** A named check over the target files alone. */
export type FileRule = (ctx: FileRuleContext) => void;

/** Words the command line uses for subcommands, which therefore cannot name targets. */
export const RESERVED_NAMES = ['graph', 'check', 'runs', 'logs', 'completion', 'help', 'schema', 'init'];

/** Placeholders a command's argv may use. */
export const PLACEHOLDERS = ['start', 'end', 'dates', 'target', 'table', 'run_id', 'output'];

const TARGET_NAME = /^[A-Za-z0-9_]+$/;

/** The target files by path, built once per list: rules look a file up for every target. */
const filesByPath = new WeakMap<readonly TargetFile[], Map<string, TargetFile>>();

function fileEntry(ctx: RuleContext, target: Target): TargetFile | undefined {
  let byPath = filesByPath.get(ctx.files);
  if (!byPath) filesByPath.set(ctx.files, (byPath = new Map(ctx.files.map((f) => [f.file, f]))));
  return byPath.get(target.file);
}

function fileOf(ctx: RuleContext, target: Target): string {
  return fileEntry(ctx, target)?.shown ?? target.file;
}

function writtenOf(ctx: RuleContext, target: Target): WrittenTarget | undefined {
  return fileEntry(ctx, target)?.written;
}

const targetNamesValid: FileRule = (ctx) => {
  for (const file of ctx.files) {
    if (!TARGET_NAME.test(file.name)) {
      const fixed = file.name.replace(/[^A-Za-z0-9_]+/g, '_');
      ctx.sink.add(file.shown, '', `target name "${file.name}" comes from the file name and may only contain letters, digits and "_" (rename the file, e.g. to ${fixed}.json5)`);
    } else if (RESERVED_NAMES.includes(file.name)) {
      ctx.sink.add(file.shown, '', `target name "${file.name}" comes from the file name and is reserved for "dagrun ${file.name}" (rename the file)`);
    }
  }
};

const namesUnique: FileRule = (ctx) => {
  const seen = new Map<string, string>();
  for (const file of ctx.files) {
    const first = seen.get(file.name);
    if (first) ctx.sink.add(file.shown, '', `target "${file.name}" is already defined by ${first} (target names come from file names and must be unique)`);
    else seen.set(file.name, file.shown);
  }
};

const tablesUnique: Rule = (ctx) => {
  const seen = new Map<string, string>();
  for (const target of ctx.config.targets.values()) {
    const key = target.table.toLowerCase();
    const first = seen.get(key);
    if (first) ctx.sink.add(fileOf(ctx, target), 'table', `table "${target.table}" is already the table of target "${first}"`);
    else seen.set(key, target.name);
  }
};

/** A table name dagrun can put into SQL safely: identifiers only, a dash only in a BigQuery project. */
function plainTable(table: string): boolean {
  const parts = table.split('.');
  return isTableName(table) && (parts.length === 3 || isIdentifier(parts[0]!));
}

const identifiersPlain: Rule = (ctx) => {
  const tableMessage = (t: string) => `${JSON.stringify(t)} is not a plain table name (write dataset.table or project.dataset.table, with letters, digits and "_")`;
  const columnMessage = (c: string) => `${JSON.stringify(c)} is not a plain column name (letters, digits and "_", not starting with a digit)`;
  const check = (file: string, key: string, table: string, column: string) => {
    if (!plainTable(table)) ctx.sink.add(file, key, tableMessage(table));
    if (column !== '' && !isIdentifier(column)) ctx.sink.add(file, key === 'table' ? 'dateColumn' : `${key.replace(/table$/, '')}dateColumn`, columnMessage(column));
  };
  for (const target of ctx.config.targets.values()) {
    const file = fileOf(ctx, target);
    check(file, 'table', target.table, target.dateColumn);
    if (writtenOf(ctx, target)?.calendar && target.calendar.kind === 'table') check(file, 'calendar.table', target.calendar.table, target.calendar.dateColumn);
  }
  const calendar = ctx.config.calendar;
  if (calendar.kind === 'table') check(ctx.dagFile, 'calendar.table', calendar.table, calendar.dateColumn);
};

const depsExist: Rule = (ctx) => {
  const names = ctx.files.map((f) => f.name);
  // A set, not the list: a chain of thousands of targets looks every dependency up.
  const defined = new Set(names);
  for (const target of ctx.config.targets.values()) {
    const seen = new Set<string>();
    const written = writtenOf(ctx, target);
    target.deps.forEach((dep, i) => {
      const key = typeof written?.deps?.[i] === 'string' ? `deps[${i}]` : `deps[${i}].target`;
      const file = fileOf(ctx, target);
      // A dependency on a file with its own (already reported) problems is not also "not defined".
      if (dep.target === target.name) ctx.sink.add(file, key, `"${target.name}" cannot depend on itself`);
      else if (!defined.has(dep.target)) ctx.sink.add(file, key, `target "${dep.target}", needed by "${target.name}", is not defined${suggestion(dep.target, names)}`);
      else if (seen.has(dep.target)) ctx.sink.add(file, key, `"${dep.target}" is listed twice`);
      seen.add(dep.target);
    });
  }
};

const groupsDeclared: Rule = (ctx) => {
  const groups = [...ctx.config.groups.keys()];
  const declared = groups.length === 0 ? `${ctx.dagFile} declares no groups` : `declared: ${groups.join(', ')}`;
  for (const target of ctx.config.targets.values()) {
    if (target.group !== undefined && !ctx.config.groups.has(target.group)) {
      const hint = suggestion(target.group, groups) || ` (${declared})`;
      ctx.sink.add(fileOf(ctx, target), 'group', `group "${target.group}" is not declared in ${ctx.dagFile} › groups${hint}`);
    }
  }
};

const placeholdersKnown: Rule = (ctx) => {
  for (const target of ctx.config.targets.values()) {
    const action = target.build?.action;
    if (action?.kind !== 'command') continue;
    action.argv.forEach((arg, i) => {
      for (const part of parseArg(arg)) {
        if (part.kind === 'text') continue;
        if (part.name === 'output' && action.output === undefined) {
          ctx.sink.add(fileOf(ctx, target), `build.command[${i}]`, '{output} names the file a command hands its rows over in: set "build.output" (csv, ndjson or parquet) to use it');
        } else if (!PLACEHOLDERS.includes(part.name)) {
          const hint = suggestion(part.name, PLACEHOLDERS).replace(/"([^"]+)"/, '{$1}');
          const known = ` (known: ${PLACEHOLDERS.map((p) => `{${p}}`).join(' ')}; write {{ and }} for literal braces)`;
          ctx.sink.add(fileOf(ctx, target), `build.command[${i}]`, `unknown placeholder {${part.name}}${hint || known}`);
        }
      }
    });
  }
};

const checksWellFormed: Rule = (ctx) => {
  for (const target of ctx.config.targets.values()) {
    const seen = new Set<string>();
    target.checks.forEach((check, i) => {
      if (seen.has(check.name)) ctx.sink.add(fileOf(ctx, target), `checks[${i}].name`, `check "${check.name}" is defined twice`);
      seen.add(check.name);
      if (check.min !== undefined && check.max !== undefined && check.min > check.max) {
        ctx.sink.add(fileOf(ctx, target), `checks[${i}]`, `min (${check.min}) is greater than max (${check.max})`);
      }
      if (check.min === undefined && check.max === undefined) ctx.sink.add(fileOf(ctx, target), `checks[${i}]`, 'needs "min" or "max"');
    });
  }
};

/** Files a cycle under the key that makes its first target need the second. */
function cycleLocation(ctx: RuleContext, cycle: Cycle): { file: string; key: string; why: string } {
  const [first, second] = [ctx.config.targets.get(cycle[0]!)!, cycle[1]!];
  const index = first.deps.findIndex((d) => d.target === second);
  if (index >= 0) {
    const key = typeof writtenOf(ctx, first)?.deps?.[index] === 'string' ? `deps[${index}]` : `deps[${index}].target`;
    return { file: fileOf(ctx, first), key, why: '' };
  }
  // Not a declared dependency, so a calendar edge: the first target's calendar reads the second's table.
  const table = first.calendar.kind === 'table' ? first.calendar.table : '';
  const why = ` ("${first.name}" needs "${second}" because its calendar reads ${table})`;
  return writtenOf(ctx, first)?.calendar ? { file: fileOf(ctx, first), key: 'calendar.table', why } : { file: ctx.dagFile, key: 'calendar.table', why };
}

const noCycles: Rule = (ctx) => {
  const needs = new Map<string, string[]>([...ctx.config.targets.keys()].map((name) => [name, []]));
  for (const edge of targetEdges(ctx.config.targets)) needs.get(edge.dependent)!.push(edge.upstream);
  for (const cycle of findCycles([...needs.keys()], (name) => needs.get(name)!)) {
    const { file, key, why } = cycleLocation(ctx, cycle);
    ctx.sink.add(file, key, `dependency cycle: ${formatCycle(cycle)}${why}`);
  }
};

/** The rules over file names, in the order their messages are listed. */
export const FILE_RULES: readonly FileRule[] = [targetNamesValid, namesUnique];

/** The rules over the normalised pipeline, in the order their messages are listed. */
export const RULES: readonly Rule[] = [
  tablesUnique,
  identifiersPlain,
  ...TABLE_RULES,
  depsExist,
  groupsDeclared,
  placeholdersKnown,
  checksWellFormed,
  ...SQL_RULES,
  noCycles,
];

/** Runs every file rule, collecting all their problems in the sink. */
export function runFileRules(ctx: FileRuleContext): void {
  for (const rule of FILE_RULES) rule(ctx);
}

/** Runs every pipeline rule, collecting all their problems in the sink. */
export function runRules(ctx: RuleContext): void {
  for (const rule of RULES) rule(ctx);
}
