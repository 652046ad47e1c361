/**
 * The run report's inline stylesheet: light colours by default, dark ones under
 * prefers-color-scheme: dark and under VS Code's `vscode-dark`/`vscode-high-contrast` body
 * classes (a webview follows the editor theme), light again for print. Chart colours are CSS
 * variables (`--c0`…`--c9`) that the SVG classes of ./svg.ts pick up.
 *
 * Pure: no node built-ins.
 */
import { PALETTE_SIZE } from './svg';

const LIGHT = {
  bg: '#ffffff',
  fg: '#1f2328',
  muted: '#59636e',
  border: '#d1d9e0',
  panel: '#f6f8fa',
  grid: '#e6eaef',
  axis: '#59636e',
  ref: '#8c959f',
  best: '#1a7f37',
  stop: '#cf222e',
  okBg: '#dafbe1',
  okFg: '#116329',
  badBg: '#ffebe9',
  badFg: '#a40e26',
  link: '#0969da',
  palette: ['#1f6fd1', '#e8710a', '#7b3fc4', '#0f9d8a', '#c2185b', '#5d8a00', '#b8860b', '#3f51b5', '#8d6e63', '#00838f'],
};

const DARK = {
  bg: '#16191d',
  fg: '#e6edf3',
  muted: '#9aa4ae',
  border: '#3d444d',
  panel: '#1f242a',
  grid: '#2b3138',
  axis: '#9aa4ae',
  ref: '#768390',
  best: '#3fb950',
  stop: '#ff7b72',
  okBg: '#12361f',
  okFg: '#7ee2a8',
  badBg: '#4a1518',
  badFg: '#ffb1ab',
  link: '#58a6ff',
  palette: ['#6aa7ff', '#ffa657', '#c29bff', '#4fd1b9', '#ff7eb6', '#a5d65b', '#e3c45b', '#8c9eff', '#c9a38c', '#56c8d8'],
};

function themeVariables(t: typeof LIGHT): string {
  const vars = [
    `--bg:${t.bg}`,
    `--fg:${t.fg}`,
    `--muted:${t.muted}`,
    `--border:${t.border}`,
    `--panel:${t.panel}`,
    `--grid:${t.grid}`,
    `--axis:${t.axis}`,
    `--ref:${t.ref}`,
    `--best:${t.best}`,
    `--stop:${t.stop}`,
    `--ok-bg:${t.okBg}`,
    `--ok-fg:${t.okFg}`,
    `--bad-bg:${t.badBg}`,
    `--bad-fg:${t.badFg}`,
    `--link:${t.link}`,
    ...t.palette.map((c, i) => `--c${i}:${c}`),
  ];
  return vars.join(';');
}

const PALETTE_RULES = Array.from({ length: PALETTE_SIZE }, (_, i) => `.c${i}{--series:var(--c${i})}`).join('');

/** The report's whole stylesheet (one string for a `<style>` element; contains no '<'). */
export const REPORT_STYLESHEET = [
  `:root{color-scheme:light dark;${themeVariables(LIGHT)}}`,
  `@media (prefers-color-scheme: dark){:root{${themeVariables(DARK)}}}`,
  `body.vscode-light{${themeVariables(LIGHT)}}`,
  `body.vscode-dark,body.vscode-high-contrast{${themeVariables(DARK)}}`,
  'html{-webkit-text-size-adjust:100%}',
  'body{margin:0;background:var(--bg);color:var(--fg);font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}',
  'main{max-width:1120px;margin:0 auto;padding:24px}',
  'h1{font-size:24px;margin:0 0 12px}h2{font-size:19px;margin:0 0 12px;padding-bottom:6px;border-bottom:1px solid var(--border)}h3{font-size:15px;margin:18px 0 8px}',
  'section{margin:28px 0}',
  'a{color:var(--link)}',
  'code{font:12px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;color:var(--muted)}',
  'pre{font:12px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:var(--panel);border:1px solid var(--border);border-radius:6px;padding:12px;overflow:auto;white-space:pre-wrap;word-break:break-word}',
  '.muted{color:var(--muted)}',
  '.facts{display:grid;grid-template-columns:repeat(auto-fill,minmax(190px,1fr));gap:8px 20px;margin:0 0 14px}',
  '.facts div{min-width:0}.facts dt{font-size:12px;color:var(--muted)}.facts dd{margin:0;overflow-wrap:anywhere}',
  '.badge{display:inline-block;padding:0 8px;border-radius:10px;font-size:12px;font-weight:600;background:var(--panel);border:1px solid var(--border)}',
  '.badge.ok{background:var(--ok-bg);color:var(--ok-fg);border-color:transparent}.badge.bad{background:var(--bad-bg);color:var(--bad-fg);border-color:transparent}',
  '.chip{display:inline-block;padding:0 6px;margin:1px 0;border:1px solid var(--border);border-radius:4px;font-size:12px}',
  'nav ul{list-style:none;display:flex;flex-wrap:wrap;gap:6px 14px;margin:0;padding:8px 0;border-top:1px solid var(--border);border-bottom:1px solid var(--border)}',
  '.error{background:var(--bad-bg);color:var(--bad-fg);border-radius:6px;padding:4px 14px}.error pre{background:transparent;border:0;padding:0;color:inherit}',
  '.table-wrap{overflow-x:auto;margin:8px 0 14px}',
  'table{border-collapse:collapse;font-size:13px}caption{caption-side:top;text-align:left;color:var(--muted);font-size:12px;padding-bottom:6px}',
  'th,td{border:1px solid var(--border);padding:4px 10px;text-align:left;vertical-align:top}thead th{background:var(--panel)}',
  'tbody th{font-weight:500}td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}',
  'table.metrics td.num{font-size:14px}',
  'table.confusion th,table.confusion td{text-align:center;vertical-align:middle}table.confusion .corner{font-weight:400;color:var(--muted);font-size:11px}',
  'td.cell{min-width:64px;font-variant-numeric:tabular-nums;print-color-adjust:exact;-webkit-print-color-adjust:exact}td.cell .count{display:block;font-size:15px;font-weight:600}td.cell .share{display:block;font-size:11px;opacity:.85}td.cell.strong{color:#fff}',
  'table.candidates td.reason{min-width:220px;color:var(--muted)}tr.chosen th,tr.chosen td{background:var(--panel)}',
  '.status.accepted{color:var(--ok-fg)}.status.rejected{color:var(--bad-fg)}.status.skipped{color:var(--muted)}',
  '.omitted li,.warnings li{margin:2px 0}',
  'details{margin:8px 0}summary{cursor:pointer;color:var(--link)}',
  // auto-fill keeps empty tracks, so a lone chart stays half width instead of filling the page.
  '.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(400px,1fr));gap:16px 24px}',
  'figure.chart{margin:0;min-width:0}figure.chart figcaption{font-weight:600;font-size:13px;margin-bottom:4px}',
  'figure.chart svg{display:block;width:100%;height:auto;max-width:100%;overflow:visible}figure.chart.wide svg{max-width:760px}',
  'svg text{fill:var(--fg);font-size:11px}svg .axis-label{font-size:12px}svg .tick{fill:var(--muted)}',
  'svg .grid{stroke:var(--grid);stroke-width:1}svg .axis{stroke:var(--axis);stroke-width:1;fill:none}',
  'svg .ref{stroke:var(--ref);stroke-width:1.2;stroke-dasharray:4 4;fill:none}',
  'svg line.best{stroke:var(--best);stroke-width:1.5}svg line.stop{stroke:var(--stop);stroke-width:1.5;stroke-dasharray:6 3}',
  // A halo in the background colour keeps marker labels legible where they cross a curve.
  'svg .marker-label{paint-order:stroke;stroke:var(--bg);stroke-width:3px;stroke-linejoin:round}svg .best-text{fill:var(--best);font-weight:600}svg .stop-text{fill:var(--stop);font-weight:600}',
  PALETTE_RULES,
  'svg .series .line{stroke:var(--series);stroke-width:2;fill:none;stroke-linejoin:round}svg .series .line.dashed{stroke-dasharray:6 4}',
  'svg .series .dot{fill:var(--series);stroke:var(--bg);stroke-width:.8}svg .series .dot.emphasis{stroke:var(--fg);stroke-width:1.5}',
  'svg .series .hit{fill:transparent;stroke:none}svg .series circle:hover{stroke:var(--fg);stroke-width:1.5}',
  'svg .bar{fill:var(--series);opacity:.85}svg .bar:hover{opacity:1}svg .whisker{stroke:var(--fg);stroke-width:1.2;fill:none}',
  '.legend{list-style:none;display:flex;flex-wrap:wrap;gap:2px 14px;margin:4px 0 0;padding:0;font-size:12px}',
  '.sw{display:inline-block;vertical-align:middle;margin-right:6px}',
  '.sw.line{width:22px;border-top:2.5px solid var(--series)}.sw.line.dashed{border-top-style:dashed}',
  // border-top is set whole: a var() that does not resolve would void a shorthand's style too.
  '.sw.line.ref{border-top:2px dashed var(--ref)}.sw.line.best{border-top:2.5px solid var(--best)}.sw.line.stop{border-top:2px dashed var(--stop)}',
  '.sw.dot{width:9px;height:9px;border-radius:50%;background:var(--series)}.sw.box{width:12px;height:10px;background:var(--series)}',
  'footer{margin-top:32px;padding-top:8px;border-top:1px solid var(--border);color:var(--muted);font-size:12px}',
  `@media print{:root,body{${themeVariables(LIGHT)}}main{max-width:none;padding:0}nav{display:none}section,figure,table{break-inside:avoid}h2{break-after:avoid}.charts{grid-template-columns:1fr 1fr}body{font-size:12px}}`,
].join('\n');
