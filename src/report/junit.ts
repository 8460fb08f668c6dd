/**
 * `--junit FILE`: the run as JUnit XML for CI systems — one test case per built or skipped
 * target (its gate) and one per check, failures carrying the tail of the failing log.
 */
import { describeCheckFailure } from '../freshness/assess.js';
import { formatRange } from '../intervals/interval.js';
import type { TargetOutcome } from '../executor/events.js';
import { outcomeChecks, rangesOf, type RunModel } from './run-model.js';
import { checkCases as stateCheckCases, coverageCase } from './status-junit.js';
import { describeFailure } from './failure-text.js';

/** Escapes text for XML attributes and bodies; drops characters XML 1.0 forbids. */
export function escapeXml(text: string): string {
  return text
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/** Milliseconds as JUnit's seconds. */
export const seconds = (ms: number | undefined) => ((ms ?? 0) / 1000).toFixed(3);

/** One test case as JUnit shows it. */
export interface Case {
  readonly classname: string;
  readonly name: string;
  readonly timeMs: number | undefined;
  readonly verdict: { kind: 'pass' } | { kind: 'failure' | 'skipped'; message: string; body: string };
}

function failureBody(model: RunModel, o: TargetOutcome): string {
  const parts: string[] = [];
  for (const r of rangesOf(model, o.target).filter((x) => !x.ok)) {
    parts.push(`range ${formatRange(r)}: ${r.error ?? 'failed'}`);
    if (r.tail) parts.push(r.tail);
    if (r.logFile) parts.push(`full log: ${r.logFile}`);
  }
  const gate = model.gates.get(o.target);
  if (gate && !gate.ok) parts.push(`gate: ${gate.message}`);
  return parts.join('\n');
}

function targetCase(model: RunModel, o: TargetOutcome): Case {
  const base = { classname: 'dagrun.targets', name: o.target, timeMs: o.durationMs };
  switch (o.status) {
    case 'done':
      return { ...base, verdict: { kind: 'pass' } };
    case 'failed':
      return { ...base, verdict: { kind: 'failure', message: describeFailure(o.failure) ?? 'failed', body: failureBody(model, o) } };
    case 'skipped':
      return { ...base, verdict: { kind: 'skipped', message: describeFailure(o.failure) ?? 'skipped', body: '' } };
    case 'waiting':
    case 'resolving':
    case 'active':
    case 'gating':
      return { ...base, verdict: { kind: 'skipped', message: model.interrupted ? 'interrupted' : 'not finished', body: '' } };
  }
}

function checkCases(o: TargetOutcome): Case[] {
  return outcomeChecks(o).map((c) => ({
    classname: `dagrun.checks.${o.target}`,
    name: c.name,
    timeMs: undefined,
    verdict: c.passed ? { kind: 'pass' } : { kind: 'failure', message: describeCheckFailure(c), body: `value: ${c.value ?? 'NULL'}\nmin: ${c.min ?? '-'}\nmax: ${c.max ?? '-'}` },
  }));
}

function renderCase(c: Case): string {
  const open = `    <testcase classname="${escapeXml(c.classname)}" name="${escapeXml(c.name)}" time="${seconds(c.timeMs)}"`;
  switch (c.verdict.kind) {
    case 'pass':
      return `${open}/>`;
    case 'skipped':
      return `${open}>\n      <skipped message="${escapeXml(c.verdict.message)}"/>\n    </testcase>`;
    case 'failure':
      return `${open}>\n      <failure message="${escapeXml(c.verdict.message)}">${escapeXml(c.verdict.body)}</failure>\n    </testcase>`;
  }
}

/** One `<testsuite>` with its cases. */
export function renderSuite(name: string, cases: readonly Case[], timeMs: number): string {
  const count = (kind: string) => cases.filter((c) => c.verdict.kind === kind).length;
  const attributes = `name="${escapeXml(name)}" tests="${cases.length}" failures="${count('failure')}" errors="0" skipped="${count('skipped')}" time="${seconds(timeMs)}"`;
  if (cases.length === 0) return `  <testsuite ${attributes}/>`;
  return `  <testsuite ${attributes}>\n${cases.map(renderCase).join('\n')}\n  </testsuite>`;
}

/**
 * A run with nothing to build: the state it found, as `--status --junit` gives it (a case per
 * target's coverage and per check), rather than two empty suites.
 */
function stateCases(model: RunModel): { targets: Case[]; checks: Case[] } | undefined {
  const measured = model.measured;
  if (model.outcomes.length > 0 || !model.ok || !measured) return undefined;
  const targets = [...measured.freshness.values()].map((f) => ({ name: f.name, freshness: f, expected: measured.expected.get(f.name) }));
  return { targets: targets.map(coverageCase), checks: targets.flatMap(stateCheckCases) };
}

/** Renders JUnit XML for a run: a `targets` suite and a `checks` suite. */
export function renderJunitReport(model: RunModel): string {
  const state = stateCases(model);
  const targets = state?.targets ?? model.outcomes.map((o) => targetCase(model, o));
  const checks = state?.checks ?? model.outcomes.flatMap(checkCases);
  const all = [...targets, ...checks];
  const failures = all.filter((c) => c.verdict.kind === 'failure').length;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="dagrun ${escapeXml(model.runId)}" tests="${all.length}" failures="${failures}" errors="0" time="${seconds(model.durationMs)}">`,
    renderSuite('targets', targets, model.durationMs),
    renderSuite('checks', checks, 0),
    '</testsuites>',
    '',
  ].join('\n');
}
