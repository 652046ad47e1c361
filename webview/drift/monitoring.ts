/**
 * The monitoring half of the Drift & Alerts page: what the newest run measured (dataset drift,
 * per-feature tests with their level), a chosen feature's reference vs current histogram and
 * its drift over time, the prediction and confidence distributions, and live metrics against
 * the champion's test interval. Draws a MonitoringView (see protocol.ts); every number missing
 * is shown as missing ("not enough data"), never as "no drift".
 */
import { ChartCard, type ChartHost, type ChartTheme, withAlpha } from '../shared/charts';
import { h } from '../shared/dom';
import { exact, formatMetric, formatPercent, formatTimestamp, toCsv } from '../shared/format';
import { icon, svg } from '../dashboard/dom';
import { plural, relativeTime } from '../dashboard/format';
import type { ColumnView, DriftLevelView, HealthView, HistogramView, LiveMetricView, MonitoringView } from './protocol';

/** What the monitoring sections need from the page. */
export interface MonitoringTools {
  host: ChartHost;
  /** Called when the user picks another feature. */
  selectFeature: (name: string) => void;
  /** Every chart card built (the page disposes them before the next render, and reports them). */
  cards: Array<{ card: ChartCard; title: string; points: number }>;
}

const LEVEL_TEXT: Record<DriftLevelView, string> = { none: 'no drift', warning: 'warning', critical: 'critical', not_enough_data: 'not enough data' };
const LEVEL_ICONS: Record<DriftLevelView, string> = { none: 'pass', warning: 'warning', critical: 'error', not_enough_data: 'circle-slash' };

/** A level as a badge: icon and words (never colour alone). */
export function levelBadge(level: DriftLevelView): HTMLElement {
  return h('span', { class: `level level-${level}` }, icon(LEVEL_ICONS[level]), LEVEL_TEXT[level]);
}

const pText = (p: number | null) => (p === null ? 'n/a' : p < 1e-4 ? p.toExponential(1) : formatMetric(p));
const num = (v: number | null) => (v === null ? 'n/a' : formatMetric(v));

function addCard(tools: MonitoringTools, card: ChartCard, title: string, points: number): HTMLElement {
  tools.cards.push({ card, title, points });
  return card.element;
}

/** The effect size that decides a column's band: PSI when it has one, else its distance. */
function effectOf(c: { psi: number | null; distance: number | null }): number | null {
  return c.psi ?? c.distance;
}

// ------------------------------------------------------------------------------ summary

export function summaryStrip(m: MonitoringView, health: HealthView | null, activeAlerts: number): HTMLElement {
  const d = m.dataset;
  const tile = (label: string, value: HTMLElement | string, detail: string, cls = '') => h('div', { class: `tile ${cls}` }, h('div', { class: 'tile-label' }, label), h('div', { class: 'tile-value' }, value), h('div', { class: 'tile-detail muted small' }, detail));
  const share = d.share === null ? 'not enough data' : formatPercent(d.share, 0);
  return h(
    'div',
    { class: 'tiles', role: 'group', 'aria-label': 'Newest monitoring run' },
    tile(
      'Dataset drift',
      h('span', {}, share, ' ', levelBadge(d.drift)),
      d.tested ? `${d.drifting} of ${plural(d.tested, 'tested feature')} drift${d.threshold !== null ? `; the dataset drifts at ${formatPercent(d.threshold, 0)}` : ''}` : 'no feature had enough data to test',
      `tile-${d.drift}`,
    ),
    tile('Current window', m.current.n ? plural(m.current.n, 'prediction') : 'no predictions', m.current.from && m.current.to ? `${formatTimestamp(m.current.from)} – ${formatTimestamp(m.current.to)}` : 'no predictions logged in the window yet'),
    tile('Reference', plural(m.reference.n, 'row'), m.reference.kind === 'training' ? "the serving model's training rows" : m.reference.kind ? `${m.reference.kind} window` : ''),
    tile('Predictions', h('span', {}, levelBadge(m.prediction.drift)), `${plural(m.prediction.n, 'prediction')} by ${m.model ?? 'the model'}`, `tile-${m.prediction.drift}`),
    health
      ? tile(
          'Health',
          h('span', { class: `level level-${health.status === 'ok' ? 'none' : health.status}` }, icon(health.status === 'ok' ? 'pass' : health.status === 'warning' ? 'warning' : 'error'), health.status),
          `${plural(activeAlerts, 'unacknowledged alert')}; the checks are at the end`,
          `tile-${health.status}`,
        )
      : null,
  );
}

// ------------------------------------------------------------------------------ features

export function featureTable(m: MonitoringView, selected: string | null, tools: MonitoringTools): HTMLElement {
  const head = ['Feature', 'Type', 'Test', 'Statistic', 'p (Holm)', 'PSI', 'Distance', 'Drift'];
  const rows = m.features.map((f) =>
    h(
      'tr',
      {
        class: `feature-row${f.name === selected ? ' selected' : ''}`,
        'data-feature': f.name,
        'aria-selected': f.name === selected ? 'true' : 'false',
        tabindex: 0,
        on: {
          click: () => tools.selectFeature(f.name),
          keydown: (e: Event) => {
            const k = (e as KeyboardEvent).key;
            if (k === 'Enter' || k === ' ') {
              e.preventDefault();
              tools.selectFeature(f.name);
            }
          },
        },
      },
      h('th', { scope: 'row' }, f.name),
      h('td', {}, f.type),
      h('td', {}, f.test || 'n/a'),
      h('td', { class: 'num', title: exact(f.statistic) }, num(f.statistic)),
      h('td', { class: 'num', title: `p ${exact(f.pValue)}` }, pText(f.adjustedP ?? f.pValue)),
      h('td', { class: 'num' }, num(f.psi)),
      h('td', { class: 'num', title: f.distanceName }, num(f.distance)),
      h('td', {}, levelBadge(f.drift)),
    ),
  );
  return h(
    'section',
    { class: 'card-section', 'aria-labelledby': 'h-features' },
    h('h2', { id: 'h-features' }, 'Feature drift'),
    h('p', { class: 'muted small' }, `Each input of the newest window against the reference. A feature drifts only when its test is significant after Holm's correction for ${plural(m.features.length, 'feature')} and its effect (PSI, or the distance: normalised Wasserstein for numbers, Jensen–Shannon otherwise) clears its floor. Select a row for its histogram and history.`),
    h('div', { class: 'table-wrap' }, h('table', { class: 'data-table features' }, h('thead', {}, h('tr', {}, ...head.map((c) => h('th', { scope: 'col' }, c)))), h('tbody', {}, ...rows))),
  );
}

function histogramChart(title: string, description: string, fileName: string, hist: HistogramView, tools: MonitoringTools): HTMLElement {
  const build = (theme: ChartTheme) => ({
    type: 'bar' as const,
    data: {
      labels: hist.labels,
      datasets: [
        { label: 'reference', data: hist.reference.map((v) => v * 100), backgroundColor: withAlpha(theme.series[0], 0.75), borderColor: theme.series[0], borderWidth: 1 },
        { label: 'current', data: hist.current.map((v) => v * 100), backgroundColor: withAlpha(theme.series[1], 0.75), borderColor: theme.series[1], borderWidth: 1 },
      ],
    },
    options: {
      scales: {
        x: { ticks: { color: theme.foreground, autoSkip: false, maxRotation: 45 }, grid: { display: false } },
        y: { beginAtZero: true, title: { display: true, text: 'share of rows (%)', color: theme.muted }, ticks: { color: theme.foreground }, grid: { color: theme.grid } },
      },
      plugins: {
        legend: { position: 'bottom' as const },
        tooltip: {
          callbacks: {
            label: (item: { datasetIndex: number; dataIndex: number; dataset: { label?: string } }) => {
              const counts = item.datasetIndex === 0 ? hist.counts.reference : hist.counts.current;
              const share = item.datasetIndex === 0 ? hist.reference : hist.current;
              return `${item.dataset.label}: ${formatPercent(share[item.dataIndex], 1)} (${counts[item.dataIndex]} rows)`;
            },
          },
        },
      },
    },
  });
  const card = new ChartCard(
    {
      title,
      description,
      fileName,
      height: 240,
      build: build as never,
      summary: () => `${title}: ${hist.labels.length} bins; ${hist.labels.map((l, i) => `${l} reference ${formatPercent(hist.reference[i], 0)}, current ${formatPercent(hist.current[i], 0)}`).join('; ')}.`,
      csv: () => toCsv(['bin', 'reference_share', 'current_share', 'reference_count', 'current_count'], hist.labels.map((l, i) => [l, hist.reference[i], hist.current[i], hist.counts.reference[i], hist.counts.current[i]])),
    },
    tools.host,
  );
  const points = hist.counts.reference.reduce((a, b) => a + b, 0) + hist.counts.current.reduce((a, b) => a + b, 0) > 0 ? hist.labels.length : 0;
  return addCard(tools, card, title, points);
}

function historyChart(m: MonitoringView, feature: ColumnView, tools: MonitoringTools): HTMLElement {
  const points = m.history[feature.name] ?? [];
  const effectName = feature.psi !== null ? 'PSI' : feature.distanceName === 'Jensen–Shannon' ? 'Jensen–Shannon distance' : 'normalised Wasserstein';
  const labels = points.map((p) => formatTimestamp(p.at));
  const title = `${feature.name}: drift over time`;
  const build = (theme: ChartTheme) => ({
    type: 'line' as const,
    data: {
      labels,
      datasets: [
        { label: `statistic (${feature.test || 'test'})`, data: points.map((p) => p.statistic), borderColor: theme.series[0], backgroundColor: theme.series[0], borderWidth: theme.lineWidth, pointRadius: 4, yAxisID: 'y', spanGaps: true },
        { label: `effect size (${effectName})`, data: points.map((p) => effectOf(p)), borderColor: theme.series[1], backgroundColor: theme.series[1], borderWidth: theme.lineWidth, borderDash: [6, 3], pointRadius: 4, pointStyle: 'rectRot', yAxisID: 'y1', spanGaps: true },
      ],
    },
    options: {
      interaction: { mode: 'index' as const, intersect: false },
      scales: {
        x: { ticks: { color: theme.foreground, maxRotation: 0, autoSkip: true }, grid: { display: false } },
        y: { beginAtZero: true, position: 'left' as const, title: { display: true, text: 'statistic', color: theme.muted }, ticks: { color: theme.foreground }, grid: { color: theme.grid } },
        y1: { beginAtZero: true, position: 'right' as const, title: { display: true, text: effectName, color: theme.muted }, ticks: { color: theme.foreground }, grid: { display: false } },
      },
      plugins: {
        legend: { position: 'bottom' as const },
        tooltip: { callbacks: { afterBody: (items: Array<{ dataIndex: number }>) => (items[0] ? `drift: ${LEVEL_TEXT[points[items[0].dataIndex].drift]}` : '') } },
      },
    },
  });
  const card = new ChartCard(
    {
      title,
      description: points.length > 1 ? `The test statistic and the effect size of ${feature.name} in each of the last ${plural(points.length, 'monitoring run')}.` : 'One monitoring run so far: a trend appears as the monitor runs again (every mlloop.monitor.interval minutes, or Run Monitor Now).',
      fileName: `drift-${feature.name}-history`,
      height: 220,
      build: build as never,
      summary: () => `${title}: ${points.map((p) => `${formatTimestamp(p.at)} statistic ${num(p.statistic)}, ${effectName} ${num(effectOf(p))}, ${LEVEL_TEXT[p.drift]}`).join('; ')}.`,
      csv: () => toCsv(['at', 'statistic', 'psi', 'distance', 'drift'], points.map((p) => [p.at, p.statistic, p.psi, p.distance, p.drift])),
    },
    tools.host,
  );
  return addCard(tools, card, title, points.filter((p) => p.statistic !== null || effectOf(p) !== null).length);
}

export function featureDetail(m: MonitoringView, selected: string | null, tools: MonitoringTools): HTMLElement | null {
  const feature = m.features.find((f) => f.name === selected) ?? null;
  if (!feature) return null;
  const picker = h(
    'vscode-single-select',
    {
      'data-control': 'feature-picker',
      'aria-label': 'Feature',
      on: { change: (e: Event) => tools.selectFeature((e.target as HTMLSelectElement).value) },
    },
    ...m.features.map((f) => h('vscode-option', { value: f.name, selected: f.name === feature.name, description: LEVEL_TEXT[f.drift] }, f.name)),
  );
  const histogram = feature.histogram
    ? histogramChart(
        `${feature.name}: reference vs current`,
        `Share of rows in each ${feature.type === 'numeric' ? 'bin (deciles of the reference)' : 'category'}: the reference (${plural(feature.n.reference, 'row')}) against the current window (${plural(feature.n.current, 'row')}).`,
        `drift-${feature.name}-histogram`,
        feature.histogram,
        tools,
      )
    : h('p', { class: 'notice muted' }, feature.drift === 'not_enough_data' ? `Not enough data: ${plural(feature.n.current, 'current value')} of ${feature.name} in the window.` : `No histogram is kept for ${feature.type} features (their drift is measured on hashed terms).`);
  return h(
    'section',
    { class: 'card-section feature-detail', 'aria-labelledby': 'h-feature' },
    h('div', { class: 'section-head' }, h('h2', { id: 'h-feature' }, 'Feature'), picker, levelBadge(feature.drift)),
    feature.drift === 'not_enough_data' ? h('p', { class: 'notice' }, icon('info'), ` Not enough data to test ${feature.name}: ${plural(feature.n.current, 'current value')} (monitoring.minRows sets how many a test needs). This is not "no drift".`) : null,
    h('div', { class: 'chart-grid' }, histogram, historyChart(m, feature, tools)),
  );
}

// ------------------------------------------------------------------------------ predictions

export function predictionSection(m: MonitoringView, tools: MonitoringTools): HTMLElement {
  const p = m.prediction;
  const names: Record<string, string> = { labels: 'Predicted labels', confidence: 'Confidence', values: 'Predicted values', actual_labels: 'Actual labels (outcomes)' };
  const body =
    p.n === 0
      ? h('p', { class: 'notice' }, icon('info'), ` No predictions logged yet by ${m.model ?? 'the serving model'} in the current window: prediction drift cannot be measured.`)
      : h(
          'div',
          { class: 'chart-grid' },
          ...p.tests.map((t) =>
            t.histogram
              ? h('div', {}, histogramChart(`${names[t.name] ?? t.name}: reference vs current`, `${LEVEL_TEXT[t.drift]} · ${t.test} statistic ${num(t.statistic)}, p ${pText(t.adjustedP ?? t.pValue)}${effectOf(t) !== null ? `, effect ${num(effectOf(t))}` : ''}`, `drift-prediction-${t.name}`, t.histogram, tools))
              : h('p', { class: 'notice muted' }, `${names[t.name] ?? t.name}: ${LEVEL_TEXT[t.drift]} (no histogram kept).`),
          ),
        );
  return h('section', { class: 'card-section', 'aria-labelledby': 'h-predictions' }, h('div', { class: 'section-head' }, h('h2', { id: 'h-predictions' }, 'Predictions'), levelBadge(p.drift)), body);
}

// ------------------------------------------------------------------------------ live performance

/** Live value with its interval against the champion's test interval, on one axis. */
function intervalBar(metric: LiveMetricView): SVGElement | null {
  const c = metric.champion;
  const values = [metric.value, metric.lower, metric.upper, c?.value ?? null, c?.lower ?? null, c?.upper ?? null, metric.floor].filter((v): v is number => v !== null && Number.isFinite(v));
  if (values.length === 0 || metric.value === null) return null;
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  const pad = (hi - lo) * 0.1 || Math.abs(hi) * 0.05 || 0.05;
  lo -= pad;
  hi += pad;
  const x = (v: number) => (((v - lo) / (hi - lo)) * 100).toFixed(2);
  const parts: SVGElement[] = [svg('rect', { class: 'axis', x: 0, y: 9, width: 100, height: 0.6 })];
  if (c && c.lower !== null && c.upper !== null) parts.push(svg('rect', { class: 'champion-band', x: x(c.lower), y: 3, width: Math.max(0.6, Number(x(c.upper)) - Number(x(c.lower))).toFixed(2), height: 12, rx: 1 }));
  if (c) parts.push(svg('rect', { class: 'champion-mark', x: (Number(x(c.value)) - 0.4).toFixed(2), y: 1, width: 0.8, height: 16 }));
  if (metric.floor !== null) parts.push(svg('rect', { class: 'floor-mark', x: (Number(x(metric.floor)) - 0.3).toFixed(2), y: 0, width: 0.6, height: 18 }));
  if (metric.lower !== null && metric.upper !== null) parts.push(svg('rect', { class: `live-whisker live-${metric.status}`, x: x(metric.lower), y: 8.4, width: Math.max(0.4, Number(x(metric.upper)) - Number(x(metric.lower))).toFixed(2), height: 1.8 }));
  parts.push(svg('rect', { class: `live-mark live-${metric.status}`, x: (Number(x(metric.value)) - 1).toFixed(2), y: 5.5, width: 2, height: 7, rx: 0.5 }));
  const label = `live ${metric.name} ${exact(metric.value)}${metric.lower !== null ? ` [${exact(metric.lower)}, ${exact(metric.upper)}]` : ''}${c ? `; champion ${exact(c.value)}${c.lower !== null ? ` [${exact(c.lower)}, ${exact(c.upper)}]` : ''}` : ''}${metric.floor !== null ? `; floor ${exact(metric.floor)}` : ''}`;
  return svg('svg', { class: 'interval-bar', viewBox: '0 0 100 18', preserveAspectRatio: 'none', role: 'img', 'aria-label': label }, ...parts);
}

export function performanceSection(m: MonitoringView): HTMLElement {
  const perf = m.performance;
  const interval = (v: number | null, lo: number | null, hi: number | null) => (v === null ? 'n/a' : `${formatMetric(v)}${lo !== null && hi !== null ? ` [${formatMetric(lo)}, ${formatMetric(hi)}]` : ''}`);
  const statusText = (s: LiveMetricView['status']) => (s === 'not_enough_data' ? 'not enough data' : s);
  const rows = perf.metrics.map((x) =>
    h(
      'tr',
      {},
      h('th', { scope: 'row' }, x.name),
      h('td', { class: 'num' }, interval(x.value, x.lower, x.upper)),
      h('td', { class: 'num' }, x.champion ? interval(x.champion.value, x.champion.lower, x.champion.upper) : 'n/a'),
      h('td', { class: 'num' }, x.floor === null ? '—' : `${x.direction === 'lower' ? '≤' : '≥'} ${formatMetric(x.floor)}`),
      h('td', { class: 'bar-cell' }, intervalBar(x) ?? h('span', { class: 'muted small' }, '—')),
      h('td', { title: x.reason }, h('span', { class: `level level-${x.status === 'ok' ? 'none' : x.status}` }, icon(x.status === 'ok' ? 'pass' : LEVEL_ICONS[x.status === 'not_enough_data' ? 'not_enough_data' : x.status]), statusText(x.status))),
    ),
  );
  const lat = perf.latencyMs;
  const facts = [
    `Latency p50 / p95 / p99: ${lat.n ? `${num(lat.p50)} / ${num(lat.p95)} / ${num(lat.p99)} ms over ${plural(lat.n, 'prediction')}` : 'no latencies logged'}`,
    `Fallback rate (confidence under ${perf.fallback.threshold ?? 'the threshold'}): ${perf.fallback.rate === null ? 'no confidences logged' : formatPercent(perf.fallback.rate, 1)}`,
    `Suggestions accepted: ${perf.acceptance.share === null ? 'no feedback yet' : `${formatPercent(perf.acceptance.share, 1)} of ${perf.acceptance.judged}`}`,
  ];
  return h(
    'section',
    { class: 'card-section', 'aria-labelledby': 'h-performance' },
    h('h2', { id: 'h-performance' }, 'Live performance'),
    perf.labelled === 0
      ? h('p', { class: 'notice' }, icon('info'), ' No outcomes or feedback with labels have arrived for the window yet: live metrics need them (not enough data).')
      : h('p', { class: 'muted small' }, `On ${plural(perf.labelled, 'labelled prediction')} of the window, each with its interval; in the bar the shaded band is the champion's test interval, the tall mark its test value, the short one the live value.`),
    perf.metrics.length
      ? h(
          'div',
          { class: 'table-wrap' },
          h(
            'table',
            { class: 'data-table performance' },
            h('thead', {}, h('tr', {}, ...['Metric', 'Live [interval]', 'Champion test [interval]', 'Floor', 'Live vs champion', 'Status'].map((c) => h('th', { scope: 'col' }, c)))),
            h('tbody', {}, ...rows),
          ),
        )
      : null,
    h('ul', { class: 'facts' }, ...facts.map((f) => h('li', {}, f))),
  );
}

/** "checked 3 minutes ago" style line for the newest run. */
export function runLine(m: MonitoringView): string {
  return `Newest run ${relativeTime(m.at)} (${formatTimestamp(m.at)}) on ${m.model ?? 'the serving model'}; ${plural(m.runs, 'run')} kept for the charts.`;
}
