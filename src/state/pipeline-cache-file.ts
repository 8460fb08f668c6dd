/**
 * `.dagrun/pipeline-cache.json`: the pipeline as last loaded (its validated configuration and
 * definition fingerprints) with the stamps of everything it was read from. Only a speed-up: a
 * missing, damaged or foreign file is no cache, and a write that fails is given up on silently.
 */
import { readFileSync } from 'node:fs';
import type { DagConfig, Group, Target } from '../config/types.js';
import { writePrivateFileAtomic } from './disk.js';
import { pipelineCacheFile } from './paths.js';

/** Bumped whenever the shape of the configuration or of the fingerprints changes. */
const FORMAT = 1;

/** What a cached pipeline holds for besides its inputs: dagrun, Node (its ICU sorts and checks zones) and the locale. */
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
  /** Each input (file or folder, absolute) with its stamp when the pipeline was read. */
  readonly inputs: readonly (readonly [path: string, stamp: string])[];
}

interface Stored extends PipelineCacheScope {
  readonly format: number;
  readonly config: Omit<DagConfig, 'groups' | 'targets'> & { groups: [string, Group][]; targets: [string, Target][] };
  readonly fingerprints: [string, string][];
  readonly inputs: [string, string][];
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The pipeline cached for `scope`, if there is one; its inputs are the caller's to check. */
export function readCachedPipeline(stateDir: string, scope: PipelineCacheScope): CachedPipeline | undefined {
  let stored: unknown;
  try {
    stored = JSON.parse(readFileSync(pipelineCacheFile(stateDir), 'utf8'));
  } catch {
    return undefined;
  }
  if (!isRecord(stored) || stored.format !== FORMAT) return undefined;
  if ((['configFile', 'version', 'node', 'locale'] as const).some((key) => stored[key] !== scope[key])) return undefined;
  const { config, fingerprints, inputs } = stored as unknown as Stored;
  if (!isRecord(config) || !Array.isArray(config.groups) || !Array.isArray(config.targets) || !Array.isArray(fingerprints) || !Array.isArray(inputs)) return undefined;
  if (!inputs.every((i) => Array.isArray(i) && i.length === 2 && typeof i[0] === 'string' && typeof i[1] === 'string')) return undefined;
  return { config: { ...config, groups: new Map(config.groups), targets: new Map(config.targets) }, fingerprints: new Map(fingerprints), inputs };
}

/** Caches `pipeline` for `scope`; gives up silently when it cannot write. */
export function cachePipeline(stateDir: string, scope: PipelineCacheScope, pipeline: CachedPipeline): void {
  const { config, fingerprints, inputs } = pipeline;
  const stored: Stored = {
    format: FORMAT,
    ...scope,
    config: { ...config, groups: [...config.groups], targets: [...config.targets] },
    fingerprints: [...fingerprints],
    inputs: inputs.map(([file, stamp]) => [file, stamp]),
  };
  try {
    writePrivateFileAtomic(pipelineCacheFile(stateDir), JSON.stringify(stored), stateDir);
  } catch {
    // a speed-up only: the next command reads the configuration
  }
}
