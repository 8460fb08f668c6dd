/**
 * Loading the pipeline for a command: from the cache of the last load when nothing it was read
 * from has changed (`.dagrun/pipeline-cache.json`: 10,000 target files are then one JSON file
 * and a stat each, not a read, a parse and the rules each), else from its files, cached for
 * the next command once all of them are settled (file-stamp.ts). `dagrun check` always reads
 * the files; so does everything with `DAGRUN_PIPELINE_CACHE=off`.
 */
import path from 'node:path';
import { fileStamp } from '../core/file-stamp.js';
import { dagrunVersion } from '../core/version.js';
import { loadConfig } from '../config/load.js';
import type { ConfigInputs } from '../config/inputs.js';
import type { DagConfig } from '../config/types.js';
import { commandFileCandidates, fingerprintAll } from '../freshness/fingerprint.js';
import { cachePipeline, readCachedPipeline, type PipelineCacheScope } from '../state/pipeline-cache-file.js';
import { stateDirOf } from '../state/paths.js';

/** The environment variable that turns the pipeline cache off. */
export const PIPELINE_CACHE_ENV = 'DAGRUN_PIPELINE_CACHE';

/** A loaded pipeline: its configuration and the definition fingerprint of every target. */
export interface LoadedPipeline {
  readonly config: DagConfig;
  readonly fingerprints: Map<string, string>;
}

function scopeOf(configFile: string): PipelineCacheScope {
  return { configFile, version: dagrunVersion(), node: process.version, locale: Intl.DateTimeFormat().resolvedOptions().locale };
}

/** Loads the pipeline of `configFile` (absolute), from the cache where it holds. */
export function loadPipeline(configFile: string, env: NodeJS.ProcessEnv = process.env): LoadedPipeline {
  if (env[PIPELINE_CACHE_ENV]?.toLowerCase() === 'off') {
    const config = loadConfig(configFile);
    return { config, fingerprints: fingerprintAll(config) };
  }
  const stateDir = stateDirOf(path.dirname(configFile));
  const scope = scopeOf(configFile);
  const cached = readCachedPipeline(stateDir, scope);
  if (cached && cached.inputs.every(([file, stamp]) => fileStamp(file).key === stamp)) return cached;

  const startedAt = Date.now();
  let read: ConfigInputs = { files: [], dirs: [] };
  const config = loadConfig(configFile, { onInputs: (inputs) => (read = inputs) });
  const fingerprints = fingerprintAll(config);
  // the scripts commands name count in their fingerprints, and so does a script that appears
  const scripts = [...config.targets.values()].flatMap((t) => commandFileCandidates(config, t));
  const stamps = [...new Set([...read.files, ...read.dirs, ...scripts])].map((file) => ({ file, ...fileStamp(file, startedAt) }));
  // one changed a moment ago could change again unseen: cached by a later command instead
  if (stamps.every((s) => s.settled)) cachePipeline(stateDir, scope, { config, fingerprints, inputs: stamps.map((s) => [s.file, s.key] as const) });
  return { config, fingerprints };
}
