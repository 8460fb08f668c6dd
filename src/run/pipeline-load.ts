/**
 * Loading the pipeline for a command: from the cache of the last load when nothing it was read
 * from has changed (`.dagrun/pipeline-cache.json`: 10,000 target files are then one JSON file,
 * a stat each and the globs run again, not a read, a parse and the rules each), else from its
 * files, cached for the next command once all of them are settled (file-stamp.ts). `dagrun
 * check` always reads the files; so does everything with `DAGRUN_PIPELINE_CACHE=off`.
 */
import path from 'node:path';
import { fileStamp } from '../core/file-stamp.js';
import { dagrunBuild } from '../core/version.js';
import { findBrokenLinks } from '../config/broken-links.js';
import { loadConfig, matchTargetFiles } from '../config/load.js';
import type { ConfigInputs } from '../config/inputs.js';
import type { DagConfig } from '../config/types.js';
import { commandFileCandidates, fingerprintAll } from '../freshness/fingerprint.js';
import { cachePipeline, readCachedPipeline, type CachedPipeline, type PipelineCacheScope } from '../state/pipeline-cache-file.js';
import { stateDirOf } from '../state/paths.js';

/** The environment variable that turns the pipeline cache off. */
export const PIPELINE_CACHE_ENV = 'DAGRUN_PIPELINE_CACHE';

/** A loaded pipeline: its configuration and the definition fingerprint of every target. */
export interface LoadedPipeline {
  readonly config: DagConfig;
  readonly fingerprints: Map<string, string>;
}

function scopeOf(configFile: string): PipelineCacheScope {
  return { configFile, version: dagrunBuild(), node: process.version, locale: Intl.DateTimeFormat().resolvedOptions().locale };
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
  if (cached && stillHolds(cached, configFile)) return cached;

  const startedAt = Date.now();
  let read: ConfigInputs | undefined;
  const config = loadConfig(configFile, { onInputs: (inputs) => (read = inputs) });
  const fingerprints = fingerprintAll(config);
  if (read) {
    // the scripts commands name count in their fingerprints, and so does a script that appears
    const scripts = [...config.targets.values()].flatMap((t) => commandFileCandidates(config, t));
    const stamps = [...new Set([...read.files, ...scripts])].map((file) => ({ file, ...fileStamp(file, startedAt) }));
    // one changed a moment ago could change again unseen: cached by a later command instead
    if (stamps.every((s) => s.settled)) {
      cachePipeline(stateDir, scope, { config, fingerprints, inputs: stamps.map((s) => [s.file, s.key] as const), globs: read.globs, targetFiles: read.targetFiles });
    }
  }
  return { config, fingerprints };
}

/**
 * Whether a cached pipeline is what its files give now: every file it was read from has its
 * stamp, and its globs match the same target files (dag.json5, which holds them, is one of the
 * files), with no broken link among them (which would make the configuration invalid). The
 * globs run as loading runs them, so whatever they look in is looked in.
 */
function stillHolds(cached: CachedPipeline, configFile: string): boolean {
  if (!cached.inputs.every(([file, stamp]) => fileStamp(file).key === stamp)) return false;
  const dir = path.dirname(configFile);
  const matched = matchTargetFiles(dir, configFile, cached.globs);
  return matched.length === cached.targetFiles.length && matched.every((f, i) => f === cached.targetFiles[i]) && findBrokenLinks(dir, cached.globs).length === 0;
}
