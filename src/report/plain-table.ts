/** Borderless, left-padded tables for terminal output (status, summaries, run lists). */
import Table from 'cli-table3';
import pc from 'picocolors';

const NO_BORDERS = {
  top: '', 'top-mid': '', 'top-left': '', 'top-right': '', bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '',
  left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: '  ',
};

/** A table with bold headings, two spaces between columns and no borders. */
export function plainTable(head: readonly string[], colAligns?: readonly ('left' | 'right' | 'center')[]): Table.Table {
  return new Table({
    head: head.map((h) => pc.bold(h)),
    chars: NO_BORDERS,
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 },
    ...(colAligns && { colAligns: [...colAligns] }),
  });
}

/** The table as text, without the padding cli-table3 leaves at the end of each line. */
export function renderTable(table: Table.Table): string {
  return table
    .toString()
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n');
}
