/**
 * The table sections of the HTML report below the pictures: every check with its value,
 * bounds and failing dates; what changed since the last report; the sign-off block. The
 * same facts as the Markdown validation document (status-markdown.ts), as HTML.
 */
import { dayRanges } from '../intervals/describe.js';
import { formatPercent } from './format.js';
import type { HtmlTarget } from './html-data.js';
import { escapeXml } from './junit.js';
import { checkBounds, checkValue, rangeList } from './status-markdown.js';
import { isRegression, type StatusChanges } from './status-snapshot.js';

/** The checks table: one row per check of every shown target. */
export function htmlChecks(targets: readonly HtmlTarget[]): string[] {
  const rows = targets.flatMap((t) => t.checks.map((c) => ({ t, c })));
  if (rows.length === 0) return ['<h2>Checks</h2>', '<p>No target has checks.</p>'];
  const lines = ['<h2>Checks</h2>', '<table id="checks"><thead><tr><th>Target</th><th>Check</th><th>Value</th><th>Bounds</th><th>Result</th><th>Failing dates</th></tr></thead><tbody>'];
  for (const { t, c } of rows) {
    const failing = c.failingDays && c.failingDays.length > 0 ? `${c.failingDays.length}: ${rangeList(dayRanges(c.failingDays, t.expected), 10)}` : '';
    lines.push(
      `<tr data-target="${escapeXml(t.name)}" data-check="${escapeXml(c.name)}"><td>${escapeXml(t.name)}</td><td>${escapeXml(c.name)}</td>` +
        `<td class="num">${escapeXml(checkValue(c))}</td><td>${escapeXml(checkBounds(c))}</td>` +
        `<td class="${c.passed ? 'pass' : 'fail'}">${c.passed ? 'pass' : 'fail'}</td><td>${escapeXml(failing)}</td></tr>`,
    );
  }
  lines.push('</tbody></table>');
  return lines;
}

/** What changed since the last report, regressions first and in red. */
export function htmlChanges(changes: StatusChanges): string[] {
  const head = '<h2>Changes since the last report</h2>';
  if (changes.since === undefined) return [head, '<p>No earlier report on this machine: this one is the baseline the next report compares with.</p>'];
  const items = [...changes.targets]
    .sort((a, b) => Number(isRegression(b)) - Number(isRegression(a)))
    .map((c) => {
      const parts: string[] = [];
      if (c.disappearedCount > 0) parts.push(`<b class="regress">${c.disappearedCount} date${c.disappearedCount === 1 ? '' : 's'} disappeared</b>: ${escapeXml(rangeList(c.disappeared, 10))}`);
      if (c.coverageNow < c.coverageBefore - 1e-9) parts.push(`<b class="regress">coverage went down</b> ${formatPercent(c.coverageBefore)} → ${formatPercent(c.coverageNow)}`);
      else if (c.coverageNow > c.coverageBefore) parts.push(`coverage ${formatPercent(c.coverageBefore)} → ${formatPercent(c.coverageNow)}`);
      if (c.appeared > 0) parts.push(`${c.appeared} date${c.appeared === 1 ? '' : 's'} added`);
      for (const b of c.checksBroken) parts.push(`<b class="regress">check ${escapeXml(b.name)} now fails</b> (${b.before ?? 'NULL'} → ${b.now ?? 'NULL'})`);
      for (const name of c.checksFixed) parts.push(`check ${escapeXml(name)} passes again`);
      return `<li${isRegression(c) ? ' class="regression"' : ''}><code>${escapeXml(c.target)}</code>: ${parts.join('; ')}</li>`;
    });
  for (const name of changes.added) items.push(`<li><code>${escapeXml(name)}</code>: not in the last report</li>`);
  const since = `<p>Compared with the report of ${escapeXml(changes.since.replace('T', ' ').slice(0, 16))} UTC.</p>`;
  return [head, since, items.length > 0 ? `<ul id="changes">${items.join('')}</ul>` : '<p>Nothing changed.</p>'];
}

/** The block a reviewer fills in (printed, or copied into a ticket). */
export function htmlSignOff(): string[] {
  return [
    '<h2>Sign-off</h2>',
    '<table class="signoff"><tbody><tr><th>Reviewer</th><td></td></tr><tr><th>Date</th><td></td></tr>',
    '<tr><th>Verdict</th><td>☐ accepted &nbsp; ☐ accepted with notes &nbsp; ☐ rejected</td></tr><tr><th>Notes</th><td></td></tr></tbody></table>',
  ];
}
