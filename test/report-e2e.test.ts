/**
 * What users and CI see from a build through the built CLI (run `npx tsc -p tsconfig.json`
 * first): plain timestamped lines when stdout is not a terminal, NDJSON events with --json,
 * and the written reports (report.md in the run folder, --report, --junit, --html); then
 * `dagrun runs` and `dagrun logs` over the recorded run.
 *
 *   raw (SQL) ──▶ agg (SQL, check)        bad (command: prints, exits 3) ──▶ after_bad (SQL)
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dagJson, ProjectRig } from './helpers/rig.js';

const FAIL_SCRIPT = `
for (let i = 1; i <= 30; i++) console.log('fetching page ' + i + ' for ' + process.env.DAGRUN_START);
console.error('source unreachable: HTTP 503');
process.exit(3);
`;

const sqlTarget = (table: string, from?: string) => `
CREATE SCHEMA IF NOT EXISTS ${table.split('.')[0]};
CREATE TABLE IF NOT EXISTS ${table} (d DATE, n INTEGER);
DELETE FROM ${table} WHERE d IN (SELECT unnest(@dates));
INSERT INTO ${table} ${from ? `SELECT d, count(*) FROM ${from} WHERE d IN (SELECT unnest(@dates)) GROUP BY d` : 'SELECT unnest(@dates), 1'};
`;

function pipeline(): Record<string, string> {
  return {
    'dag.json5': dagJson(),
    'scripts/fail.mjs': FAIL_SCRIPT,
    'targets/raw.json5': JSON.stringify({ table: 'w.raw', build: { sql: 'raw.sql' } }),
    'targets/raw.sql': sqlTarget('w.raw'),
    'targets/agg.json5': JSON.stringify({ table: 'w.agg', deps: ['raw'], build: { sql: 'agg.sql' }, checks: [{ name: 'rows_per_date', sql: 'SELECT count(*) / count(DISTINCT d) FROM w.agg', min: 1 }] }),
    'targets/agg.sql': sqlTarget('w.agg', 'w.raw'),
    'targets/bad.json5': JSON.stringify({ table: 'w.bad', build: { command: ['node', 'scripts/fail.mjs'], opensWarehouse: false } }),
    'targets/after_bad.json5': JSON.stringify({ table: 'w.after_bad', deps: ['bad'], build: { sql: 'after_bad.sql' } }),
    'targets/after_bad.sql': sqlTarget('w.after_bad', 'w.bad'),
  };
}

const NOW = ['--now', '2024-02-01T12:00:00Z'];
let rig: ProjectRig;
beforeEach(() => {
  rig = new ProjectRig().write(pipeline());
});
afterEach(() => rig.cleanup());

function onlyRun(): string {
  const runs = readdirSync(path.join(rig.dir, '.dagrun/runs'));
  expect(runs).toHaveLength(1);
  return runs[0]!;
}

describe('a build whose output is not a terminal', () => {
  it('prints timestamped lines without control codes, writes every report, and records the run for runs/logs', async () => {
    const result = await rig.exec(['-k', ...NOW, '--report', 'out/report.md', '--junit', 'out/junit.xml', '--html', 'out/report.html']);
    expect(result.code).toBe(1);
    expect(result.stdout).not.toMatch(/\u001b/);
    const lines = result.stdout.split('\n');
    const eventLines = lines.filter((l) => /^\d\d:\d\d:\d\d /.test(l));
    expect(eventLines.some((l) => /✓ raw 2024-01-01\.\.2024-01-10 in /.test(l))).toBe(true);
    expect(eventLines.some((l) => /● agg fresh: coverage 0\.0% → 100\.0%/.test(l))).toBe(true);
    expect(eventLines.some((l) => /✗ bad 2024-01-01\.\.2024-01-10: /.test(l))).toBe(true);
    expect(result.stdout).toContain('│ source unreachable: HTTP 503');
    expect(result.stdout).toMatch(/after_bad\s+skipped/);

    const runId = onlyRun();
    const markdown = rig.read(`.dagrun/runs/${runId}/report.md`);
    expect(rig.read('out/report.md')).toBe(markdown);
    expect(markdown).toContain(`# dagrun run ${runId}`);
    expect(markdown).toContain('❌ **failed** — 1 failed, 1 skipped');
    expect(markdown).toContain('- **Window:** 2024-01-01 .. 2024-01-10');
    expect(markdown).toContain('`dagrun -k --now 2024-02-01T12:00:00Z --report out/report.md --junit out/junit.xml --html out/report.html`');
    expect(markdown).toMatch(/\| `agg` \| {2}\| ✅ built \| 0\.0% → 100\.0% \(10\/10\) \| 100% \| 1\/1 \| 10 \|/);
    expect(markdown).toContain('| `agg` | rows_per_date | 1 | ≥ 1 | ✅ pass |');
    expect(markdown).toContain('### `bad` — failed');
    expect(markdown).toMatch(/```text\n(.*\n)*source unreachable: HTTP 503\n```/);
    expect(markdown).toContain('### `after_bad` — skipped');

    const junit = rig.read('out/junit.xml');
    expect(junit).toMatch(/<testsuites name="dagrun [^"]+" tests="5" failures="1"/);
    expect(junit).toMatch(/<testcase classname="dagrun.targets" name="bad" time="[\d.]+">\s*<failure message="[^"]*">[^<]*source unreachable: HTTP 503/);
    expect(junit).toMatch(/<testcase classname="dagrun.targets" name="after_bad" time="[\d.]+">\s*<skipped message="upstream bad failed"\/>/);
    expect(junit).toContain('<testcase classname="dagrun.checks.agg" name="rows_per_date" time="0.000"/>');

    const html = rig.read('out/report.html');
    expect(html).toContain('<svg id="graph"');
    expect(html).toContain('<svg id="heatmap"');
    expect(html).toMatch(/<a href="#hm-bad" class="node failed"/);
    expect(html).toMatch(/<a href="#hm-after_bad" class="node skipped"/);
    // Self-contained: nothing is loaded from anywhere.
    expect(html).not.toMatch(/\b(src|href)="(https?:)?\/\//);

    // The same run, as `dagrun runs` and `dagrun logs` show it.
    const runs = await rig.exec(['runs']);
    expect(runs.code).toBe(0);
    expect(runs.stdout).toMatch(new RegExp(`${runId}\\s+2024-02-01 12:00:00\\s+\\S+\\s+failed\\s+2 built, 1 failed, 1 skipped\\s+dagrun -k --now 2024-02-01T12:00:00Z --report`));
    const asJson = JSON.parse((await rig.exec(['runs', '--json'])).stdout) as { runs: { runId: string; outcome: string }[] };
    expect(asJson.runs.map((r) => [r.runId, r.outcome])).toEqual([[runId, 'failed']]);

    const logs = await rig.exec(['logs', 'bad', '-n', '2']);
    expect(logs.code).toBe(0);
    expect(logs.stdout).toBe(`==> run ${runId} · bad · 0001-2024-01-01_2024-01-10-attempt1 <==\nfetching page 30 for 2024-01-01\nsource unreachable: HTTP 503`);
    // a SQL target prints nothing: logs shows the SQL the run read and each range's outcome
    const sqlLogs = await rig.exec(['logs', 'agg', '--run', runId.slice(0, 10)]);
    expect(sqlLogs.code).toBe(0);
    expect(sqlLogs.stdout).toContain(`==> run ${runId} · agg · SQL targets/agg.sql (run once per range) <==\n${sqlTarget('w.agg', 'w.raw').trim()}\n`);
    expect(sqlLogs.stdout).toMatch(new RegExp(`==> run ${runId} · agg · ranges <==\n2024-01-01\\.\\.2024-01-10 \\(10 dates\\): ok in \\S+\n {4}@start_date = 2024-01-01, @end_date = 2024-01-10`));
    const noTarget = await rig.exec(['logs']);
    expect(noTarget.code).toBe(2);
    expect(noTarget.stderr).toBe('dagrun: dagrun logs needs a target: dagrun logs TARGET [--run ID] [-n LINES] ("dagrun runs" lists the runs)');
    const unknownRun = await rig.exec(['logs', 'bad', '--run', 'nope']);
    expect(unknownRun.code).toBe(2);
    expect(unknownRun.stderr).toContain('no run "nope"');
  });
});

describe('--json during a build', () => {
  it('writes one JSON event per line: run, target and range start/end, retries, gates', async () => {
    rig.write({ 'targets/bad.json5': JSON.stringify({ table: 'w.bad', build: { command: ['node', 'scripts/fail.mjs'], opensWarehouse: false, retries: 1, retryBackoff: '10ms' } }) });
    const result = await rig.exec(['--json', '-k', '-j', '1', ...NOW]);
    expect(result.code).toBe(1);
    const events = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, any>);
    for (const e of events) expect(e.time).toMatch(/^\d{4}-\d\d-\d\dT/);
    const types = events.map((e) => e.type);
    expect(types[0]).toBe('run-started');
    expect(types[types.length - 1]).toBe('run-finished');
    const of = (target: string) => events.filter((e) => e.target === target).map((e) => e.type);
    expect(of('agg')).toEqual(['target-started', 'range-started', 'range-finished', 'gate-finished', 'target-finished']);
    expect(of('bad')).toEqual(['target-started', 'range-started', 'range-finished', 'range-retrying', 'range-started', 'range-finished', 'target-finished']);
    expect(of('after_bad')).toEqual(['target-skipped']);
    const gate = events.find((e) => e.type === 'gate-finished' && e.target === 'agg')!;
    expect(gate).toMatchObject({ ok: true, after: { state: 'fresh', coverage: 1, checks: [{ name: 'rows_per_date', value: 1, passed: true }] } });
    const range = events.find((e) => e.type === 'range-finished' && e.target === 'bad')!;
    expect(range).toMatchObject({ ok: false, attempt: 1, batch: { start: '2024-01-01', end: '2024-01-10', dates: 10 } });
    expect(range.tail).toContain('source unreachable: HTTP 503');
    const finished = events[events.length - 1]!;
    expect(finished.outcomes.map((o: any) => [o.target, o.status])).toEqual(
      expect.arrayContaining([['raw', 'done'], ['agg', 'done'], ['bad', 'failed'], ['after_bad', 'skipped']]),
    );
    // The report is written with --json too; it lists the failed range's last attempt.
    const report = path.join(rig.dir, '.dagrun/runs', onlyRun(), 'report.md');
    expect(existsSync(report)).toBe(true);
    expect(readFileSync(report, 'utf8')).toContain('2024-01-01..2024-01-10 (10 dates) **failed** in');
  });
});
