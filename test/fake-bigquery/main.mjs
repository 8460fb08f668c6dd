#!/usr/bin/env node
/**
 * Runs the fake BigQuery in its own process, for end-to-end tests that run the CLI as a
 * child process: prints one JSON line `{"port":…,"endpoint":"http://127.0.0.1:…","project":…}`
 * on stdout once it listens, and stops on SIGTERM/SIGINT (or, with `--stdin`, when its
 * stdin closes, so a crashed parent cannot leave it behind).
 *
 *   node test/fake-bigquery/main.mjs [--project fake-project] [--location US] [--stdin]
 *
 * Point dag.json5 at it with `warehouse: { type: 'bigquery', project, apiEndpoint: endpoint }`
 * and control it over HTTP: POST /_fake/seed {table, spec}, POST /_fake/duck {sql},
 * POST /_fake/fail {times, status, reason, route?},
 * POST /_fake/lose {times, route?, as?: 503|'drop'} (the call is carried out, its answer lost),
 * POST /_fake/slow {times, polls, only?: {label: value}}, POST /_fake/fail-job {times, reason, only?},
 * GET /_fake/stats, POST /_fake/reset.
 */
import { register } from 'node:module';

register('./ts-loader.mjs', import.meta.url);

const args = process.argv.slice(2);
const option = (name) => {
  const index = args.indexOf(`--${name}`);
  return index === -1 ? undefined : args[index + 1];
};
const { FakeBigQuery } = await import('./server.ts');
const fake = await FakeBigQuery.start({ project: option('project'), location: option('location') });
process.stdout.write(`${JSON.stringify({ port: fake.port, endpoint: fake.endpoint, project: fake.project })}\n`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await fake.stop();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
if (args.includes('--stdin')) {
  process.stdin.on('end', stop);
  process.stdin.resume();
}
