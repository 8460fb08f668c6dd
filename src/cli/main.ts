/**
 * The command line: yargs wiring and the one place that maps failures to exit codes
 * (0 ok, 1 build failed or not fresh, 2 bad usage/configuration/warehouse, 130 interrupted).
 */
import { brokenPipe } from './broken-pipe.js';
import yargs from 'yargs';
import { formatDiagnostic } from '../config/diagnostics.js';
import { loadConfig } from '../config/load.js';
import { DagrunError, InternalError } from '../core/errors.js';
import { WarehouseError } from '../warehouse/warehouse.js';
import type { GraphFormat } from './commands/graph.js';
import type { Output } from './commands/shared.js';
import type { ReportFiles } from '../report/create.js';
import { resolveConfigFile } from '../run/session.js';
import { turnOutput } from './turn-output.js';
import { dagrunVersion } from '../core/version.js';

/** Maps anything thrown to a message and an exit code; only bugs print a stack. */
export function reportFailure(error: unknown, out: Output): number {
  if (error instanceof DagrunError) {
    if (error.diagnostics.length > 0) {
      for (const d of error.diagnostics) out.stderr(`${formatDiagnostic(d)}\n`);
      out.stderr(`\ndagrun: ${error.message}\n`);
    } else out.stderr(`dagrun: ${error.message}\n`);
    return error.reason === 'interrupted' ? 130 : 2;
  }
  if (error instanceof WarehouseError) {
    out.stderr(`dagrun: warehouse error: ${error.message}\n`);
    return 2;
  }
  const detail = error instanceof InternalError ? error.message : `Internal error: ${error instanceof Error ? error.stack : String(error)}`;
  out.stderr(`dagrun: ${detail}\nThis is a bug in dagrun; please report it with the command you ran.\n`);
  return 1;
}

const windowOptions = {
  start: { type: 'string', describe: 'First date of the window (YYYY-MM-DD), overriding dag.json5' },
  end: { type: 'string', describe: 'Last date of the window (YYYY-MM-DD)' },
  since: { type: 'string', describe: "Only the last N days up to today (yesterday with window.end: 'yesterday'), e.g. 3d" },
  now: { type: 'string', hidden: true, describe: 'The clock (ISO), for tests' },
} as const;

/** Shell completion: yargs' own words (commands, options), plus target names after a bare word. */
function completeWords(current: string, argv: { config?: unknown }, defaults: (onCompleted: (error: unknown, words: string[] | undefined) => void) => void, done: (words: string[]) => void): void {
  defaults((_error, found) => {
    const words = found ?? [];
    if (current.startsWith('-')) return done(words);
    let targets: string[] = [];
    try {
      targets = [...loadConfig(resolveConfigFile(typeof argv.config === 'string' ? argv.config : undefined)).targets.keys()];
    } catch {
      // No pipeline here, or a broken one: complete commands and options only.
    }
    done([...words, ...targets].filter((word) => word !== '$0' && word.startsWith(current)));
  });
}

/**
 * The process's own streams (kept here so that `--help` loads no command module). Off a
 * terminal, where a build prints a line per range start and end, they are written once per
 * turn; on a terminal the live view draws itself, and messages go out as they come.
 */
const processOutput: Output = process.stdout.isTTY
  ? { stdout: (text) => void process.stdout.write(text), stderr: (text) => void process.stderr.write(text) }
  : turnOutput(process.stdout, process.stderr);

/**
 * Runs the CLI with `argv`; resolves to the exit code. Command modules are imported when
 * their command runs, so `--status` never loads execa or chokidar, and `--help` no DuckDB.
 */
export async function run(argv: readonly string[], out: Output = processOutput): Promise<number> {
  let code = 0;
  const commandLine = ['dagrun', ...argv].join(' ');
  const parser = yargs([...argv])
    .scriptName('dagrun')
    .usage('$0 [targets..] — build date-partitioned warehouse tables and everything stale upstream of them')
    .option('config', { type: 'string', describe: 'Pipeline file (default: dag.json5, searched upward)', global: true })
    .command(
      '$0 [targets..]',
      'Build the named targets (all when none) and their stale upstream',
      (y) =>
        y
          .positional('targets', { type: 'string', array: true, describe: 'Targets: x or +x (x and upstream), x+ (also downstream), group:g; several at once' })
          .option('status', { type: 'boolean', default: false, describe: 'Show freshness; build nothing' })
          .option('dry-run', { alias: 'n', type: 'boolean', default: false, describe: 'Show the plan; build nothing' })
          .option('json', { type: 'boolean', default: false, describe: 'Machine output (NDJSON events during a build)' })
          .option('jobs', { alias: 'j', type: 'number', describe: 'Global concurrency (overrides dag.json5 concurrency)' })
          .option('keep-going', { alias: 'k', type: 'boolean', default: false, describe: 'After a failure, go on with what does not depend on it' })
          .option('force', { alias: 'B', type: 'boolean', default: false, describe: 'Rebuild the named targets over the whole window' })
          .option('fill', { type: 'boolean', default: false, describe: 'Also build the missing dates of targets at or above their threshold' })
          .option('only', { type: 'boolean', default: false, describe: 'The named targets without their upstream (an explicit +x keeps it)' })
          .option('explain', { type: 'boolean', default: false, describe: 'Say why each target is or is not in the plan' })
          .option('wait', { type: 'boolean', default: false, describe: 'If another dagrun holds this pipeline, wait for it instead of failing' })
          .option('watch', { type: 'boolean', default: false, describe: 'Build, then rebuild what becomes stale each time dag.json5, a target file or a .sql/script it uses changes' })
          .option('debounce', { type: 'number', default: 300, hidden: true, describe: 'Milliseconds of quiet before --watch rebuilds' })
          .option('report', { type: 'string', requiresArg: true, describe: 'Also write the Markdown run report to FILE (always in .dagrun/runs/<id>/report.md); with --status, the validation document' })
          .option('junit', { type: 'string', requiresArg: true, describe: 'Write a JUnit XML report to FILE: one test case per target and per check (with --status too)' })
          .option('html', { type: 'string', requiresArg: true, describe: 'Write the HTML report to FILE: graph by state and coverage heat map (with --status too)' })
          .option('max-bytes', { type: 'string', requiresArg: true, describe: 'BigQuery: refuse a plan (build or -n) whose SQL steps are estimated to process more, e.g. 50GB' })
          .options(windowOptions)
          .example('$0 ml_feature_store_v2', 'build it and everything stale upstream')
          .example('$0 --status', 'freshness of every table')
          .example('$0 -n --since 7d', 'what a nightly run would build for the last week')
          .example('$0 --status --html status.html', 'freshness, plus a page with the graph and a coverage heat map')
          .example('$0 --status --html report.html --report report.md', 'the validation document: coverage, dates, checks, rows, changes, sign-off')
          .example('$0 --json > events.ndjson', 'build with one JSON event per line, for other tools')
          .example('$0 --junit junit.xml --report report.md', 'build in CI and keep the reports as artifacts')
          .example('$0 --watch player_game_summary', 'rebuild it whenever its SQL or config changes'),
      async (args) => {
        const session = { config: args.config, targets: args.targets ?? [], only: args.only, start: args.start, end: args.end, since: args.since, now: args.now };
        if (args.watch && (args.status || args['dry-run'])) throw new DagrunError('usage', '--watch builds; it cannot be combined with --status or --dry-run');
        if (args.watch) {
          const { watchCommand, withoutWatchOptions } = await import('./commands/watch.js');
          code = await watchCommand({ config: args.config, buildArgs: withoutWatchOptions(argv), debounceMs: args.debounce }, out);
        }
        else if (args.status && (args.html !== undefined || args.report !== undefined || args.junit !== undefined)) {
          const files = { markdown: args.report, junit: args.junit, html: args.html } satisfies ReportFiles;
          code = await (await import('./commands/report.js')).statusReportCommand({ ...session, json: args.json, wait: args.wait, commandLine, files }, out);
        }
        else if (args.status) code = await (await import('./commands/status.js')).statusCommand({ ...session, json: args.json, wait: args.wait, commandLine }, out);
        else {
          // `reports` reaches createReporter through the run options (see src/report/create.ts).
          const runOptions = {
            ...session, dryRun: args['dry-run'], json: args.json, explain: args.explain, jobs: args.jobs, keepGoing: args['keep-going'], force: args.force, fill: args.fill, commandLine, wait: args.wait, maxBytes: args['max-bytes'],
            reports: { markdown: args.report, junit: args.junit, html: args.html } satisfies ReportFiles,
          };
          code = await (await import('./commands/run.js')).runCommand(runOptions, out);
        }
      },
    )
    .command(
      'graph',
      'Print the dependency graph',
      (y) =>
        y
          .option('format', { choices: ['mermaid', 'dot', 'json'] as const, default: 'mermaid' as GraphFormat, describe: 'Output format' })
          .example('$0 graph', 'Mermaid text, for a README or a pull request')
          .example('$0 graph --format dot | dot -Tsvg > dag.svg', 'a picture with Graphviz'),
      async (args) => {
        code = (await import('./commands/graph.js')).graphCommand({ config: args.config, format: args.format }, out);
      },
    )
    .command(
      'check',
      'Validate the configuration',
      (y) =>
        y
          .option('connect', { type: 'boolean', default: false, describe: 'Also reach the warehouse' })
          .options(windowOptions)
          .example('$0 check', 'validate dag.json5 and every target file')
          .example('$0 check --connect', 'and reach the warehouse'),
      async (args) => {
        code = await (await import('./commands/check.js')).checkCommand({ config: args.config, connect: args.connect, now: args.now }, out);
      },
    )
    .command(
      'runs',
      'List recent runs with their outcome',
      (y) =>
        y
          .option('limit', { type: 'number', default: 10, describe: 'How many runs' })
          .option('json', { type: 'boolean', default: false, describe: 'As JSON' })
          .example('$0 runs', 'the last 10 runs, newest first')
          .example('$0 runs --limit 1 --json', 'the last run, for scripts'),
      async (args) => {
        code = (await import('./commands/runs.js')).runsCommand({ config: args.config, limit: args.limit, json: args.json }, out);
      },
    )
    .command(
      'logs [target]',
      "Show the output of a target's commands in its last run (or --run ID)",
      (y) =>
        y
          // optional to yargs, so that a missing target gets dagrun's own usage message (exit 2)
          .positional('target', { type: 'string', describe: 'Target name' })
          .option('run', { type: 'string', describe: 'Run id or its start (see "dagrun runs")' })
          .option('lines', { alias: 'n', type: 'number', describe: 'Only the last N lines of each log' })
          .example('$0 logs player_boxscores', 'everything its last run printed')
          .example('$0 logs player_boxscores --run 20260103T0400 -n 20', 'the end of each log of a given run'),
      async (args) => {
        code = (await import('./commands/logs.js')).logsCommand({ config: args.config, target: args.target, run: args.run, lines: args.lines }, out);
      },
    )
    .command(
      'init',
      'Write a small working pipeline here, or (--from) one that checks the tables of an existing warehouse',
      (y) =>
        y
          .option('from', { type: 'string', requiresArg: true, describe: 'duckdb:FILE or bigquery:PROJECT.DATASET[,DATASET…]: a source target per table with a date column (BigQuery: from INFORMATION_SCHEMA only)' })
          .option('now', { type: 'string', hidden: true, describe: 'The clock (ISO), for tests' })
          .example('$0 init', 'a starter pipeline (DuckDB, a source, a command, SQL, a check) that builds at once')
          .example('$0 init --from duckdb:warehouse.duckdb', 'target files for the dated tables of a DuckDB file'),
      async (args) => {
        const options = { dir: process.cwd(), from: args.from, now: args.now === undefined ? new Date() : new Date(args.now) };
        code = await (await import('./commands/init.js')).initCommand(options, out);
      },
    )
    .completion('completion', 'Print the shell completion script (bash, zsh): dagrun completion >> ~/.bashrc', completeWords)
    .epilogue('Exit codes: 0 ok (with --status: all fresh), 1 a build failed (or something is stale), 2 bad usage or configuration, 130 interrupted.')
    .strict()
    .help()
    .alias('h', 'help')
    .version(dagrunVersion())
    .wrap(Math.min(110, process.stdout.columns || 100))
    .fail((message, error) => {
      if (error) throw error;
      throw new DagrunError('usage', `${message}\nRun "dagrun --help" for usage.`);
    });
  try {
    await parser.parseAsync();
  } catch (error) {
    return reportFailure(error, out);
  }
  return code;
}

/** Entry point of the `dagrun` binary. */
export async function main(argv: readonly string[]): Promise<void> {
  // `dagrun logs x | head`: a reader that went away is not an error worth a stack trace. A
  // build stops as if interrupted (broken-pipe.ts); anything else ends here.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') throw error;
      if (!brokenPipe()) process.exit(process.exitCode ?? 0);
    });
  }
  const code = await run(argv);
  process.exitCode = code;
}
