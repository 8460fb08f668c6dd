/**
 * The validation document as JUnit XML (`dagrun --status --junit FILE`), for CI systems
 * that show test results: a `coverage` suite (one case per target: fresh passes, stale or
 * blocked fails with its reasons and the dates named), a `checks` suite (one case per
 * check, with value, bounds and failing dates) and, once there is an earlier report to
 * compare with, a `changes` suite whose cases fail when a target lost dates or coverage.
 */
import { describeCheckFailure } from '../freshness/assess.js';
import { dayRanges } from '../intervals/describe.js';
import { formatPercent, formatThreshold } from './format.js';
import { escapeXml, renderSuite, type Case } from './junit.js';
import { rangeList, checkBounds } from './status-markdown.js';
import { allFresh, outdatedRanges, type DocumentTarget, type StatusDocument } from './status-document.js';
import { isRegression, type StatusChanges } from './status-snapshot.js';

/** What a state case needs of a target (a run's report has no more). */
export type CaseTarget = Pick<DocumentTarget, 'name' | 'freshness' | 'expected'>;

/** The coverage case of one target. */
export function coverageCase(t: CaseTarget): Case {
  const base = { classname: 'dagrun.coverage', name: t.name, timeMs: undefined };
  const f = t.freshness;
  if (f.state === 'fresh') return { ...base, verdict: { kind: 'pass' } };
  const body = [
    ...f.reasons,
    ...(f.missing.length > 0 ? [`missing ${f.missing.length}: ${rangeList(f.missingRanges)}`] : []),
    ...(f.outdated.length > 0 ? [`outdated ${f.outdated.length}: ${rangeList(outdatedRanges(t))}`] : []),
    `coverage ${f.present}/${f.expected} (${formatPercent(f.coverage)}), threshold ${formatThreshold(f.threshold)}`,
  ].join('\n');
  return { ...base, verdict: { kind: 'failure', message: `${f.state}: ${f.reasons[0] ?? 'not fresh'}`, body } };
}

/** The check cases of one target. */
export function checkCases(t: CaseTarget): Case[] {
  return t.freshness.checks.map((c) => {
    const failing = c.failingDays && c.failingDays.length > 0 ? [`failing dates ${c.failingDays.length}: ${rangeList(dayRanges(c.failingDays, t.expected), 10)}`] : [];
    const body = [`value: ${c.value ?? 'NULL'}`, `bounds: ${checkBounds(c) || 'none'}`, ...failing].join('\n');
    return { classname: `dagrun.checks.${t.name}`, name: c.name, timeMs: undefined, verdict: c.passed ? { kind: 'pass' } : { kind: 'failure', message: describeCheckFailure(c), body } };
  });
}

/** The change cases: every target of the document, failing when it lost ground. */
function changeCases(targets: readonly DocumentTarget[], changes: StatusChanges): Case[] {
  const byTarget = new Map(changes.targets.map((c) => [c.target, c]));
  return targets.map((t) => {
    const base = { classname: 'dagrun.changes', name: t.name, timeMs: undefined };
    const c = byTarget.get(t.name);
    if (!c || !isRegression(c)) return { ...base, verdict: { kind: 'pass' } };
    const parts = [
      ...(c.disappearedCount > 0 ? [`${c.disappearedCount} dates disappeared: ${rangeList(c.disappeared, 10)}`] : []),
      ...(c.coverageNow < c.coverageBefore ? [`coverage went down: ${formatPercent(c.coverageBefore)} -> ${formatPercent(c.coverageNow)}`] : []),
      ...c.checksBroken.map((b) => `check ${b.name} now fails: ${b.before ?? 'NULL'} -> ${b.now ?? 'NULL'}`),
    ];
    return { ...base, verdict: { kind: 'failure', message: parts[0]!, body: parts.join('\n') } };
  });
}

/** Renders the document as JUnit XML. */
export function renderStatusJunit(doc: StatusDocument): string {
  const coverage = doc.targets.map(coverageCase);
  const checks = doc.targets.flatMap(checkCases);
  const changes = doc.changes && doc.changes.since !== undefined ? changeCases(doc.targets, doc.changes) : undefined;
  const all = [...coverage, ...checks, ...(changes ?? [])];
  const failures = all.filter((c) => c.verdict.kind === 'failure').length;
  const name = `dagrun status ${doc.measuredAt.slice(0, 19)}${allFresh(doc) ? '' : ' (not fresh)'}`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${escapeXml(name)}" tests="${all.length}" failures="${failures}" errors="0" time="0.000">`,
    renderSuite('coverage', coverage, 0),
    renderSuite('checks', checks, 0),
    ...(changes ? [renderSuite('changes', changes, 0)] : []),
    '</testsuites>',
    '',
  ].join('\n');
}
