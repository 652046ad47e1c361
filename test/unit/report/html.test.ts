import * as assert from 'node:assert/strict';
import type { ModelSelection } from '../../../src/core/engine/selection';
import type { EpochLogs } from '../../../src/core/engine/fit';
import { evaluatePredictions } from '../../../src/core/evaluate/report';
import { singleColumnGroups } from '../../../src/core/explain/groups';
import { assessModel, type Assessment, type Rows } from '../../../src/core/jobs/assess';
import { parseProject } from '../../../src/core/project/parse';
import type { ProjectConfig } from '../../../src/core/project/types';
import { formatDuration, formatMetric, formatWithInterval, renderRunReport, type RunReportInput } from '../../../src/core/report/html';
import { escapeHtml } from '../../../src/core/report/svg';
import { createRng } from '../../../src/core/util/random';

type Task = RunReportInput['task'];

const XSS_FEATURE = '<img src=x onerror=alert(1)>';
const FEATURES = ['age', XSS_FEATURE, 'noise'];
const MULTICLASS_NAMES = ['A & "B"', 'beta', 'gamma'];

function config(task: Task, calibration = 'auto'): ProjectConfig {
  const parsed = parseProject(
    [
      'version: 1',
      `task: ${task}`,
      'label: y',
      'features:',
      ...FEATURES.map((f) => `  - { name: ${JSON.stringify(f)}, type: numeric }`),
      'data: { sources: [{ path: data.csv }] }',
      'training: { epochs: 200 }',
      `calibration: { method: ${calibration} }`,
      'evaluation: { bootstrap: 200, importanceRepeats: 3 }',
    ].join('\n'),
    'report-test',
  );
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  return parsed.config;
}

/** Rows whose label depends on the first two features (the second more weakly), the third is noise. */
function rows(task: Task, n: number, seed: number): Rows {
  const rng = createRng(seed);
  const d = FEATURES.length;
  const x = new Float32Array(n * d);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) x[i * d + j] = rng() * 4 - 2;
    const signal = 2 * x[i * d] - x[i * d + 1];
    if (task === 'binary') y[i] = rng() < 1 / (1 + Math.exp(-signal)) ? 1 : 0;
    else if (task === 'multiclass') y[i] = signal + rng() - 0.5 < -1 ? 0 : signal + rng() - 0.5 < 1.5 ? 1 : 2;
    else y[i] = signal + (rng() - 0.5);
  }
  return { x, n, d, y };
}

/** A fixed "model": under-confident for binary (so a calibrator helps), a softmax for multiclass. */
function scoreRows(task: Task): (x: Float32Array, n: number) => Float32Array {
  const d = FEATURES.length;
  return (x, n) => {
    if (task === 'multiclass') {
      const out = new Float32Array(n * 3);
      for (let i = 0; i < n; i++) {
        const s = 2 * x[i * d] - x[i * d + 1];
        const logits = [-2 * s, 0.2, 2 * s - 2];
        const m = Math.max(...logits);
        const e = logits.map((l) => Math.exp(l - m));
        const z = e[0] + e[1] + e[2];
        for (let c = 0; c < 3; c++) out[i * 3 + c] = e[c] / z;
      }
      return out;
    }
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const s = 2 * x[i * d] - x[i * d + 1];
      out[i] = task === 'binary' ? 1 / (1 + Math.exp(-0.4 * s)) : s;
    }
    return out;
  };
}

function history(epochs: number, task: Task): EpochLogs[] {
  return Array.from({ length: epochs }, (_, i) => {
    const loss = 1 / (i + 2) + 0.1;
    const logs: EpochLogs = { epoch: i + 1, loss, val_loss: loss + 0.05 + 0.002 * Math.max(0, i - 20), durationMs: 12 };
    if (task === 'regression') Object.assign(logs, { mae: loss / 2, val_mae: loss / 2 + 0.03 });
    else Object.assign(logs, { accuracy: 1 - loss / 2, val_accuracy: 0.95 - loss / 2 });
    return logs;
  });
}

const assessments = new Map<string, Assessment>();

async function assessed(task: Task, calibration = 'auto'): Promise<Assessment> {
  const key = `${task}/${calibration}`;
  if (!assessments.has(key)) {
    const classes = task === 'binary' ? ['no', 'yes'] : task === 'multiclass' ? MULTICLASS_NAMES : [];
    assessments.set(
      key,
      await assessModel({
        config: config(task, calibration),
        classes,
        score: scoreRows(task),
        validation: rows(task, 300, 1),
        test: rows(task, 200, 2),
        groups: singleColumnGroups(FEATURES.length, FEATURES),
      }),
    );
  }
  return assessments.get(key)!;
}

async function reportInput(task: Task, overrides: Partial<RunReportInput> = {}, calibration = 'auto'): Promise<RunReportInput> {
  const a = await assessed(task, calibration);
  return {
    project: 'report-test',
    runId: 7,
    modelVersion: 'v7',
    status: 'completed',
    startedAt: '2025-01-02T03:04:05.000Z',
    durationMs: 83_500,
    backend: 'wasm',
    task,
    classes: task === 'binary' ? ['no', 'yes'] : task === 'multiclass' ? MULTICLASS_NAMES : [],
    dataCounts: { examples: 1000, train: 500, validation: 300, test: 200 },
    config: config(task, calibration),
    history: history(30, task),
    bestEpoch: 20,
    evaluation: a.evaluation,
    calibration: a.calibration,
    importance: a.importance,
    error: null,
    generatedAt: '2025-01-02T03:10:00.000Z',
    mlloopVersion: '0.1.0',
    ...overrides,
  };
}

const VOID_ELEMENTS = new Set(['meta', 'br', 'hr', 'img', 'input', 'link', 'col', 'wbr', 'area', 'base', 'source']);

/**
 * A strict well-formedness check: every '<' starts a comment, doctype or tag with quoted
 * attributes; non-void elements are closed in nesting order (SVG children may self-close);
 * every '&' starts an entity. Returns the problems found (empty = well-formed).
 */
function wellFormednessProblems(html: string): string[] {
  const problems: string[] = [];
  const stack: string[] = [];
  const tag = /<(\/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z_:][-a-zA-Z0-9_:.]*(?:\s*=\s*(?:"[^"<]*"|'[^'<]*'))?)*)\s*(\/?)>/y;
  let i = 0;
  while (i < html.length) {
    const lt = html.indexOf('<', i);
    const textEnd = lt === -1 ? html.length : lt;
    const text = html.slice(i, textEnd);
    const badAmp = /&(?!(?:amp|lt|gt|quot|#39|#\d+|#x[0-9a-f]+);)/i.exec(text);
    if (badAmp) problems.push(`unescaped & near ${JSON.stringify(html.slice(i + badAmp.index, i + badAmp.index + 30))}`);
    if (lt === -1) break;
    if (html.startsWith('<!--', lt)) {
      i = html.indexOf('-->', lt) + 3;
      continue;
    }
    if (/^<!doctype html>/i.test(html.slice(lt, lt + 15))) {
      i = lt + 15;
      continue;
    }
    tag.lastIndex = lt;
    const m = tag.exec(html);
    if (!m) {
      problems.push(`stray '<' at ${lt}: ${JSON.stringify(html.slice(lt, lt + 40))}`);
      i = lt + 1;
      continue;
    }
    const [, closing, rawName, attributes, selfClosing] = m;
    const name = rawName.toLowerCase();
    const badAttribute = /&(?!(?:amp|lt|gt|quot|#39|#\d+);)/.exec(attributes);
    if (badAttribute) problems.push(`unescaped & in the attributes of <${name}>`);
    i = tag.lastIndex;
    if (closing) {
      const open = stack.pop();
      if (open !== name) problems.push(`</${name}> closes <${open ?? 'nothing'}>`);
    } else if (name === 'style') {
      // Raw text until </style>; CSS must not contain '<' either.
      const end = html.indexOf('</style>', i);
      if (end === -1 || html.slice(i, end).includes('<')) problems.push('unterminated or unsafe <style>');
      i = end + '</style>'.length;
    } else if (!selfClosing && !VOID_ELEMENTS.has(name)) {
      stack.push(name);
    }
  }
  if (stack.length > 0) problems.push(`unclosed: ${stack.join(' > ')}`);
  return problems;
}

function assertSelfContained(html: string): void {
  assert.match(html, /^<!doctype html>/);
  assert.doesNotMatch(html, /<script/i, 'no script element');
  assert.doesNotMatch(html, /\b(src|href|xlink:href|action)\s*=\s*["']?\s*(https?:|\/\/|file:|data:)/i, 'no external or embedded resource');
  assert.doesNotMatch(html, /@import|url\(/i, 'no CSS imports or URLs');
  assert.doesNotMatch(html, /<(link|iframe|object|embed|img)\b/i, 'no element that loads a resource');
  const handlers = [...html.matchAll(/<[a-zA-Z][^>]*>/g)].map((m) => m[0].replace(/"[^"]*"/g, '""')).filter((t) => /\son[a-z]+\s*=/i.test(t));
  assert.deepEqual(handlers, [], 'no inline event handler');
  assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'"\/>/);
}

function sectionIds(html: string): string[] {
  return [...html.matchAll(/<section id="([a-z]+)"/g)].map((m) => m[1]);
}

describe('renderRunReport', function () {
  this.timeout(60_000);

  it('is one self-contained, well-formed file for every task and for a failed run', async () => {
    const inputs = [
      await reportInput('binary'),
      await reportInput('multiclass'),
      await reportInput('regression'),
      await reportInput('binary', { status: 'failed', error: 'Training diverged at epoch 3.', evaluation: null, calibration: null, importance: null, modelVersion: null }),
    ];
    for (const input of inputs) {
      const html = renderRunReport(input);
      assertSelfContained(html);
      assert.deepEqual(wellFormednessProblems(html), [], `${input.task}/${input.status}`);
      assert.equal((html.match(/<svg /g) ?? []).length, (html.match(/<\/svg>/g) ?? []).length);
    }
  });

  it('explains a model: auto choice: every candidate with its score, the chosen one marked, the tie and the refit', async () => {
    const selection: ModelSelection = {
      metric: 'log_loss',
      scoredOn: 'validation',
      rows: 300,
      tolerance: 0.005,
      candidates: [
        { label: 'logistic, C = 0.1', kind: 'linear', model: { type: 'logistic', l2: 0.01 }, strength: 0.1, parameters: 8, score: 0.4123, rawLogLoss: 0.5, temperature: 0.6, iterations: 12, durationMs: 40 },
        { label: 'logistic, C = 1', kind: 'linear', model: { type: 'logistic', l2: 0.001 }, strength: 1, parameters: 8, score: 0.4101, rawLogLoss: 0.45, temperature: 0.8, iterations: 30, durationMs: 60 },
        { label: 'MLP [<b>]', kind: 'mlp', model: { type: 'mlp', hidden: [32], dropout: 0.1, activation: 'relu' }, parameters: 161, score: 0.4, rawLogLoss: 0.41, temperature: 1.1, epochs: 40, bestEpoch: 30, durationMs: 2500 },
      ],
      chosen: 1,
      best: 2,
      reason: 'logistic, C = 1 has the tied-lowest validation log loss.',
      skipped: ['MLPs: too wide'],
      refit: { done: true, reason: 'Small data.', rows: 800 },
    };
    const html = renderRunReport(await reportInput('binary', { selection }));
    assert.deepEqual(sectionIds(html).slice(0, 2), ['metrics', 'model']);
    const model = html.slice(html.indexOf('<section id="model"'), html.indexOf('</section>', html.indexOf('<section id="model"')));
    assert.ok(model.includes('Why this model'));
    assert.match(model, /<tr class="chosen"><th scope="row">logistic, C = 1 <span class="badge ok">chosen<\/span>/);
    assert.match(model, /MLP \[&lt;b&gt;\] <span class="badge">lowest<\/span>/, 'the lowest score is marked when a simpler model won the tie; labels escaped');
    assert.equal((model.match(/<tr[ >]/g) ?? []).length, 4, 'a header row and one row per candidate');
    assert.ok(model.includes('0.4101') && model.includes('0.4123'));
    assert.ok(model.includes('Refitted on 800 training + validation rows: Small data.'));
    assert.ok(model.includes('Not tried: MLPs: too wide'));
    assert.deepEqual(wellFormednessProblems(html), []);
    assert.ok(!sectionIds(renderRunReport(await reportInput('binary'))).includes('model'), 'no section for an explicit model');
    // refit for a fixed number of epochs: no early-stop marker
    const refitHtml = renderRunReport(await reportInput('binary', { selection: { ...selection, refit: { done: true, reason: 'Small data.', rows: 800, epochs: 30 } } }));
    assert.ok(!refitHtml.includes('Early stopping ended training'), 'a refit runs its epochs without early stopping');
    assert.ok(refitHtml.includes('30 epochs run of 30 configured'));
  });

  it('catches malformed markup (the well-formedness check can fail)', () => {
    assert.notDeepEqual(wellFormednessProblems('<div><span></div></span>'), []);
    assert.notDeepEqual(wellFormednessProblems('<p>a < b</p>'), []);
    assert.notDeepEqual(wellFormednessProblems('<p title=x>AT&T</p>'), []);
    assert.deepEqual(wellFormednessProblems('<!doctype html><p title="a &amp; b">x<br/><svg><circle r="1"/></svg></p>'), []);
  });

  it('escapes feature, class and project names, config values and the error text', async () => {
    const html = renderRunReport(
      await reportInput('multiclass', {
        project: '<b onmouseover="x">proj</b>',
        status: 'failed',
        error: 'bad value </pre><script>alert(1)</script>',
      }),
    );
    assert.ok(!html.includes(XSS_FEATURE), 'raw feature name must not appear');
    assert.ok(html.includes('&lt;img src=x onerror=alert(1)&gt;'), 'escaped feature name appears');
    assert.ok(!html.includes('A & "B"'));
    assert.ok(html.includes('A &amp; &quot;B&quot;'), 'escaped class name appears');
    assert.ok(html.includes('&lt;b onmouseover=&quot;x&quot;&gt;proj&lt;/b&gt;'));
    assert.ok(html.includes('bad value &lt;/pre&gt;&lt;script&gt;alert(1)&lt;/script&gt;'));
    assertSelfContained(html);
    assert.deepEqual(wellFormednessProblems(html), []);
  });

  it('binary: metrics with intervals, curves, confusion matrix, calibration and importance', async () => {
    const input = await reportInput('binary');
    const html = renderRunReport(input);
    const ev = input.evaluation!;
    assert.deepEqual(sectionIds(html), ['metrics', 'training', 'confusion', 'curves', 'calibration', 'importance', 'config']);
    const acc = ev.intervals.byMetric.accuracy;
    assert.ok(html.includes(formatWithInterval(ev.metrics.accuracy, acc.lower, acc.upper)));
    assert.match(html, /<td class="num"[^>]*>0\.\d{4} \[0\.\d{4}, (0\.\d{4}|1\.0000)\]<\/td>/);
    assert.ok(html.includes('Value [95% interval]'));
    assert.ok(html.includes(`AUC ${formatMetric(ev.metrics.roc_auc)}`), 'ROC legend carries the AUC');
    assert.ok(html.includes(`AP ${formatMetric(ev.metrics.average_precision)}`), 'PR legend carries the AP');
    assert.ok(html.includes('ROC curve') && html.includes('Precision–recall curve'));
    assert.ok(html.includes('chance (AUC 0.5)'));
    const [[tn, fp], [fn, tp]] = ev.confusionMatrix!;
    for (const count of [tn, fp, fn, tp]) assert.ok(html.includes(`<span class="count">${count}</span>`));
    assert.ok(html.includes(`${((tn / (tn + fp)) * 100).toFixed(1)}%`), 'row-normalised share');
    assert.ok(html.includes('perfect calibration'));
    assert.ok(html.includes('Test examples per bin'));
    assert.ok(html.includes(`ECE (expected calibration error)</th><td class="num" title="${ev.calibration!.ece}">${formatMetric(ev.calibration!.ece)}`));
    assert.doesNotMatch(html, /id="regression"|Residuals/);
  });

  it('draws the raw reliability curve only when a calibrator was applied, and lists the candidates', async () => {
    const calibrated = await reportInput('binary');
    assert.notEqual(calibrated.calibration!.method, 'none', 'the under-confident model should be calibrated');
    const html = renderRunReport(calibrated);
    assert.ok(html.includes('before calibration (raw model)'));
    assert.ok(html.includes(`after calibration (${calibrated.calibration!.method})`));
    for (const c of calibrated.calibration!.selection!.candidates) assert.ok(html.includes(`<th scope="row">${c.method}`), c.method);
    assert.ok(html.includes('<span class="badge ok">chosen</span>'));

    const raw = renderRunReport(await reportInput('binary', {}, 'none'));
    assert.ok(!raw.includes('before calibration'));
    assert.ok(raw.includes('Calibration is off'));
  });

  it('multiclass: one ROC curve per class overlaid, class names in the confusion matrix, no PR curve', async () => {
    const input = await reportInput('multiclass');
    const html = renderRunReport(input);
    assert.deepEqual(sectionIds(html), ['metrics', 'training', 'confusion', 'curves', 'calibration', 'importance', 'config']);
    const rocFigure = /<figure class="chart"><figcaption>ROC curves, one class vs the rest<\/figcaption>[\s\S]*?<\/figure>/.exec(html)?.[0] ?? '';
    assert.equal((rocFigure.match(/<path class="line/g) ?? []).length, input.evaluation!.roc!.length);
    assert.equal(input.evaluation!.roc!.length, 3);
    for (const name of ['A &amp; &quot;B&quot;', 'beta', 'gamma']) {
      assert.ok(rocFigure.includes(`${name} (AUC `), name);
      assert.ok(html.includes(`<th scope="row">${name}</th>`), `confusion row ${name}`);
    }
    assert.ok(!html.includes('Precision–recall'));
    assert.ok(html.includes('ROC AUC (macro, one-vs-rest)'));
    assert.ok(html.includes('Classwise ECE'));
  });

  it('regression: predicted-vs-actual with y = x and a residual plot, no classification sections', async () => {
    const input = await reportInput('regression');
    const html = renderRunReport(input);
    assert.deepEqual(sectionIds(html), ['metrics', 'training', 'importance', 'regression', 'config']);
    assert.ok(html.includes('Predicted vs actual') && html.includes('y = x (perfect prediction)'));
    assert.ok(html.includes('Residuals (actual − predicted)') && html.includes('zero residual'));
    const points = input.evaluation!.regression!.actual.length;
    const plots = /<section id="regression"[\s\S]*?<\/section>/.exec(html)?.[0] ?? '';
    assert.equal((plots.match(/<circle class="dot"/g) ?? []).length, 2 * points, 'one dot per row in each plot');
    assert.ok(html.includes('Mean absolute error per epoch'));
    const r2 = input.evaluation!.intervals.byMetric.r2;
    assert.ok(html.includes(formatWithInterval(input.evaluation!.metrics.r2, r2.lower, r2.upper)));
  });

  it('a failed run shows its error and the epochs that ran, and no early-stop marker', async () => {
    const html = renderRunReport(
      await reportInput('binary', { status: 'failed', error: 'Training diverged at epoch 12: the loss became NaN.', history: history(11, 'binary'), bestEpoch: 9, evaluation: null, calibration: null, importance: null, modelVersion: null }),
    );
    assert.deepEqual(sectionIds(html), ['error', 'training', 'config']);
    assert.ok(html.includes('Training diverged at epoch 12: the loss became NaN.'));
    assert.ok(html.includes('<span class="badge bad">failed</span>'));
    assert.ok(html.includes('best epoch 9'));
    assert.ok(!html.includes('early stop'));
  });

  it('marks the best epoch and the early stop on the training curves', async () => {
    const html = renderRunReport(await reportInput('binary'));
    assert.ok(html.includes('30 epochs run of 200 configured'));
    const lossFigure = /<figure class="chart"><figcaption>Loss \(cross-entropy\) per epoch<\/figcaption>[\s\S]*?<\/figure>/.exec(html)?.[0] ?? '';
    assert.match(lossFigure, /<line class="best"/);
    assert.match(lossFigure, /<line class="stop"/);
    assert.ok(lossFigure.includes('best epoch 20') && lossFigure.includes('early stop at 30'));
    assert.ok(lossFigure.includes('>val_loss</li>') || lossFigure.includes('val_loss</li>'));
    assert.ok(lossFigure.includes('<title>epoch 1: loss 0.6</title>'), 'exact value in the point tooltip');
    const noStop = renderRunReport(await reportInput('binary', { history: history(200, 'binary') }));
    assert.ok(!noStop.includes('early stop at'), 'all configured epochs ran');
  });

  it('sorts importance bars by mean and draws ±std whiskers', async () => {
    const input = await reportInput('binary');
    const html = renderRunReport(input);
    const figure = /<figure class="chart wide">[\s\S]*?<\/figure>/.exec(html)?.[0] ?? '';
    const drawnOrder = [...figure.matchAll(/<text class="tick" x="[\d.]+" y="[\d.]+" text-anchor="end">([^<]*)<\/text>/g)].map((m) => m[1]);
    const expected = [...input.importance!.importances].sort((a, b) => b.mean - a.mean).map((f) => f.feature.replace(/</g, '&lt;').replace(/>/g, '&gt;'));
    assert.deepEqual(drawnOrder, expected);
    assert.equal(expected[0], 'age', 'the strongest feature comes first');
    assert.equal((figure.match(/class="whisker"/g) ?? []).length, input.importance!.importances.filter((f) => f.std > 0).length);
  });

  it('lists omitted metrics with their reason', () => {
    const yTrue = [0, 0, 0, 0, 0, 0];
    const evaluation = evaluatePredictions('binary', yTrue, [0.1, 0.2, 0.3, 0.6, 0.2, 0.1], 2, ['no', 'yes'], { resamples: 50 });
    assert.ok('roc_auc' in evaluation.omitted);
    const html = renderRunReport({
      project: 'p',
      runId: 1,
      modelVersion: 'v1',
      status: 'completed',
      startedAt: '2025-01-01T00:00:00Z',
      durationMs: null,
      backend: null,
      task: 'binary',
      classes: ['no', 'yes'],
      dataCounts: null,
      config: null,
      history: [],
      bestEpoch: null,
      evaluation,
      calibration: null,
      importance: null,
      error: null,
      generatedAt: '2025-01-01T00:00:01Z',
      mlloopVersion: '0.1.0',
    });
    assert.ok(html.includes('Not computed'));
    assert.match(evaluation.omitted.roc_auc, /only class 'no' is present/);
    assert.ok(html.includes(`<code>roc_auc</code>: ${escapeHtml(evaluation.omitted.roc_auc)}`));
    assert.ok(!html.includes('id="curves"'), 'no ROC without both classes');
    assert.deepEqual(wellFormednessProblems(html), []);
  });

  it('gives every chart accessible names, axis ticks and axis labels, and every table header a scope', async () => {
    for (const task of ['binary', 'multiclass', 'regression'] as const) {
      const html = renderRunReport(await reportInput(task));
      const svgs = [...html.matchAll(/<svg [^>]*>[\s\S]*?<\/svg>/g)].map((m) => m[0]);
      assert.ok(svgs.length >= 4, `${task}: ${svgs.length} charts`);
      for (const svg of svgs) {
        assert.match(svg, /^<svg [^>]*role="img" aria-label="[^"]+"><title>[^<]+<\/title>/);
        assert.ok((svg.match(/class="tick"/g) ?? []).length >= 2, 'tick labels');
        assert.ok(svg.includes('class="axis-label"'), 'axis label');
      }
      assert.deepEqual([...html.matchAll(/<th(?=[\s>])(?![^>]*scope=)[^>]*>/g)].map((m) => m[0]), [], 'every <th> has a scope');
    }
  });
});

describe('report number formatting', () => {
  it('shows metrics with 4 decimals and intervals in brackets', () => {
    assert.equal(formatMetric(0.93333333), '0.9333');
    assert.equal(formatMetric(1), '1.0000');
    assert.equal(formatWithInterval(0.93333, 0.86667, 1), '0.9333 [0.8667, 1.0000]');
    assert.equal(formatMetric(-0.00001), '-1.000e-5', 'tiny values keep their digits');
    assert.equal(formatMetric(-0.00006), '-0.0001');
    assert.equal(formatMetric(-0), '0.0000');
    assert.equal(formatMetric(Number.NaN), 'n/a');
    assert.equal(formatMetric(1234.56789), '1234.5679');
  });

  it('shows durations in the largest sensible unit', () => {
    assert.equal(formatDuration(850), '850 ms');
    assert.equal(formatDuration(12_340), '12.3 s');
    assert.equal(formatDuration(185_000), '3 min 05 s');
    assert.equal(formatDuration(7_440_000), '2 h 04 min');
    assert.equal(formatDuration(null), '—');
  });
});
