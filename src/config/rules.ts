/**
 * The rules a shape-valid pipeline must also follow. Each rule is a small named function
 * that pushes every problem it finds; `runRules` runs them all, so one pass reports all.
 */
import { closest } from 'fastest-levenshtein';
import { buildGraph } from '../graph/build.js';
import { describeCycles } from '../graph/cycles.js';
import { isIdentifier, isTableName } from '../warehouse/sql-text.js';
import type { DiagnosticSink } from './diagnostics.js';
import type { TargetSource } from './normalize.js';
import { similar } from './shape.js';
import type { DagConfig, Target } from './types.js';

/** What a rule sees. */
export interface RuleContext {
  readonly config: DagConfig;
  readonly dagFile: string;
  readonly sources: readonly TargetSource[];
  readonly sink: DiagnosticSink;
}

/** A named check over the whole pipeline. */
export type Rule = (ctx: RuleContext) => void;

/** Words the command line uses for subcommands, which therefore cannot name targets. */
export const RESERVED_NAMES = ['graph', 'check', 'runs', 'logs', 'completion', 'help', 'schema'];

/** Placeholders a command's argv may use. */
export const PLACEHOLDERS = ['start', 'end', 'dates', 'target', 'table', 'run_id'];

function fileOf(ctx: RuleContext, target: Target): string {
  return ctx.sources.find((s) => s.file === target.file)?.shown ?? target.file;
}

function didYouMean(word: string, candidates: readonly string[]): string {
  if (candidates.length === 0) return '';
  const guess = closest(word, [...candidates]);
  return similar(word, guess) ? ` (did you mean "${guess}"?)` : '';
}

const targetNamesValid: Rule = (ctx) => {
  for (const source of ctx.sources) {
    if (!/^[A-Za-z0-9_]+$/.test(source.name)) {
      ctx.sink.add(source.shown, '', `target name "${source.name}" (from the file name) may only contain letters, digits and underscores`);
    } else if (RESERVED_NAMES.includes(source.name)) {
      ctx.sink.add(source.shown, '', `"${source.name}" is a dagrun subcommand and cannot name a target`);
    }
  }
};

const namesUnique: Rule = (ctx) => {
  const seen = new Map<string, string>();
  for (const source of ctx.sources) {
    const first = seen.get(source.name);
    if (first) ctx.sink.add(source.shown, '', `duplicate target name "${source.name}" (also defined by ${first})`);
    else seen.set(source.name, source.shown);
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

const identifiersPlain: Rule = (ctx) => {
  const tableMessage = (t: string) => `"${t}" is not a plain table name (use dataset.table or project.dataset.table: letters, digits, underscores)`;
  for (const target of ctx.config.targets.values()) {
    const file = fileOf(ctx, target);
    if (!isTableName(target.table)) ctx.sink.add(file, 'table', tableMessage(target.table));
    if (target.dateColumn !== '' && !isIdentifier(target.dateColumn)) ctx.sink.add(file, 'dateColumn', `"${target.dateColumn}" is not a plain column name`);
    const written = ctx.sources.find((s) => s.file === target.file)?.written.calendar;
    if (written && target.calendar.kind === 'table') {
      if (!isTableName(target.calendar.table)) ctx.sink.add(file, 'calendar.table', tableMessage(target.calendar.table));
      if (target.calendar.dateColumn !== '' && !isIdentifier(target.calendar.dateColumn)) ctx.sink.add(file, 'calendar.dateColumn', `"${target.calendar.dateColumn}" is not a plain column name`);
    }
  }
  const calendar = ctx.config.calendar;
  if (calendar.kind === 'table') {
    if (!isTableName(calendar.table)) ctx.sink.add(ctx.dagFile, 'calendar.table', tableMessage(calendar.table));
    if (calendar.dateColumn !== '' && !isIdentifier(calendar.dateColumn)) ctx.sink.add(ctx.dagFile, 'calendar.dateColumn', `"${calendar.dateColumn}" is not a plain column name`);
  }
};

const depsExist: Rule = (ctx) => {
  const names = [...ctx.config.targets.keys()];
  for (const target of ctx.config.targets.values()) {
    const seen = new Set<string>();
    target.deps.forEach((dep, i) => {
      const key = typeof ctx.sources.find((s) => s.file === target.file)?.written.deps?.[i] === 'string' ? `deps[${i}]` : `deps[${i}].target`;
      if (dep.target === target.name) ctx.sink.add(fileOf(ctx, target), key, `"${target.name}" cannot depend on itself`);
      else if (!ctx.config.targets.has(dep.target)) {
        ctx.sink.add(fileOf(ctx, target), key, `unknown target "${dep.target}"${didYouMean(dep.target, names)}: "${dep.target}", needed by "${target.name}", is not defined`);
      } else if (seen.has(dep.target)) ctx.sink.add(fileOf(ctx, target), key, `"${dep.target}" is listed twice`);
      seen.add(dep.target);
    });
  }
};

const groupsDeclared: Rule = (ctx) => {
  const groups = [...ctx.config.groups.keys()];
  for (const target of ctx.config.targets.values()) {
    if (target.group !== undefined && !ctx.config.groups.has(target.group)) {
      ctx.sink.add(fileOf(ctx, target), 'group', `group "${target.group}" is not declared in ${ctx.dagFile} › groups${didYouMean(target.group, groups)}`);
    }
  }
};

const placeholdersKnown: Rule = (ctx) => {
  for (const target of ctx.config.targets.values()) {
    const action = target.build?.action;
    if (action?.kind !== 'command') continue;
    action.argv.forEach((arg, i) => {
      for (const match of arg.matchAll(/\{([^{}]*)\}/g)) {
        if (!PLACEHOLDERS.includes(match[1]!)) {
          ctx.sink.add(fileOf(ctx, target), `build.command[${i}]`, `unknown placeholder {${match[1]}} (known: ${PLACEHOLDERS.map((p) => `{${p}}`).join(' ')})`);
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

const windowOrdered: Rule = (ctx) => {
  const { start, end } = ctx.config.window;
  if (end.kind === 'date' && end.day < start) ctx.sink.add(ctx.dagFile, 'window', 'end is before start');
};

const noCycles: Rule = (ctx) => {
  for (const cycle of describeCycles(buildGraph(ctx.config.targets))) {
    ctx.sink.add(ctx.dagFile, 'targets', `dependency cycle: ${cycle}`);
  }
};

/** Every rule, in the order their messages are listed. */
export const RULES: readonly Rule[] = [
  targetNamesValid,
  namesUnique,
  tablesUnique,
  identifiersPlain,
  depsExist,
  groupsDeclared,
  placeholdersKnown,
  checksWellFormed,
  windowOrdered,
  noCycles,
];

/** Runs every rule, collecting all their problems in the sink. */
export function runRules(ctx: RuleContext): void {
  for (const rule of RULES) rule(ctx);
}
