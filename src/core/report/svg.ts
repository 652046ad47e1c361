/**
 * A small inline-SVG chart kit for the run report: x/y charts (lines, steps, dots, reference
 * lines, vertical markers), horizontal bars with error bars, and histograms. Every chart is a
 * `<figure>` holding an accessible `<svg role="img">` (with `<title>` and aria-label) and an
 * HTML legend. Colours come from CSS classes (`c0`…`c9`, `ref`, `best`, `stop`) that the
 * report's stylesheet defines for light and dark themes, so the markup carries no colours.
 *
 * Pure: no node built-ins, no DOM, no scripts — the output is a string that renders in any
 * browser and in a webview whose CSP allows inline styles only.
 */

/** Number of categorical colours the stylesheet defines (`c0`…`c9`); series indices cycle. */
export const PALETTE_SIZE = 10;

/** Escapes text for HTML element content and for quoted attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (ch) => ESCAPES[ch]);
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** A value as JavaScript prints it (every significant digit), for tooltips; non-finite → 'n/a'. */
export function exact(v: number): string {
  return Number.isFinite(v) ? String(v) : 'n/a';
}

export interface ChartPoint {
  x: number;
  y: number;
  /** Tooltip text (plain text; escaped here). Points without a tip get no hover target. */
  tip?: string;
}

export interface ChartSeries {
  /** Legend text (plain text). */
  label: string;
  points: ChartPoint[];
  /** line: straight segments; step: steps-post (across, then up/down); dots: markers only. */
  shape: 'line' | 'step' | 'dots';
  /** Palette index (cycled over {@link PALETTE_SIZE}). */
  color: number;
  dashed?: boolean;
  /** Visible markers on a line/step. Default: when the series has at most 40 points. */
  markers?: boolean;
  /** Larger markers, for highlighted points (e.g. an operating point). */
  emphasis?: boolean;
}

export interface ChartAxis {
  label: string;
  /** Fixed [min, max]; otherwise the data range widened to round tick values. */
  domain?: [number, number];
  /** Integer ticks only (epochs). */
  integer?: boolean;
  /** Widen the computed domain to include 0. */
  includeZero?: boolean;
}

/**
 * Reference lines: the y = x diagonal (clipped to the plot), a horizontal line at y, or a
 * vertical marker at x ('best' / 'stop' tones, labelled at the top of the plot).
 */
export type ChartReference =
  | { kind: 'diagonal'; label: string }
  | { kind: 'horizontal'; y: number; label: string }
  | { kind: 'vertical'; x: number; label: string; tone: 'best' | 'stop' };

export interface XYChartSpec {
  /** Caption, <title> and aria-label. */
  title: string;
  x: ChartAxis;
  y: ChartAxis;
  series: ChartSeries[];
  references?: ChartReference[];
  /** Use one domain for both axes (predicted vs actual), so y = x is the 45° line. */
  sameScale?: boolean;
  /** SVG user units; the figure scales to its container. Defaults 520 × 340. */
  width?: number;
  height?: number;
}

interface Frame {
  sx: (x: number) => number;
  sy: (y: number) => number;
  left: number;
  top: number;
  right: number;
  bottom: number;
  xDomain: [number, number];
  yDomain: [number, number];
  svg: string[];
}

const MARGIN = { left: 62, right: 18, top: 18, bottom: 50 };
/** Above this many points a line's hover targets are thinned (the line itself keeps every point). */
const MAX_HOVER_TARGETS = 200;

/** Renders an x/y chart figure (see {@link XYChartSpec}). Non-finite points are skipped (lines break there). */
export function renderXYChart(spec: XYChartSpec): string {
  const width = spec.width ?? 520;
  const height = spec.height ?? 340;
  const xs: number[] = [];
  const ys: number[] = [];
  for (const s of spec.series) {
    for (const p of s.points) {
      if (Number.isFinite(p.x) && Number.isFinite(p.y)) {
        xs.push(p.x);
        ys.push(p.y);
      }
    }
  }
  for (const r of spec.references ?? []) {
    if (r.kind === 'horizontal') ys.push(r.y);
    if (r.kind === 'vertical') xs.push(r.x);
  }
  let xDomain = spec.x.domain ?? dataDomain(xs, spec.x);
  let yDomain = spec.y.domain ?? dataDomain(ys, spec.y);
  if (spec.sameScale) {
    const both = niceDomain(Math.min(xDomain[0], yDomain[0]), Math.max(xDomain[1], yDomain[1]), false);
    xDomain = both;
    yDomain = both;
  }
  const f = frame(spec.title, width, height, spec.x, spec.y, xDomain, yDomain);
  const out = f.svg;

  for (const r of spec.references ?? []) out.push(referenceLine(f, r, spec.references ?? []));
  for (const s of spec.series) out.push(seriesPath(f, s));
  out.push('</svg>');
  return figure(spec.title, out.join(''), legendItems(spec.series, spec.references ?? []));
}

export interface HorizontalBar {
  label: string;
  value: number;
  /** Half-width of the error bar (e.g. one standard deviation); omitted → no error bar. */
  error?: number;
  tip: string;
}

export interface HorizontalBarSpec {
  title: string;
  axisLabel: string;
  /** Drawn top to bottom in the given order. */
  bars: HorizontalBar[];
  legend?: string;
  width?: number;
}

/** Horizontal bars from 0 with ±error whiskers; long labels are shortened with the full text in a tooltip. */
export function renderHorizontalBars(spec: HorizontalBarSpec): string {
  const width = spec.width ?? 680;
  const rowHeight = 24;
  const maxLabel = 34;
  const longest = spec.bars.reduce((m, b) => Math.max(m, Math.min(maxLabel, b.label.length)), 4);
  const left = Math.min(250, Math.max(70, Math.round(longest * 7 + 16)));
  const height = MARGIN.top + rowHeight * Math.max(1, spec.bars.length) + MARGIN.bottom;
  const lows: number[] = [0];
  const highs: number[] = [0];
  for (const b of spec.bars) {
    const e = Number.isFinite(b.error) ? (b.error as number) : 0;
    if (Number.isFinite(b.value)) {
      lows.push(b.value - e);
      highs.push(b.value + e);
    }
  }
  const xDomain = niceDomain(Math.min(...lows), Math.max(...highs), false);
  const plotLeft = left;
  const plotRight = width - MARGIN.right;
  const sx = (x: number) => plotLeft + ((x - xDomain[0]) / (xDomain[1] - xDomain[0])) * (plotRight - plotLeft);
  const top = MARGIN.top;
  const bottom = height - MARGIN.bottom;
  const out: string[] = [svgOpen(spec.title, width, height)];
  for (const t of niceTicks(xDomain[0], xDomain[1], false)) {
    const x = sx(t.value);
    out.push(`<line class="grid" x1="${n(x)}" y1="${n(top)}" x2="${n(x)}" y2="${n(bottom)}"/>`);
    out.push(`<text class="tick" x="${n(x)}" y="${n(bottom + 16)}" text-anchor="middle">${escapeHtml(t.label)}</text>`);
  }
  out.push(`<line class="axis" x1="${n(plotLeft)}" y1="${n(bottom)}" x2="${n(plotRight)}" y2="${n(bottom)}"/>`);
  out.push(`<text class="axis-label" x="${n((plotLeft + plotRight) / 2)}" y="${n(height - 10)}" text-anchor="middle">${escapeHtml(spec.axisLabel)}</text>`);
  spec.bars.forEach((b, i) => {
    const yMid = top + rowHeight * i + rowHeight / 2;
    const shown = b.label.length > maxLabel ? `${b.label.slice(0, maxLabel - 1)}…` : b.label;
    out.push(`<g><title>${escapeHtml(b.tip)}</title>`);
    out.push(`<text class="tick" x="${n(left - 8)}" y="${n(yMid + 4)}" text-anchor="end">${escapeHtml(shown)}</text>`);
    if (Number.isFinite(b.value)) {
      const x0 = sx(0);
      const x1 = sx(b.value);
      out.push(`<rect class="bar c0" x="${n(Math.min(x0, x1))}" y="${n(yMid - 8)}" width="${n(Math.max(0.5, Math.abs(x1 - x0)))}" height="16"/>`);
      if (Number.isFinite(b.error) && (b.error as number) > 0) {
        const lo = sx(b.value - (b.error as number));
        const hi = sx(b.value + (b.error as number));
        out.push(`<path class="whisker" d="M${n(lo)} ${n(yMid)}H${n(hi)}M${n(lo)} ${n(yMid - 5)}V${n(yMid + 5)}M${n(hi)} ${n(yMid - 5)}V${n(yMid + 5)}"/>`);
      }
    }
    out.push('</g>');
  });
  out.push(`<line class="axis" x1="${n(sx(0))}" y1="${n(top)}" x2="${n(sx(0))}" y2="${n(bottom)}"/>`);
  out.push('</svg>');
  const legend = spec.legend ? `<ul class="legend"><li><span class="sw box c0"></span>${escapeHtml(spec.legend)}</li></ul>` : '';
  return figure(spec.title, out.join(''), legend, 'wide');
}

export interface HistogramBin {
  x0: number;
  x1: number;
  count: number;
  tip: string;
}

export interface HistogramSpec {
  title: string;
  x: ChartAxis;
  yLabel: string;
  bins: HistogramBin[];
  width?: number;
  height?: number;
}

/** Column chart of counts over [x0, x1) intervals (e.g. examples per calibration bin). */
export function renderHistogram(spec: HistogramSpec): string {
  const width = spec.width ?? 520;
  const height = spec.height ?? 190;
  const xDomain = spec.x.domain ?? dataDomain(spec.bins.flatMap((b) => [b.x0, b.x1]), spec.x);
  const yDomain = niceDomain(0, Math.max(1, ...spec.bins.map((b) => b.count)), true);
  const f = frame(spec.title, width, height, spec.x, { label: spec.yLabel, integer: true }, xDomain, yDomain);
  const out = f.svg;
  for (const b of spec.bins) {
    const x0 = f.sx(b.x0) + 1;
    const x1 = f.sx(b.x1) - 1;
    const y = f.sy(b.count);
    // A bin with a few examples among thousands still gets a visible sliver.
    const barHeight = b.count > 0 ? Math.max(2, f.bottom - y) : 0;
    out.push(`<rect class="bar c0" x="${n(x0)}" y="${n(f.bottom - barHeight)}" width="${n(Math.max(1, x1 - x0))}" height="${n(barHeight)}"><title>${escapeHtml(b.tip)}</title></rect>`);
  }
  out.push('</svg>');
  return figure(spec.title, out.join(''), '');
}

// ---------------------------------------------------------------------------------------------
// Axes, ticks, scales

interface Tick {
  value: number;
  label: string;
}

/** "Nice" step (1, 2 or 5 × 10^k) giving about `target` intervals over `span`. */
function niceStep(span: number, target: number, integer: boolean): number {
  const raw = span / target;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / magnitude;
  const step = (norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10) * magnitude;
  return integer ? Math.max(1, Math.round(step)) : step;
}

/** [min, max] widened outward to multiples of a nice step; a zero-width range is padded. */
export function niceDomain(min: number, max: number, integer: boolean): [number, number] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [0, 1];
  if (max - min < 1e-12 * Math.max(1, Math.abs(min), Math.abs(max))) {
    const pad = integer ? 1 : Math.abs(min) > 0 ? Math.abs(min) * 0.1 : 1;
    min -= pad;
    max += pad;
  }
  const step = niceStep(max - min, 5, integer);
  return [Math.floor(min / step + 1e-9) * step, Math.ceil(max / step - 1e-9) * step];
}

function dataDomain(values: number[], axis: ChartAxis): [number, number] {
  if (values.length === 0) return [0, 1];
  let min = Math.min(...values);
  let max = Math.max(...values);
  if (axis.includeZero) {
    min = Math.min(min, 0);
    max = Math.max(max, 0);
  }
  return niceDomain(min, max, axis.integer ?? false);
}

function niceTicks(min: number, max: number, integer: boolean): Tick[] {
  // The step that suits the span may not divide the ends of a domain that was widened with a
  // finer step ([-0.05, 0.3] → 0.1): then take the coarsest finer 1-2-5 step that does.
  const coarse = niceStep(max - min, 5, integer);
  const onGrid = (s: number) => Math.abs(min / s - Math.round(min / s)) < 1e-6 && Math.abs(max / s - Math.round(max / s)) < 1e-6;
  const finer = [coarse, coarse / 2, coarse / 2.5, coarse / 5, coarse / 10].filter((s) => !integer || Number.isInteger(s));
  const step = finer.find(onGrid) ?? coarse;
  let decimals = 0;
  while (decimals < 10 && Math.abs(step * 10 ** decimals - Math.round(step * 10 ** decimals)) > 1e-6) decimals++;
  const ticks: Tick[] = [];
  for (let i = Math.ceil(min / step - 1e-9); i * step <= max + step * 1e-9; i++) {
    const value = i * step;
    const big = Math.abs(value) >= 1e6;
    const label = big ? value.toExponential(1) : (Math.abs(value) < step * 1e-9 ? 0 : value).toFixed(decimals);
    ticks.push({ value, label });
  }
  return ticks;
}

/** Opens an SVG with its accessible name, and draws the grid, axes, tick labels and axis labels. */
function frame(title: string, width: number, height: number, xAxis: ChartAxis, yAxis: ChartAxis, xDomain: [number, number], yDomain: [number, number]): Frame {
  const left = MARGIN.left;
  const right = width - MARGIN.right;
  const top = MARGIN.top;
  const bottom = height - MARGIN.bottom;
  const sx = (x: number) => left + ((clamp(x, xDomain) - xDomain[0]) / (xDomain[1] - xDomain[0])) * (right - left);
  const sy = (y: number) => bottom - ((clamp(y, yDomain) - yDomain[0]) / (yDomain[1] - yDomain[0])) * (bottom - top);
  const svg: string[] = [svgOpen(title, width, height)];
  for (const t of niceTicks(xDomain[0], xDomain[1], xAxis.integer ?? false)) {
    const x = sx(t.value);
    svg.push(`<line class="grid" x1="${n(x)}" y1="${n(top)}" x2="${n(x)}" y2="${n(bottom)}"/>`);
    svg.push(`<line class="axis" x1="${n(x)}" y1="${n(bottom)}" x2="${n(x)}" y2="${n(bottom + 4)}"/>`);
    svg.push(`<text class="tick" x="${n(x)}" y="${n(bottom + 17)}" text-anchor="middle">${escapeHtml(t.label)}</text>`);
  }
  for (const t of niceTicks(yDomain[0], yDomain[1], yAxis.integer ?? false)) {
    const y = sy(t.value);
    svg.push(`<line class="grid" x1="${n(left)}" y1="${n(y)}" x2="${n(right)}" y2="${n(y)}"/>`);
    svg.push(`<line class="axis" x1="${n(left - 4)}" y1="${n(y)}" x2="${n(left)}" y2="${n(y)}"/>`);
    svg.push(`<text class="tick" x="${n(left - 7)}" y="${n(y + 4)}" text-anchor="end">${escapeHtml(t.label)}</text>`);
  }
  svg.push(`<path class="axis" d="M${n(left)} ${n(top)}V${n(bottom)}H${n(right)}"/>`);
  svg.push(`<text class="axis-label" x="${n((left + right) / 2)}" y="${n(height - 10)}" text-anchor="middle">${escapeHtml(xAxis.label)}</text>`);
  svg.push(`<text class="axis-label" transform="translate(15 ${n((top + bottom) / 2)}) rotate(-90)" text-anchor="middle">${escapeHtml(yAxis.label)}</text>`);
  return { sx, sy, left, top, right, bottom, xDomain, yDomain, svg };
}

function referenceLine(f: Frame, r: ChartReference, all: ChartReference[]): string {
  if (r.kind === 'diagonal') {
    const lo = Math.max(f.xDomain[0], f.yDomain[0]);
    const hi = Math.min(f.xDomain[1], f.yDomain[1]);
    if (!(hi > lo)) return '';
    return `<line class="ref" x1="${n(f.sx(lo))}" y1="${n(f.sy(lo))}" x2="${n(f.sx(hi))}" y2="${n(f.sy(hi))}"><title>${escapeHtml(r.label)}</title></line>`;
  }
  if (r.kind === 'horizontal') {
    if (!Number.isFinite(r.y)) return '';
    const y = f.sy(r.y);
    return `<line class="ref" x1="${n(f.left)}" y1="${n(y)}" x2="${n(f.right)}" y2="${n(y)}"><title>${escapeHtml(r.label)}</title></line>`;
  }
  if (!Number.isFinite(r.x)) return '';
  const x = f.sx(r.x);
  // Labels of markers at the same or nearby x would overlap: later ones go one line lower.
  const verticals = all.filter((o): o is Extract<ChartReference, { kind: 'vertical' }> => o.kind === 'vertical');
  const index = verticals.indexOf(r);
  const crowded = verticals.slice(0, index).filter((o) => Math.abs(f.sx(o.x) - x) < 90).length;
  const labelY = f.top + 12 + crowded * 14;
  const rightSide = x > (f.left + f.right) / 2;
  const anchor = rightSide ? 'end' : 'start';
  const labelX = rightSide ? x - 4 : x + 4;
  return (
    `<g><title>${escapeHtml(r.label)}</title>` +
    `<line class="${r.tone}" x1="${n(x)}" y1="${n(f.top)}" x2="${n(x)}" y2="${n(f.bottom)}"/>` +
    `<text class="marker-label ${r.tone}-text" x="${n(labelX)}" y="${n(labelY)}" text-anchor="${anchor}">${escapeHtml(r.label)}</text></g>`
  );
}

function seriesPath(f: Frame, s: ChartSeries): string {
  const color = `c${((s.color % PALETTE_SIZE) + PALETTE_SIZE) % PALETTE_SIZE}`;
  const finite = s.points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
  const out: string[] = [`<g class="series ${color}">`];
  if (s.shape !== 'dots') {
    let d = '';
    let prev: ChartPoint | null = null;
    for (const p of s.points) {
      if (!Number.isFinite(p.x) || !Number.isFinite(p.y)) {
        prev = null;
        continue;
      }
      if (prev === null) d += `M${n(f.sx(p.x))} ${n(f.sy(p.y))}`;
      else if (s.shape === 'step') d += `H${n(f.sx(p.x))}V${n(f.sy(p.y))}`;
      else d += `L${n(f.sx(p.x))} ${n(f.sy(p.y))}`;
      prev = p;
    }
    if (d) out.push(`<path class="line${s.dashed ? ' dashed' : ''}" d="${d}"/>`);
  }
  const visible = s.shape === 'dots' || (s.markers ?? finite.length <= 40);
  const radius = s.emphasis ? 5 : s.shape === 'dots' ? 2.6 : 3;
  const withTips = finite.filter((p) => p.tip !== undefined);
  // Every point of a scatter is its own target; a long line gets evenly spaced targets.
  const stride = s.shape === 'dots' ? 1 : Math.max(1, Math.ceil(withTips.length / MAX_HOVER_TARGETS));
  const targets = new Set(withTips.filter((_, i) => i % stride === 0 || i === withTips.length - 1));
  for (const p of finite) {
    const hover = targets.has(p);
    if (!visible && !hover) continue;
    const cls = visible ? `dot${s.emphasis ? ' emphasis' : ''}` : 'hit';
    const title = hover ? `<title>${escapeHtml(p.tip)}</title>` : '';
    out.push(`<circle class="${cls}" cx="${n(f.sx(p.x))}" cy="${n(f.sy(p.y))}" r="${visible ? radius : 4}">${title}</circle>`);
  }
  out.push('</g>');
  return out.join('');
}

function legendItems(series: ChartSeries[], references: ChartReference[]): string {
  const items: string[] = [];
  for (const s of series) {
    const color = `c${((s.color % PALETTE_SIZE) + PALETTE_SIZE) % PALETTE_SIZE}`;
    const kind = s.shape === 'dots' ? 'dot' : `line${s.dashed ? ' dashed' : ''}`;
    items.push(`<li><span class="sw ${kind} ${color}"></span>${escapeHtml(s.label)}</li>`);
  }
  for (const r of references) {
    const cls = r.kind === 'vertical' ? r.tone : 'ref';
    items.push(`<li><span class="sw line ${cls}"></span>${escapeHtml(r.label)}</li>`);
  }
  return items.length ? `<ul class="legend">${items.join('')}</ul>` : '';
}

function svgOpen(title: string, width: number, height: number): string {
  const t = escapeHtml(title);
  return `<svg viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${t}"><title>${t}</title>`;
}

function figure(title: string, svg: string, legend: string, extraClass = ''): string {
  return `<figure class="chart${extraClass ? ` ${extraClass}` : ''}"><figcaption>${escapeHtml(title)}</figcaption>${svg}${legend}</figure>`;
}

function clamp(v: number, domain: [number, number]): number {
  return Math.min(domain[1], Math.max(domain[0], v));
}

/** SVG coordinate: two decimals are below a pixel's resolution and keep the file small. */
function n(v: number): string {
  return String(Math.round(v * 100) / 100);
}
