/** Prints the benchmark table: one line per figure with its goal and its ratio to make, the bound or the goal. */

function format(value) {
  if (typeof value !== 'number') return String(value);
  if (Number.isInteger(value)) return String(value);
  return value < 10 ? value.toFixed(2) : value.toFixed(0);
}

/** Writes the rows as an aligned text table (Markdown-compatible) to stdout, with the machine first. */
export function printTable(rows, meta) {
  const header = ['', 'what', 'median', 'unit', 'goal', 'ratio', 'load'];
  const lines = rows.map((r) => [r.section, r.what, format(r.value), r.unit, r.goal, r.ratio === undefined ? '' : `${r.ratio.toFixed(2)}× ${r.referenceName}`, r.load.toFixed(1)]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const render = (cells) => `| ${cells.map((c, i) => (i === 2 || i === 5 || i === 6 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join(' | ')} |`;
  const out = [
    '',
    `machine: ${meta.nproc} × ${meta.cpu}, Node ${meta.node}, ${meta.make ?? 'no make'}; timed with ${meta.timing}${meta.quick ? ' (--quick)' : ''}; load average at the end ${meta.load.join(' ')}; ${meta.totalS} s`,
    '',
    render(header),
    render(widths.map((w) => '-'.repeat(w))),
    ...lines.map(render),
    '',
  ];
  process.stdout.write(out.join('\n'));
}
