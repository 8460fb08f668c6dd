/**
 * The validation document through the built CLI (run `npx tsc -p tsconfig.json && node
 * scripts/bundle.mjs` first): `dagrun --status --report/--junit/--html` write the current
 * state — coverage, named dates, checks with values and bounds (per-date: the failing
 * dates), rows per date, what changed since the last report, a sign-off block — with
 * `--status`'s exit codes; a file that cannot be written fails naming it; a run with nothing
 * to build reports the state too.
 *
 *   raw (SQL, per-date check n_positive) ──▶ agg (SQL, check rows_per_date)
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dagJson, ProjectRig } from './helpers/rig.js';

const RAW_SQL = `
CREATE SCHEMA IF NOT EXISTS w;
CREATE TABLE IF NOT EXISTS w.raw (d DATE, n INTEGER);
DELETE FROM w.raw WHERE d IN (SELECT unnest(@dates));
INSERT INTO w.raw SELECT x, 1 FROM (SELECT unnest(@dates) AS x), range(20);
`;
const AGG_SQL = `
CREATE TABLE IF NOT EXISTS w.agg (d DATE, n INTEGER);
DELETE FROM w.agg WHERE d IN (SELECT unnest(@dates));
INSERT INTO w.agg SELECT d, count(*) FROM w.raw WHERE d IN (SELECT unnest(@dates)) GROUP BY d;
`;

function pipeline(): Record<string, string> {
  return {
    'dag.json5': dagJson({ defaults: { dateColumn: 'd', threshold: 0.9 } }),
    'targets/raw.json5': JSON.stringify({
      table: 'w.raw', build: { sql: 'raw.sql' },
      checks: [{ name: 'n_positive', sql: 'SELECT d, min(n) FROM w.raw WHERE d BETWEEN @start_date AND @end_date GROUP BY d', min: 1, perDate: true }],
    }),
    'targets/raw.sql': RAW_SQL,
    'targets/agg.json5': JSON.stringify({ table: 'w.agg', deps: ['raw'], build: { sql: 'agg.sql' }, checks: [{ name: 'rows_per_date', sql: 'SELECT count(*) / count(DISTINCT d) FROM w.agg', min: 1 }] }),
    'targets/agg.sql': AGG_SQL,
  };
}

let rig: ProjectRig;
beforeEach(() => {
  rig = new ProjectRig().write(pipeline());
});
afterEach(() => rig.cleanup());

describe('dagrun --status --report / --junit / --html', () => {
  it('writes the current state, then flags what was lost since, with --status exit codes', async () => {
    expect((await rig.exec(['--now', '2024-02-01T12:00:00Z'])).code).toBe(0);

    const first = await rig.exec(['--status', '--report', 'out/r1.md', '--junit', 'out/j1.xml', '--html', 'out/r1.html', '--now', '2024-02-01T12:00:00Z']);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('dagrun status');
    expect(first.stderr).toContain(`Report: ${path.join(rig.dir, 'out/r1.md')}`);
    const md1 = rig.read('out/r1.md');
    expect(md1).toContain('# dagrun validation document');
    expect(md1).toContain('✅ **all 2 targets fresh**');
    expect(md1).toContain('- **Window:** 2024-01-01 .. 2024-01-10');
    expect(md1).toContain('- **Measured:** 2024-02-01 12:00:00 UTC');
    expect(md1).toContain('- **Warehouse:** DuckDB `.dagrun/warehouse.duckdb`');
    expect(md1).toContain('| `raw` |  | ✅ fresh | 10 / 10 | 100.0% | 90% | 0 | 0 |');
    expect(md1).toContain('| `raw` | n_positive | worst 1 over 10 dates | ≥ 1 | ✅ pass |  |');
    expect(md1).toContain('| `agg` | rows_per_date | 1 | ≥ 1 | ✅ pass |  |');
    expect(md1).toContain('| `raw` | 10 | 200 | 20 (2024-01-01) | 20 | 20 (2024-01-01) |  |');
    expect(md1).toContain('this one is the baseline');
    expect(md1).toContain('- **Reviewer:**');
    expect(rig.read('out/j1.xml')).toContain('<testsuites name="dagrun status 2024-02-01T12:00:00" tests="4" failures="0"');
    expect(rig.read('out/r1.html')).toContain('n_positive');
    expect(readdirSync(path.join(rig.dir, '.dagrun'))).toContain('last-status.json');

    // two dates of agg lost, a value of raw gone bad on 01-07, and all rows of 01-08 but one gone
    await rig.query(`DELETE FROM w.agg WHERE d BETWEEN DATE '2024-01-03' AND DATE '2024-01-04';
      UPDATE w.raw SET n = 0 WHERE d = DATE '2024-01-07';
      DELETE FROM w.raw WHERE d = DATE '2024-01-08' AND rowid <> (SELECT min(rowid) FROM w.raw WHERE d = DATE '2024-01-08')`);
    const second = await rig.exec(['--status', '--report', 'out/r2.md', '--junit', 'out/j2.xml', '--now', '2024-02-01T13:00:00Z']);
    expect(second.code).toBe(1);
    const md2 = rig.read('out/r2.md');
    expect(md2).toContain('❌ **2 of 2 targets not fresh** — ⚠️ 2 targets lost ground since the last report');
    expect(md2).toContain('| `agg` |  | ⚠️ stale | 8 / 10 | 80.0% | 90% | 2 | 0 |');
    expect(md2).toContain('  - missing 2: 2024-01-03..2024-01-04');
    expect(md2).toContain('| `raw` | n_positive | worst 0 over 10 dates | ≥ 1 | ❌ fail | 1: 2024-01-07 |');
    expect(md2).toContain('| `raw` | 10 | 181 | 1 (2024-01-08) | 20 | 20 (2024-01-01) | 1: 2024-01-08 |');
    expect(md2).toContain('Compared with the report of 2024-02-01 12:00 UTC.');
    expect(md2).toContain('- ⚠️ `agg`: **2 dates disappeared**: 2024-01-03..2024-01-04; **coverage went down** 100.0% → 80.0%');
    expect(md2).toContain('- ⚠️ `raw`: **check n_positive now fails** (1 → 0)');
    const junit = rig.read('out/j2.xml');
    expect(junit).toContain('<testsuite name="changes" tests="2" failures="2"');
    expect(junit).toMatch(/<testcase classname="dagrun.checks.raw" name="n_positive" time="0.000">\n\s*<failure message="check n_positive failed on 1 date of 10 \(2024-01-07\)/);

    // the next report compares with the second, where agg's dates were already gone
    const third = await rig.exec(['--status', '--report', 'out/r3.md', '--json', '--now', '2024-02-01T14:00:00Z']);
    expect(third.code).toBe(1);
    expect(JSON.parse(third.stdout).targets).toHaveLength(2);
    expect(rig.read('out/r3.md')).toContain('Nothing changed');
  });

  it('a report that cannot be written fails, naming the path; the others are still written', async () => {
    expect((await rig.exec(['--now', '2024-02-01T12:00:00Z'])).code).toBe(0);
    rig.write({ 'taken': 'a file, not a folder' });
    const result = await rig.exec(['--status', '--report', 'taken/r.md', '--junit', 'out/j.xml', '--now', '2024-02-01T12:00:00Z']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('dagrun: cannot write taken/r.md: a part of the path is a file, not a folder (the report asked for with --report)');
    expect(rig.read('out/j.xml')).toContain('<testsuites');
  });

  it('a run with nothing to build reports the state it found, not only that nothing ran', async () => {
    expect((await rig.exec(['--now', '2024-02-01T12:00:00Z'])).code).toBe(0);
    const noop = await rig.exec(['--report', 'out/noop.md', '--junit', 'out/noop.xml', '--now', '2024-02-01T12:00:00Z']);
    expect(noop.code).toBe(0);
    const md = rig.read('out/noop.md');
    expect(md).toContain('✅ **nothing to do** — every selected target was fresh');
    expect(md).toContain('## State');
    expect(md).toContain('| `agg` |  | ✅ fresh | 10 / 10 | 100.0% | 90% | 0 | 0 |');
    expect(md).toContain('| `raw` | n_positive | worst 1 over 10 dates | ≥ 1 | ✅ pass |  |');
    expect(md).toContain('## Sign-off');
    expect(md).toContain('this one is the baseline');
    // JUnit too: the state found, a case per target and per check, not two empty suites
    const junit = rig.read('out/noop.xml');
    expect(junit).toContain('<testcase classname="dagrun.coverage" name="agg" time="0.000"/>');
    expect(junit).toContain('<testcase classname="dagrun.checks.raw" name="n_positive" time="0.000"/>');

    // a date of agg lost, agg still at its 90% threshold: nothing to build, and the next report says what went
    await rig.query(`DELETE FROM w.agg WHERE d = DATE '2024-01-05'`);
    const next = await rig.exec(['--report', 'out/noop2.md', '--html', 'out/noop2.html', '--now', '2024-02-02T12:00:00Z']);
    expect(next.code).toBe(0);
    const md2 = rig.read('out/noop2.md');
    expect(md2).toContain('✅ **nothing to do**');
    expect(md2).toContain('- ⚠️ `agg`: **1 date disappeared**: 2024-01-05; **coverage went down** 100.0% → 90.0%');
    expect(rig.read('out/noop2.html')).toContain('<b class="regress">1 date disappeared</b>: 2024-01-05');
  });
});
