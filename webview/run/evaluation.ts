/**
 * The run panel's evaluation tabs, drawn from what the completed run stored (RunRecord.details):
 * metrics with their bootstrap intervals, the confusion matrix, ROC and precision–recall
 * curves, the reliability diagram with the calibration choice, permutation importance, and
 * for regression predicted-vs-actual and residuals. Nothing is computed here beyond picking
 * what to draw (numbers come from core).
 */
import type { CurvePoints, EvaluationReport } from '../../src/core/evaluate/report';
import type { CalibrationRecord, ImportanceRecord } from '../../src/core/jobs/assess';
import type { ModelSelection } from '../../src/core/engine/selection';
import { ChartCard, diagonalDataset, exactXYTooltip, seriesColor, withAlpha, type ChartHost, type ChartTheme } from '../shared/charts';
import { h, notice, type Child } from '../shared/dom';
import { exact, formatMetric, formatPercent, metricDirection, metricLabel, toCsv } from '../shared/format';
import { matrixTable, toneLegend, type MatrixCell } from '../shared/matrix';
import type { RunEvaluation, RunTask } from './protocol';

/** What the sections need besides the data. */
export interface SectionContext {
  host: ChartHost;
  runId: number;
  task: RunTask;
  /** Cards made, so the page can dispose them before redrawing. */
  cards: ChartCard[];
  /** Section ids drawn (reported to the host with run/rendered). */
  sections: string[];
}

function card(title: string, description: string | null, ...body: Child[]): HTMLElement {
  return h('section', { class: 'card', 'aria-label': title }, h('h3', null, title), description ? h('p', { class: 'card-description' }, description) : null, ...body);
}

function addChart(ctx: SectionContext, chart: ChartCard): HTMLElement {
  ctx.cards.push(chart);
  return chart.element;
}

const unitAxis = (theme: ChartTheme, text: string) => ({
  type: 'linear' as const,
  min: 0,
  max: 1,
  title: { display: true, text, color: theme.muted },
  grid: { color: theme.grid },
});

function curveData(c: CurvePoints): Array<{ x: number; y: number; t: number | null | undefined }> {
  return c.x.map((x, i) => ({ x, y: c.y[i], t: c.thresholds?.[i] }));
}

function curveCsv(curves: Array<{ label: string; curve: CurvePoints }>, xName: string, yName: string): string {
  const rows: Array<Array<string | number | null>> = [];
  for (const c of curves) c.curve.x.forEach((x, i) => rows.push([c.label, x, c.curve.y[i], c.curve.thresholds?.[i] ?? null]));
  return toCsv(['class', xName, yName, 'threshold'], rows);
}

/** Trapezoid area under the drawn points (AUC of a thinned curve; the exact AUC is in the metrics). */
function trapezoidArea(c: CurvePoints): number {
  let area = 0;
  for (let i = 1; i < c.x.length; i++) area += ((c.x[i] - c.x[i - 1]) * (c.y[i] + c.y[i - 1])) / 2;
  return Math.abs(area);
}

// ---------------------------------------------------------------------------------------------
// Metrics tab

/** The metric table with intervals, omitted metrics, and (binary) operating points. */
export function metricsSection(ctx: SectionContext, ev: EvaluationReport): HTMLElement {
  ctx.sections.push('metrics');
  const confidence = ev.intervals.confidence;
  const hasIntervals = ev.intervals.resamples > 0 && Object.keys(ev.intervals.byMetric).length > 0;
  const rows = Object.entries(ev.metrics).map(([key, value]) => {
    const iv = ev.intervals.byMetric[key];
    const direction = metricDirection(key);
    const tip = iv
      ? `${key} = ${exact(value)}; ${formatPercent(confidence, 0)} bootstrap interval [${exact(iv.lower)}, ${exact(iv.upper)}] from ${iv.resamplesUsed} of ${ev.intervals.resamples} resamples`
      : `${key} = ${exact(value)}`;
    const label = metricLabel(key, ev.task);
    return h(
      'tr',
      null,
      h('th', { scope: 'row', title: label === key ? undefined : key }, label),
      h('td', { class: 'num', title: tip }, h('strong', null, formatMetric(value))),
      hasIntervals ? h('td', { class: 'num interval', title: tip }, iv ? `[${formatMetric(iv.lower)}, ${formatMetric(iv.upper)}]` : '—') : null,
      h('td', { class: 'direction', title: direction === 'lower' ? 'lower is better' : 'higher is better' }, h('span', { 'aria-hidden': 'true' }, direction === 'lower' ? '↓' : '↑'), h('span', { class: 'visually-hidden' }, direction === 'lower' ? 'lower is better' : 'higher is better')),
    );
  });
  const caption =
    `Test split, ${ev.n} rows.` +
    (hasIntervals ? ` ${formatPercent(confidence, 0)} percentile bootstrap intervals, ${ev.intervals.resamples} resamples (seed ${ev.intervals.seed}).` : ' Bootstrap intervals were off.') +
    (ev.task === 'binary' ? ' Threshold metrics use P(positive) ≥ 0.5.' : '');
  const table = h(
    'table',
    { class: 'data metrics-table' },
    h('caption', null, caption),
    h(
      'thead',
      null,
      h('tr', null, h('th', { scope: 'col' }, 'Metric'), h('th', { scope: 'col', class: 'num' }, 'Value'), hasIntervals ? h('th', { scope: 'col', class: 'num' }, `${formatPercent(confidence, 0)} interval`) : null, h('th', { scope: 'col', title: 'Which way is better' }, h('span', { 'aria-hidden': 'true' }, '↑↓'), h('span', { class: 'visually-hidden' }, 'Better'))),
    ),
    h('tbody', null, ...rows),
  );
  const parts: Child[] = [h('div', { class: 'table-wrap' }, table)];
  const omitted = Object.entries(ev.omitted);
  if (omitted.length > 0) {
    parts.push(h('h4', null, 'Not computed'), h('ul', { class: 'omitted' }, ...omitted.map(([k, reason]) => h('li', null, h('strong', null, metricLabel(k, ev.task)), ` (${k}): ${reason}`))));
  }
  if (ev.thresholds) {
    const points: Array<[string, typeof ev.thresholds.bestF1]> = [
      ['Best F1', ev.thresholds.bestF1],
      ["Best Youden's J", ev.thresholds.bestYoudenJ],
    ];
    parts.push(
      h('h4', null, 'Operating points'),
      h(
        'div',
        { class: 'table-wrap' },
        h(
          'table',
          { class: 'data' },
          h('caption', null, 'Thresholds on P(positive) that maximise F1 and Youden’s J (recall − false positive rate) on the test split.'),
          h('thead', null, h('tr', null, ...['Rule', 'Threshold', 'Precision', 'Recall', 'F1', 'FPR', 'J'].map((c, i) => h('th', { scope: 'col', class: i > 0 ? 'num' : undefined }, c)))),
          h(
            'tbody',
            null,
            ...points.map(([name, p]) =>
              h('tr', null, h('th', { scope: 'row' }, name), ...[p.threshold, p.precision, p.recall, p.f1, p.fpr, p.youdenJ].map((v) => h('td', { class: 'num', title: exact(v) }, formatMetric(v)))),
            ),
          ),
        ),
      ),
    );
  }
  return card('Test metrics', null, ...parts);
}

/**
 * The confusion matrix: counts with row shares, or row-normalised shares with counts
 * (`normalised`), recall per row and precision per column. The switch redraws this card in
 * place and then calls `onToggle` (to remember the choice).
 */
export function confusionSection(ctx: SectionContext, ev: EvaluationReport, normalised: boolean, onToggle: (normalised: boolean) => void): HTMLElement | null {
  const matrix = ev.confusionMatrix;
  if (!matrix) return null;
  if (!ctx.sections.includes('confusion')) ctx.sections.push('confusion');
  const labels = matrix.map((_, i) => ev.classes[i] ?? String(i));
  const rowTotals = matrix.map((r) => r.reduce((a, b) => a + b, 0));
  const colTotals = labels.map((_, j) => matrix.reduce((a, r) => a + r[j], 0));
  const cells: MatrixCell[][] = matrix.map((row, i) =>
    row.map((count, j) => {
      const share = rowTotals[i] > 0 ? count / rowTotals[i] : 0;
      return {
        main: normalised ? formatPercent(share) : String(count),
        sub: normalised ? String(count) : formatPercent(share),
        shade: share,
        tone: i === j ? 'correct' : 'error',
        description: `True ${labels[i]}, predicted ${labels[j]}: ${count} of ${rowTotals[i]} rows (${formatPercent(share)} of the row)`,
      };
    }),
  );
  const recall = matrix.map((r, i) => (rowTotals[i] > 0 ? r[i] / rowTotals[i] : NaN));
  const precision = labels.map((_, j) => (colTotals[j] > 0 ? matrix[j][j] / colTotals[j] : NaN));
  const toggle = h('vscode-checkbox', {
    toggle: true,
    checked: normalised || undefined,
    label: 'Row-normalised',
    'aria-label': 'Show row-normalised shares instead of counts',
    on: {
      change: (e: Event) => {
        const next = (e.target as HTMLInputElement).checked;
        // Redraw only this card, and keep the keyboard focus on the switch.
        const fresh = confusionSection(ctx, ev, next, onToggle);
        if (fresh) {
          section.replaceWith(fresh);
          (fresh.querySelector('vscode-checkbox') as HTMLElement | null)?.focus();
        }
        onToggle(next);
      },
    },
  });
  const csv = () =>
    toCsv(
      ['true \\ predicted', ...labels],
      matrix.map((r, i) => [labels[i], ...r]),
    );
  const copy = h('vscode-button', { secondary: true, icon: 'copy', 'aria-label': 'Copy the confusion matrix as CSV', on: { click: () => ctx.host.post({ type: 'webview/copyText', text: csv(), what: 'the confusion matrix (CSV)' }) } }, 'Copy CSV');
  const table = matrixTable({
    labels,
    cells,
    label: `Confusion matrix, ${normalised ? 'row-normalised' : 'counts'}`,
    caption: `Rows are the true class, columns the predicted class; ${normalised ? 'cells show the share of the row, with the count below' : 'cells show the count, with the share of the row below'}.`,
    extraColumns: [
      { header: 'Total', values: rowTotals.map(String) },
      { header: 'Recall', values: recall.map((v) => formatMetric(v)), titles: recall.map((v) => `recall ${exact(v)}`) },
    ],
    extraRow: { header: 'Precision', values: precision.map((v) => formatMetric(v)), titles: precision.map((v) => `precision ${exact(v)}`) },
  });
  const section = card(
    'Confusion matrix',
    `Test split, ${ev.n} rows. ${ev.task === 'binary' ? 'Predicted class: P(positive) ≥ 0.5.' : 'Predicted class: the most probable one.'}`,
    h('div', { class: 'toolbar' }, toggle, h('span', { class: 'spacer' }), copy),
    h('div', { class: 'table-wrap' }, table),
    toneLegend([
      { tone: 'correct', text: 'correct (shade = share of the true class)' },
      { tone: 'error', text: 'confused' },
    ]),
  );
  return section;
}

// ---------------------------------------------------------------------------------------------
// Curves tab

/** ROC (and for binary, precision–recall) curves. */
export function curveSections(ctx: SectionContext, ev: EvaluationReport): HTMLElement[] {
  const out: HTMLElement[] = [];
  const roc = ev.roc ?? [];
  if (roc.length === 0) {
    out.push(card('ROC curve', null, notice('No ROC curve: the test split needs rows of both the class and the rest.')));
    return out;
  }
  ctx.sections.push('roc');
  const binary = ev.task === 'binary';
  const threshold = (item: { raw: unknown }) => {
    const t = (item.raw as { t?: number | null }).t;
    return t === undefined ? undefined : t === null ? 'no threshold' : `threshold ${exact(t)}`;
  };
  const aucs = roc.map((r) => (binary && ev.metrics.roc_auc !== undefined ? ev.metrics.roc_auc : trapezoidArea(r.curve)));
  out.push(
    addChart(
      ctx,
      new ChartCard(
        {
          title: binary ? 'ROC curve' : 'ROC curves, one class vs the rest',
          description: binary ? `True positive rate against false positive rate as the threshold on P(${roc[0].label}) falls.` : 'Each class against all the others, from its predicted probability.',
          fileName: `run-${ctx.runId}-roc`,
          height: 300,
          build: (theme) => {
            const datasets: object[] = roc.map((r, i) => ({
              label: `${r.label} (AUC ${formatMetric(aucs[i])})`,
              data: curveData(r.curve),
              showLine: true,
              borderColor: seriesColor(theme, i),
              backgroundColor: seriesColor(theme, i),
              borderWidth: theme.lineWidth,
              borderDash: Math.floor(i / theme.series.length) % 2 === 1 ? [6, 3] : [],
              pointRadius: 0,
              pointHoverRadius: 4,
            }));
            const j = ev.thresholds?.bestYoudenJ;
            if (binary && j) {
              datasets.push({
                label: `best Youden's J (threshold ${formatMetric(j.threshold)})`,
                data: [{ x: j.fpr, y: j.recall, t: j.threshold }],
                borderColor: theme.foreground,
                backgroundColor: theme.accent,
                pointRadius: 6,
                pointHoverRadius: 8,
                pointStyle: 'rectRot',
              });
            }
            datasets.push(diagonalDataset(theme, 'chance (AUC 0.5)'));
            return {
              type: 'scatter',
              data: { datasets: datasets as never },
              options: {
                interaction: { mode: 'nearest', intersect: false },
                scales: { x: unitAxis(theme, 'False positive rate'), y: unitAxis(theme, 'True positive rate (recall)') },
                plugins: { legend: { position: 'bottom' }, tooltip: exactXYTooltip('FPR', 'TPR', threshold) },
              },
            };
          },
          summary: () => `ROC ${binary ? 'curve' : 'curves'}: ${roc.map((r, i) => `${r.label} AUC ${formatMetric(aucs[i])}`).join(', ')}.`,
          csv: () => curveCsv(roc, 'fpr', 'tpr'),
        },
        ctx.host,
      ),
    ),
  );
  const pr = ev.pr?.[0];
  if (binary && pr) {
    ctx.sections.push('pr');
    const ap = ev.metrics.average_precision;
    const cm = ev.confusionMatrix;
    const positives = cm ? cm[1][0] + cm[1][1] : NaN;
    const prevalence = cm ? positives / (cm[0][0] + cm[0][1] + positives) : NaN;
    out.push(
      addChart(
        ctx,
        new ChartCard(
          {
            title: 'Precision–recall curve',
            description: `Precision against recall of ${pr.label} as the threshold falls.`,
            fileName: `run-${ctx.runId}-pr`,
            height: 300,
            build: (theme) => {
              const datasets: object[] = [
                {
                  label: `${pr.label} (AP ${formatMetric(ap)})`,
                  data: curveData(pr.curve),
                  showLine: true,
                  stepped: 'after',
                  borderColor: theme.series[0],
                  backgroundColor: theme.series[0],
                  borderWidth: theme.lineWidth,
                  pointRadius: 0,
                  pointHoverRadius: 4,
                },
              ];
              const f1 = ev.thresholds?.bestF1;
              if (f1) {
                datasets.push({
                  label: `best F1 (threshold ${formatMetric(f1.threshold)})`,
                  data: [{ x: f1.recall, y: f1.precision, t: f1.threshold }],
                  borderColor: theme.foreground,
                  backgroundColor: theme.accent,
                  pointRadius: 6,
                  pointHoverRadius: 8,
                  pointStyle: 'rectRot',
                });
              }
              return {
                type: 'scatter',
                data: { datasets: datasets as never },
                options: {
                  interaction: { mode: 'nearest', intersect: false },
                  scales: { x: unitAxis(theme, 'Recall'), y: unitAxis(theme, 'Precision') },
                  plugins: {
                    legend: { position: 'bottom' },
                    tooltip: exactXYTooltip('recall', 'precision', threshold),
                    mlloopMarkers: Number.isFinite(prevalence) ? { lines: [{ y: prevalence, label: `no skill (positive rate ${formatMetric(prevalence)})`, color: theme.muted, labelAt: 'end' }] } : { lines: [] },
                  },
                },
              };
            },
            summary: () => `Precision–recall curve of ${pr.label}: average precision ${formatMetric(ap)}; no-skill precision ${formatMetric(prevalence)}.`,
            csv: () => curveCsv([pr], 'recall', 'precision'),
          },
          ctx.host,
        ),
      ),
    );
  }
  if (!binary) {
    const missing = ev.classes.filter((c) => !roc.some((r) => r.label === c));
    if (missing.length > 0) out.push(notice(`No curve for ${missing.join(', ')}: the test split has no rows of it (or only rows of it).`));
  }
  return out;
}

/** Regression: predicted against actual, and residuals against predicted. */
export function regressionSections(ctx: SectionContext, ev: EvaluationReport): HTMLElement[] {
  const reg = ev.regression;
  if (!reg || reg.actual.length === 0) return [card('Predictions', null, notice('No predictions were recorded for this run.'))];
  ctx.sections.push('regression');
  const pairs = reg.actual.map((a, i) => ({ x: a, y: reg.predicted[i] }));
  const residuals = reg.actual.map((a, i) => ({ x: reg.predicted[i], y: a - reg.predicted[i] }));
  const all = [...reg.actual, ...reg.predicted].filter(Number.isFinite);
  const lo = Math.min(...all);
  const hi = Math.max(...all);
  const pad = (hi - lo) * 0.04 || 1;
  const csv = () => toCsv(['actual', 'predicted', 'residual'], reg.actual.map((a, i) => [a, reg.predicted[i], a - reg.predicted[i]]));
  const sampled = reg.actual.length < ev.n ? ` (${reg.actual.length} of ${ev.n} rows, evenly sampled)` : '';
  const point = (theme: ChartTheme, color: string) => ({
    borderColor: color,
    backgroundColor: withAlpha(color, 0.55),
    pointRadius: reg.actual.length > 500 ? 2 : 3,
    pointHoverRadius: 5,
  });
  return [
    addChart(
      ctx,
      new ChartCard(
        {
          title: 'Predicted vs actual',
          description: `Test split${sampled}. Points on the diagonal are exact.`,
          fileName: `run-${ctx.runId}-predicted-vs-actual`,
          height: 320,
          build: (theme) => ({
            type: 'scatter',
            data: {
              datasets: [
                { label: 'test rows', data: pairs, ...point(theme, theme.series[0]) },
                diagonalDataset(theme, 'predicted = actual', lo - pad, hi + pad),
              ] as never,
            },
            options: {
              scales: {
                x: { type: 'linear', min: lo - pad, max: hi + pad, title: { display: true, text: 'Actual', color: theme.muted }, grid: { color: theme.grid } },
                y: { type: 'linear', min: lo - pad, max: hi + pad, title: { display: true, text: 'Predicted', color: theme.muted }, grid: { color: theme.grid } },
              },
              plugins: { legend: { position: 'bottom' }, tooltip: exactXYTooltip('actual', 'predicted') },
            },
          }),
          summary: () => `Predicted against actual values for ${pairs.length} test rows; R² ${formatMetric(ev.metrics.r2)}, MAE ${formatMetric(ev.metrics.mae)}.`,
          csv,
        },
        ctx.host,
      ),
    ),
    addChart(
      ctx,
      new ChartCard(
        {
          title: 'Residuals',
          description: 'Actual − predicted, against the prediction: a pattern means the errors depend on the value.',
          fileName: `run-${ctx.runId}-residuals`,
          height: 320,
          build: (theme) => ({
            type: 'scatter',
            data: { datasets: [{ label: 'residual', data: residuals, ...point(theme, theme.series[1]) }] as never },
            options: {
              scales: {
                x: { type: 'linear', title: { display: true, text: 'Predicted', color: theme.muted }, grid: { color: theme.grid } },
                y: { type: 'linear', title: { display: true, text: 'Actual − predicted', color: theme.muted }, grid: { color: theme.grid } },
              },
              plugins: { legend: { display: false }, tooltip: exactXYTooltip('predicted', 'residual'), mlloopMarkers: { lines: [{ y: 0, label: 'no error', color: theme.muted, labelAt: 'end' }] } },
            },
          }),
          summary: () => {
            const abs = residuals.map((r) => Math.abs(r.y)).sort((a, b) => a - b);
            return `Residuals of ${residuals.length} test rows; median absolute residual ${formatMetric(abs[Math.floor(abs.length / 2)])}, largest ${formatMetric(abs[abs.length - 1])}.`;
          },
          csv,
        },
        ctx.host,
      ),
    ),
  ];
}

// ---------------------------------------------------------------------------------------------
// Calibration tab

/** Reliability diagram (before/after when a calibrator was applied) and the calibration choice. */
export function calibrationSections(ctx: SectionContext, ev: EvaluationReport, calibration: CalibrationRecord | null): HTMLElement[] {
  const out: HTMLElement[] = [];
  const cal = ev.calibration;
  if (!cal) return [card('Calibration', null, notice('No calibration data for this run.'))];
  ctx.sections.push('reliability');
  const binary = ev.task === 'binary';
  const applied = calibration !== null && calibration.method !== 'none' && calibration.test !== null;
  const before = applied ? calibration!.test!.reliabilityBefore : null;
  const after = cal.reliability;
  const curvePoints = (r: typeof after) => r.meanPredicted.map((x, i) => ({ x, y: r.fractionPositive[i], n: r.counts[i] }));
  const xName = binary ? 'mean predicted P(positive)' : 'mean confidence (top label)';
  const yName = binary ? 'fraction positive' : 'accuracy';
  out.push(
    addChart(
      ctx,
      new ChartCard(
        {
          title: 'Reliability diagram',
          description: `${binary ? 'Predicted probability of the positive class' : 'Confidence of the predicted class'} against how often it was right, in ${cal.bins} equal-width bins (empty bins left out).`,
          fileName: `run-${ctx.runId}-reliability`,
          height: 340,
          build: (theme) => {
            const datasets: object[] = [
              {
                label: applied ? `after ${calibration!.method} (ECE ${formatMetric(cal.ece)})` : `model (ECE ${formatMetric(cal.ece)})`,
                data: curvePoints(after),
                showLine: true,
                borderColor: theme.series[0],
                backgroundColor: theme.series[0],
                borderWidth: theme.lineWidth,
                pointRadius: 3,
                pointHoverRadius: 5,
              },
            ];
            if (before) {
              datasets.push({
                label: `before calibration (ECE ${formatMetric(calibration!.test!.before.ece)})`,
                data: curvePoints(before),
                showLine: true,
                borderColor: theme.series[1],
                backgroundColor: theme.series[1],
                borderWidth: theme.lineWidth,
                borderDash: [6, 4],
                pointRadius: 3,
                pointHoverRadius: 5,
              });
            }
            datasets.push(diagonalDataset(theme, 'perfectly calibrated'));
            return {
              type: 'scatter',
              data: { datasets: datasets as never },
              options: {
                interaction: { mode: 'nearest', intersect: false },
                scales: { x: unitAxis(theme, binary ? 'Mean predicted probability' : 'Mean confidence'), y: unitAxis(theme, binary ? 'Fraction positive' : 'Accuracy') },
                plugins: {
                  legend: { position: 'bottom' },
                  tooltip: exactXYTooltip(xName, yName, (item) => {
                    const n = (item.raw as { n?: number }).n;
                    return n === undefined ? undefined : `${n} rows in the bin`;
                  }),
                },
              },
            };
          },
          summary: () =>
            `Reliability diagram with ${after.counts.length} non-empty bins; expected calibration error ${formatMetric(cal.ece)}${applied ? ` after ${calibration!.method}, ${formatMetric(calibration!.test!.before.ece)} before` : ''}.`,
          csv: () => {
            const rows: Array<Array<string | number>> = [];
            const add = (name: string, r: typeof after) => r.meanPredicted.forEach((x, i) => rows.push([name, x, r.fractionPositive[i], r.counts[i]]));
            add(applied ? 'after' : 'model', after);
            if (before) add('before', before);
            return toCsv(['curve', binary ? 'mean_predicted' : 'mean_confidence', binary ? 'fraction_positive' : 'accuracy', 'count'], rows);
          },
        },
        ctx.host,
      ),
    ),
  );
  out.push(calibrationChoice(ev, calibration));
  return out;
}

function calibrationChoice(ev: EvaluationReport, calibration: CalibrationRecord | null): HTMLElement {
  const cal = ev.calibration!;
  const facts: Array<[string, string, string]> = [
    ['ECE', formatMetric(cal.ece), `expected calibration error ${exact(cal.ece)} (${cal.bins} bins)`],
    ['MCE', formatMetric(cal.mce), `maximum calibration error ${exact(cal.mce)}`],
  ];
  if (cal.classwiseEce !== undefined) facts.push(['Class-wise ECE', formatMetric(cal.classwiseEce), exact(cal.classwiseEce)]);
  facts.push(
    ['Brier score', formatMetric(cal.brier.brier), exact(cal.brier.brier)],
    ['Brier reliability', formatMetric(cal.brier.reliability), `${exact(cal.brier.reliability)} (lower is better calibrated)`],
    ['Brier resolution', formatMetric(cal.brier.resolution), `${exact(cal.brier.resolution)} (higher is sharper)`],
  );
  const body: Child[] = [h('dl', { class: 'facts' }, ...facts.flatMap(([k, v, tip]) => [h('dt', null, k), h('dd', { title: tip }, v)]))];
  if (!calibration) {
    body.push(notice('This run recorded no calibration choice.'));
    return card('Calibration', null, ...body);
  }
  body.unshift(
    h('p', { class: 'calibration-method' }, 'Method: ', h('strong', null, calibration.method)),
    h('p', null, calibration.reason),
    ...(calibration.warnings.length ? [h('ul', { class: 'warnings' }, ...calibration.warnings.map((w) => h('li', null, h('span', { class: 'codicon codicon-warning', 'aria-hidden': 'true' }), ' ', w)))] : []),
  );
  const test = calibration.test;
  if (test && calibration.method !== 'none') {
    const rows: Array<[string, number, number, string]> = [
      ['ECE', test.before.ece, test.after.ece, 'ece'],
      ['Brier score', test.before.brier, test.after.brier, 'brier'],
      ['Log loss', test.before.logLoss, test.after.logLoss, 'log_loss'],
    ];
    body.push(
      h('h4', null, 'On the test split (the calibrator never saw it)'),
      h(
        'table',
        { class: 'data' },
        h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Score'), h('th', { scope: 'col', class: 'num' }, 'Before'), h('th', { scope: 'col', class: 'num' }, 'After'))),
        h('tbody', null, ...rows.map(([name, b, a]) => h('tr', null, h('th', { scope: 'row' }, name), h('td', { class: 'num', title: exact(b) }, formatMetric(b)), h('td', { class: 'num', title: exact(a) }, formatMetric(a))))),
      ),
    );
  }
  const sel = calibration.selection;
  if (sel && sel.candidates.length > 0) {
    body.push(
      h('h4', null, `Candidates (${sel.folds}-fold cross-validation on ${sel.n} validation rows; kept only if ECE falls by more than ${formatPercent(sel.margin, 0)})`),
      h(
        'div',
        { class: 'table-wrap' },
        h(
          'table',
          { class: 'data' },
          h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Method'), h('th', { scope: 'col' }, 'Outcome'), h('th', { scope: 'col', class: 'num' }, 'ECE after'), h('th', { scope: 'col', class: 'num' }, 'ECE change'), h('th', { scope: 'col' }, 'Why'))),
          h(
            'tbody',
            null,
            ...sel.candidates.map((c) =>
              h(
                'tr',
                { class: c.method === calibration.method ? 'highlight' : undefined },
                h('th', { scope: 'row' }, c.method),
                h('td', null, c.status),
                h('td', { class: 'num', title: c.after ? exact(c.after.ece) : '' }, c.after ? formatMetric(c.after.ece) : '—'),
                h('td', { class: 'num' }, c.eceImprovement !== undefined ? `${c.eceImprovement > 0 ? '−' : '+'}${formatPercent(Math.abs(c.eceImprovement))}` : '—'),
                h('td', { class: 'muted' }, c.reason),
              ),
            ),
          ),
        ),
      ),
    );
  }
  return card('Calibration choice', null, ...body);
}

/**
 * "Why this model" (model: auto): each candidate with its validation score, the chosen one
 * highlighted, and whether it was refitted. Null for an explicit model.
 */
export function modelChoiceSection(ctx: SectionContext, sel: ModelSelection | null): HTMLElement | null {
  if (!sel || sel.candidates.length === 0) return null;
  ctx.sections.push('model');
  const metric = sel.metric === 'mse' ? 'MSE' : 'log loss';
  const classification = sel.metric === 'log_loss';
  const table = h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'data' },
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          h('th', { scope: 'col' }, 'Candidate'),
          h('th', { scope: 'col', class: 'num' }, `Validation ${metric}`),
          ...(classification ? [h('th', { scope: 'col', class: 'num' }, 'Before temperature')] : []),
          h('th', { scope: 'col', class: 'num' }, 'Weights'),
          h('th', { scope: 'col' }, 'Training'),
        ),
      ),
      h(
        'tbody',
        null,
        ...sel.candidates.map((c, i) =>
          h(
            'tr',
            { class: i === sel.chosen ? 'highlight' : undefined },
            h('th', { scope: 'row' }, c.label, i === sel.chosen ? ' (chosen)' : i === sel.best ? ' (lowest)' : ''),
            h('td', { class: 'num', title: exact(c.score) }, formatMetric(c.score)),
            ...(classification ? [h('td', { class: 'num', title: c.rawLogLoss !== undefined ? exact(c.rawLogLoss) : '' }, c.rawLogLoss !== undefined ? formatMetric(c.rawLogLoss) : '—')] : []),
            h('td', { class: 'num' }, c.parameters.toLocaleString('en-US')),
            h('td', { class: 'muted' }, c.kind === 'linear' ? `${c.iterations ?? '—'} L-BFGS iterations` : `${c.epochs ?? '—'} epochs, best ${c.bestEpoch ?? '—'}`),
          ),
        ),
      ),
    ),
  );
  return card(
    'Why this model',
    `model: auto tried ${sel.candidates.length} candidates on ${sel.rows} ${sel.scoredOn} rows (${metric}${classification ? ' after one fitted temperature' : ''}; the simplest within ${formatPercent(sel.tolerance, 1)} of the lowest wins).`,
    h('p', null, sel.reason),
    table,
    h('p', null, sel.refit.done ? `Refitted on ${sel.refit.rows} training + validation rows${sel.refit.epochs ? ` for ${sel.refit.epochs} epochs` : ''}. ${sel.refit.reason}` : `Not refitted. ${sel.refit.reason}`),
    ...(sel.skipped.length ? [h('ul', { class: 'muted' }, ...sel.skipped.map((x) => h('li', null, `Not tried: ${x}`)))] : []),
  );
}

// ---------------------------------------------------------------------------------------------
// Importance tab

/** Permutation importance: mean drop of the metric when a feature is shuffled, ± one standard deviation. */
export function importanceSection(ctx: SectionContext, importance: ImportanceRecord | null): HTMLElement[] {
  if (!importance || importance.importances.length === 0) {
    return [card('Feature importance', null, notice('No permutation importance was computed for this run (evaluation.importanceRepeats is 0, or the test split is too small).'))];
  }
  ctx.sections.push('importance');
  const items = importance.importances;
  const shown = items.slice(0, 40);
  const metric = importance.metric;
  const what = importance.greaterIsBetter ? `drop in ${metric}` : `rise in ${metric}`;
  const chart = addChart(
    ctx,
    new ChartCard(
      {
        title: 'Feature importance',
        description: `Permutation importance: the ${what} when a feature's values are shuffled, mean ± one standard deviation over ${importance.repeats} repeats on ${importance.rows} test rows (baseline ${metric} ${formatMetric(importance.baseline)}).${items.length > shown.length ? ` The ${shown.length} most important of ${items.length} are shown; Copy CSV has all.` : ''}`,
        fileName: `run-${ctx.runId}-importance`,
        height: Math.max(160, 26 * shown.length + 70),
        build: (theme) => ({
          type: 'bar',
          data: {
            labels: shown.map((f) => f.feature),
            datasets: [
              {
                label: `importance (${what})`,
                data: shown.map((f) => f.mean),
                backgroundColor: shown.map((f) => withAlpha(f.mean >= 0 ? theme.series[0] : theme.bad, 0.75)),
                borderColor: shown.map((f) => (f.mean >= 0 ? theme.series[0] : theme.bad)),
                borderWidth: 1,
                barPercentage: 0.8,
              },
            ],
          },
          options: {
            indexAxis: 'y',
            scales: {
              x: { type: 'linear', title: { display: true, text: `Importance (${what})`, color: theme.muted }, grid: { color: theme.grid } },
              y: { type: 'category', grid: { display: false } },
            },
            plugins: {
              legend: { display: false },
              mlloopErrorBars: { errors: [shown.map((f) => f.std)], color: theme.foreground },
              tooltip: {
                callbacks: {
                  label: (item) => {
                    const f = shown[item.dataIndex];
                    return [`mean ${exact(f.mean)} ± std ${exact(f.std)}`, `repeats: ${f.values.map((v) => exact(v)).join(', ')}`];
                  },
                },
              },
            },
          },
        }),
        summary: () => `Permutation importance of ${items.length} features by ${what}; most important: ${items
          .slice(0, 3)
          .map((f) => `${f.feature} ${formatMetric(f.mean)} ± ${formatMetric(f.std)}`)
          .join(', ')}.`,
        csv: () => toCsv(['feature', 'mean', 'std', ...importance.importances[0].values.map((_, i) => `repeat_${i + 1}`)], items.map((f) => [f.feature, f.mean, f.std, ...f.values])),
      },
      ctx.host,
    ),
  );
  const table = card(
    'Importance values',
    `Mean ± standard deviation of the ${what} over the repeats; hover a value for every repeat.`,
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'data' },
        h('thead', null, h('tr', null, h('th', { scope: 'col', class: 'num' }, '#'), h('th', { scope: 'col' }, 'Feature'), h('th', { scope: 'col', class: 'num' }, 'Mean'), h('th', { scope: 'col', class: 'num' }, '± std'))),
        h(
          'tbody',
          null,
          ...items.map((f, i) =>
            h(
              'tr',
              null,
              h('td', { class: 'num muted' }, String(i + 1)),
              h('th', { scope: 'row' }, f.feature),
              h('td', { class: 'num', title: `repeats: ${f.values.map((v) => exact(v)).join(', ')}` }, formatMetric(f.mean)),
              h('td', { class: 'num muted', title: exact(f.std) }, formatMetric(f.std)),
            ),
          ),
        ),
      ),
    ),
  );
  return [chart, table];
}

/** Everything of the evaluation, grouped by tab. Tabs a task does not have are absent. */
export function evaluationTabs(
  ctx: SectionContext,
  data: RunEvaluation,
  normalised: boolean,
  onToggleNormalised: (normalised: boolean) => void,
): { metrics: HTMLElement[]; curves: HTMLElement[]; calibration: HTMLElement[]; importance: HTMLElement[] } {
  const ev = data.evaluation;
  if (!ev) {
    const empty = [notice('This run recorded no evaluation.')];
    return { metrics: empty, curves: [], calibration: [], importance: [] };
  }
  const confusion = confusionSection(ctx, ev, normalised, onToggleNormalised);
  const why = modelChoiceSection(ctx, data.selection ?? null);
  return {
    metrics: [metricsSection(ctx, ev), ...(why ? [why] : []), ...(confusion ? [confusion] : [])],
    curves: ev.task === 'regression' ? regressionSections(ctx, ev) : curveSections(ctx, ev),
    calibration: ev.task === 'regression' ? [] : calibrationSections(ctx, ev, data.calibration),
    importance: importanceSection(ctx, data.importance),
  };
}
