/**
 * The compare panel page: runs side by side in four tabs — Metrics (values, intervals and
 * deltas against the first run, coloured by each metric's direction, plus the settings that
 * differ), Curves (loss per epoch and ROC overlaid), Confusion (the difference B − A) and
 * Changed predictions (rows whose prediction differs, computed by the host's job worker).
 */
import { ChartCard, diagonalDataset, disposeChartsIn, exactXYTooltip, seriesColor, type ChartTheme } from '../shared/charts';
import { h, notice, replaceChildren, type Child } from '../shared/dom';
import { exact, formatDelta, formatDuration, formatMetric, formatPercent, toCsv } from '../shared/format';
import type { HostChannel } from '../shared/host';
import { matrixTable, toneLegend, type MatrixCell } from '../shared/matrix';
import type { ComparedPrediction, PredictionChanges } from '../../src/core/jobs/compareTypes';
import {
  COMPARE_TABS,
  type ChangesState,
  type ComparedRun,
  type ComparePageState,
  type CompareSnapshot,
  type CompareTab,
  type CompareToHost,
  type CompareToPage,
  type ConfusionDifference,
} from './protocol';

const TAB_TITLES: Record<CompareTab, string> = {
  metrics: 'Metrics',
  curves: 'Curves',
  confusion: 'Confusion',
  changes: 'Changed predictions',
};

/** Feature columns shown in the changed-predictions table (the rest are in the row's tooltip). */
const MAX_FEATURE_COLUMNS = 6;

export class ComparePage {
  private snapshot: CompareSnapshot | undefined;
  private state: ComparePageState | undefined;
  private readonly changes = new Map<number, ChangesState>();
  private tabs: HTMLElement | undefined;
  private panels = new Map<CompareTab, HTMLElement>();
  private cards: ChartCard[] = [];
  private sections: string[] = [];

  constructor(
    private readonly root: HTMLElement,
    private readonly channel: HostChannel<CompareToHost, CompareToPage, ComparePageState>,
  ) {
    this.state = channel.state;
    replaceChildren(root, notice('Loading the runs…', { live: true, icon: 'loading codicon-modifier-spin' }));
  }

  receive(m: CompareToPage): void {
    if (m.type === 'compare/snapshot') {
      this.snapshot = m.snapshot;
      this.changes.clear();
      for (const c of m.snapshot.changes) this.changes.set(c.otherRunId, c);
      this.render();
    } else if (m.type === 'compare/showTab') {
      this.selectTab(m.tab);
    } else if (m.type === 'compare/changes') {
      this.changes.set(m.changes.otherRunId, m.changes);
      if (m.changes.otherRunId === this.otherRunId()) this.renderChanges();
    }
    this.reportRendered();
  }

  private runs(): ComparedRun[] {
    return this.snapshot?.runs ?? [];
  }

  /** The run compared with the first in the confusion and changes tabs. */
  private otherRunId(): number | null {
    const runs = this.runs();
    const saved = this.state?.otherRunId;
    if (saved !== null && saved !== undefined && runs.slice(1).some((r) => r.id === saved)) return saved;
    return runs[1]?.id ?? null;
  }

  private saveState(patch: Partial<ComparePageState>): void {
    const s = this.snapshot;
    if (!s) return;
    this.state = {
      runIds: s.runs.length >= 2 ? s.runs.map((r) => r.id) : (this.state?.runIds ?? s.runs.map((r) => r.id)),
      root: s.root,
      tab: this.state?.tab ?? 'metrics',
      otherRunId: this.state?.otherRunId ?? null,
      rocClass: this.state?.rocClass ?? null,
      ...patch,
    };
    this.channel.state = this.state;
  }

  private render(): void {
    const s = this.snapshot!;
    for (const c of this.cards) c.dispose();
    this.cards = [];
    this.sections = [];
    disposeChartsIn(this.root);
    const runs = s.runs;
    const header = h(
      'header',
      { class: 'page-head' },
      h('h1', { class: 'page-title' }, `Compare runs ${runs.map((r) => r.id).join(' · ') || '—'}`),
      h(
        'ul',
        { class: 'page-meta', 'aria-label': 'Comparison facts' },
        h('li', null, 'Project ', h('strong', null, s.projectName)),
        runs[0] ? h('li', null, 'Baseline ', h('strong', null, `run ${runs[0].id}`)) : null,
        runs[0] ? h('li', null, 'Task ', h('strong', null, runs[0].task)) : null,
      ),
      h('div', { class: 'page-actions' }, ...runs.map((r) => h('vscode-button', { secondary: true, icon: 'graph-line', title: `Open the panel of run ${r.id}`, on: { click: () => this.channel.post({ type: 'compare/openRun', runId: r.id }) } }, `Run ${r.id}`))),
    );
    const skipped = s.skipped.length ? notice(`Not compared: ${s.skipped.map((k) => `run ${k.id} (${k.reason})`).join('; ')}.`, { icon: 'warning' }) : null;
    if (runs.length < 2) {
      replaceChildren(this.root, header, skipped, notice('Comparing needs at least two completed runs.', { icon: 'info' }));
      return;
    }
    this.tabs = h('vscode-tabs', { 'aria-label': 'Comparison sections' });
    this.panels.clear();
    const headers = COMPARE_TABS.map((t) => h('vscode-tab-header', { slot: 'header', id: `tab-${t}` }, TAB_TITLES[t]));
    const panels = COMPARE_TABS.map((t) => {
      const p = h('vscode-tab-panel', { 'aria-labelledby': `tab-${t}` });
      this.panels.set(t, p);
      return p;
    });
    this.tabs.replaceChildren(...headers, ...panels);
    this.tabs.addEventListener('vsc-tabs-select', (e) => {
      const tab = COMPARE_TABS[(e as CustomEvent<{ selectedIndex: number }>).detail.selectedIndex];
      if (tab) {
        this.saveState({ tab });
        if (tab === 'changes') this.requestChanges();
        this.reportRendered();
      }
    });
    replaceChildren(this.root, header, skipped, this.tabs);
    this.renderMetrics();
    this.renderCurves();
    this.renderConfusion();
    this.renderChanges();
    this.selectTab(this.state?.tab && COMPARE_TABS.includes(this.state.tab) ? this.state.tab : 'metrics');
  }

  private selectTab(tab: CompareTab): void {
    if (!this.tabs) return;
    this.saveState({ tab });
    (this.tabs as HTMLElement & { selectedIndex: number }).selectedIndex = COMPARE_TABS.indexOf(tab);
    if (tab === 'changes') this.requestChanges();
  }

  // -------------------------------------------------------------------------------------------
  // Metrics

  private renderMetrics(): void {
    const s = this.snapshot!;
    const runs = s.runs;
    const panel = this.panels.get('metrics')!;
    this.sections.push('metrics');
    const head = h(
      'tr',
      null,
      h('th', { scope: 'col' }, 'Metric'),
      ...runs.flatMap((r, i) => [
        h('th', { scope: 'col', class: 'num' }, `Run ${r.id}`, h('br'), h('span', { class: 'muted' }, i === 0 ? 'baseline' : r.modelVersion ?? '')),
        i > 0 ? h('th', { scope: 'col', class: 'num' }, `Δ vs ${runs[0].id}`) : null,
      ]),
    );
    const body = s.metricRows.map((row) =>
      h(
        'tr',
        null,
        h('th', { scope: 'row' }, row.label, ' ', h('span', { class: 'muted', title: row.direction === 'lower' ? 'lower is better' : 'higher is better' }, row.direction === 'lower' ? '↓' : '↑')),
        ...runs.flatMap((r, i) => {
          const v = row.values[i];
          const iv = r.intervals[row.key];
          const value = h(
            'td',
            { class: 'num', title: v === null ? 'not computed' : `${row.key} = ${exact(v)}${iv ? `; interval [${exact(iv.lower)}, ${exact(iv.upper)}]` : ''}` },
            formatMetric(v),
            iv ? h('span', { class: 'interval-line' }, `[${formatMetric(iv.lower)}, ${formatMetric(iv.upper)}]`) : null,
          );
          if (i === 0) return [value];
          const d = row.deltas[i];
          const verdict = row.verdicts[i];
          const cls = verdict === 1 ? 'better' : verdict === -1 ? 'worse' : 'same';
          const word = verdict === 1 ? 'better' : verdict === -1 ? 'worse' : 'the same';
          const attrs = { class: ['num', 'delta', cls], title: d === null ? '' : `${exact(d)} (${word}; ${row.direction} is better)` };
          const delta =
            d === null
              ? h('td', attrs, '—')
              : h('td', attrs, h('span', { 'aria-hidden': 'true' }, verdict === 1 ? '▲ ' : verdict === -1 ? '▼ ' : ''), formatDelta(d), h('span', { class: 'visually-hidden' }, ` (${word})`));
          return [value, delta];
        }),
      ),
    );
    const csv = () =>
      toCsv(
        ['metric', ...runs.flatMap((r, i) => (i === 0 ? [`run_${r.id}`] : [`run_${r.id}`, `delta_${r.id}_vs_${runs[0].id}`]))],
        s.metricRows.map((row) => [row.key, ...runs.flatMap((_, i) => (i === 0 ? [row.values[0]] : [row.values[i], row.deltas[i]]))]),
      );
    const confidence = runs.find((r) => r.confidence !== null)?.confidence;
    const metricsCard = h(
      'section',
      { class: 'card', 'aria-label': 'Test metrics' },
      h('div', { class: 'toolbar' }, h('h3', { class: 'section-title' }, 'Test metrics'), h('span', { class: 'spacer' }), copyButton(this.channel, 'the metric comparison', csv)),
      h(
        'div',
        { class: 'table-wrap' },
        h(
          'table',
          { class: 'data compare-metrics' },
          h(
            'caption',
            null,
            `Each run on its own test split (${runs.map((r) => `run ${r.id}: ${r.testRows ?? '?'} rows`).join(', ')}). Δ = run − run ${runs[0].id}; ▲ better, ▼ worse by the metric's direction (↓ lower is better for losses and errors).` +
              (confidence ? ` Brackets: ${formatPercent(confidence, 0)} bootstrap intervals.` : ''),
          ),
          h('thead', null, head),
          h('tbody', null, ...body),
        ),
      ),
    );
    const facts = h(
      'section',
      { class: 'card', 'aria-label': 'Runs' },
      h('h3', null, 'Runs'),
      h(
        'div',
        { class: 'table-wrap' },
        h(
          'table',
          { class: 'data' },
          h('thead', null, h('tr', null, h('th', { scope: 'col' }, ''), ...runs.map((r) => h('th', { scope: 'col' }, `Run ${r.id}`)))),
          h(
            'tbody',
            null,
            factRow('Model', runs.map((r) => r.modelVersion ?? '—')),
            factRow('Architecture', runs.map((r) => r.model)),
            factRow('Calibration', runs.map((r) => r.calibration)),
            factRow('Epochs run', runs.map((r) => String(r.epochs.length))),
            factRow('Best epoch', runs.map((r) => (r.bestEpoch === null ? '—' : String(r.bestEpoch)))),
            factRow('Training took', runs.map((r) => formatDuration(r.durationMs))),
          ),
        ),
      ),
    );
    const parts: Child[] = [metricsCard, facts];
    if (s.configDifferences.length > 0) {
      this.sections.push('config');
      parts.push(
        h(
          'section',
          { class: 'card', 'aria-label': 'Settings that differ' },
          h('h3', null, 'Settings that differ'),
          h('p', { class: 'card-description' }, 'Keys of the resolved mlloop.yaml each run used, where the runs disagree.'),
          h(
            'div',
            { class: 'table-wrap' },
            h(
              'table',
              { class: 'data' },
              h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Setting'), ...runs.map((r) => h('th', { scope: 'col' }, `Run ${r.id}`)))),
              h('tbody', null, ...s.configDifferences.map((d) => h('tr', null, h('th', { scope: 'row' }, h('code', null, d.path)), ...d.values.map((v) => h('td', null, h('code', null, v)))))),
            ),
          ),
        ),
      );
    } else {
      parts.push(notice('The runs used the same settings; they differ only in the data they saw.', { icon: 'info' }));
    }
    replaceChildren(panel, h('div', { class: 'grid wide' }, ...parts));
  }

  // -------------------------------------------------------------------------------------------
  // Curves

  private renderCurves(): void {
    const runs = this.runs();
    const panel = this.panels.get('curves')!;
    const parts: HTMLElement[] = [];
    const withEpochs = runs.filter((r) => r.epochs.length > 0);
    if (withEpochs.length > 0) {
      this.sections.push('loss');
      const card = new ChartCard(
        {
          title: 'Loss per epoch',
          description: 'Training loss (solid) and validation loss (dashed) of each run; a dot marks each run’s best epoch.',
          fileName: `compare-${runs.map((r) => r.id).join('-')}-loss`,
          height: 300,
          build: (theme) => ({
            type: 'line',
            data: {
              datasets: withEpochs.flatMap((r) => {
                const color = seriesColor(theme, runs.indexOf(r));
                const line = (key: 'loss' | 'val_loss', dashed: boolean) => ({
                  label: `run ${r.id} ${key}`,
                  data: r.epochs.filter((e) => typeof e[key] === 'number').map((e) => ({ x: e.epoch, y: e[key] as number })),
                  borderColor: color,
                  backgroundColor: color,
                  borderWidth: theme.lineWidth,
                  borderDash: dashed ? [6, 4] : [],
                  pointRadius: r.epochs.map((e) => (dashed && e.epoch === r.bestEpoch ? 5 : 0)),
                  pointHoverRadius: 4,
                });
                return [line('loss', false), line('val_loss', true)].filter((d) => d.data.length > 0);
              }),
            },
            options: {
              parsing: false,
              interaction: { mode: 'nearest', axis: 'x', intersect: false },
              scales: {
                x: { type: 'linear', min: 1, title: { display: true, text: 'Epoch', color: theme.muted }, ticks: { precision: 0 }, grid: { color: theme.grid } },
                y: { type: 'linear', title: { display: true, text: 'Loss', color: theme.muted }, grid: { color: theme.grid } },
              },
              plugins: { legend: { position: 'bottom' }, tooltip: exactXYTooltip('epoch', '') },
            },
          }),
          summary: () => `Loss per epoch of runs ${withEpochs.map((r) => `${r.id} (${r.epochs.length} epochs, best ${r.bestEpoch ?? '—'})`).join(', ')}.`,
          csv: () => toCsv(['run', 'epoch', 'loss', 'val_loss'], withEpochs.flatMap((r) => r.epochs.map((e) => [r.id, e.epoch, e.loss, e.val_loss]))),
        },
        this.channel,
      );
      this.cards.push(card);
      parts.push(card.element);
    }
    const rocRuns = runs.filter((r) => r.roc.length > 0);
    if (rocRuns.length > 0) {
      this.sections.push('roc');
      const classes = [...new Set(rocRuns.flatMap((r) => r.roc.map((c) => c.label)))];
      const binary = runs[0].task === 'binary';
      let selected = this.state?.rocClass && classes.includes(this.state.rocClass) ? this.state.rocClass : classes[0];
      const rocHolder = h('div', { class: 'roc-holder' });
      const drawRoc = () => {
        disposeChartsIn(rocHolder);
        this.cards = this.cards.filter((c) => rocHolder.contains(c.element) === false);
        const card = new ChartCard(
          {
            title: binary ? 'ROC curves' : `ROC curves: ${selected} vs the rest`,
            description: 'One curve per run on its own test split; the AUC is the area under each.',
            fileName: `compare-${runs.map((r) => r.id).join('-')}-roc${binary ? '' : `-${selected}`}`,
            height: 300,
            build: (theme) => ({
              type: 'scatter',
              data: {
                datasets: [
                  ...rocRuns.flatMap((r) => {
                    const c = r.roc.find((x) => x.label === selected);
                    if (!c) return [];
                    const color = seriesColor(theme, runs.indexOf(r));
                    const auc = binary && r.metrics.roc_auc !== undefined ? r.metrics.roc_auc : trapezoidArea(c.curve.x, c.curve.y);
                    return [
                      {
                        label: `run ${r.id} (AUC ${formatMetric(auc)})`,
                        data: c.curve.x.map((x, i) => ({ x, y: c.curve.y[i], t: c.curve.thresholds?.[i] })),
                        showLine: true,
                        borderColor: color,
                        backgroundColor: color,
                        borderWidth: theme.lineWidth,
                        borderDash: runs.indexOf(r) >= theme.series.length ? [6, 3] : [],
                        pointRadius: 0,
                        pointHoverRadius: 4,
                      },
                    ];
                  }),
                  diagonalDataset(theme, 'chance'),
                ] as never,
              },
              options: {
                interaction: { mode: 'nearest', intersect: false },
                scales: { x: unit(theme, 'False positive rate'), y: unit(theme, 'True positive rate') },
                plugins: {
                  legend: { position: 'bottom' },
                  tooltip: exactXYTooltip('FPR', 'TPR', (item) => {
                    const t = (item.raw as { t?: number | null }).t;
                    return t === undefined ? undefined : t === null ? 'no threshold' : `threshold ${exact(t)}`;
                  }),
                },
              },
            }),
            summary: () => `ROC curves of ${selected} for runs ${rocRuns.map((r) => r.id).join(', ')}.`,
            csv: () =>
              toCsv(
                ['run', 'class', 'fpr', 'tpr', 'threshold'],
                rocRuns.flatMap((r) => r.roc.filter((c) => c.label === selected).flatMap((c) => c.curve.x.map((x, i) => [r.id, c.label, x, c.curve.y[i], c.curve.thresholds?.[i] ?? null]))),
              ),
          },
          this.channel,
        );
        this.cards.push(card);
        rocHolder.replaceChildren(card.element);
      };
      const picker = binary
        ? null
        : h(
            'div',
            { class: 'toolbar' },
            h('label', { for: 'roc-class' }, 'Class'),
            h(
              'vscode-single-select',
              {
                id: 'roc-class',
                'aria-label': 'Class whose one-vs-rest ROC curves are overlaid',
                on: {
                  change: (e: Event) => {
                    selected = (e.target as HTMLSelectElement).value;
                    this.saveState({ rocClass: selected });
                    drawRoc();
                  },
                },
              },
              ...classes.map((c) => h('vscode-option', { value: c, selected: c === selected || undefined }, c)),
            ),
          );
      drawRoc();
      parts.push(h('div', null, picker, rocHolder));
    }
    replaceChildren(panel, parts.length ? h('div', { class: 'grid' }, ...parts) : notice('These runs recorded no curves.', { icon: 'info' }));
  }

  // -------------------------------------------------------------------------------------------
  // Confusion difference

  private otherPicker(onChange: () => void): HTMLElement | null {
    const runs = this.runs();
    if (runs.length <= 2) return null;
    const other = this.otherRunId();
    const id = `other-${Math.random().toString(36).slice(2)}`;
    return h(
      'div',
      { class: 'toolbar' },
      h('label', { for: id }, `Compare run ${runs[0].id} with`),
      h(
        'vscode-single-select',
        {
          id,
          'aria-label': `Run compared with run ${runs[0].id}`,
          on: {
            change: (e: Event) => {
              this.saveState({ otherRunId: Number((e.target as HTMLSelectElement).value) });
              onChange();
            },
          },
        },
        ...runs.slice(1).map((r) => h('vscode-option', { value: String(r.id), selected: r.id === other || undefined }, `run ${r.id}`)),
      ),
    );
  }

  private renderConfusion(): void {
    const panel = this.panels.get('confusion')!;
    const s = this.snapshot!;
    const other = this.otherRunId();
    const diff = s.confusion.find((c) => c.otherRunId === other);
    const picker = this.otherPicker(() => {
      this.renderConfusion();
      this.renderChanges();
      this.requestChanges();
      this.reportRendered();
    });
    if (!diff || !diff.difference) {
      replaceChildren(panel, picker, notice(diff?.reason ?? 'No confusion matrices to compare.', { icon: 'info' }));
      return;
    }
    this.sections.push('confusion');
    replaceChildren(panel, picker, confusionDifferenceCard(diff, this.channel));
  }

  // -------------------------------------------------------------------------------------------
  // Changed predictions

  private requestChanges(): void {
    const other = this.otherRunId();
    if (other === null) return;
    const c = this.changes.get(other);
    if (!c || c.status === 'failed') this.channel.post({ type: 'compare/selectOther', otherRunId: other });
  }

  private renderChanges(): void {
    const panel = this.panels.get('changes');
    if (!panel) return;
    const other = this.otherRunId();
    const state = other === null ? undefined : this.changes.get(other);
    const picker = this.otherPicker(() => {
      this.renderConfusion();
      this.renderChanges();
      this.requestChanges();
      this.reportRendered();
    });
    if (!state) {
      replaceChildren(panel, picker, notice('Scoring the test rows with both models…', { live: true, icon: 'loading codicon-modifier-spin' }));
      return;
    }
    if (state.status === 'computing') {
      replaceChildren(panel, picker, h('p', { class: 'notice', role: 'status' }, h('vscode-progress-ring', { class: 'inline-ring', 'aria-hidden': 'true' }), `Scoring the test rows with the models of runs ${state.baseRunId} and ${state.otherRunId} in the job worker…`));
      return;
    }
    if (state.status === 'failed') {
      replaceChildren(
        panel,
        picker,
        h('div', { class: 'error-box', role: 'alert' }, `Could not compare the predictions of runs ${state.baseRunId} and ${state.otherRunId}: ${state.message}`),
        h('vscode-button', { secondary: true, icon: 'refresh', on: { click: () => this.channel.post({ type: 'compare/selectOther', otherRunId: state.otherRunId }) } }, 'Try again'),
      );
      return;
    }
    if (!this.sections.includes('changes')) this.sections.push('changes');
    replaceChildren(panel, picker, changesCard(state.result, this.channel));
  }

  private reportRendered(): void {
    const s = this.snapshot;
    if (!s) return;
    const other = this.otherRunId();
    const c = other === null ? undefined : this.changes.get(other);
    this.channel.post({
      type: 'compare/rendered',
      rendered: {
        runIds: s.runs.map((r) => r.id),
        tab: this.state?.tab ?? 'metrics',
        metricRows: s.metricRows.length,
        sections: [...new Set(this.sections)],
        otherRunId: other,
        changes: c?.status ?? 'none',
        changedRows: c?.status === 'done' ? c.result.rows.length : 0,
      },
    });
  }
}

function factRow(label: string, values: string[]): HTMLElement {
  return h('tr', null, h('th', { scope: 'row' }, label), ...values.map((v) => h('td', null, v)));
}

function copyButton(channel: HostChannel<CompareToHost, CompareToPage, ComparePageState>, what: string, csv: () => string): HTMLElement {
  return h('vscode-button', { secondary: true, icon: 'copy', 'aria-label': `Copy ${what} as CSV`, on: { click: () => channel.post({ type: 'webview/copyText', text: csv(), what: `${what} (CSV)` }) } }, 'Copy CSV');
}

function trapezoidArea(x: number[], y: number[]): number {
  let a = 0;
  for (let i = 1; i < x.length; i++) a += ((x[i] - x[i - 1]) * (y[i] + y[i - 1])) / 2;
  return Math.abs(a);
}

function unit(theme: ChartTheme, text: string) {
  return { type: 'linear' as const, min: 0, max: 1, title: { display: true, text, color: theme.muted }, grid: { color: theme.grid } };
}


/**
 * The difference B − A: a rise on the diagonal (more rows right) or a fall off it (fewer
 * confusions) is an improvement, shaded green; the opposite red; shade by the change's size
 * relative to the row.
 */
function confusionDifferenceCard(d: ConfusionDifference, channel: HostChannel<CompareToHost, CompareToPage, ComparePageState>): HTMLElement {
  const diff = d.difference!;
  const base = d.base!;
  const other = d.other!;
  const rowTotals = other.map((r) => Math.max(1, r.reduce((a, b) => a + b, 0)));
  const labels = d.labels.length ? d.labels : diff.map((_, i) => String(i));
  const cells: MatrixCell[][] = diff.map((row, i) =>
    row.map((delta, j) => {
      const improvement = i === j ? delta > 0 : delta < 0;
      const text = delta === 0 ? '0' : `${delta > 0 ? '+' : '−'}${Math.abs(delta)}`;
      return {
        main: text,
        sub: `${base[i][j]} → ${other[i][j]}`,
        shade: delta === 0 ? 0 : Math.min(1, 0.25 + Math.abs(delta) / rowTotals[i]),
        tone: delta === 0 ? 'none' : improvement ? 'better' : 'worse',
        description: `True ${labels[i]}, predicted ${labels[j]}: run ${d.baseRunId} ${base[i][j]}, run ${d.otherRunId} ${other[i][j]} (${text}, ${delta === 0 ? 'no change' : improvement ? 'better' : 'worse'})`,
      };
    }),
  );
  const correctA = base.reduce((a, r, i) => a + r[i], 0);
  const correctB = other.reduce((a, r, i) => a + r[i], 0);
  const csv = () =>
    toCsv(
      ['true \\ predicted', ...labels],
      diff.map((r, i) => [labels[i], ...r]),
    );
  return h(
    'section',
    { class: 'card', 'aria-label': 'Confusion matrix difference' },
    h('div', { class: 'toolbar' }, h('h3', { class: 'section-title' }, `Confusion matrix: run ${d.otherRunId} − run ${d.baseRunId}`), h('span', { class: 'spacer' }), copyButton(channel, 'the confusion-matrix difference', csv)),
    h('p', { class: 'card-description' }, `Each cell: the change in count, then run ${d.baseRunId} → run ${d.otherRunId}. Correct predictions: ${correctA} → ${correctB}. Each run is counted on its own test split.`),
    h(
      'div',
      { class: 'table-wrap' },
      matrixTable({
        labels,
        cells,
        label: `Confusion matrix of run ${d.otherRunId} minus run ${d.baseRunId}`,
        caption: 'Rows are the true class, columns the predicted class.',
      }),
    ),
    toneLegend([
      { tone: 'better', text: 'better (more right, or fewer confusions)' },
      { tone: 'worse', text: 'worse' },
    ]),
  );
}

function predictionText(p: ComparedPrediction): string {
  return 'label' in p ? p.label : formatMetric(p.value);
}

function predictionTitle(p: ComparedPrediction): string {
  return 'label' in p ? `${p.label} with probability ${exact(p.confidence)}` : `value ${exact(p.value)}`;
}

function predictionCell(p: ComparedPrediction, correct: boolean | null): HTMLElement {
  return h(
    'td',
    { class: ['prediction', correct === true && 'right', correct === false && 'wrong'], title: predictionTitle(p) },
    correct === null ? null : h('span', { class: `codicon codicon-${correct ? 'check' : 'close'}`, 'aria-label': correct ? 'right' : 'wrong', role: 'img' }),
    ' ',
    predictionText(p),
    'label' in p ? h('span', { class: 'muted' }, ` ${formatPercent(p.confidence, 0)}`) : null,
  );
}

const KIND_TEXT: Record<PredictionChanges['rows'][number]['kind'], string> = { fixed: 'fixed', broke: 'broke', changed: 'changed' };

/** The table of rows whose prediction changed, with a summary and Copy CSV. */
function changesCard(r: PredictionChanges, channel: HostChannel<CompareToHost, CompareToPage, ComparePageState>): HTMLElement {
  const regression = r.task === 'regression';
  const features = r.features.slice(0, MAX_FEATURE_COLUMNS);
  const more = r.features.length - features.length;
  const summary = regression
    ? `${r.changed} of ${r.n} rows of the ${r.on} get a different value; run ${r.otherRunId} is closer on ${r.fixed} and further on ${r.broke}.`
    : `${r.changed} of ${r.n} rows of the ${r.on} changed label: ${r.fixed} fixed by run ${r.otherRunId}, ${r.broke} broken, ${r.changed - r.fixed - r.broke} wrong both times.`;
  const csv = () =>
    toCsv(
      ['example_id', 'source', 'line', ...r.features, 'actual', `run_${r.baseRunId}`, `run_${r.otherRunId}`, 'kind'],
      r.rows.map((row) => [row.exampleId, row.source, row.sourceLine, ...r.features.map((f) => rawText(row.record[f])), row.actual, predictionText(row.base), predictionText(row.other), row.kind]),
    );
  const head = h(
    'tr',
    null,
    h('th', { scope: 'col' }, 'Example'),
    h('th', { scope: 'col' }, regression ? 'Actual' : 'True label'),
    h('th', { scope: 'col' }, `Run ${r.baseRunId}`),
    h('th', { scope: 'col' }, `Run ${r.otherRunId}`),
    h('th', { scope: 'col' }, 'Change'),
    ...features.map((f) => h('th', { scope: 'col', class: 'feature' }, f)),
  );
  const rows = r.rows.map((row) => {
    const rightA = regression ? null : 'label' in row.base && row.base.label === row.actual;
    const rightB = regression ? null : 'label' in row.other && row.other.label === row.actual;
    const all = r.features.map((f) => `${f}: ${cellText(row.record[f])}`).join('\n');
    return h(
      'tr',
      { class: `kind-${row.kind}` },
      h('th', { scope: 'row', title: `${row.source}${row.sourceLine !== null ? `:${row.sourceLine}` : ''}\n${all}` }, `#${row.exampleId}`, h('span', { class: 'muted source' }, `${row.source}${row.sourceLine !== null ? `:${row.sourceLine}` : ''}`)),
      h('td', null, regression ? formatMetric(Number(row.actual)) : String(row.actual)),
      predictionCell(row.base, rightA),
      predictionCell(row.other, rightB),
      h('td', null, h('span', { class: `change-badge ${row.kind}` }, KIND_TEXT[row.kind])),
      ...features.map((f) => h('td', { class: ['feature', (typeof row.record[f] === 'number' || isNumeric(row.record[f])) && 'num'] }, cellText(row.record[f]))),
    );
  });
  return h(
    'section',
    { class: 'card', 'aria-label': 'Examples whose prediction changed' },
    h(
      'div',
      { class: 'toolbar' },
      h('h3', { class: 'section-title' }, 'Examples whose prediction changed'),
      h('vscode-badge', { variant: 'counter', 'aria-label': `${r.changed} changed` }, String(r.changed)),
      h('span', { class: 'spacer' }),
      copyButton(channel, 'the changed predictions', csv),
    ),
    h('p', { class: 'card-description' }, summary, r.rows.length < r.changed ? ` The first ${r.rows.length} are listed (broken first).` : regression ? ' Largest differences first.' : ' Broken rows first.', more > 0 ? ` ${more} more feature column${more === 1 ? '' : 's'} in each row's tooltip and the CSV.` : ''),
    r.rows.length === 0
      ? notice(`Both models predict the same ${regression ? 'values' : 'labels'} for every test row.`, { icon: 'pass' })
      : h('div', { class: 'table-wrap changes-wrap' }, h('table', { class: 'data changes' }, h('caption', { class: 'visually-hidden' }, summary), h('thead', null, head), h('tbody', null, ...rows))),
  );
}

function isNumeric(v: unknown): boolean {
  return typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v));
}

/** A record value in full (CSV). */
function rawText(v: unknown): string {
  if (v === null || v === undefined) return '';
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

/** A record value for a table cell: long text cut at 80 characters (the CSV has it whole). */
function cellText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v.length > 80 ? `${v.slice(0, 77)}…` : v;
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}
