/**
 * Keeps the layers honest: every import in src/ (tests aside) must point to the same stage or
 * a lower one, and third-party libraries with a seam are imported only at that seam (STYLE,
 * "Layout" 1-3). The imports are read with TypeScript's own pre-processor (static, type-only,
 * re-exports and dynamic `import()` alike), so comments and strings cannot fool it.
 *
 * Known exceptions are listed below, each with its reason; an entry that no longer matches an
 * import fails the test too, so the lists only ever shrink.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The stages, lowest first: a file may import its own stage and any stage before it. Stages
 * on one line are siblings, which must not import each other. The warehouse sits below
 * freshness because freshness asks the warehouse; `state` (the .dagrun folder) below the
 * executor and report, which both keep state.
 */
const STAGES: readonly (readonly string[])[] = [
  ['core'],
  ['intervals'],
  ['config'],
  ['graph'],
  ['warehouse'],
  ['freshness'],
  ['scheduler'],
  ['state'],
  ['executor'],
  ['report'],
  ['run'],
  ['watch', 'init'],
  ['cli'],
];

/** Imports that run back up today, `from -> to` (both files under src/), each with why it stays. */
const UPWARD_ALLOWED: Readonly<Record<string, string>> = {};

/** Packages wrapped at one seam: the folders (under src/) allowed to import each. */
const PACKAGE_SEAMS: Readonly<Record<string, readonly string[]>> = {
  '@google-cloud/bigquery': ['warehouse'],
  'google-auth-library': ['warehouse'],
  '@duckdb/node-api': ['warehouse'],
  yargs: ['cli'],
  chokidar: ['watch'],
};

/** Concrete warehouse adapters: only the warehouse itself and cli/ (which picks one) import them. */
const ADAPTER_FILE = /^src\/warehouse\/(duckdb|bigquery)[^/]*\.ts$/;
const ADAPTER_IMPORTERS = ['warehouse', 'cli'];

/** Files that reach past a seam on purpose, `file -> import`, each with why. */
const SEAM_ALLOWED: Readonly<Record<string, string>> = {
  'src/init/duckdb-tables.ts -> src/warehouse/duckdb-module.ts':
    '`init --from duckdb:FILE` lists the tables of a file with no pipeline yet: the Warehouse port measures targets and cannot list a catalog',
  'src/init/duckdb-tables.ts -> src/warehouse/duckdb-sql.ts':
    '`init --from duckdb:FILE` quotes the names it reads from the catalog the way DuckDB does',
};

/** Files that still say a percentage their own way, each with why. */
const OWN_FORMATTING_ALLOWED: Readonly<Record<string, string>> = {};

function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const file = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return sourceFiles(file);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [file] : [];
  });
}

/** Every import of every source file: `{ file, spec }` with relative specs resolved to src/…/x.ts. */
function imports(): { file: string; spec: string; local: boolean }[] {
  return sourceFiles('src').flatMap((file) =>
    ts.preProcessFile(readFileSync(path.join(ROOT, file), 'utf8'), true, true).importedFiles.map(({ fileName }) => {
      if (!fileName.startsWith('.')) return { file, spec: fileName, local: false };
      const resolved = path.posix.normalize(path.posix.join(path.posix.dirname(file), fileName)).replace(/\.js$/, '.ts');
      return { file, spec: resolved, local: true };
    }),
  );
}

const stageOf = (file: string): string => file.split('/')[1]!;
const rankOf = (stage: string): number => STAGES.findIndex((line) => line.includes(stage));
/** The bare package name of an import (`@scope/name/sub` → `@scope/name`). */
const packageOf = (spec: string): string => spec.split('/').slice(0, spec.startsWith('@') ? 2 : 1).join('/');

const all = imports();

describe('architecture', () => {
  it('places every folder of src/ in a stage', () => {
    const folders = [...new Set(sourceFiles('src').map(stageOf))].filter((stage) => !stage.endsWith('.ts'));
    expect(folders.filter((stage) => rankOf(stage) < 0), 'add the folder to STAGES').toEqual([]);
    expect(sourceFiles('src').filter((file) => file.split('/').length < 3), 'files belong in a stage folder').toEqual([]);
  });

  it('imports only from the same stage or a lower one', () => {
    const upward = all
      .filter(({ file, spec, local }) => local && stageOf(file) !== stageOf(spec) && rankOf(stageOf(spec)) >= rankOf(stageOf(file)))
      .map(({ file, spec }) => `${file} -> ${spec}`);
    const found = [...new Set(upward)].sort();
    expect(found.filter((edge) => !(edge in UPWARD_ALLOWED)), 'imports that run back up (fix them, or allowlist with a reason)').toEqual([]);
    expect(Object.keys(UPWARD_ALLOWED).filter((edge) => !found.includes(edge)), 'allowlisted imports that are gone: remove them from UPWARD_ALLOWED').toEqual([]);
  });

  it('imports wrapped libraries only at their seam', () => {
    const outside = all
      .filter(({ local, spec }) => !local && packageOf(spec) in PACKAGE_SEAMS)
      .filter(({ file, spec }) => !PACKAGE_SEAMS[packageOf(spec)]!.includes(stageOf(file)))
      .map(({ file, spec }) => `${file} -> ${spec}`);
    expect(outside).toEqual([]);
  });

  it('imports the concrete warehouse adapters only from the warehouse and cli/', () => {
    const found = [
      ...new Set(
        all
          .filter(({ local, file, spec }) => local && ADAPTER_FILE.test(spec) && !ADAPTER_IMPORTERS.includes(stageOf(file)))
          .map(({ file, spec }) => `${file} -> ${spec}`),
      ),
    ].sort();
    expect(found.filter((edge) => !(edge in SEAM_ALLOWED)), 'a concrete adapter imported past its seam').toEqual([]);
    expect(Object.keys(SEAM_ALLOWED).filter((edge) => !found.includes(edge)), 'allowlisted imports that are gone: remove them from SEAM_ALLOWED').toEqual([]);
  });

  it('has a reason for every exception', () => {
    for (const reason of [...Object.values(UPWARD_ALLOWED), ...Object.values(SEAM_ALLOWED), ...Object.values(OWN_FORMATTING_ALLOWED)]) {
      expect(reason.length).toBeGreaterThan(20);
    }
  });

  it('formats percentages only in core/format.ts, and has one unreachable (core/errors.ts)', () => {
    const percent = /\(\s*[\w.!?]+\s*\*\s*100\s*\)\.toFixed\(|Math\.floor\(\s*[\w.!?]+\s*\*\s*1000\s*\)/;
    const neverHelper = /function\s+\w+\s*\(\s*\w+\s*:\s*never\s*\)\s*:\s*never/;
    const files = sourceFiles('src');
    const own = files.filter((file) => file !== 'src/core/format.ts' && percent.test(readFileSync(path.join(ROOT, file), 'utf8')));
    expect(own.filter((file) => !(file in OWN_FORMATTING_ALLOWED)), 'use formatPercent / formatThreshold from core/format.ts').toEqual([]);
    expect(Object.keys(OWN_FORMATTING_ALLOWED).filter((file) => !own.includes(file)), 'gone: remove from OWN_FORMATTING_ALLOWED').toEqual([]);
    const unreachables = files.filter((file) => neverHelper.test(readFileSync(path.join(ROOT, file), 'utf8')));
    expect(unreachables).toEqual(['src/core/errors.ts']);
  });
});
