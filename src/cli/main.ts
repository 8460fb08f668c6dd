/**
 * The command line: yargs wiring and the one place that maps failures to exit codes
 * (0 ok, 1 build failed or not fresh, 2 bad usage/configuration/warehouse, 130 interrupted).
 */
import yargs from 'yargs';
import { formatDiagnostic } from '../config/diagnostics.js';
import { DagrunError, InternalError } from '../core/errors.js';
import { WarehouseError } from '../warehouse/warehouse.js';
import { checkCommand } from './commands/check.js';
import { graphCommand, type GraphFormat } from './commands/graph.js';
import { runCommand } from './commands/run.js';
import { processOutput, type Output } from './commands/shared.js';
import { statusCommand } from './commands/status.js';

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
  since: { type: 'string', describe: 'Only the last N days, today included (e.g. 7d)' },
  now: { type: 'string', hidden: true, describe: 'The clock (ISO), for tests' },
} as const;

/** Runs the CLI with `argv`; resolves to the exit code. */
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
          .positional('targets', { type: 'string', array: true, describe: 'Targets: x (x and upstream), x+ (and downstream), group:g' })
          .option('status', { type: 'boolean', default: false, describe: 'Show freshness; build nothing' })
          .option('dry-run', { alias: 'n', type: 'boolean', default: false, describe: 'Show the plan; build nothing' })
          .option('json', { type: 'boolean', default: false, describe: 'Machine output (NDJSON events during a build)' })
          .option('jobs', { alias: 'j', type: 'number', describe: 'Global concurrency (overrides dag.json5 concurrency)' })
          .option('keep-going', { alias: 'k', type: 'boolean', default: false, describe: 'After a failure, go on with what does not depend on it' })
          .option('force', { alias: 'B', type: 'boolean', default: false, describe: 'Rebuild the named targets over the whole window' })
          .option('only', { type: 'boolean', default: false, describe: 'The named targets without their upstream' })
          .option('explain', { type: 'boolean', default: false, describe: 'Say why each target is or is not in the plan' })
          .options(windowOptions)
          .example('$0 ml_feature_store_v2', 'build it and everything stale upstream')
          .example('$0 --status', 'freshness of every table')
          .example('$0 -n --since 7d', 'what a nightly run would build for the last week'),
      async (args) => {
        const session = { config: args.config, targets: args.targets ?? [], only: args.only, start: args.start, end: args.end, since: args.since, now: args.now };
        if (args.status) code = await statusCommand({ ...session, json: args.json }, out);
        else {
          code = await runCommand(
            { ...session, dryRun: args['dry-run'], json: args.json, explain: args.explain, jobs: args.jobs, keepGoing: args['keep-going'], force: args.force, commandLine },
            out,
          );
        }
      },
    )
    .command(
      'graph',
      'Print the dependency graph',
      (y) => y.option('format', { choices: ['mermaid', 'dot', 'json'] as const, default: 'mermaid' as GraphFormat, describe: 'Output format' }),
      (args) => {
        code = graphCommand({ config: args.config, format: args.format }, out);
      },
    )
    .command(
      'check',
      'Validate the configuration',
      (y) => y.option('connect', { type: 'boolean', default: false, describe: 'Also reach the warehouse' }).options(windowOptions),
      async (args) => {
        code = await checkCommand({ config: args.config, connect: args.connect, now: args.now }, out);
      },
    )
    .strict()
    .help()
    .alias('h', 'help')
    .version()
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
  const code = await run(argv);
  process.exitCode = code;
}
