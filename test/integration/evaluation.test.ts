import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { applyCalibrator } from '../../src/core/calibrate/apply';
import { loadBundle, outputK, predictRecords, scoreRecords } from '../../src/runtime';
import { copyExample, mlloop, requireBuild } from './helpers';

describe('evaluation, calibration and explanations through the CLI (decision-policy example)', function () {
  this.timeout(300000);
  let dir: string;
  let trained: any;
  before(() => {
    requireBuild();
    dir = copyExample('decision-policy');
    assert.equal(mlloop(dir, ['import']).code, 0);
    const r = mlloop(dir, ['train', '--json']);
    assert.equal(r.code, 0, r.stderr);
    trained = r.json;
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('train reports the calibration choice and writes a self-contained HTML report', () => {
    assert.ok(['platt', 'temperature', 'vector', 'histogram', 'isotonic', 'none'].includes(trained.calibration.method));
    assert.ok(trained.calibration.reason.length > 10);
    const html = fs.readFileSync(trained.report, 'utf8');
    assert.match(html, /^<!DOCTYPE html>/i);
    assert.doesNotMatch(html, /<script|src="https?:|href="https?:|@import/i);
    assert.match(html, /assign_tier1/);
    assert.ok(trained.report.endsWith(path.join('.mlloop', 'reports', `run-${trained.run}.html`)));
  });

  it('evaluate --json gains intervals, ECE, confusion matrix and curves that agree with the metrics', () => {
    const r = mlloop(dir, ['evaluate', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const j = r.json;
    for (const [k, v] of Object.entries(trained.metrics)) assert.ok(Math.abs((v as number) - j.metrics[k]) < 1e-6, k);
    for (const k of ['accuracy', 'f1_macro', 'log_loss']) {
      assert.ok(j.intervals[k].lower <= j.metrics[k] && j.metrics[k] <= j.intervals[k].upper, `${k} outside its interval`);
      assert.ok(j.intervals[k].upper - j.intervals[k].lower > 0, `${k} interval is empty`);
    }
    assert.equal(j.interval_confidence, 0.95);
    assert.ok(j.ece.ece >= 0 && j.ece.ece <= 1 && j.ece.mce >= j.ece.ece);
    const cm: number[][] = j.confusion_matrix.matrix;
    assert.equal(cm.length, 5);
    const total = cm.flat().reduce((a, b) => a + b, 0);
    assert.equal(total, j.n);
    const diag = cm.reduce((a, row, i) => a + row[i], 0);
    assert.ok(Math.abs(diag / total - j.metrics.accuracy) < 1e-12);
    assert.equal(j.curves.roc.length, 5);
    for (const c of j.curves.roc) {
      assert.equal(c.fpr[0], 0);
      assert.equal(c.fpr[c.fpr.length - 1], 1);
      assert.equal(c.tpr[c.tpr.length - 1], 1);
    }
    const counts: number[] = j.curves.reliability.counts;
    assert.equal(counts.reduce((a, b) => a + b, 0), j.n);
  });

  it('the app runtime gives exactly what `mlloop predict` gives, calibration included', async () => {
    const rows = [
      Object.fromEntries(Array.from({ length: 18 }, (_, i) => [`f${i}`, 0])),
    ];
    const csv = fs.readFileSync(path.join(dir, 'data', 'decisions.csv'), 'utf8').split(/\r?\n/);
    const header = csv[0].split(',');
    const records = csv.slice(1, 6).map((line) => Object.fromEntries(line.split(',').map((v, i) => [header[i], v])));
    const cli = mlloop(dir, ['predict', '--json'], JSON.stringify(records));
    assert.equal(cli.code, 0, cli.stderr);
    const bundle = await loadBundle(path.join(dir, '.mlloop', 'models', trained.model));
    assert.equal(bundle.calibrator?.method ?? 'none', trained.calibration.method);
    const mine = predictRecords(bundle, records);
    assert.deepEqual(JSON.parse(JSON.stringify(mine)), cli.json.predictions);
    if (bundle.calibrator) {
      // Calibrated scores are the calibrator applied to the raw model outputs.
      const raw = scoreRecords(bundle, records, { calibrated: false }).scores;
      const cal = scoreRecords(bundle, records).scores;
      const expected = applyCalibrator(bundle.calibrator, raw, outputK(bundle));
      for (let i = 0; i < cal.length; i++) assert.ok(Math.abs(cal[i] - expected[i]) < 1e-6);
    }
    assert.ok(rows.length === 1);
  });

  it('calibrate --method none makes a new version without the calibrator; --method platt brings one back only if it helps; the old versions stay as they were', () => {
    const originalCard = fs.readFileSync(path.join(dir, '.mlloop', 'models', trained.model, 'card.json'), 'utf8');
    const hadCalibrator = fs.existsSync(path.join(dir, '.mlloop', 'models', trained.model, 'calibrator.json'));
    const off = mlloop(dir, ['calibrate', '--method', 'none', '--json']);
    assert.equal(off.code, 0, off.stderr);
    assert.equal(off.json.method, 'none');
    assert.equal(off.json.from, trained.model);
    assert.notEqual(off.json.model, trained.model, 'a version names one model forever: recalibrating makes a new one');
    assert.equal(fs.existsSync(path.join(dir, '.mlloop', 'models', off.json.model, 'calibrator.json')), false);
    assert.equal(fs.readFileSync(path.join(dir, '.mlloop', 'models', trained.model, 'card.json'), 'utf8'), originalCard);
    assert.equal(fs.existsSync(path.join(dir, '.mlloop', 'models', trained.model, 'calibrator.json')), hadCalibrator);
    assert.equal(JSON.parse(fs.readFileSync(path.join(dir, '.mlloop', 'models', off.json.model, 'card.json'), 'utf8')).parentVersion, trained.model);
    const evalRaw = mlloop(dir, ['evaluate', '--json']).json;
    assert.ok(Math.abs(evalRaw.metrics.log_loss - off.json.metrics.log_loss) < 1e-9);

    const platt = mlloop(dir, ['calibrate', '--method', 'platt', '--json']);
    assert.equal(platt.code, 0, platt.stderr);
    const candidate = platt.json.validation.candidates.find((c: { method: string }) => c.method === 'platt');
    assert.ok(candidate, 'platt was evaluated');
    const improvement = candidate.eceImprovement as number;
    assert.equal(platt.json.method, improvement > 0.05 && candidate.status === 'accepted' ? 'platt' : 'none');
    assert.equal(platt.json.from, off.json.model);
    assert.equal(fs.existsSync(path.join(dir, '.mlloop', 'models', platt.json.model, 'calibrator.json')), platt.json.method === 'platt');
    // The test-split numbers it prints before/after are the raw and calibrated evaluations.
    assert.ok(Math.abs(platt.json.test.before.ece - evalRaw.ece.ece) < 1e-9);
    const models = mlloop(dir, ['models', '--json']).json.models;
    assert.ok(Math.abs(models[0].metrics.log_loss - platt.json.metrics.log_loss) < 1e-12);
  });

  it('calibrate rejects an unknown method with exit 2', () => {
    const r = mlloop(dir, ['calibrate', '--method', 'magic', '--json']);
    assert.equal(r.code, 2);
    assert.match(r.json.error.message, /--method must be one of/);
  });

  it('explain ranks features by permutation importance and attributes one test row', () => {
    const r = mlloop(dir, ['explain', '--row', '3', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const imp = r.json.importance;
    assert.equal(imp.metric, 'accuracy');
    assert.equal(imp.importances.length, 18);
    for (let i = 1; i < imp.importances.length; i++) assert.ok(imp.importances[i - 1].mean >= imp.importances[i].mean);
    assert.ok(imp.importances[0].mean > 0.01, 'the top feature matters');
    const e = r.json.explanation;
    assert.equal(e.row, 3);
    assert.equal(e.attributions.length, 18);
    const sum = e.attributions.reduce((a: number, x: { value: number }) => a + x.value, 0);
    assert.ok(Math.abs(sum - (e.output - e.baselineOutput)) <= Math.abs(e.gap) + 1e-6);
    assert.ok(Math.abs(e.gap) < 0.01 * Math.max(1e-3, Math.abs(e.output - e.baselineOutput)) + 1e-4, `gap ${e.gap}`);
    const text = mlloop(dir, ['explain']);
    assert.match(text.stdout, new RegExp(`Permutation importance of model ${r.json.model} `));
  });

  it('explain --row past the end says how many records there are', () => {
    const r = mlloop(dir, ['explain', '--row', '100000', '--json']);
    assert.equal(r.code, 2);
    assert.match(r.json.error.message, /test split has \d+ records/);
  });

  it('evaluate --cv 3 reports mean ± std over folds', () => {
    const r = mlloop(dir, ['evaluate', '--cv', '3', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.json.cv, 3);
    assert.equal(r.json.folds.length, 3);
    const acc = r.json.metrics.accuracy;
    const values: number[] = acc.values;
    const mean = values.reduce((a, b) => a + b, 0) / 3;
    const std = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / 3);
    assert.ok(Math.abs(acc.mean - mean) < 1e-12 && Math.abs(acc.std - std) < 1e-12);
    assert.ok(acc.mean > 0.7, `cv accuracy ${acc.mean}`);
    assert.equal(r.json.folds.reduce((a: number, f: { n: number }) => a + f.n, 0), r.json.n);
  });
});
