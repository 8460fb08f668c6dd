/**
 * `.dagrun/pipeline-cache.json`: the pipeline as last loaded (its validated configuration and
 * definition fingerprints) with what it was read from: the stamp of each file, the `targets`
 * globs and the files they matched. Sealed (sealed-file.ts): a file cut, damaged or edited by
 * hand is no cache rather than a wrong pipeline; a missing or foreign one is none either.
 */
import type { DagConfig, Group, Target } from '../config/types.js';
import { pipelineCacheFile } from './paths.js';
import { readSealed, writeSealed } from './sealed-file.js';

/** Bumped whenever the shape of the configuration or of the fingerprints changes. */
const FORMAT = 2;

/** What a cached pipeline holds for besides its inputs: dagrun's build, Node (its ICU sorts and checks zones) and the locale. */
export interface PipelineCacheScope {
  readonly configFile: string;
  readonly version: string;
  readonly node: string;
  readonly locale: string;
}

/** A cached pipeline. */
export interface CachedPipeline {
  readonly config: DagConfig;
  readonly fingerprints: Map<string, string>;
  /** Each input file (absolute) with its stamp when the pipeline was read. */
  readonly inputs: readonly (readonly [path: string, stamp: string])[];
  /** The `targets` globs, and the target files they matched. */
  readonly globs: readonly string[];
  readonly targetFiles: readonly string[];
}

interface Stored extends PipelineCacheScope {
  readonly format: number;
  readonly config: Omit<DagConfig, 'groups' | 'targets'> & { groups: [string, Group][]; targets: [string, Target][] };
  readonly fingerprints: [string, string][];
  readonly inputs: [string, string][];
  readonly globs: readonly string[];
  readonly targetFiles: readonly string[];
}

/** The pipeline cached for `scope`, if there is one and it is whole; its inputs are the caller's to check. */
export function readCachedPipeline(stateDir: string, scope: PipelineCacheScope): CachedPipeline | undefined {
  const stored = readSealed(pipelineCacheFile(stateDir)) as Stored | undefined;
  if (typeof stored !== 'object' || stored === null) return undefined;
  if (stored.format !== FORMAT || (['configFile', 'version', 'node', 'locale'] as const).some((key) => stored[key] !== scope[key])) return undefined;
  const { config, fingerprints, inputs, globs, targetFiles } = stored;
  return { config: { ...config, groups: new Map(config.groups), targets: new Map(config.targets) }, fingerprints: new Map(fingerprints), inputs, globs, targetFiles };
}

/** Caches `pipeline` for `scope`, unless JSON cannot hold a value of it (`writeSealed`). */
export function cachePipeline(stateDir: string, scope: PipelineCacheScope, pipeline: CachedPipeline): void {
  const { config, fingerprints, inputs, globs, targetFiles } = pipeline;
  const stored: Stored = {
    format: FORMAT,
    ...scope,
    config: { ...config, groups: [...config.groups], targets: [...config.targets] },
    fingerprints: [...fingerprints],
    inputs: inputs.map(([file, stamp]) => [file, stamp]),
    globs,
    targetFiles,
  };
  writeSealed(pipelineCacheFile(stateDir), stored, stateDir);
}
