/**
 * Range durations through the built CLI (run `npx tsc -p tsconfig.json` first): a build
 * records each successful range's duration in its run record, and the next build's plan
 * weighs its priority with them (the record says which estimate the plan used).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { dagJson, ProjectRig } from './helpers/rig.js';

const sql = (table: string) => `
CREATE SCHEMA IF NOT EXISTS w;
CREATE TABLE IF NOT EXISTS ${table} (d DATE);
DELETE FROM ${table} WHERE d IN (SELECT unnest(@dates));
INSERT INTO ${table} SELECT unnest(@dates);
`;

interface Outcome {
  target: string;
  ranges?: { range: string; dates: number; durationMs: number }[];
  estimatedMsPerRange?: number;
}

let rig: ProjectRig;
beforeEach(() => {
  rig = new ProjectRig().write({
    'dag.json5': dagJson(),
    'targets/raw.json5': JSON.stringify({ table: 'w.raw', build: { sql: 'raw.sql', maxDays: 5 } }),
    'targets/raw.sql': sql('w.raw'),
    'targets/agg.json5': JSON.stringify({ table: 'w.agg', deps: ['raw'], build: { sql: 'agg.sql' } }),
    'targets/agg.sql': sql('w.agg'),
  });
});
afterEach(() => rig.cleanup());

/** The run records, oldest first (the first run is the one the plan had no history for). */
function records(): { outcomes: Outcome[] }[] {
  const root = path.join(rig.dir, '.dagrun/runs');
  const all = readdirSync(root).map((id) => JSON.parse(readFileSync(path.join(root, id, 'run.json'), 'utf8')) as { outcomes: Outcome[] });
  return all.sort((a, b) => Number(a.outcomes.some((o) => o.estimatedMsPerRange !== undefined)) - Number(b.outcomes.some((o) => o.estimatedMsPerRange !== undefined)));
}

it('records range durations, and the next run plans with their median per target', async () => {
  const now = ['--now', '2024-02-01T12:00:00Z'];
  expect((await rig.exec([...now])).code).toBe(0);
  expect((await rig.exec(['-B', 'raw', 'agg', ...now])).code).toBe(0);
  const [first, second] = records();
  expect(first!.outcomes.map((o) => o.estimatedMsPerRange)).toEqual([undefined, undefined]);
  const raw = first!.outcomes.find((o) => o.target === 'raw')!;
  // ranges are listed as they ended, which may be either order
  expect(raw.ranges!.map((r) => `${r.range} (${r.dates})`).sort()).toEqual(['2024-01-01..2024-01-05 (5)', '2024-01-06..2024-01-10 (5)']);
  for (const r of raw.ranges!) expect(r.durationMs).toBeGreaterThanOrEqual(0);
  const median = (ms: number[]) => {
    const sorted = [...ms].sort((a, b) => a - b);
    const mid = sorted.length >> 1;
    return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  };
  for (const o of second!.outcomes) {
    const earlier = first!.outcomes.find((f) => f.target === o.target)!;
    expect(o.estimatedMsPerRange).toBe(median(earlier.ranges!.map((r) => r.durationMs)));
    expect(o.ranges!.length).toBeGreaterThan(0);
  }
});
