/**
 * `.dagrun/pipeline-cache.json`: the pipeline as last loaded (its validated configuration and
 * definition fingerprints) with what it was read from: the stamp of each file, the `targets`
 * globs and the files they matched. Its first line is a digest of the rest, so that a file cut,
 * damaged or edited by hand is no cache rather than a wrong pipeline. Only a speed-up: a
 * missing or foreign file is no cache either, and a write that fails is given up on silently.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { DagConfig, Group, Target } from '../config/types.js';
import { writePrivateFileAtomic } from './disk.js';
import { pipelineCacheFile } from './paths.js';

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

const digestOf = (text: string) => createHash('sha256').update(text).digest('hex');

/** The pipeline cached for `scope`, if there is one and it is whole; its inputs are the caller's to check. */
export function readCachedPipeline(stateDir: string, scope: PipelineCacheScope): CachedPipeline | undefined {
  let stored: Stored;
  try {
    const text = readFileSync(pipelineCacheFile(stateDir), 'utf8');
    const newline = text.indexOf('\n');
    if (newline < 0 || text.slice(0, newline) !== digestOf(text.slice(newline + 1))) return undefined;
    stored = JSON.parse(text.slice(newline + 1)) as Stored;
  } catch {
    return undefined;
  }
  if (stored.format !== FORMAT || (['configFile', 'version', 'node', 'locale'] as const).some((key) => stored[key] !== scope[key])) return undefined;
  const { config, fingerprints, inputs, globs, targetFiles } = stored;
  return { config: { ...config, groups: new Map(config.groups), targets: new Map(config.targets) }, fingerprints: new Map(fingerprints), inputs, globs, targetFiles };
}

/**
 * Caches `pipeline` for `scope`; gives up silently when it cannot write, and when JSON cannot
 * hold a value of it (an infinity would come back as null).
 */
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
  let whole = true;
  const text = JSON.stringify(stored, (_key, value: unknown) => {
    if (typeof value === 'number' && !Number.isFinite(value)) whole = false;
    return value;
  });
  if (!whole) return;
  try {
    writePrivateFileAtomic(pipelineCacheFile(stateDir), `${digestOf(text)}\n${text}`, stateDir);
  } catch {
    // a speed-up only: the next command reads the configuration
  }
}
