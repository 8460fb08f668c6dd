/** Borderless, left-padded tables for terminal output (status, summaries, run lists). */
import { createRequire } from 'node:module';
import Table from 'cli-table3';
import pc from 'picocolors';

const NO_BORDERS = {
  top: '', 'top-mid': '', 'top-left': '', 'top-right': '', bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '',
  left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: '  ',
};

/** Between two columns, as `NO_BORDERS.middle`. */
const GAP = '  ';

/**
 * cli-table3's own width and colour helpers (the package has no exports map, and it pins
 * string-width), so that the fast path below measures and closes colours exactly as the
 * library does.
 */
const cliTableUtils = createRequire(import.meta.url)('cli-table3/src/utils.js') as {
  strlen(text: string): number;
  colorizeLines(lines: string[]): string[];
};

type Align = 'left' | 'right' | 'center';

/** A table with bold headings, two spaces between columns and no borders. */
export function plainTable(head: readonly string[], colAligns?: readonly Align[]): Table.Table {
  return new Table({
    head: head.map((h) => pc.bold(h)),
    chars: NO_BORDERS,
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 },
    ...(colAligns && { colAligns: [...colAligns] }),
  });
}

/** The table as text, without the padding cli-table3 leaves at the end of each line. */
export function renderTable(table: Table.Table): string {
  const text = renderSimple(table) ?? table.toString();
  return text
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n');
}

/** Printable ASCII only (after colour codes are removed): one column per character. */
const NARROW = /^[\x20-\x7e]*$/;
// eslint-disable-next-line no-control-regex
const COLOUR_CODE = /\u001b\[(?:\d*;){0,5}\d*m/g;

/** Display width of a one-line cell, as cli-table3 measures it. */
function widthOf(text: string): number {
  const plain = text.includes('\u001b') ? text.replace(COLOUR_CODE, '') : text;
  return NARROW.test(plain) ? plain.length : cliTableUtils.strlen(text);
}

function pad(text: string, width: number, to: number, align: Align): string {
  const gap = to - width;
  switch (align) {
    case 'left':
      return text + ' '.repeat(gap);
    case 'right':
      return ' '.repeat(gap) + text;
    case 'center':
      return ' '.repeat(gap - Math.ceil(gap / 2)) + text + ' '.repeat(Math.ceil(gap / 2));
  }
}

/**
 * What cli-table3 prints for a table of one-line text cells and rows of equal length (every
 * table dagrun makes), laid out in one pass: the library's layout compares every cell with
 * every other (~200 ms for a 1000-row status). Undefined for anything else (spans, cell
 * options, line breaks), which the library renders.
 */
function renderSimple(table: Table.Table): string | undefined {
  const head = (table.options.head ?? []).map(String);
  const rows = [head, ...(table as unknown as unknown[][])];
  const columns = head.length;
  if (columns === 0) return undefined;
  const cells: string[][] = [];
  for (const row of rows) {
    if (!Array.isArray(row) || row.length !== columns) return undefined;
    const texts: string[] = [];
    for (const cell of row) {
      if (!['string', 'number', 'boolean', 'bigint'].includes(typeof cell)) return undefined;
      const text = String(cell);
      if (text.includes('\n')) return undefined;
      texts.push(text);
    }
    cells.push(texts);
  }
  const widths = cells.map((row) => row.map(widthOf));
  const columnWidths = head.map((_, c) => widths.reduce((widest, row) => Math.max(widest, row[c]!), 0));
  const aligns = head.map((_, c) => (table.options.colAligns?.[c] ?? 'left') as Align);
  return cells
    .map((row, r) =>
      row
        // the library closes colours left open at the end of a line
        .map((text, c) => pad(text.includes('\u001b') ? cliTableUtils.colorizeLines([text])[0]! : text, widths[r]![c]!, columnWidths[c]!, aligns[c]!))
        .join(GAP),
    )
    .filter((line) => line.length > 0) // as the library drops empty lines
    .join('\n');
}
