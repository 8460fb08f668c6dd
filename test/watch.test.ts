/**
 * `dagrun --watch` through the built CLI with real file watching: it builds at start,
 * rebuilds when a target's .sql file changes, shows an error in an edited target file and
 * keeps watching, and stops cleanly on Ctrl-C; a build with nothing to do says so once; a
 * watch of one target names the targets downstream that its rebuild left outdated. Run
 * `npx tsc -p tsconfig.json && node scripts/bundle.mjs` first.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { dagJson, ProjectRig } from './helpers/rig.js';

const rawSql = (value: number) => `
CREATE SCHEMA IF NOT EXISTS w;
CREATE TABLE IF NOT EXISTS w.raw (d DATE, v INTEGER);
DELETE FROM w.raw WHERE d IN (SELECT unnest(@dates));
INSERT INTO w.raw SELECT unnest(@dates), ${value};
`;

const RAW_TARGET = JSON.stringify({ table: 'w.raw', build: { sql: 'raw.sql' } });

let rig: ProjectRig;
afterEach(() => rig.cleanup());

describe('dagrun --watch', () => {
  it('rebuilds what an edited .sql file made stale, survives a broken target file, stops on SIGINT', async () => {
    rig = new ProjectRig().write({ 'dag.json5': dagJson(), 'targets/raw.json5': RAW_TARGET, 'targets/raw.sql': rawSql(1) });
    const child = rig.spawn(['--watch', '--debounce', '100', '--now', '2024-02-01T12:00:00Z']);
    let output = '';
    child.all!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    /** Waits until `pattern` has appeared `times` times in the output (bounded). */
    const waitFor = async (pattern: RegExp, times = 1) => {
      const global = new RegExp(pattern.source, 'g');
      for (let waited = 0; waited < 30_000; waited += 50) {
        if ((output.match(global) ?? []).length >= times) return;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`never saw ${pattern} ${times}× in:\n${output}`);
    };

    await waitFor(/\[watch\] watching \d+ files/);
    expect(output).toContain('[watch] building (initial build)');
    expect(output).toMatch(/✓ raw 2024-01-01\.\.2024-01-10 in /);
    expect(output).toContain('[watch] build succeeded');

    rig.write({ 'targets/raw.sql': rawSql(2) });
    await waitFor(/\[watch\] build succeeded/, 2);
    expect(output).toMatch(/\[watch\] changed: .*raw\.sql/);
    // The changed definition made every date of raw outdated: all ten are rebuilt.
    await waitFor(/✓ raw 2024-01-01\.\.2024-01-10 in /, 2);

    rig.write({ 'targets/raw.json5': '{ table: "w.raw", build: { sql: "raw.sql" ' });
    await waitFor(/\[watch\] build exited with 2/);
    expect(output).toMatch(/raw\.json5:1:\d+/);
    await waitFor(/\[watch\] watching \d+ files/, 3);

    rig.write({ 'targets/raw.json5': RAW_TARGET });
    await waitFor(/\[watch\] build succeeded/, 3);
    // said once per build, not twice (first line and summary)
    expect(output.match(/Nothing to do/g)).toHaveLength(1);

    child.kill('SIGINT');
    const result = await child;
    expect(result.exitCode).toBe(130);
    expect(output).toContain('[watch] stopping');
    expect(await rig.query('SELECT DISTINCT v FROM w.raw')).toEqual([{ v: 2 }]);
  });

  it('names the targets downstream of a rebuild that the watched selection leaves outdated', async () => {
    const downSql = 'CREATE TABLE IF NOT EXISTS w.down (d DATE);\nDELETE FROM w.down WHERE d IN (SELECT unnest(@dates));\nINSERT INTO w.down SELECT d FROM w.raw WHERE d IN (SELECT unnest(@dates));\n';
    rig = new ProjectRig().write({
      'dag.json5': dagJson(), 'targets/raw.json5': RAW_TARGET, 'targets/raw.sql': rawSql(1),
      'targets/down.json5': JSON.stringify({ table: 'w.down', deps: ['raw'], build: { sql: 'down.sql' } }), 'targets/down.sql': downSql,
    });
    // everything built once, then only raw is watched
    expect((await rig.exec(['--now', '2024-02-01T12:00:00Z'])).code).toBe(0);
    const child = rig.spawn(['--watch', 'raw', '--debounce', '100', '--now', '2024-02-01T12:00:00Z']);
    let output = '';
    child.all!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const waitFor = async (pattern: RegExp, times = 1) => {
      const global = new RegExp(pattern.source, 'g');
      for (let waited = 0; waited < 30_000; waited += 50) {
        if ((output.match(global) ?? []).length >= times) return;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`never saw ${pattern} ${times}× in:\n${output}`);
    };
    await waitFor(/\[watch\] watching \d+ files/);
    // the first build had nothing to do: nothing downstream to speak of
    expect(output).not.toContain('downstream now outdated');
    rig.write({ 'targets/raw.sql': rawSql(2) });
    await waitFor(/\[watch\] build succeeded/, 2);
    await waitFor(/\[watch\] downstream now outdated: down \(the watch builds its targets and their upstream; --watch x\+ builds what is downstream of x too\)/);
    child.kill('SIGINT');
    expect((await child).exitCode).toBe(130);
    const status = await rig.exec(['--status', '--json', 'down', '--now', '2024-02-01T12:00:00Z']);
    expect(JSON.parse(status.stdout).targets.find((t: { name: string }) => t.name === 'down').outdated).toBe(10);
  });
});
