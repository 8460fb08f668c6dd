/**
 * What every command starts from: the loaded pipeline, its graph, the resolved window and
 * selection. The clock is read here and nowhere below the CLI.
 */
import path from 'node:path';
import { closest } from 'fastest-levenshtein';
import { findConfig } from '../config/load.js';
import { similar } from '../config/shape.js';
import type { DagConfig } from '../config/types.js';
import { DagrunError } from '../core/errors.js';
import { buildGraph, type TargetGraph } from '../graph/build.js';
import { parseSelector, selectTargets } from '../graph/select.js';
import { addDays, dayInZone, formatDay, type Day } from '../intervals/day.js';
import { formatDays, MAX_WINDOW_DAYS, parseWindowDay } from '../config/bounds.js';
import { parseDuration } from '../config/normalize.js';
import { stateDirOf } from '../state/paths.js';
import { loadPipeline, PIPELINE_CACHE_ENV } from './pipeline-load.js';
import { newRunId } from '../state/run-history.js';
import type { DayWindow } from '../warehouse/warehouse.js';

/** Options shared by the commands that read the pipeline. */
export interface SessionOptions {
  readonly config?: string;
  readonly targets: readonly string[];
  readonly only?: boolean;
  readonly start?: string;
  readonly end?: string;
  readonly since?: string;
  /** The clock, for tests: an ISO instant or date. */
  readonly now?: string;
  /** Read the configuration from its files, never from the cached pipeline (`dagrun check`). */
  readonly fromFiles?: boolean;
}

/** A loaded pipeline with its selection. */
export interface Session {
  readonly config: DagConfig;
  readonly graph: TargetGraph;
  readonly window: DayWindow;
  /** Selected names in dependency order. */
  readonly selected: readonly string[];
  /** The names the user asked for (all when none). */
  readonly named: readonly string[];
  readonly now: Date;
  readonly runId: string;
  /** The `.dagrun` folder next to dag.json5. */
  readonly stateDir: string;
  /** The definition fingerprint of every target (freshness/fingerprint.ts). */
  readonly fingerprints: Map<string, string>;
}

/** Resolves the config file: `--config`, else dag.json5 searched upward. */
export function resolveConfigFile(option: string | undefined): string {
  if (option) return path.resolve(option);
  const found = findConfig(process.cwd());
  if (!found) throw new DagrunError('usage', `no dag.json5 found in ${process.cwd()} or any folder above it (use --config FILE)`);
  return found;
}

function clock(option: string | undefined): Date {
  if (option === undefined) return new Date();
  const date = new Date(option);
  if (Number.isNaN(date.getTime())) throw new DagrunError('usage', `--now: ${JSON.stringify(option)} is not a date or time`);
  return date;
}

function dayOption(name: string, value: string): Day {
  const parsed = parseWindowDay(value);
  if ('problem' in parsed) throw new DagrunError('usage', `--${name}: ${JSON.stringify(value)} is ${/^\d{4}-\d{2}-\d{2}$/.test(value) ? parsed.problem : 'not a real date (YYYY-MM-DD)'}`);
  return parsed.day;
}

/** Parses `--since`: "7d" (or a duration of whole days like "72h", "1w") to a number of days. */
function sinceDays(text: string): number {
  const match = /^(\d+)\s*d$/.exec(text.trim());
  const days = match ? Number(match[1]) : (parseDuration(text) ?? 0) / 86_400_000;
  if (!Number.isInteger(days) || days < 1) throw new DagrunError('usage', `--since: ${JSON.stringify(text)} is not a whole number of days like "3d" or "7d"`);
  if (days > MAX_WINDOW_DAYS) throw new DagrunError('usage', `--since: ${JSON.stringify(text)} is more than ${formatDays(MAX_WINDOW_DAYS)}, the longest window dagrun plans`);
  return days;
}

/**
 * The window after the command line and the clock: `--start/--end` win over `--since`, which
 * wins over dag.json5. "Today" is the day of `now` in `window.timeZone`. `--since Nd` is the
 * N days up to today, or up to yesterday when the pipeline says `window.end: 'yesterday'`
 * (today's games are not played yet: a nightly run must not expect them).
 */
export function resolveWindow(config: DagConfig, options: Pick<SessionOptions, 'start' | 'end' | 'since'>, now: Date): DayWindow {
  const today = dayInZone(now, config.window.timeZone);
  const end = config.window.end;
  let first = config.window.start;
  let last = end.kind === 'date' ? end.day : end.kind === 'today' ? today : addDays(today, -1);
  if (options.since !== undefined) {
    last = end.kind === 'yesterday' ? addDays(today, -1) : today;
    first = addDays(last, -(sinceDays(options.since) - 1));
  }
  if (options.start !== undefined) first = dayOption('start', options.start);
  if (options.end !== undefined) last = dayOption('end', options.end);
  if (last < first) {
    throw new DagrunError('usage', `the window ends before it starts (${formatDay(first)} .. ${formatDay(last)}): check --start/--end/--since and window in dag.json5`);
  }
  if (last - first + 1 > MAX_WINDOW_DAYS) {
    const flags = ['start', 'end', 'since'].filter((f) => options[f as keyof typeof options] !== undefined).map((f) => `--${f}`);
    const where = flags.length > 0 ? flags.join('/') : `window in ${path.relative(process.cwd(), config.file) || config.file}`;
    throw new DagrunError('usage', `the window ${formatDay(first)} .. ${formatDay(last)} is ${formatDays(last - first + 1)}, more than the ${formatDays(MAX_WINDOW_DAYS)} dagrun plans: narrow it (${where})`);
  }
  return { first, last };
}

/** "unknown target "x" (did you mean "y"?)" or "unknown group "g" (groups: a, b)". */
function describeUnknown(word: string, graph: TargetGraph, config: DagConfig): string {
  if (word.startsWith('group:')) {
    const groups = [...new Set([...config.targets.values()].map((t) => t.group).filter((g) => g !== undefined))].sort();
    return `unknown group "${word.slice('group:'.length)}" (no target has it; groups in use: ${groups.join(', ') || 'none'})`;
  }
  const names = graph.names();
  const guess = names.length > 0 ? closest(word, names) : '';
  return `unknown target "${word}"${guess && similar(word, guess) ? ` (did you mean "${guess}"?)` : ''}`;
}

/** Loads the pipeline and resolves the selection and window. */
export function openSession(options: SessionOptions): Session {
  const { config, fingerprints } = loadPipeline(resolveConfigFile(options.config), options.fromFiles ? { [PIPELINE_CACHE_ENV]: 'off' } : process.env);
  const graph = buildGraph(config.targets);
  const now = clock(options.now);
  const selectors = options.targets.map((word) => parseSelector(word, options.only ?? false));
  const { selected, named, unknown } = selectTargets(graph, selectors, (n) => config.targets.get(n)?.group);
  if (unknown.length > 0) throw new DagrunError('usage', unknown.map((u) => describeUnknown(u, graph, config)).join('\n'));
  return { config, graph, window: resolveWindow(config, options, now), selected, named, now, runId: newRunId(now), stateDir: stateDirOf(config.dir), fingerprints };
}
