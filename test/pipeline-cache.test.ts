/**
 * The cached pipeline (run/pipeline-load.ts): a command loads the configuration from
 * `.dagrun/pipeline-cache.json` while nothing it was read from has changed, and from its files
 * as soon as anything did: a target file edited, added (also in a new folder under `**`) or
 * removed, a .sql file, a script a command names (even one that appears only now), dag.json5.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { SETTLE_MS } from '../src/core/file-stamp.js';
import { canonicalJson } from '../src/freshness/fingerprint.js';
import { loadPipeline } from '../src/run/pipeline-load.js';
import { loadConfig } from '../src/config/load.js';
import { fingerprintAll } from '../src/freshness/fingerprint.js';
import { dagJson, ProjectRig } from './helpers/rig.js';

let rig: ProjectRig | undefined;
afterEach(() => {
  rig?.cleanup();
  rig = undefined;
});

const cacheFile = () => path.join(rig!.dir, '.dagrun/pipeline-cache.json');
const configFile = () => path.join(rig!.dir, 'dag.json5');

/** The threshold the cache holds for `target`, changed by hand: a load that returns it read the cache. */
function markCached(target: string, threshold: number): void {
  const stored = JSON.parse(readFileSync(cacheFile(), 'utf8')) as { config: { targets: [string, { threshold: number }][] } };
  stored.config.targets.find(([name]) => name === target)![1].threshold = threshold;
  writeFileSync(cacheFile(), JSON.stringify(stored));
}

/** What loading from the files alone gives, as plain text (configuration and fingerprints). */
function fromFiles(): string {
  const config = loadConfig(configFile());
  return canonicalJson({ config: { ...config, groups: [...config.groups], targets: [...config.targets] }, fingerprints: [...fingerprintAll(config)] });
}

function loaded(): string {
  const { config, fingerprints } = loadPipeline(configFile());
  return canonicalJson({ config: { ...config, groups: [...config.groups], targets: [...config.targets] }, fingerprints: [...fingerprints] });
}

describe('the cached pipeline', () => {
  it('is what the files give, and is read instead of them until one of them changes', async () => {
    rig = new ProjectRig().write({
      'dag.json5': dagJson({ groups: { g: { concurrency: 2 } } }),
      'targets/a.json5': JSON.stringify({ table: 's.a', source: true, group: 'g' }),
      'targets/sub/b.json5': JSON.stringify({ table: 's.b', deps: ['a'], build: { sql: 'b.sql' } }),
      'targets/sub/b.sql': 'INSERT INTO s.b SELECT * FROM s.a',
      'targets/c.json5': JSON.stringify({ table: 's.c', deps: ['b'], build: { command: ['python3', 'scripts/c.py', '{start}'] } }),
      '.dagrun/.keep': '',
    });
    // written a moment ago: read, and not cached (a change in the same tick could hide)
    expect(loaded()).toBe(fromFiles());
    expect(() => readFileSync(cacheFile())).toThrow();
    await delay(SETTLE_MS + 200);
    expect(loaded()).toBe(fromFiles());
    const cached = loaded();
    expect(cached).toBe(fromFiles()); // the cache gives back exactly what the files give

    const changes: [string, () => void][] = [
      ['a target file edited', () => writeFileSync(path.join(rig!.dir, 'targets/a.json5'), JSON.stringify({ table: 's.a', source: true, group: 'g', threshold: 0.5 }))],
      ['a .sql file edited', () => writeFileSync(path.join(rig!.dir, 'targets/sub/b.sql'), 'INSERT INTO s.b SELECT DISTINCT * FROM s.a')],
      ['a script the command names appears', () => (mkdirSync(path.join(rig!.dir, 'scripts')), writeFileSync(path.join(rig!.dir, 'scripts/c.py'), 'print(1)\n'))],
      ['a target file added in a new folder', () => (mkdirSync(path.join(rig!.dir, 'targets/sub/deeper')), writeFileSync(path.join(rig!.dir, 'targets/sub/deeper/d.json5'), JSON.stringify({ table: 's.d', source: true })))],
      ['a target file removed', () => rmSync(path.join(rig!.dir, 'targets/sub/deeper/d.json5'))],
      ['dag.json5 edited', () => writeFileSync(configFile(), dagJson({ groups: { g: { concurrency: 3 } } }))],
    ];
    for (const [what, change] of changes) {
      await delay(SETTLE_MS + 200);
      loaded(); // cached again, all settled
      markCached('a', 0.123);
      expect(loaded(), `before: ${what}`).toContain('0.123');
      change();
      const after = loaded();
      expect(after, what).toBe(fromFiles());
      expect(after, what).not.toContain('0.123');
    }
  });

  it('is neither read nor written with DAGRUN_PIPELINE_CACHE=off', async () => {
    rig = new ProjectRig().write({ 'dag.json5': dagJson(), 'targets/a.json5': JSON.stringify({ table: 's.a', source: true }), '.dagrun/.keep': '' });
    await delay(SETTLE_MS + 200);
    loadPipeline(configFile(), { DAGRUN_PIPELINE_CACHE: 'off' });
    expect(() => readFileSync(cacheFile())).toThrow();
    loaded();
    markCached('a', 0.123);
    expect(canonicalJson([...loadPipeline(configFile(), { DAGRUN_PIPELINE_CACHE: 'off' }).config.targets])).not.toContain('0.123');
  });
});
