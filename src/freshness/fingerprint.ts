/**
 * Definition fingerprints: a hash of what decides a target's contents — its table, date
 * column, build spec, the text of its .sql file, and the repository files its command names.
 * Stored with every write, so a changed definition is seen on any machine.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { DagConfig, Target } from '../config/types.js';

/** Files inside the pipeline folder that a command names in its argv (scripts it runs). */
export function commandFiles(config: DagConfig, target: Target): string[] {
  const action = target.build?.action;
  if (action?.kind !== 'command') return [];
  const cwd = target.build!.cwd;
  return action.argv
    .filter((arg) => !arg.includes('{'))
    .map((arg) => path.resolve(cwd, arg))
    .filter((file) => file.startsWith(config.dir + path.sep) && existsSync(file) && statSync(file).isFile());
}

/** The fingerprint of one target's definition. */
export function fingerprintTarget(config: DagConfig, target: Target): string {
  const hash = createHash('sha256');
  const build = target.build;
  hash.update(JSON.stringify({ table: target.table, dateColumn: target.dateColumn, deps: target.deps }));
  if (build) {
    const action = build.action.kind === 'sql' ? { kind: 'sql', sql: build.action.sql } : { kind: 'command', argv: build.action.argv };
    hash.update(JSON.stringify({ action, env: build.env }));
    for (const file of commandFiles(config, target)) {
      hash.update(path.relative(config.dir, file));
      hash.update(readFileSync(file));
    }
  }
  return hash.digest('hex').slice(0, 16);
}

/** Fingerprints of every target. */
export function fingerprintAll(config: DagConfig): Map<string, string> {
  return new Map([...config.targets.values()].map((t) => [t.name, fingerprintTarget(config, t)]));
}
