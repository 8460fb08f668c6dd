/**
 * The cached pipeline (run/pipeline-load.ts): a command loads the configuration from
 * `.dagrun/pipeline-cache.json` while nothing it was read from has changed, and from its files
 * as soon as anything did: a target file edited, added (also in a new folder under `**`) or
 * removed, a .sql file, a script a command names (even one that appears only now), dag.json5.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { mkdtempSync } from 'node:fs';
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

/** The cache's JSON, and writing it back with its digest (as dagrun writes it). */
function storedCache(): Record<string, unknown> & { config: { targets: [string, { threshold: number }][] } } {
  const text = readFileSync(cacheFile(), 'utf8');
  return JSON.parse(text.slice(text.indexOf('\n') + 1)) as ReturnType<typeof storedCache>;
}
function writeCache(stored: unknown, digest = true): void {
  const text = JSON.stringify(stored);
  writeFileSync(cacheFile(), `${digest ? createHash('sha256').update(text).digest('hex') : 'x'.repeat(64)}\n${text}`);
}

/** The threshold the cache holds for `target`, changed as dagrun would write it: a load that returns it read the cache. */
function markCached(target: string, threshold: number): void {
  const stored = storedCache();
  stored.config.targets.find(([name]) => name === target)![1].threshold = threshold;
  writeCache(stored);
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

  it('is no cache when cut or edited by hand without its digest', async () => {
    rig = new ProjectRig().write({ 'dag.json5': dagJson(), 'targets/a.json5': JSON.stringify({ table: 's.a', source: true }), '.dagrun/.keep': '' });
    await delay(SETTLE_MS + 200);
    loaded();
    const stored = storedCache();
    stored.config.targets = [];
    writeCache(stored, false);
    expect(loaded()).toBe(fromFiles());
    writeFileSync(cacheFile(), readFileSync(cacheFile(), 'utf8').slice(0, 100));
    expect(loaded()).toBe(fromFiles());
  });

  it('sees every file the globs would find, however they are written', async () => {
    const outside = mkdtempSync(path.join(tmpdir(), 'dagrun-abs-'));
    try {
      const cases: [string, string[], string][] = [
        ['a glob naming a folder', ['targets'], 'targets/sub/b.json5'],
        ['a folder whose name matches the pattern', ['targets/*.json5'], 'targets/x.json5/b.json5'],
        ['a dot folder named in the pattern', ['targets/*/.defs/*.json5'], 'targets/g/.defs/b.json5'],
        ['an absolute glob', [`${outside}/*.json5`], `${outside}/b.json5`],
      ];
      for (const [what, globs, added] of cases) {
        rig?.cleanup();
        rmSync(path.join(outside, 'b.json5'), { force: true });
        rig = new ProjectRig().write({ 'dag.json5': dagJson({ targets: globs }), '.dagrun/.keep': '' });
        const first = globs[0]!.includes('.defs') ? 'targets/g/.defs/a.json5' : globs[0] === 'targets' ? 'targets/a.json5' : globs[0]!.startsWith('/') ? '' : 'targets/a.json5';
        if (first) rig.write({ [first]: JSON.stringify({ table: 's.a', source: true }) });
        else writeFileSync(path.join(outside, 'a.json5'), JSON.stringify({ table: 's.a', source: true }));
        await delay(SETTLE_MS + 200);
        loaded();
        const file = path.isAbsolute(added) ? added : path.join(rig.dir, added);
        mkdirSync(path.dirname(file), { recursive: true });
        writeFileSync(file, JSON.stringify({ table: 's.b', source: true }));
        expect(loaded(), what).toBe(fromFiles());
        expect(loaded(), what).toContain('"s.b"');
      }
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it('is not fooled by a broken link among the target files, nor stopped by a loop of links', async () => {
    rig = new ProjectRig().write({ 'dag.json5': dagJson({ targets: ['targets/**/*.json5'] }), 'targets/a.json5': JSON.stringify({ table: 's.a', source: true }), '.dagrun/.keep': '' });
    mkdirSync(path.join(rig.dir, 'targets/loop'));
    symlinkSync('.', path.join(rig.dir, 'targets/loop/l1'));
    symlinkSync('.', path.join(rig.dir, 'targets/loop/l2'));
    await delay(SETTLE_MS + 200);
    expect(loaded()).toBe(fromFiles());
    mkdirSync(path.join(rig.dir, 'targets/.old'));
    symlinkSync('nowhere.json5', path.join(rig.dir, 'targets/.old/z.json5'));
    expect(() => loadPipeline(configFile())).toThrow(/configuration has/);
  });

  it('is not kept when JSON cannot hold a value of it', async () => {
    rig = new ProjectRig().write({ 'dag.json5': dagJson({ history: { maxMB: 1e303 } }), 'targets/a.json5': JSON.stringify({ table: 's.a', source: true }), '.dagrun/.keep': '' });
    await delay(SETTLE_MS + 200);
    expect(loadPipeline(configFile()).config.history.maxBytes).toBe(Number.POSITIVE_INFINITY);
    expect(() => readFileSync(cacheFile())).toThrow();
  });
});
