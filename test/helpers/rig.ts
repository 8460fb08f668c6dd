/**
 * A throwaway pipeline project in a temp folder, driven through the built CLI as a user
 * would (wireit's rig): write files, run `dagrun`, read the DuckDB warehouse afterwards.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, type ResultPromise } from 'execa';
import { DuckDBInstance } from '@duckdb/node-api';

/** The built CLI entry point. */
export const DAGRUN_BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/dagrun.js');

/** What a finished CLI run printed and returned. */
export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** A minimal dag.json5 on DuckDB with an every-day calendar; override any key. */
export function dagJson(overrides: Record<string, unknown> = {}): string {
  return JSON.stringify(
    {
      warehouse: { type: 'duckdb', path: '.dagrun/warehouse.duckdb' },
      window: { start: '2024-01-01', end: '2024-01-10' },
      calendar: { every: 'day' },
      defaults: { dateColumn: 'd', threshold: 1 },
      concurrency: 4,
      targets: ['targets/**/*.json5'],
      ...overrides,
    },
    null,
    2,
  );
}

/** A temp project. Call `cleanup()` in afterEach. */
export class ProjectRig {
  readonly dir: string;

  constructor() {
    this.dir = mkdtempSync(path.join(tmpdir(), 'dagrun-rig-'));
  }

  /** Writes files (paths relative to the project). */
  write(files: Record<string, string>): this {
    for (const [name, content] of Object.entries(files)) {
      const file = path.join(this.dir, name);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, content);
    }
    return this;
  }

  /** Reads a project file. */
  read(name: string): string {
    return readFileSync(path.join(this.dir, name), 'utf8');
  }

  /** The environment a user would have, minus anything that could reach Google or add colour. */
  env(extra: Record<string, string> = {}): Record<string, string> {
    return { NO_COLOR: '1', METADATA_SERVER_DETECTION: 'none', FORCE_COLOR: '0', ...extra };
  }

  /** Starts `dagrun ...args` in the project and returns the running child (for signals). */
  spawn(args: readonly string[], options: { env?: Record<string, string>; cwd?: string } = {}): ResultPromise<{ reject: false; all: true }> {
    return execa('node', [DAGRUN_BIN, ...args], {
      cwd: options.cwd ?? this.dir,
      env: this.env(options.env),
      reject: false,
      all: true,
      stdin: 'ignore',
    }) as ResultPromise<{ reject: false; all: true }>;
  }

  /** Runs `dagrun ...args` to completion. */
  async exec(args: readonly string[], options: { env?: Record<string, string>; cwd?: string } = {}): Promise<CliResult> {
    const result = await this.spawn(args, options);
    return { code: result.exitCode ?? -1, stdout: String(result.stdout ?? ''), stderr: String(result.stderr ?? '') };
  }

  /** Runs SQL against the project's DuckDB warehouse (only while no dagrun holds it). */
  async query(sql: string, file = '.dagrun/warehouse.duckdb'): Promise<Record<string, unknown>[]> {
    const instance = await DuckDBInstance.create(path.join(this.dir, file));
    const connection = await instance.connect();
    try {
      return (await connection.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  }

  /** Removes the project. */
  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
