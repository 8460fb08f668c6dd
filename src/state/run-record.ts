/**
 * A run's record, `runs/<id>/run.json`: written when the run starts (so that a run that dies is
 * listed as crashed) and again when it ends. One type for the writer and the reader; the reader
 * checks what it finds against the record's shape, so that a damaged file, or one too old or
 * hand-edited into another shape, is reported as such instead of being trusted field by field.
 */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { type Shape, checkShape, declaredOnly } from '../config/shape.js';
import { err, ok, type Result } from '../core/result.js';
import { writePrivateFileAtomic } from './disk.js';
import { runDir, runRecordFile } from './paths.js';

/** One successful range as the run record keeps it. */
export interface RecordedRange {
  /** Inclusive dates, `2024-01-01..2024-01-07` or one date. */
  readonly range: string;
  readonly dates: number;
  /** Wall time of the attempt that succeeded. */
  readonly durationMs: number;
  /** Bytes its warehouse job billed (BigQuery), when known. */
  readonly bytesBilled?: number;
}

/** One target's line in a run record. */
export interface RecordedOutcome {
  readonly target: string;
  /** The target's status at the end of the run (`done`, `failed`, `skipped`, `active`…). */
  readonly status: string;
  readonly reason?: string;
  readonly batches?: number;
  readonly batchesDone?: number;
  readonly dates?: number;
  readonly durationMs?: number;
  readonly coverageBefore?: number;
  readonly coverageAfter?: number;
  /** Its successful ranges in that run (records from before they were kept lack them). */
  readonly ranges?: readonly RecordedRange[];
  /** Bytes its ranges' warehouse jobs billed in all (BigQuery), when they said. */
  readonly bytesBilled?: number;
  /** The ms per range the plan expected from earlier runs; absent when it had no history. */
  readonly estimatedMsPerRange?: number;
}

/** A run record. Fields are optional because records written by older dagruns lack them. */
export interface RunRecord {
  readonly runId: string;
  readonly commandLine?: string;
  /** ISO instant the run started (the session's clock). */
  readonly startedAt?: string;
  /** ISO instant the run ended: its start plus `wallMs`. */
  readonly endedAt?: string;
  /** The build alone (executing the plan). */
  readonly durationMs?: number;
  /** Milliseconds from the process's start to the run's end: start-up and measuring included. */
  readonly wallMs?: number;
  readonly ok?: boolean;
  readonly interrupted?: boolean;
  /** False in the record written when the run starts; a run that dies keeps it so. */
  readonly finished?: boolean;
  /** Written by a run quit at once (a second signal): it has no outcomes. */
  readonly quitAtOnce?: boolean;
  /** The process of the run (to tell a run still going from one that died). */
  readonly pid?: number;
  /** Bytes the run's warehouse jobs billed in all (BigQuery), when they said. */
  readonly bytesBilled?: number;
  readonly outcomes: readonly RecordedOutcome[];
}

/** A run record as read back, with the run folder it was found in. */
export type FoundRunRecord = RunRecord & {
  /** The run's folder, `.dagrun/runs/<id>`. */
  readonly dir: string;
};

/** What reading a run folder's record found. */
export type RunRecordRead =
  /** A record of the expected shape. */
  | { readonly kind: 'found'; readonly record: FoundRunRecord }
  /** No record: a run that a crash stopped before its first write, or a folder being pruned. */
  | { readonly kind: 'missing' }
  /** A record that is not JSON, or not of a run record's shape: `problem` says where. */
  | { readonly kind: 'damaged'; readonly file: string; readonly problem: string };

const text: Shape = { kind: 'string' };
const count: Shape = { kind: 'number', min: 0 };
const flag: Shape = { kind: 'boolean' };
const optional = (shape: Shape) => ({ shape });
const required = (shape: Shape) => ({ shape, required: true });

const rangeShape: Shape = {
  kind: 'object',
  fields: { range: required(text), dates: required(count), durationMs: required(count), bytesBilled: optional(count) },
};

const outcomeShape: Shape = {
  kind: 'object',
  fields: {
    target: required(text), status: required(text), reason: optional(text), batches: optional(count), batchesDone: optional(count),
    dates: optional(count), durationMs: optional(count), coverageBefore: optional(count), coverageAfter: optional(count),
    ranges: optional({ kind: 'array', items: rangeShape }), bytesBilled: optional(count), estimatedMsPerRange: optional(count),
  },
};

/** The shape `RunRecord` declares; `runId` may be missing (the folder's name then). */
const recordShape: Shape = {
  kind: 'object',
  fields: {
    runId: optional(text), commandLine: optional(text), startedAt: optional(text), endedAt: optional(text),
    durationMs: optional(count), wallMs: optional(count), ok: optional(flag), interrupted: optional(flag), finished: optional(flag),
    quitAtOnce: optional(flag), pid: optional(count), bytesBilled: optional(count),
    outcomes: required({ kind: 'array', items: outcomeShape }),
  },
};

/** A run record from the text of its file, or what is wrong with it; `folderName` stands in for a missing `runId`. */
export function parseRunRecord(json: string, folderName: string): Result<RunRecord, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (error) {
    return err(`not JSON (${(error as Error).message})`);
  }
  const value = declaredOnly(parsed, recordShape);
  const problems = checkShape(value, recordShape);
  if (problems.length > 0) return err(problems.map((p) => (p.path === '' ? p.message : `${p.path}: ${p.message}`)).join('; '));
  const record = value as Omit<RunRecord, 'runId'> & { runId?: string };
  return ok({ ...record, runId: record.runId ?? folderName });
}

/** The record in a run folder: found, missing, or damaged (with what is wrong). */
export function readRunRecord(dir: string): RunRecordRead {
  const file = runRecordFile(dir);
  let json: string;
  try {
    json = readFileSync(file, 'utf8');
  } catch {
    // no record yet (a crash before the first write), or the folder went meanwhile
    return { kind: 'missing' };
  }
  const parsed = parseRunRecord(json, path.basename(dir));
  return parsed.ok ? { kind: 'found', record: { ...parsed.value, dir } } : { kind: 'damaged', file, problem: parsed.error };
}

/**
 * Writes a run's record, private to the user, whole or not at all: a crash leaves the old
 * record or the new one. `json` is a `RunRecord` as JSON, its secrets already masked. A record
 * that cannot be written (a full disk) throws a `DagrunError` naming the file and the problem.
 */
export function writeRunRecord(stateDir: string, runId: string, json: string): void {
  writePrivateFileAtomic(runRecordFile(runDir(stateDir, runId)), json, stateDir);
}

/** What pruning needs of a run's record: whether it may still be going, and whether it did anything. */
export interface RunStatus {
  readonly finished: boolean | undefined;
  readonly ok: boolean | undefined;
  readonly pid: number | undefined;
  readonly outcomes: number;
}

/**
 * The few fields of a run's record that pruning weighs, without checking the rest of its
 * shape: every build reads every kept record (50 by default, each up to a line per range), and
 * the full check cost ~2 ms a record of 1000 ranges. Undefined when the record is missing, not
 * JSON, or these fields are not of their types.
 */
export function readRunStatus(dir: string): RunStatus | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(runRecordFile(dir), 'utf8'));
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const { finished, ok, pid, outcomes } = parsed as Record<string, unknown>;
  const optional = (value: unknown, type: 'boolean' | 'number') => value === undefined || typeof value === type;
  const validPid = pid === undefined || (Number.isInteger(pid) && (pid as number) > 0);
  if (!optional(finished, 'boolean') || !optional(ok, 'boolean') || !validPid || !Array.isArray(outcomes)) return undefined;
  return { finished: finished as boolean | undefined, ok: ok as boolean | undefined, pid: pid as number | undefined, outcomes: outcomes.length };
}

/** When a run's record was last written (its end, for a finished run), in epoch ms; undefined when it cannot be read. */
export function runRecordWrittenAt(dir: string): number | undefined {
  try {
    return statSync(runRecordFile(dir)).mtimeMs;
  } catch {
    return undefined;
  }
}
