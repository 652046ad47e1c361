/**
 * DOM pieces the dashboard and the drift panel add to webview/shared/dom.ts: SVG elements,
 * a sparkline, codicons, and the visible text automation compares.
 */
import type { Child } from '../shared/dom';

/** An SVG element; attributes are set as given (numbers as text), children appended. */
export function svg(tag: string, attrs: Record<string, string | number> = {}, ...children: Child[]): SVGElement {
  const node = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  for (const c of children) if (c !== null && c !== undefined && c !== false) node.append(typeof c === 'object' ? c : String(c));
  return node;
}

/** A codicon (decorative: hidden from screen readers; the text beside it carries the meaning). */
export function icon(name: string, extraClass = ''): HTMLElement {
  const span = document.createElement('span');
  span.className = `codicon codicon-${name}${extraClass ? ` ${extraClass}` : ''}`;
  span.setAttribute('aria-hidden', 'true');
  return span;
}

/** The visible text of an element with whitespace collapsed (what automation compares). */
export function visibleText(root: HTMLElement): string {
  return root.innerText.replace(/\s+/g, ' ').trim();
}

/**
 * A small line chart without axes of `values`, scaled to their own min..max, as an SVG that
 * fills its container's width (stroke colour from the stylesheet: `.sparkline polyline`).
 * `label` is what a screen reader hears. Draws nothing for fewer than 2 values.
 */
export function sparkline(values: number[], label: string, width = 200, height = 36): SVGElement {
  const chart = svg('svg', { class: 'sparkline', viewBox: `0 0 ${width} ${height}`, preserveAspectRatio: 'none', role: 'img', 'aria-label': label });
  if (values.length < 2) return chart;
  const min = Math.min(...values);
  const span = Math.max(...values) - min || 1;
  const pad = 2;
  const points = values
    .map((v, i) => `${((i / (values.length - 1)) * width).toFixed(1)},${(pad + (1 - (v - min) / span) * (height - 2 * pad)).toFixed(1)}`)
    .join(' ');
  chart.append(svg('polyline', { points, fill: 'none', 'vector-effect': 'non-scaling-stroke' }));
  return chart;
}
