/**
 * The monitoring report (`.mlloop/reports/monitor.html`, rewritten by each run): the windows
 * compared, dataset drift, every feature with its test, p-value, effect sizes and level and
 * the reference and current shares of its bins side by side, the prediction and confidence
 * distributions, the live metrics against the champion's test interval, latency, fallback
 * and acceptance, and the alerts. Self-contained like the run report (inline CSS, no script,
 * a CSP that forbids loading anything); every value is HTML-escaped.
 *
 * Pure: no node built-ins; the caller writes the string.
 */
import { REPORT_STYLESHEET } from '../report/style';
import { escapeHtml } from '../report/svg';
import type { ColumnDrift } from './drift';
import type { MonitorResult } from './monitor';
import type { CategoricalComparison } from './stats/categorical';
import type { NumericComparison } from './stats/numeric';

const fmt = (v: number | null | undefined, digits = 4): string => (v === null || v === undefined || !Number.isFinite(v) ? '—' : Number(v.toPrecision(digits)).toString());
const pfmt = (v: number | null | undefined): string => (v === null || v === undefined || !Number.isFinite(v) ? '—' : v < 1e-4 ? v.toExponential(1) : fmt(v, 3));

const EXTRA_STYLE = [
  '.level{font-weight:600;padding:0 .4em;border-radius:3px}',
  '.level.critical{background:#c62828;color:#fff}',
  '.level.warning{background:#f9a825;color:#000}',
  '.level.none{background:#2e7d32;color:#fff}',
  '.level.not_enough_data{background:#757575;color:#fff}',
  '.bars td{padding:1px 4px}',
  '.bar{display:inline-block;height:.8em;vertical-align:middle}',
  '.bar.ref{background:#1565c0}',
  '.bar.cur{background:#ef6c00}',
  'details{margin:.3em 0}',
].join('\n');

function level(l: string): string {
  return `<span class="level ${escapeHtml(l)}">${escapeHtml(l.replace(/_/g, ' '))}</span>`;
}

/** Reference vs current shares of each bin (or category), as two bars per row. */
function shares(labels: string[], reference: number[], current: number[]): string {
  const rt = reference.reduce((a, b) => a + b, 0) || 1;
  const ct = current.reduce((a, b) => a + b, 0) || 1;
  const rows = labels.map((label, i) => {
    const r = reference[i] / rt;
    const c = current[i] / ct;
    return `<tr><th scope="row">${escapeHtml(label)}</th><td>${fmt(r * 100, 3)}%</td><td><span class="bar ref" style="width:${(r * 200).toFixed(1)}px"></span></td><td>${fmt(c * 100, 3)}%</td><td><span class="bar cur" style="width:${(c * 200).toFixed(1)}px"></span></td></tr>`;
  });
  return `<table class="bars"><thead><tr><th scope="col">bin</th><th scope="col" colspan="2">reference</th><th scope="col" colspan="2">current</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function binsOf(c: ColumnDrift): string {
  const d = c.detail;
  if (!d) return '';
  if ('bins' in d && (d as NumericComparison).bins) {
    const b = (d as NumericComparison).bins;
    const labels = b.lower.map((lo, i) => (i === 0 ? `< ${fmt(b.lower[1] ?? null)}` : `≥ ${fmt(lo)}`));
    const ref = [...b.reference];
    const cur = [...b.current];
    if (b.missing) {
      labels.push('(missing)');
      ref.push(b.missing.reference);
      cur.push(b.missing.current);
    }
    return shares(labels, ref, cur);
  }
  if ('table' in d) {
    const t = (d as CategoricalComparison).table;
    return shares(t.categories, t.reference, t.current);
  }
  return '';
}

function columnRows(columns: ColumnDrift[]): string {
  return columns
    .map(
      (c) =>
        `<tr><th scope="row">${escapeHtml(c.name)}</th><td>${escapeHtml(c.type)}</td><td>${escapeHtml(c.test)}</td><td>${fmt(c.statistic)}</td><td>${pfmt(c.pValue)}</td><td>${pfmt(c.adjustedP)}</td><td>${fmt(c.psi)}</td><td>${fmt(c.distance)}</td><td>${c.n.reference} / ${c.n.current}</td><td>${level(c.drift)}</td></tr>`,
    )
    .join('\n');
}

function columnTable(columns: ColumnDrift[]): string {
  return `<table><thead><tr><th scope="col">column</th><th scope="col">type</th><th scope="col">test</th><th scope="col">statistic</th><th scope="col">p</th><th scope="col">Holm p</th><th scope="col">PSI</th><th scope="col">distance</th><th scope="col">n ref / cur</th><th scope="col">drift</th></tr></thead><tbody>${columnRows(columns)}</tbody></table>`;
}

function details(columns: ColumnDrift[]): string {
  return columns
    .filter((c) => c.detail)
    .map((c) => `<details${c.drift === 'warning' || c.drift === 'critical' ? ' open' : ''}><summary>${escapeHtml(c.name)} ${level(c.drift)}</summary>${binsOf(c)}</details>`)
    .join('\n');
}

export interface MonitorReportInput {
  result: MonitorResult;
  project: string;
  mlloopVersion: string;
}

/** Renders the report (UTF-8 text starting with `<!doctype html>`). Section ids: summary, features, predictions, performance, alerts. */
export function renderMonitorReport(input: MonitorReportInput): string {
  const r = input.result;
  const title = `${input.project} — monitoring ${r.model.version} at ${r.at}`;
  const p = r.performance;
  const metricRows = Object.entries(p.metrics)
    .map(
      ([name, m]) =>
        `<tr><th scope="row">${escapeHtml(name)}</th><td>${fmt(m.value)}</td><td>${fmt(m.lower)} – ${fmt(m.upper)}</td><td>${m.n}</td><td>${m.champion ? `${fmt(m.champion.value)}${m.champion.lower !== null ? ` (${fmt(m.champion.lower)} – ${fmt(m.champion.upper)})` : ''}` : '—'}</td><td>${fmt(m.floor)}</td><td>${level(m.status === 'ok' ? 'none' : m.status)}</td><td>${escapeHtml(m.reason)}</td></tr>`,
    )
    .join('\n');
  const alerts = r.alerts.open
    .map((a) => `<tr><td>${a.id}</td><td>${level(a.severity === 'info' ? 'none' : a.severity)}</td><th scope="row">${escapeHtml(a.title)}</th><td>${escapeHtml(a.status)}</td><td>${escapeHtml(a.createdAt)}</td><td>${escapeHtml(a.detail)}</td></tr>`)
    .join('\n');
  const window = 'last' in r.current.window ? `the newest ${r.current.window.last} predictions` : `the last ${r.current.window.duration}`;
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8"/>',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'"/>`,
    '<meta name="viewport" content="width=device-width, initial-scale=1"/>',
    '<meta name="color-scheme" content="light dark"/>',
    `<meta name="generator" content="ML Loop ${escapeHtml(input.mlloopVersion)}"/>`,
    `<title>${escapeHtml(title)}</title>`,
    `<style>${REPORT_STYLESHEET}\n${EXTRA_STYLE}</style>`,
    '</head>',
    '<body>',
    '<main>',
    `<header id="summary"><h1>${escapeHtml(title)}</h1>`,
    `<p>Serving model ${escapeHtml(r.model.version)} (${r.model.why === 'champion' ? 'the champion' : 'the newest; no champion yet'}). Reference: ${r.reference.kind === 'training' ? `its ${r.reference.n} training rows` : `the ${r.reference.n} stored examples of ${escapeHtml(r.reference.from ?? '')} – ${escapeHtml(r.reference.to ?? '')}`} (predictions: ${r.reference.predictions} held-out rows). Current: ${escapeHtml(window)}, ${r.current.n} predictions${r.current.from ? ` from ${escapeHtml(r.current.from)} to ${escapeHtml(r.current.to ?? '')}` : ''}, ${r.current.served} of them by ${escapeHtml(r.model.version)}.</p>`,
    `<p>Dataset drift: ${level(r.dataset.drift)} — ${r.dataset.drifting} of ${r.dataset.tested} tested features drift (share ${fmt(r.dataset.share)}). Predictions: ${level(r.prediction.drift)}. Open alerts: ${r.alerts.open.length}.</p></header>`,
    '<section id="features"><h2>Inputs</h2>',
    '<p>A feature drifts when its test is significant after Holm\'s correction over the features tested AND its effect size (PSI or Wasserstein / reference σ; Jensen–Shannon distance for categories and text) clears its band.</p>',
    columnTable(r.features),
    details(r.features),
    '</section>',
    '<section id="predictions"><h2>Predictions</h2>',
    r.prediction.tests.length ? columnTable(r.prediction.tests) + details(r.prediction.tests) : '<p>No predictions of the serving model in the window.</p>',
    '</section>',
    '<section id="performance"><h2>Live performance</h2>',
    `<p>${p.labelled} of the window's predictions by ${escapeHtml(r.model.version)} have a label or a verdict.</p>`,
    `<table><thead><tr><th scope="col">metric</th><th scope="col">live</th><th scope="col">interval</th><th scope="col">n</th><th scope="col">champion (test)</th><th scope="col">floor</th><th scope="col">status</th><th scope="col">why</th></tr></thead><tbody>${metricRows}</tbody></table>`,
    `<p>Latency (ms, ${p.latencyMs.n} logged): p50 ${fmt(p.latencyMs.p50)}, p95 ${fmt(p.latencyMs.p95)}, p99 ${fmt(p.latencyMs.p99)}. Fallback rate (confidence below ${fmt(p.fallback.threshold)}): ${p.fallback.rate === null ? '—' : `${fmt(p.fallback.rate * 100, 3)}%`} of ${p.fallback.n}. Suggestions accepted: ${p.acceptance.share === null ? '—' : `${fmt(p.acceptance.share * 100, 3)}%`} of ${p.acceptance.judged} judged.</p>`,
    '</section>',
    `<section id="alerts"><h2>Open alerts (${r.alerts.open.length})</h2>`,
    r.alerts.open.length
      ? `<table><thead><tr><th scope="col">id</th><th scope="col">severity</th><th scope="col">alert</th><th scope="col">status</th><th scope="col">since</th><th scope="col">detail</th></tr></thead><tbody>${alerts}</tbody></table>`
      : '<p>None.</p>',
    '</section>',
    `<footer>Generated by ML Loop ${escapeHtml(input.mlloopVersion)} at ${escapeHtml(r.at)}.</footer>`,
    '</main>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
