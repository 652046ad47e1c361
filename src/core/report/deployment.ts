/**
 * The deployment report of one retraining cycle (`.mlloop/reports/cycle-<n>.html`): what
 * data the challenger trained on, champion and challenger side by side on the same held-out
 * rows, the gate's decision with every check and its numbers, the calibration change, and the
 * rows whose prediction flips. Self-contained like the run report (inline CSS, no script,
 * a CSP that forbids loading anything); every value is HTML-escaped.
 *
 * Pure: no node built-ins; the caller writes the string.
 */
import { metricDirection, metricLabel } from '../evaluate/metricNames';
import type { GateDecision } from '../registry/gate';
import type { Prediction } from '../registry/predict';
import type { ModelCard } from '../registry/types';
import type { Label } from '../store/types';
import { formatMetric } from './html';
import { REPORT_STYLESHEET } from './style';
import { escapeHtml } from './svg';

export interface DeploymentReportInput {
  project: string;
  cycle: number;
  trigger: string;
  by: string;
  decision: 'promoted' | 'rejected';
  gate: GateDecision;
  /** null: there was no champion (the first model). */
  champion: { version: string; card: ModelCard } | null;
  challenger: { version: string; card: ModelCard };
  window: { from: string; to: string; examples: number; newLabels: number };
  heldOut: { n: number; description: string };
  /** Held-out rows whose prediction differs between the two (at most 200). */
  flips: Array<{ exampleId: number; label: Label; champion: Prediction; challenger: Prediction; record: Record<string, unknown> }>;
  at: string;
  mlloopVersion: string;
}

const describePrediction = (p: Prediction): string =>
  'value' in p ? formatMetric(p.value) : 'label' in p ? `${p.label} (${(p.confidence * 100).toFixed(1)}%)` : '—';

/** Renders the report (UTF-8 text starting with `<!doctype html>`). Section ids: summary, data, metrics, gate, calibration, flips. */
export function renderDeploymentReport(r: DeploymentReportInput): string {
  const g = r.gate;
  const title = `${r.project} — cycle ${r.cycle}: ${r.challenger.version} ${r.decision}`;
  const metricNames = [...new Set([...Object.keys(g.challenger), ...Object.keys(g.champion ?? {})])];
  const metricRows = metricNames
    .map((m) => {
      const a = g.champion?.[m];
      const b = g.challenger[m];
      const dir = metricDirection(m);
      const diff = a !== undefined && b !== undefined ? b - a : undefined;
      const better = diff === undefined || dir === undefined ? '' : (dir === 'higher' ? diff > 0 : diff < 0) ? 'better' : diff === 0 ? '' : 'worse';
      return `<tr${m === g.metric ? ' class="headline"' : ''}><th scope="row">${escapeHtml(metricLabel(m))}</th><td>${a === undefined ? '—' : escapeHtml(formatMetric(a))}</td><td>${escapeHtml(formatMetric(b))}</td><td class="${better}">${diff === undefined ? '' : escapeHtml(`${diff > 0 ? '+' : ''}${formatMetric(diff)}`)}</td></tr>`;
    })
    .join('\n');
  const checks = g.checks
    .map((c) => `<tr><td>${c.passed ? '✓' : '✗'}</td><th scope="row">${escapeHtml(c.name)}</th><td>${escapeHtml(c.detail)}</td></tr>`)
    .join('\n');
  const cal = (card: ModelCard | undefined) =>
    card ? `${escapeHtml(card.calibration.method)}${card.calibration.eceAfter !== null ? ` (test ECE ${escapeHtml(formatMetric(card.calibration.eceBefore ?? NaN))} → ${escapeHtml(formatMetric(card.calibration.eceAfter))})` : ''}` : '—';
  const flips = r.flips
    .slice(0, 50)
    .map(
      (f) =>
        `<tr><td>${f.exampleId}</td><td>${escapeHtml(String(f.label))}</td><td>${escapeHtml(describePrediction(f.champion))}</td><td>${escapeHtml(describePrediction(f.challenger))}</td><td><code>${escapeHtml(JSON.stringify(f.record).slice(0, 200))}</code></td></tr>`,
    )
    .join('\n');
  const test = g.test.name === 'none' ? 'no paired test (no champion)' : `${g.test.name === 'mcnemar' ? "McNemar's test" : 'paired bootstrap'}: p = ${g.test.pValue === null ? 'n/a' : formatMetric(g.test.pValue)}`;
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8"/>',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'"/>`,
    '<meta name="viewport" content="width=device-width, initial-scale=1"/>',
    '<meta name="color-scheme" content="light dark"/>',
    `<meta name="generator" content="ML Loop ${escapeHtml(r.mlloopVersion)}"/>`,
    `<title>${escapeHtml(title)}</title>`,
    `<style>${REPORT_STYLESHEET}</style>`,
    '</head>',
    '<body>',
    '<main>',
    `<header id="summary"><h1>${escapeHtml(title)}</h1>`,
    `<p class="decision ${r.decision}"><strong>${r.decision === 'promoted' ? 'Promoted' : 'Rejected'}</strong>: ${escapeHtml(g.reasons[0] ?? '')}</p>`,
    `<p>Cycle ${r.cycle}, started by ${escapeHtml(r.by)}${r.by.startsWith(r.trigger) ? '' : ` (${escapeHtml(r.trigger)})`} at ${escapeHtml(r.at)}. Champion ${r.champion ? escapeHtml(r.champion.version) : 'none (first model)'} → ${r.decision === 'promoted' ? escapeHtml(r.challenger.version) : `${r.champion ? escapeHtml(r.champion.version) : 'none'} (unchanged)`}.</p></header>`,
    '<section id="data"><h2>Data</h2>',
    `<p>The challenger ${escapeHtml(r.challenger.version)} trained on the ${r.window.examples} examples with an event time from ${escapeHtml(r.window.from)} to ${escapeHtml(r.window.to)} (${r.window.newLabels} new since the last cycle): ${r.challenger.card.data.train} training, ${r.challenger.card.data.validation} validation, ${r.challenger.card.data.test} test rows.</p>`,
    `<p>Both models were scored on ${escapeHtml(r.heldOut.description)}.</p></section>`,
    `<section id="metrics"><h2>Champion and challenger on the held-out rows (${g.n})</h2>`,
    `<table><thead><tr><th scope="col">metric</th><th scope="col">champion ${r.champion ? escapeHtml(r.champion.version) : ''}</th><th scope="col">challenger ${escapeHtml(r.challenger.version)}</th><th scope="col">difference</th></tr></thead><tbody>${metricRows}</tbody></table></section>`,
    `<section id="gate"><h2>The gate</h2><p>Metric ${escapeHtml(metricLabel(g.metric))}${g.relative !== null ? `: ${escapeHtml(`${(g.relative * 100).toFixed(1)}%`)} relative change` : ''}; ${escapeHtml(test)}.</p>`,
    `<table><thead><tr><th scope="col"></th><th scope="col">check</th><th scope="col">numbers</th></tr></thead><tbody>${checks}</tbody></table>`,
    `<ul>${g.reasons.map((x) => `<li>${escapeHtml(x)}</li>`).join('')}</ul></section>`,
    `<section id="calibration"><h2>Calibration</h2><p>Champion: ${cal(r.champion?.card)}. Challenger: ${cal(r.challenger.card)}.</p></section>`,
    `<section id="flips"><h2>Rows whose prediction flips (${r.flips.length}${r.flips.length >= 200 ? '+' : ''})</h2>`,
    r.flips.length
      ? `<table><thead><tr><th scope="col">example</th><th scope="col">true</th><th scope="col">champion</th><th scope="col">challenger</th><th scope="col">record</th></tr></thead><tbody>${flips}</tbody></table>`
      : '<p>No held-out row changes its prediction.</p>',
    '</section>',
    `<footer>Generated by ML Loop ${escapeHtml(r.mlloopVersion)} at ${escapeHtml(r.at)}.</footer>`,
    '</main>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
