/**
 * The run panel's Training tab: loss and val_loss per epoch, the accuracy (or MAE) and its
 * validation twin, a status line, the best epoch and the early-stop point. Epochs stream in
 * while the run trains: each one appends a point to the existing charts (no rebuild).
 */
import { ChartCard, chartTheme, exactXYTooltip, withAlpha, type ChartHost, type ChartTheme, type MarkerLine } from '../shared/charts';
import { h, replaceChildren } from '../shared/dom';
import { exact, formatDuration, formatMetric, metricDirection, toCsv } from '../shared/format';
import type { EpochLogs, RunSummary } from './protocol';

type LogKey = Exclude<keyof EpochLogs, 'epoch' | 'durationMs'>;

/** Best epoch so far by `monitor` (ties: the earlier epoch), as early stopping would judge it, ignoring min_delta. */
export function bestEpochSoFar(epochs: readonly EpochLogs[], monitor: string): { epoch: number; value: number } | null {
  const lower = metricDirection(monitor) === 'lower';
  let best: { epoch: number; value: number } | null = null;
  for (const e of epochs) {
    const v = (e as unknown as Record<string, unknown>)[monitor];
    if (typeof v !== 'number' || !Number.isFinite(v)) continue;
    if (!best || (lower ? v < best.value : v > best.value)) best = { epoch: e.epoch, value: v };
  }
  return best;
}

export class TrainingView {
  readonly element: HTMLElement;
  private readonly status: HTMLElement;
  private readonly charts: HTMLElement;
  private lossCard: ChartCard | undefined;
  private metricCard: ChartCard | undefined;
  private epochs: EpochLogs[] = [];
  private summary: RunSummary;
  private bestEpoch: number | null = null;
  private stoppedAt: number | null = null;
  private live = false;

  constructor(
    private readonly host: ChartHost,
    summary: RunSummary,
  ) {
    this.summary = summary;
    this.status = h('div', { class: 'training-status', role: 'status', 'aria-live': 'polite' });
    this.charts = h('div', { class: 'grid' });
    this.element = h('section', { class: 'training', 'aria-label': 'Training curves' }, this.status, this.charts);
  }

  /** Number of epochs drawn. */
  get epochCount(): number {
    return this.epochs.length;
  }

  get marks(): { bestEpoch: number | null; stoppedAt: number | null } {
    return { bestEpoch: this.bestEpoch, stoppedAt: this.stoppedAt };
  }

  /** Draws everything from scratch (a snapshot). */
  show(summary: RunSummary, epochs: EpochLogs[], bestEpoch: number | null, stoppedAt: number | null, live: boolean): void {
    this.summary = summary;
    this.epochs = [...epochs];
    this.bestEpoch = bestEpoch;
    this.stoppedAt = stoppedAt;
    this.live = live;
    this.lossCard?.dispose();
    this.metricCard?.dispose();
    this.lossCard = this.metricCard = undefined;
    replaceChildren(this.charts);
    if (this.epochs.length > 0 || live) this.buildCharts();
    this.renderStatus();
  }

  /** Appends one live epoch (a repeated or older epoch replaces the one it names). */
  append(logs: EpochLogs): void {
    const existing = this.epochs.findIndex((e) => e.epoch === logs.epoch);
    if (existing >= 0) {
      this.epochs[existing] = logs;
      this.rebuildCharts();
      return;
    }
    if (this.epochs.length > 0 && logs.epoch < this.epochs[this.epochs.length - 1].epoch) {
      this.epochs.push(logs);
      this.epochs.sort((a, b) => a.epoch - b.epoch);
      this.rebuildCharts();
      return;
    }
    this.epochs.push(logs);
    if (!this.lossCard) {
      this.buildCharts();
    } else {
      for (const card of [this.lossCard, this.metricCard]) {
        if (!card) continue;
        for (const ds of card.chart.data.datasets) {
          const key = (ds as { logKey?: LogKey }).logKey;
          const v = key ? logs[key] : undefined;
          if (key && typeof v === 'number') (ds.data as Array<{ x: number; y: number }>).push({ x: logs.epoch, y: v });
        }
        const plugins = card.chart.options.plugins;
        if (plugins) plugins.mlloopMarkers = { lines: this.markers(card === this.lossCard ? 'loss' : 'metric') };
        // The x axis grows ahead of the curve while training (see xMax).
        const x = card.chart.options.scales?.x as { max?: number } | undefined;
        if (x) x.max = this.xMax();
        card.refresh();
      }
      // The accuracy chart appears with the first epoch that reports it.
      if (!this.metricCard && this.metricKeys().length > 0) this.rebuildCharts();
    }
    this.renderStatus();
  }

  /** Training ended: the stored epochs, best epoch and early-stop point replace the live ones. */
  finish(summary: RunSummary, epochs: EpochLogs[], bestEpoch: number | null, stoppedAt: number | null): void {
    this.show(summary, epochs.length > 0 ? epochs : this.epochs, bestEpoch, stoppedAt, false);
  }

  private rebuildCharts(): void {
    this.lossCard?.dispose();
    this.metricCard?.dispose();
    this.lossCard = this.metricCard = undefined;
    replaceChildren(this.charts);
    this.buildCharts();
  }

  private metricKeys(): LogKey[] {
    const base: LogKey = this.summary.task === 'regression' ? 'mae' : 'accuracy';
    const keys: LogKey[] = [base, `val_${base}` as LogKey];
    return keys.filter((k) => this.epochs.some((e) => typeof e[k] === 'number'));
  }

  private markers(which: 'loss' | 'metric'): MarkerLine[] {
    const theme = chartTheme();
    const lines: MarkerLine[] = [];
    if (this.bestEpoch !== null) {
      lines.push({ x: this.bestEpoch, label: `best epoch ${this.bestEpoch}`, color: theme.good, dash: [2, 3] });
    } else if (this.live && which === 'loss') {
      const monitor = this.summary.earlyStopping?.monitor ?? 'val_loss';
      const best = bestEpochSoFar(this.epochs, monitor);
      if (best && this.epochs.length > 1) lines.push({ x: best.epoch, label: `best so far ${best.epoch}`, color: theme.muted, dash: [2, 3] });
    }
    if (this.stoppedAt !== null) lines.push({ x: this.stoppedAt, label: `early stop ${this.stoppedAt}`, color: theme.bad, dash: [6, 3] });
    return lines;
  }

  private xMax(): number | undefined {
    // While training, leave room up to the configured epochs only when that is near (else the curve would be a sliver).
    const last = this.epochs[this.epochs.length - 1]?.epoch ?? 1;
    if (!this.live) return undefined;
    const cap = this.summary.configuredEpochs ?? last;
    return Math.min(cap, Math.max(last + 5, Math.ceil(last * 1.25)));
  }

  private buildCharts(): void {
    const task = this.summary.task;
    const id = this.summary.id;
    const lossName = task === 'regression' ? 'mean squared error' : 'cross-entropy';
    const series = (theme: ChartTheme, key: LogKey, label: string, color: string, dashed: boolean) => ({
      label,
      logKey: key,
      data: this.epochs.filter((e) => typeof e[key] === 'number').map((e) => ({ x: e.epoch, y: e[key] as number })),
      borderColor: color,
      backgroundColor: withAlpha(color, 0.15),
      borderWidth: theme.lineWidth,
      borderDash: dashed ? [6, 4] : [],
      pointRadius: this.epochs.length > 60 ? 0 : 2,
      pointHoverRadius: 4,
      tension: 0,
    });
    const xAxis = (theme: ChartTheme) => ({
      type: 'linear' as const,
      title: { display: true, text: 'Epoch', color: theme.muted },
      min: 1,
      ...(this.xMax() !== undefined ? { max: this.xMax() } : {}),
      ticks: { precision: 0 },
      grid: { color: theme.grid },
    });
    this.lossCard = new ChartCard(
      {
        title: 'Loss per epoch',
        description: `Training loss (mean over the epoch's batches) and validation loss (${lossName}).`,
        fileName: `run-${id}-loss`,
        build: (theme) => {
          return {
            type: 'line',
            data: {
              datasets: [series(theme, 'loss', 'loss', theme.series[0], false), series(theme, 'val_loss', 'val_loss', theme.series[1], true)].filter((d) => d.data.length > 0 || d.logKey === 'loss'),
            },
            options: {
              parsing: false,
              normalized: true,
              interaction: { mode: 'nearest', axis: 'x', intersect: false },
              scales: { x: xAxis(theme), y: { type: 'linear', title: { display: true, text: 'Loss', color: theme.muted }, grid: { color: theme.grid } } },
              plugins: {
                legend: { position: 'bottom' },
                tooltip: exactXYTooltip('epoch', ''),
                mlloopMarkers: { lines: this.markers('loss') },
              },
            },
          };
        },
        summary: () => this.lossSummary(),
        csv: () => this.csv(['loss', 'val_loss']),
      },
      this.host,
    );
    this.charts.append(this.lossCard.element);
    const metricKeys = this.metricKeys();
    if (metricKeys.length === 0) return;
    const metricName = task === 'regression' ? 'Mean absolute error' : 'Accuracy';
    this.metricCard = new ChartCard(
      {
        title: `${metricName} per epoch`,
        description: task === 'regression' ? 'On the training batches and the validation rows.' : 'Share of rows classified correctly, training batches and validation rows.',
        fileName: `run-${id}-${metricKeys[0]}`,
        build: (theme) => ({
          type: 'line',
          data: { datasets: metricKeys.map((k, i) => series(theme, k, k, theme.series[i === 0 ? 2 : 3], i === 1)) },
          options: {
            parsing: false,
            normalized: true,
            interaction: { mode: 'nearest', axis: 'x', intersect: false },
            scales: {
              x: xAxis(theme),
              y: { type: 'linear', title: { display: true, text: metricName, color: theme.muted }, grid: { color: theme.grid }, ...(task === 'regression' ? { beginAtZero: true } : { suggestedMax: 1 }) },
            },
            plugins: { legend: { position: 'bottom' }, tooltip: exactXYTooltip('epoch', ''), mlloopMarkers: { lines: this.markers('metric') } },
          },
        }),
        summary: () => {
          const last = this.epochs[this.epochs.length - 1];
          return `${metricName} per epoch over ${this.epochs.length} epochs; last epoch ${metricKeys.map((k) => `${k} ${formatMetric(last?.[k] as number)}`).join(', ')}.`;
        },
        csv: () => this.csv(metricKeys),
      },
      this.host,
    );
    this.charts.append(this.metricCard.element);
  }

  private lossSummary(): string {
    const n = this.epochs.length;
    if (n === 0) return 'Loss per epoch: no epoch has finished yet.';
    const last = this.epochs[n - 1];
    const parts = [`Loss per epoch over ${n} epoch${n === 1 ? '' : 's'}; last epoch ${last.epoch}: loss ${formatMetric(last.loss)}`];
    if (typeof last.val_loss === 'number') parts.push(`val_loss ${formatMetric(last.val_loss)}`);
    let text = parts.join(', ') + '.';
    if (this.bestEpoch !== null) text += ` Best epoch ${this.bestEpoch}.`;
    if (this.stoppedAt !== null) text += ` Early stopping ended training at epoch ${this.stoppedAt}.`;
    return text;
  }

  private csv(keys: LogKey[]): string {
    return toCsv(
      ['epoch', ...keys, 'duration_ms'],
      this.epochs.map((e) => [e.epoch, ...keys.map((k) => e[k] as number | undefined), e.durationMs]),
    );
  }

  private renderStatus(): void {
    const s = this.summary;
    const n = this.epochs.length;
    const last = this.epochs[n - 1];
    const monitor = s.earlyStopping?.monitor ?? 'val_loss';
    const items: Array<HTMLElement | string> = [];
    if (s.status === 'running') {
      if (this.live) {
        items.push(h('span', { class: 'codicon codicon-loading codicon-modifier-spin', 'aria-hidden': 'true' }));
        items.push(
          n === 0
            ? 'Training: waiting for the first epoch…'
            : `Training: epoch ${last.epoch}${s.configuredEpochs !== null ? ` of at most ${s.configuredEpochs}` : ''}, ${formatDuration(last.durationMs)} per epoch.`,
        );
        const best = bestEpochSoFar(this.epochs, monitor);
        if (best && n > 1) items.push(h('span', { class: 'muted' }, ` Best so far: epoch ${best.epoch} (${monitor} ${formatMetric(best.value)}).`));
      } else {
        items.push('This run is training in another process (the CLI or another window); its curves appear when it ends.');
      }
    } else if (n === 0) {
      items.push(s.status === 'completed' ? 'No epochs were recorded for this run.' : `The run ${s.status} before its first epoch finished.`);
    } else {
      const parts = [`${n} epoch${n === 1 ? '' : 's'} run${s.configuredEpochs !== null ? ` of ${s.configuredEpochs} configured` : ''}.`];
      if (this.bestEpoch !== null) {
        const best = this.epochs.find((e) => e.epoch === this.bestEpoch) as unknown as Record<string, number> | undefined;
        const v = best?.[monitor];
        parts.push(`Best epoch ${this.bestEpoch} by ${monitor}${typeof v === 'number' ? ` (${formatMetric(v)})` : ''}.`);
      }
      if (this.stoppedAt !== null) parts.push(`Early stopping ended training at epoch ${this.stoppedAt} (patience ${s.earlyStopping?.patience ?? '?'}).`);
      else if (s.status !== 'completed') parts.push(`Training ended at epoch ${last.epoch} when the run ${s.status === 'cancelled' ? 'was cancelled' : s.status}.`);
      items.push(parts.join(' '));
    }
    replaceChildren(this.status, ...items);
    this.status.title = last ? `last epoch: ${Object.entries(last).map(([k, v]) => `${k} ${exact(v as number)}`).join(', ')}` : '';
  }

  dispose(): void {
    this.lossCard?.dispose();
    this.metricCard?.dispose();
  }
}
