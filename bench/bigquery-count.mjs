/**
 * (f) Round trips of a `--status` run on BigQuery: the built CLI against the loopback fake
 * server of test/fake-bigquery (started in its own process), for pipelines of N source
 * targets over 3 datasets (7 of 10 tables partitioned on the date column), each present
 * date with a write record in `_dagrun.writes` (as after builds by dagrun), so the grouped
 * write-record query is counted too. Counts the fake's calls per REST route. Returns
 * undefined when the fake is not in this checkout.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { CLI, ROOT, addDaysIso, tempDir, writeProject } from './lib/project.mjs';
import { runChecked } from './lib/timing.mjs';

const FAKE = path.join(ROOT, 'test/fake-bigquery/main.mjs');
const DATASETS = ['nba_raw', 'nba_analytics', 'nba_precompute'];
const START = '2024-01-01';
const DAYS = 91;

async function startFake() {
  const child = spawn('node', [FAKE, '--stdin'], { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
  const first = await new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`the fake BigQuery exited (${code})`)));
  });
  return { child, ...JSON.parse(first) };
}

async function control(endpoint, method, action, body, attempt = 1) {
  const request = { method, headers: { 'content-type': 'application/json' }, body: body && JSON.stringify(body) };
  // fetch reuses a kept-alive connection that the fake may close while a CLI run blocks this
  // process for longer than its keep-alive timeout (5 s): try once more on a fresh one (every control is idempotent)
  const response = await fetch(`${endpoint}/_fake/${action}`, request).catch((error) => {
    if (attempt > 1 || error?.cause?.code !== 'UND_ERR_SOCKET') throw error;
    return undefined;
  });
  if (!response) return control(endpoint, method, action, body, attempt + 1);
  if (!response.ok) throw new Error(`fake ${action}: ${response.status} ${await response.text()}`);
  return response.json();
}

/** Counts the calls of one `--status` run for each pipeline size in `targets`. */
export async function countBigQueryStatus({ targets }) {
  if (!existsSync(FAKE)) return undefined;
  const fake = await startFake();
  try {
    const out = [];
    for (const count of targets) {
      const dir = tempDir(`bq-${count}`);
      const files = {
        'dag.json5': {
          warehouse: { type: 'bigquery', project: fake.project, location: 'US', maximumBytesBilled: '1GB', apiEndpoint: fake.endpoint },
          window: { start: START, end: addDaysIso(START, DAYS - 1) },
          calendar: { every: 'day' },
          defaults: { dateColumn: 'game_date', threshold: 0.9 },
          targets: ['targets/*.json5'],
        },
      };
      const writes = [];
      for (let i = 0; i < count; i++) {
        const table = `${DATASETS[i % 3]}.t${count}_${i}`;
        files[`targets/t${i}.json5`] = { table, source: true };
        const days = Array.from({ length: DAYS }, (_, d) => addDaysIso(START, d)).filter((_, d) => d % (i + 7) !== 0);
        await control(fake.endpoint, 'POST', 'seed', {
          table,
          spec: { columns: { game_date: 'DATE', v: 'INT64' }, rows: days.map((d) => [d, 1]), ...(i % 10 < 7 && { partitionBy: 'game_date' }) },
        });
        // two runs per target: the first wrote every date, the second rewrote a week of them
        for (const day of days) writes.push([`t${i}`, day, 1.7e12 + i + 0.5, 'f', 'r1']);
        for (const day of days.slice(-7)) writes.push([`t${i}`, day, 1.8e12 + i + 0.25, 'f', 'r2']);
      }
      await control(fake.endpoint, 'POST', 'seed', {
        table: '_dagrun.writes',
        spec: { columns: { target: 'STRING', day: 'DATE', written_at: 'FLOAT64', fingerprint: 'STRING', run_id: 'STRING' }, rows: writes },
      });
      writeProject(dir, files);
      const env = { METADATA_SERVER_DETECTION: 'none' };
      // a warm-up run (the fake's own first-query costs), then the counted one
      runChecked(['node', CLI, '--status'], { cwd: dir, env, okCodes: [0, 1] });
      await control(fake.endpoint, 'POST', 'reset');
      runChecked(['node', CLI, '--status'], { cwd: dir, env, okCodes: [0, 1] });
      const stats = await control(fake.endpoint, 'GET', 'stats');
      out.push({ targets: count, jobs: stats.calls['jobs.query'] ?? 0, calls: stats.calls });
    }
    return out;
  } finally {
    fake.child.stdin.end();
    fake.child.kill('SIGTERM');
  }
}
