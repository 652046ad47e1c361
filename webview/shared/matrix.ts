/**
 * Confusion matrices as accessible HTML tables (row and column headers, a caption, a title
 * with the exact numbers on every cell) shaded with theme colours: the shade is a
 * `color-mix()` of a VS Code chart colour variable, set through CSSOM (allowed by the CSP),
 * so it follows theme changes without a redraw.
 */
import { h, type Child } from './dom';

/** Which theme colour shades a cell: correct predictions, errors, an improvement, a regression. */
export type CellTone = 'correct' | 'error' | 'better' | 'worse' | 'none';

const TONE_VARIABLE: Record<Exclude<CellTone, 'none'>, string> = {
  correct: 'var(--vscode-charts-blue, #3794ff)',
  error: 'var(--vscode-charts-orange, #d18616)',
  better: 'var(--vscode-charts-green, #89d185)',
  worse: 'var(--vscode-charts-red, #f14c4c)',
};

export interface MatrixCell {
  /** The big number in the cell. */
  main: string;
  /** The small line under it (e.g. the other of count / share). */
  sub?: string;
  /** 0–1: how strongly to shade (e.g. the row share). */
  shade: number;
  tone: CellTone;
  /** Full sentence with exact numbers (title and screen readers). */
  description: string;
}

export interface MatrixTableOptions {
  /** Class names, rows = true class, columns = predicted class. */
  labels: readonly string[];
  cells: MatrixCell[][];
  caption: string;
  /** Extra columns after the matrix (e.g. Total, Recall): header and one text per row. */
  extraColumns?: Array<{ header: string; values: string[]; titles?: string[] }>;
  /** An extra last row (e.g. Precision): header and one text per column. */
  extraRow?: { header: string; values: string[]; titles?: string[] };
  /** Accessible name of the table. */
  label: string;
}

/** Largest shade used: enough to read, never so strong that the text loses contrast. */
const MAX_SHADE_PERCENT = 62;

/** Builds the table (see the file doc). */
export function matrixTable(opts: MatrixTableOptions): HTMLTableElement {
  const { labels, cells } = opts;
  const head = h(
    'thead',
    null,
    h(
      'tr',
      null,
      h('th', { scope: 'col', class: 'corner' }, 'True ↓ · Predicted →'),
      ...labels.map((l) => h('th', { scope: 'col' }, l)),
      ...(opts.extraColumns ?? []).map((c) => h('th', { scope: 'col', class: 'total' }, c.header)),
    ),
  );
  const rows = cells.map((row, i) =>
    h(
      'tr',
      null,
      h('th', { scope: 'row' }, labels[i] ?? String(i)),
      ...row.map((cell, j) => {
        const td = h(
          'td',
          { class: ['cell', i === j && 'diag'], title: cell.description, 'aria-label': cell.description },
          h('span', { class: 'main' }, cell.main),
          cell.sub ? h('span', { class: 'sub' }, cell.sub) : null,
        );
        const pct = Math.round(Math.max(0, Math.min(1, cell.shade)) * MAX_SHADE_PERCENT);
        if (cell.tone !== 'none' && pct > 0) td.style.backgroundColor = `color-mix(in srgb, ${TONE_VARIABLE[cell.tone]} ${pct}%, transparent)`;
        return td;
      }),
      ...(opts.extraColumns ?? []).map((c) => h('td', { class: 'total num', title: c.titles?.[i] }, c.values[i] ?? '')),
    ),
  );
  const extra = opts.extraRow;
  const foot: Child = extra
    ? h(
        'tfoot',
        null,
        h(
          'tr',
          null,
          h('th', { scope: 'row', class: 'total' }, extra.header),
          ...extra.values.map((v, j) => h('td', { class: 'total num', title: extra.titles?.[j] }, v)),
          ...(opts.extraColumns ?? []).map(() => h('td', null)),
        ),
      )
    : null;
  return h('table', { class: 'matrix', 'aria-label': opts.label }, h('caption', { class: 'visually-hidden' }, opts.caption), head, h('tbody', null, ...rows), foot);
}

/** A legend line with colour swatches for the tones in use. */
export function toneLegend(entries: Array<{ tone: Exclude<CellTone, 'none'>; text: string }>): HTMLElement {
  return h(
    'ul',
    { class: 'legend', 'aria-label': 'Shading' },
    ...entries.map((e) => {
      const swatch = h('span', { class: 'swatch', 'aria-hidden': 'true' });
      swatch.style.backgroundColor = `color-mix(in srgb, ${TONE_VARIABLE[e.tone]} ${MAX_SHADE_PERCENT}%, transparent)`;
      return h('li', null, swatch, e.text);
    }),
  );
}
