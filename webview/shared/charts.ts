/**
 * Charts for every ML Loop panel: chart.js set up with the colours of the current VS Code
 * theme, tooltips that show exact values, "Save PNG" and "Copy CSV" on every chart, an
 * aria-label that summarises the data, and re-theming when the user switches themes.
 *
 * Usage: build a {@link ChartCard} with a `build(theme)` that returns the chart.js config
 * from the page's data (so a rebuild after a theme change draws the same data in the new
 * colours), `summary()` for screen readers and `csv()` for the data. For live data push to
 * `card.chart.data` and call `card.refresh()` (one `update('none')`, no animation, no full
 * redraw of the page).
 *
 * Two small plugins fill chart.js gaps: {@link markerLinesPlugin} (vertical/horizontal lines
 * with a label, e.g. best epoch, early stop, a no-skill baseline) and {@link errorBarsPlugin}
 * (± whiskers on bars, e.g. permutation-importance standard deviations).
 */
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  ScatterController,
  Tooltip,
  type ChartConfiguration,
  type ChartType,
  type Plugin,
  type TooltipItem,
} from 'chart.js';
import type { CommonToHost } from './protocol';
import { exact } from './format';
import { h, uniqueId } from './dom';

Chart.register(LineController, ScatterController, BarController, LineElement, PointElement, BarElement, LinearScale, CategoryScale, Legend, Tooltip, Filler);

// ---------------------------------------------------------------------------------------------
// Theme

/** Colours and fonts of the current VS Code theme, as chart.js wants them (CSS colour strings). */
export interface ChartTheme {
  kind: 'light' | 'dark' | 'high-contrast' | 'high-contrast-light';
  foreground: string;
  muted: string;
  background: string;
  grid: string;
  focus: string;
  /** Series colours in order: blue, orange, green, purple, red, yellow (VS Code's charts.* colours). */
  series: string[];
  /** Improvement / correct (green) and regression / error (red). */
  good: string;
  bad: string;
  /** The third accent for markers that are neither (yellow). */
  accent: string;
  fontFamily: string;
  fontSize: number;
  /** Line width for data lines: thicker in high-contrast themes. */
  lineWidth: number;
}

function cssVar(style: CSSStyleDeclaration, name: string, fallback: string): string {
  const v = style.getPropertyValue(name).trim();
  return v || fallback;
}

/** Reads the theme from the CSS variables VS Code sets on the page (see the file doc). */
export function readChartTheme(): ChartTheme {
  const style = getComputedStyle(document.documentElement);
  const body = document.body.classList;
  const kind: ChartTheme['kind'] = body.contains('vscode-high-contrast-light')
    ? 'high-contrast-light'
    : body.contains('vscode-high-contrast')
      ? 'high-contrast'
      : body.contains('vscode-light')
        ? 'light'
        : 'dark';
  const dark = kind === 'dark' || kind === 'high-contrast';
  const foreground = cssVar(style, '--vscode-charts-foreground', cssVar(style, '--vscode-foreground', dark ? '#cccccc' : '#333333'));
  const series = [
    cssVar(style, '--vscode-charts-blue', '#3794ff'),
    cssVar(style, '--vscode-charts-orange', '#d18616'),
    cssVar(style, '--vscode-charts-green', '#89d185'),
    cssVar(style, '--vscode-charts-purple', '#b180d7'),
    cssVar(style, '--vscode-charts-red', '#f14c4c'),
    cssVar(style, '--vscode-charts-yellow', '#cca700'),
  ];
  const highContrast = kind.startsWith('high-contrast');
  return {
    kind,
    foreground,
    muted: cssVar(style, '--vscode-descriptionForeground', foreground),
    background: cssVar(style, '--vscode-editor-background', dark ? '#1e1e1e' : '#ffffff'),
    grid: highContrast ? withAlpha(foreground, 0.45) : cssVar(style, '--vscode-charts-lines', withAlpha(foreground, 0.18)),
    focus: cssVar(style, '--vscode-focusBorder', series[0]),
    series,
    good: series[2],
    bad: series[4],
    accent: series[5],
    fontFamily: cssVar(style, '--vscode-font-family', 'system-ui, sans-serif'),
    fontSize: Number.parseFloat(cssVar(style, '--vscode-font-size', '13')) || 13,
    lineWidth: highContrast ? 3 : 2,
  };
}

/**
 * `color` with alpha `alpha` (0–1) as rgba(). Understands #rgb, #rgba, #rrggbb, #rrggbbaa and
 * rgb()/rgba(); anything else (a named colour) is returned unchanged.
 */
/**
 * The dashed y = x line from (from, from) to (to, to): chance on a ROC chart, perfect
 * calibration on a reliability diagram (both the unit square, the default), predicted =
 * actual on a regression scatter.
 */
export function diagonalDataset(theme: ChartTheme, label: string, from = 0, to = 1) {
  return {
    label,
    data: [
      { x: from, y: from },
      { x: to, y: to },
    ],
    showLine: true,
    borderColor: theme.muted,
    borderDash: [4, 4],
    borderWidth: 1,
    pointRadius: 0,
    pointHoverRadius: 0,
  };
}

export function withAlpha(color: string, alpha: number): string {
  const c = color.trim();
  let r: number, g: number, b: number, a = 1;
  const hex = /^#([0-9a-f]{3,8})$/i.exec(c);
  if (hex) {
    const s = hex[1];
    if (s.length === 3 || s.length === 4) {
      [r, g, b] = [0, 1, 2].map((i) => Number.parseInt(s[i] + s[i], 16));
      if (s.length === 4) a = Number.parseInt(s[3] + s[3], 16) / 255;
    } else if (s.length === 6 || s.length === 8) {
      [r, g, b] = [0, 2, 4].map((i) => Number.parseInt(s.slice(i, i + 2), 16));
      if (s.length === 8) a = Number.parseInt(s.slice(6, 8), 16) / 255;
    } else return c;
  } else {
    const rgb = /^rgba?\(\s*([\d.]+)[\s,]+([\d.]+)[\s,]+([\d.]+)(?:[\s,/]+([\d.]+%?))?\s*\)$/i.exec(c);
    if (!rgb) return c;
    [r, g, b] = [rgb[1], rgb[2], rgb[3]].map(Number);
    if (rgb[4]) a = rgb[4].endsWith('%') ? Number.parseFloat(rgb[4]) / 100 : Number(rgb[4]);
  }
  return `rgba(${r}, ${g}, ${b}, ${Math.round(a * alpha * 1000) / 1000})`;
}

/** Series colour i, cycling through the palette. */
export function seriesColor(theme: ChartTheme, i: number): string {
  return theme.series[((i % theme.series.length) + theme.series.length) % theme.series.length];
}

/** chart.js defaults that follow the theme (text colour, grid, font). Called before every (re)build. */
function applyDefaults(theme: ChartTheme): void {
  Chart.defaults.color = theme.foreground;
  Chart.defaults.borderColor = theme.grid;
  Chart.defaults.font.family = theme.fontFamily;
  Chart.defaults.font.size = Math.max(11, theme.fontSize - 1);
  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.plugins.legend.labels.boxWidth = 14;
  Chart.defaults.plugins.legend.labels.boxHeight = 2;
  Chart.defaults.plugins.tooltip.backgroundColor = theme.background;
  Chart.defaults.plugins.tooltip.titleColor = theme.foreground;
  Chart.defaults.plugins.tooltip.bodyColor = theme.foreground;
  Chart.defaults.plugins.tooltip.borderColor = theme.focus;
  Chart.defaults.plugins.tooltip.borderWidth = 1;
}

const liveCards = new Set<ChartCard>();
let themeObserver: MutationObserver | undefined;
let currentTheme: ChartTheme | undefined;
const themeListeners = new Set<(theme: ChartTheme) => void>();

/** The theme charts are drawn with now (read once, re-read when VS Code changes theme). */
export function chartTheme(): ChartTheme {
  currentTheme ??= readChartTheme();
  return currentTheme;
}

/**
 * Calls `listener` after every theme change (after the charts were rebuilt). Returns an
 * unsubscribe function. Pages use it for colours they draw outside chart.js.
 */
export function onThemeChange(listener: (theme: ChartTheme) => void): () => void {
  watchTheme();
  themeListeners.add(listener);
  return () => themeListeners.delete(listener);
}

/**
 * VS Code switches themes by changing the body's class (vscode-light / vscode-dark /
 * vscode-high-contrast…) and the CSS variables on <html style>: watch both, re-read, rebuild.
 */
function watchTheme(): void {
  if (themeObserver) return;
  let pending = false;
  themeObserver = new MutationObserver(() => {
    if (pending) return;
    pending = true;
    // Both attributes change in one theme switch: rebuild once, after both.
    requestAnimationFrame(() => {
      pending = false;
      const next = readChartTheme();
      if (currentTheme && JSON.stringify(next) === JSON.stringify(currentTheme)) return;
      currentTheme = next;
      for (const card of liveCards) card.rebuild();
      for (const l of themeListeners) l(next);
    });
  });
  themeObserver.observe(document.body, { attributes: true, attributeFilter: ['class'] });
  themeObserver.observe(document.documentElement, { attributes: true, attributeFilter: ['style', 'class'] });
}

// ---------------------------------------------------------------------------------------------
// Plugins

/** A reference line drawn across the plot: vertical at `x` or horizontal at `y`. */
export interface MarkerLine {
  x?: number;
  y?: number;
  label: string;
  color: string;
  dash?: number[];
  /** Where the label sits along the line: 'start' (top / left, default) or 'end'. */
  labelAt?: 'start' | 'end';
}

export interface MarkerLinesOptions {
  lines: MarkerLine[];
}

export interface ErrorBarsOptions {
  /** errors[datasetIndex][i] = half-width of the whisker on bar i (e.g. one standard deviation); absent = none. */
  errors: Array<ReadonlyArray<number> | undefined>;
  color?: string;
}

declare module 'chart.js' {
  interface PluginOptionsByType<TType extends ChartType> {
    mlloopMarkers?: MarkerLinesOptions;
    mlloopErrorBars?: ErrorBarsOptions;
  }
}

/** Draws {@link MarkerLine}s after the datasets, clipped to the plot area, each with a small label. */
export const markerLinesPlugin: Plugin<ChartType, MarkerLinesOptions> = {
  id: 'mlloopMarkers',
  afterDatasetsDraw(chart, _args, options) {
    const lines = options?.lines ?? [];
    if (lines.length === 0) return;
    const { ctx, chartArea: area } = chart;
    const xScale = chart.scales.x;
    const yScale = chart.scales.y;
    ctx.save();
    ctx.font = `${Chart.defaults.font.size ?? 12}px ${Chart.defaults.font.family ?? 'sans-serif'}`;
    let labelRow = 0;
    for (const line of lines) {
      ctx.strokeStyle = line.color;
      ctx.fillStyle = line.color;
      ctx.lineWidth = 1.5;
      ctx.setLineDash(line.dash ?? [5, 4]);
      ctx.beginPath();
      if (line.x !== undefined && xScale) {
        const px = xScale.getPixelForValue(line.x);
        if (px < area.left - 0.5 || px > area.right + 0.5) continue;
        ctx.moveTo(px, area.top);
        ctx.lineTo(px, area.bottom);
        ctx.stroke();
        ctx.setLineDash([]);
        // Labels of nearby vertical lines would overlap: stack them in rows.
        const textWidth = ctx.measureText(line.label).width;
        const leftSide = px + 4 + textWidth > area.right;
        ctx.textAlign = leftSide ? 'right' : 'left';
        ctx.textBaseline = 'top';
        const y = line.labelAt === 'end' ? area.bottom - 16 - labelRow * 14 : area.top + 2 + labelRow * 14;
        ctx.fillText(line.label, leftSide ? px - 4 : px + 4, y);
        labelRow++;
      } else if (line.y !== undefined && yScale) {
        const py = yScale.getPixelForValue(line.y);
        if (py < area.top - 0.5 || py > area.bottom + 0.5) continue;
        ctx.moveTo(area.left, py);
        ctx.lineTo(area.right, py);
        ctx.stroke();
        ctx.setLineDash([]);
        ctx.textAlign = line.labelAt === 'end' ? 'right' : 'left';
        ctx.textBaseline = 'bottom';
        ctx.fillText(line.label, line.labelAt === 'end' ? area.right - 4 : area.left + 4, py - 2);
      }
    }
    ctx.restore();
  },
};

/**
 * Draws ± whiskers with caps on the bars of the datasets that have errors (vertical or
 * horizontal bars, whichever `indexAxis` says). chart.js has no error bars of its own.
 */
export const errorBarsPlugin: Plugin<ChartType, ErrorBarsOptions> = {
  id: 'mlloopErrorBars',
  afterDatasetsDraw(chart, _args, options) {
    const all = options?.errors ?? [];
    if (all.length === 0) return;
    const horizontal = chart.options.indexAxis === 'y';
    const { ctx } = chart;
    ctx.save();
    ctx.strokeStyle = options?.color ?? Chart.defaults.color.toString();
    ctx.lineWidth = 1.5;
    all.forEach((errors, datasetIndex) => {
      if (!errors || !chart.isDatasetVisible(datasetIndex)) return;
      const meta = chart.getDatasetMeta(datasetIndex);
      const valueScale = horizontal ? chart.scales[meta.xAxisID ?? 'x'] : chart.scales[meta.yAxisID ?? 'y'];
      const data = chart.data.datasets[datasetIndex].data as Array<number | null>;
      meta.data.forEach((bar, i) => {
        const err = errors[i];
        const value = data[i];
        if (err === undefined || !Number.isFinite(err) || err <= 0 || typeof value !== 'number') return;
        const lo = valueScale.getPixelForValue(value - err);
        const hi = valueScale.getPixelForValue(value + err);
        const props = bar.getProps(['x', 'y', 'width', 'height'], true) as { x: number; y: number; width: number; height: number };
        const thickness = horizontal ? props.height : props.width;
        const cap = Math.max(3, Math.min(8, thickness * 0.3));
        ctx.beginPath();
        if (horizontal) {
          ctx.moveTo(lo, props.y);
          ctx.lineTo(hi, props.y);
          ctx.moveTo(lo, props.y - cap);
          ctx.lineTo(lo, props.y + cap);
          ctx.moveTo(hi, props.y - cap);
          ctx.lineTo(hi, props.y + cap);
        } else {
          ctx.moveTo(props.x, lo);
          ctx.lineTo(props.x, hi);
          ctx.moveTo(props.x - cap, lo);
          ctx.lineTo(props.x + cap, lo);
          ctx.moveTo(props.x - cap, hi);
          ctx.lineTo(props.x + cap, hi);
        }
        ctx.stroke();
      });
    });
    ctx.restore();
  },
};

Chart.register(markerLinesPlugin as Plugin, errorBarsPlugin as Plugin);

// ---------------------------------------------------------------------------------------------
// Tooltips

/**
 * Tooltip callbacks for x/y charts that print exact values: the title names the x value, each
 * line the series and its y. `extra(item)` may append a line (e.g. the threshold of a ROC point).
 */
export function exactXYTooltip(xName: string, yName: string, extra?: (item: TooltipItem<ChartType>) => string | undefined) {
  return {
    callbacks: {
      title: (items: TooltipItem<ChartType>[]) => (items.length ? `${xName} ${exact(items[0].parsed.x)}` : ''),
      label: (item: TooltipItem<ChartType>) => {
        const more = extra?.(item);
        return `${item.dataset.label ?? ''}: ${yName} ${exact(item.parsed.y)}${more ? ` (${more})` : ''}`;
      },
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Chart cards

/** What a page gives to draw one chart (see the file doc). */
export interface ChartSpec {
  /** Heading above the chart. */
  title: string;
  /** One line under the heading (what is drawn, on which rows). */
  description?: string;
  /** File name of "Save PNG", without extension, e.g. "run-3-loss". */
  fileName: string;
  /** CSS height of the plot area in px. Default 260. */
  height?: number;
  /** The chart.js configuration from the page's current data, in the theme's colours. */
  build: (theme: ChartTheme) => ChartConfiguration;
  /** One or two sentences for screen readers: what the chart shows and its key values. */
  summary: () => string;
  /** The chart's data as CSV (see toCsv in ./format). */
  csv: () => string;
}

/** Anything that forwards page messages to the host (a HostChannel). */
export interface ChartHost {
  post(m: CommonToHost): void;
}

/**
 * One chart in a `<figure>`: heading, toolbar (Save PNG, Copy CSV), and a canvas with
 * role="img" and an aria-label from `summary()`.
 */
export class ChartCard {
  readonly element: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private instance: Chart | undefined;
  private disposed = false;

  constructor(
    private readonly spec: ChartSpec,
    private readonly host: ChartHost,
  ) {
    const titleId = uniqueId('chart-title');
    this.canvas = h('canvas', { role: 'img' });
    const plot = h('div', { class: 'chart-plot' }, this.canvas);
    plot.style.height = `${spec.height ?? 260}px`;
    this.element = h(
      'figure',
      { class: 'chart-card', 'aria-labelledby': titleId },
      h(
        'div',
        { class: 'chart-head' },
        h('h3', { id: titleId, class: 'chart-title' }, spec.title),
        h(
          'div',
          { class: 'chart-actions', role: 'toolbar', 'aria-label': `${spec.title}: actions` },
          actionButton('Save PNG', 'file-media', `Save "${spec.title}" as a PNG image`, () => this.savePng()),
          actionButton('Copy CSV', 'copy', `Copy the data of "${spec.title}" as CSV`, () => this.copyCsv()),
        ),
      ),
      spec.description ? h('p', { class: 'chart-description' }, spec.description) : null,
      plot,
    );
    liveCards.add(this);
    watchTheme();
    this.rebuild();
  }

  /** The chart.js instance (push live points into `chart.data`, then call refresh()). */
  get chart(): Chart {
    if (!this.instance) throw new Error('chart is disposed');
    return this.instance;
  }

  /** Redraws after the data changed in place: `update('none')` and a fresh aria-label. */
  refresh(): void {
    if (!this.instance) return;
    this.instance.update('none');
    this.canvas.setAttribute('aria-label', this.spec.summary());
  }

  /** Builds the chart again from `spec.build` with the current theme (theme change, new structure). */
  rebuild(): void {
    if (this.disposed) return;
    const theme = chartTheme();
    applyDefaults(theme);
    this.instance?.destroy();
    this.instance = new Chart(this.canvas, this.spec.build(theme));
    this.canvas.setAttribute('aria-label', this.spec.summary());
  }

  /** The chart on the theme's background as a PNG data: URL (the canvas itself is transparent). */
  toPngDataUrl(): string {
    const src = this.canvas;
    const out = document.createElement('canvas');
    out.width = src.width;
    out.height = src.height;
    const ctx = out.getContext('2d');
    if (!ctx) return src.toDataURL('image/png');
    ctx.fillStyle = chartTheme().background;
    ctx.fillRect(0, 0, out.width, out.height);
    ctx.drawImage(src, 0, 0);
    return out.toDataURL('image/png');
  }

  savePng(): void {
    this.host.post({ type: 'webview/savePng', suggestedName: `${this.spec.fileName}.png`, dataUrl: this.toPngDataUrl() });
  }

  copyCsv(): void {
    this.host.post({ type: 'webview/copyText', text: this.spec.csv(), what: `the data of "${this.spec.title}" (CSV)` });
  }

  dispose(): void {
    this.disposed = true;
    liveCards.delete(this);
    this.instance?.destroy();
    this.instance = undefined;
  }
}

/** A small toolbar button (vscode-button, secondary) with a codicon and a visible label. */
export function actionButton(label: string, icon: string, ariaLabel: string, onClick: () => void): HTMLElement {
  return h('vscode-button', { secondary: true, icon, 'aria-label': ariaLabel, title: ariaLabel, on: { click: onClick } }, label);
}

/** Disposes every card inside `root` (before the page replaces that part of the DOM). */
export function disposeChartsIn(root: Element): void {
  for (const card of [...liveCards]) if (root.contains(card.element)) card.dispose();
}
