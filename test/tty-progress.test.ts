/**
 * The live progress view in a real terminal: the built CLI runs inside tmux (a pseudo-
 * terminal 120×40), the test reads the screen while a build waits on a command the test
 * releases, then reads it again after the run. Run `npx tsc -p tsconfig.json` first.
 *
 *   slow (command, 2 ranges, waits for the file "release") ──▶ agg (SQL)
 */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { DAGRUN_BIN, dagJson, ProjectRig } from './helpers/rig.js';

const DUCKDB_URL = pathToFileURL(createRequire(import.meta.url).resolve('@duckdb/node-api')).href;

/** Waits until the test creates "release", then writes the dates it was handed. */
const SLOW_SCRIPT = `
import { existsSync } from 'node:fs';
while (!existsSync('release')) await new Promise((r) => setTimeout(r, 50));
const { DuckDBInstance } = await import(${JSON.stringify(DUCKDB_URL)});
const instance = await DuckDBInstance.create(JSON.parse(process.env.DAGRUN_WAREHOUSE).path);
const db = await instance.connect();
await db.run('CREATE SCHEMA IF NOT EXISTS w');
await db.run('CREATE TABLE IF NOT EXISTS w.slow (d DATE)');
for (const d of process.env.DAGRUN_DATES.split(',')) await db.run("INSERT INTO w.slow VALUES (DATE '" + d + "')");
db.closeSync();
instance.closeSync();
`;

const AGG_SQL = `
CREATE SCHEMA IF NOT EXISTS w;
CREATE TABLE IF NOT EXISTS w.agg (d DATE);
DELETE FROM w.agg WHERE d IN (SELECT unnest(@dates));
INSERT INTO w.agg SELECT DISTINCT d FROM w.slow WHERE d IN (SELECT unnest(@dates));
`;

const SOCKET = `dagrun-tty-test-${process.pid}`;
const tmux = (...args: string[]) => execFileSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8' });
const screen = () => tmux('capture-pane', '-p', '-t', 'dagrun');

/** Polls the screen until `pattern` shows, for at most `seconds`; returns the screen. */
async function waitForScreen(pattern: RegExp, seconds = 30): Promise<string> {
  let last = '';
  for (let waited = 0; waited < seconds * 1000; waited += 100) {
    last = screen();
    if (pattern.test(last)) return last;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the screen never showed ${pattern}:\n${last}`);
}

let rig: ProjectRig | undefined;
afterEach(() => {
  try {
    tmux('kill-server');
  } catch {
    // Already gone.
  }
  rig?.cleanup();
});

describe('the live progress view on a terminal', () => {
  it('shows running targets with range, dates, elapsed and ETA, then what finished', async () => {
    rig = new ProjectRig().write({
      'dag.json5': dagJson({ groups: { ingest: { concurrency: 1 } } }),
      'scripts/slow.mjs': SLOW_SCRIPT,
      'targets/slow.json5': JSON.stringify({ table: 'w.slow', group: 'ingest', build: { command: ['node', 'scripts/slow.mjs'], maxDays: 5 } }),
      'targets/agg.json5': JSON.stringify({ table: 'w.agg', deps: ['slow'], build: { sql: 'agg.sql' } }),
      'targets/agg.sql': AGG_SQL,
    });
    // CI=true would (rightly) turn the live view off; this terminal is real, so drop it.
    const command = `cd ${JSON.stringify(rig.dir)} && env -u CI NO_COLOR=1 METADATA_SERVER_DETECTION=none node ${JSON.stringify(DAGRUN_BIN)} --now 2024-02-01T12:00:00Z; echo "EXIT=$?"; sleep 600`;
    tmux('new-session', '-d', '-s', 'dagrun', '-x', '120', '-y', '40', command);

    const running = await waitForScreen(/^\S slow .*ETA/m);
    expect(running).toMatch(/run \S+: 2 targets to build, -j 4/);
    expect(running).toMatch(/^\S slow\s+\[ingest\] 2024-01-01\.\.2024-01-05 {2}0\/10 dates {2}\S+ {2}ETA \?$/m);
    expect(running).toMatch(/^\[0\/3\] ranges · 0\/20 dates · 1 running · elapsed \S+ · ETA \?$/m);

    writeFileSync(path.join(rig.dir, 'release'), '');
    const done = await waitForScreen(/EXIT=\d+/);
    expect(done).toContain('EXIT=0');
    expect(done).toMatch(/^✓ slow {2}0\.0% → 100\.0% · 10 dates in 2 ranges · \S+/m);
    expect(done).toMatch(/^✓ agg {2}0\.0% → 100\.0% · 10 dates in 1 range · \S+/m);
    expect(done).toMatch(/✓ Built 2 targets in /);
    // The live block is gone once the run ends: no running line and no overall line remain.
    expect(done).not.toMatch(/ranges · \d+\/\d+ dates/);
    expect(done).not.toMatch(/ETA/);
  });
});
