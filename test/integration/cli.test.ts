import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { copyExample, mlloop, REPO, requireBuild, tempDir } from './helpers';

const IRIS = path.join(REPO, 'examples', 'iris', 'data', 'iris.csv');

describe('mlloop CLI (built bundle, real store, real training)', function () {
  this.timeout(300000);
  before(requireBuild);

  describe('init → import → train → evaluate → predict on a fresh folder', () => {
    let dir: string;
    before(() => {
      dir = tempDir();
      fs.copyFileSync(IRIS, path.join(dir, 'iris.csv'));
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it('init infers the task and feature types and writes a valid mlloop.yaml', () => {
      const r = mlloop(dir, ['init', '--data', 'iris.csv', '--label', 'species', '--json']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.json.task, 'multiclass');
      assert.deepEqual(r.json.features.map((f: { name: string; type: string }) => `${f.name}:${f.type}`), [
        'sepal_length:numeric',
        'sepal_width:numeric',
        'petal_length:numeric',
        'petal_width:numeric',
      ]);
      assert.deepEqual(r.json.classes, ['setosa', 'versicolor', 'virginica']);
      assert.match(fs.readFileSync(path.join(dir, 'mlloop.yaml'), 'utf8'), /path: iris\.csv/);
    });

    it('init refuses to overwrite without --force', () => {
      const r = mlloop(dir, ['init', '--data', 'iris.csv', '--label', 'species']);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /already exists.*--force/);
    });

    it('import reads data.sources; importing the same file again adds nothing', () => {
      const first = mlloop(dir, ['import', '--json']);
      assert.equal(first.code, 0, first.stderr);
      assert.deepEqual({ ...first.json, rows_read: undefined }, { imported: 150, duplicates: 0, rejected: [], rejected_total: 0, rows_read: undefined, warnings: [] });
      const again = mlloop(dir, ['import', 'iris.csv', '--json']);
      assert.equal(again.json.imported, 0);
      assert.equal(again.json.duplicates, 150);
    });

    it('train with the inferred defaults reaches iris test accuracy ≥ 0.9 and saves a bundle', () => {
      const r = mlloop(dir, ['train', '--json']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.json.run, 1);
      assert.equal(r.json.model, 'v1');
      // init's ReLU MLP trains on ML Loop's WebAssembly SIMD loop when the backend is auto.
      assert.equal(r.json.backend, 'wasm-simd');
      assert.ok(r.json.metrics.accuracy >= 0.9, `accuracy ${r.json.metrics.accuracy}`);
      for (const k of ['accuracy', 'precision_macro', 'recall_macro', 'f1_macro', 'roc_auc', 'log_loss', 'brier']) assert.equal(typeof r.json.metrics[k], 'number', k);
      for (const f of ['model.json', 'weights.bin', 'pipeline.json', 'labels.json', 'card.json']) {
        assert.ok(fs.existsSync(path.join(dir, '.mlloop', 'models', 'v1', f)), f);
      }
    });

    it('evaluate on the test split reproduces the metrics training reported', () => {
      const trained = mlloop(dir, ['runs', '--json']).json.runs[0].metrics;
      const r = mlloop(dir, ['evaluate', '--json']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.json.model, 'v1');
      for (const [k, v] of Object.entries(trained)) assert.ok(Math.abs((v as number) - r.json.metrics[k]) < 1e-6, `${k}: ${v} vs ${r.json.metrics[k]}`);
    });

    it('evaluate --data reports rows it cannot use and scores the rest (exit 2, as import)', () => {
      fs.writeFileSync(path.join(dir, 'holdout.csv'), 'sepal_length,sepal_width,petal_length,petal_width,species\n5.1,3.5,1.4,0.2,setosa\n6.7,3.0,5.2,2.3,virginica\n5.0,3.0,1.6,0.2,tulip\n');
      const r = mlloop(dir, ['evaluate', '--data', 'holdout.csv', '--json']);
      assert.equal(r.code, 2, r.stderr);
      assert.equal(r.json.n, 2);
      assert.equal(r.json.rejected.length, 1);
      assert.equal(r.json.rejected[0].line, 4);
      assert.match(r.json.rejected[0].reason, /'tulip' was not among the classes/);
    });

    it('predict takes JSON on stdin and returns label, confidence and probabilities', () => {
      const r = mlloop(dir, ['predict', '--json'], JSON.stringify([{ sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2 }, { sepal_length: '6.9', sepal_width: '3.1', petal_length: '5.4', petal_width: '2.1' }]));
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.json.model, 'v1');
      const [a, b] = r.json.predictions;
      assert.equal(a.label, 'setosa');
      assert.equal(b.label, 'virginica');
      assert.ok(a.confidence > 0.5 && a.confidence <= 1);
      const sum = Object.values(a.probabilities as Record<string, number>).reduce((s, p) => s + p, 0);
      assert.ok(Math.abs(sum - 1) < 1e-5);
      assert.deepEqual(Object.keys(a.probabilities), ['setosa', 'versicolor', 'virginica']);
    });

    it('predict reports a record with an unreadable value instead of imputing it, and predicts the rest (exit 2)', () => {
      const r = mlloop(dir, ['predict', '--json'], '{"sepal_length": "long", "sepal_width": 3, "petal_length": 1.4, "petal_width": 0.2}\n{"sepal_length": 5.1}\n');
      assert.equal(r.code, 2);
      assert.equal(r.json.rejected, 1);
      assert.match(r.json.predictions[0].error, /feature 'sepal_length': 'long' is not a number/);
      assert.equal(typeof r.json.predictions[1].label, 'string');
    });

    it('runs and models list what was trained', () => {
      const runs = mlloop(dir, ['runs', '--json']).json.runs;
      assert.equal(runs.length, 1);
      assert.equal(runs[0].status, 'completed');
      assert.ok(runs[0].duration_ms > 0);
      const models = mlloop(dir, ['models', '--json']).json.models;
      assert.deepEqual(models.map((m: { version: string }) => m.version), ['v1']);
      const text = mlloop(dir, ['runs']);
      assert.match(text.stdout, /completed/);
    });
  });

  describe('bad input', () => {
    it('import keeps the good rows and reports each bad one with file, line and reason (exit 2)', () => {
      const dir = tempDir();
      fs.writeFileSync(path.join(dir, 'mlloop.yaml'), 'version: 1\ntask: binary\nlabel: y\nfeatures:\n  - {name: a, type: numeric}\n  - {name: b, type: boolean}\n');
      fs.writeFileSync(path.join(dir, 'rows.csv'), ['a,b,y', '1,true,yes', '2,false,', 'abc,true,no', '3,maybe,no', '4,true', '5,false,no', ''].join('\n'));
      const r = mlloop(dir, ['import', 'rows.csv', '--json']);
      assert.equal(r.code, 2);
      assert.equal(r.json.imported, 2);
      assert.deepEqual(
        r.json.rejected.map((x: { file: string; line: number; reason: string }) => [x.file, x.line]),
        [
          ['rows.csv', 3],
          ['rows.csv', 4],
          ['rows.csv', 5],
          ['rows.csv', 6],
        ],
      );
      const reasons = r.json.rejected.map((x: { reason: string }) => x.reason).join('\n');
      assert.match(reasons, /label/);
      assert.match(reasons, /'abc'/);
      assert.match(reasons, /maybe/);
      // What was imported stays when a later import fails on a missing file.
      const missing = mlloop(dir, ['import', 'nope.csv', '--json']);
      assert.equal(missing.code, 2);
      assert.match(missing.json.error.message, /No such file/);
      assert.equal(mlloop(dir, ['import', 'rows.csv', '--json']).json.duplicates, 2);
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('a broken mlloop.yaml is reported as file:line:col with exit 2, never a stack trace', () => {
      const dir = tempDir();
      fs.writeFileSync(path.join(dir, 'mlloop.yaml'), 'version: 1\ntask: binary\nlabel: y\nfeatures:\n  - {name: a, type: numerc}\n');
      const r = mlloop(dir, ['train']);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /mlloop\.yaml:5:5: error: 'features\.0': unknown type "numerc"/);
      assert.doesNotMatch(r.stderr, /at .*\.js:\d+/);
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('training with too few examples says what to do', () => {
      const dir = tempDir();
      fs.writeFileSync(path.join(dir, 'mlloop.yaml'), 'version: 1\ntask: binary\nlabel: y\nfeatures:\n  - {name: a, type: numeric}\n');
      fs.writeFileSync(path.join(dir, 'rows.csv'), 'a,y\n1,x\n2,z\n');
      mlloop(dir, ['import', 'rows.csv']);
      const r = mlloop(dir, ['train', '--json']);
      assert.equal(r.code, 2);
      assert.match(r.json.error.message, /Only 2 examples.*at least 20/);
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('usage errors exit 2 with a hint', () => {
      const dir = tempDir();
      assert.equal(mlloop(dir, ['frobnicate']).code, 2);
      const r = mlloop(dir, ['init', '--json']);
      assert.equal(r.code, 2);
      assert.match(r.json.error.message, /--data FILE and --label COLUMN/);
      assert.equal(mlloop(dir, ['train', '--bogus']).code, 2);
      const none = mlloop(dir, ['train']);
      assert.equal(none.code, 2);
      assert.match(none.stderr, /No mlloop\.yaml/);
      fs.rmSync(dir, { recursive: true, force: true });
    });
  });

  describe('example projects', () => {
    it('breast cancer reaches test accuracy ≥ 0.93', () => {
      const dir = copyExample('breast-cancer');
      assert.equal(mlloop(dir, ['import']).code, 0);
      const r = mlloop(dir, ['train', '--json']);
      assert.equal(r.code, 0, r.stderr);
      assert.ok(r.json.metrics.accuracy >= 0.93, `accuracy ${r.json.metrics.accuracy}`);
      assert.ok(r.json.metrics.roc_auc >= 0.97, `roc_auc ${r.json.metrics.roc_auc}`);
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('the same seed and data give the same metrics', () => {
      const a = copyExample('iris');
      const b = copyExample('iris');
      mlloop(a, ['import']);
      mlloop(b, ['import']);
      const ra = mlloop(a, ['train', '--json']).json.metrics;
      const rb = mlloop(b, ['train', '--json']).json.metrics;
      assert.ok(ra.accuracy >= 0.9, `iris example accuracy ${ra.accuracy}`);
      assert.deepEqual(ra, rb);
      fs.rmSync(a, { recursive: true, force: true });
      fs.rmSync(b, { recursive: true, force: true });
    });

    it('regression on a target in the tens of thousands trains as well as on a small scale (targets are standardised)', () => {
      const dir = tempDir();
      const lines = fs.readFileSync(IRIS, 'utf8').trim().split(/\r?\n/).slice(1);
      const rows = lines.map((l) => l.split(','));
      fs.writeFileSync(path.join(dir, 'price.csv'), ['sepal_length,sepal_width,petal_length,species,price', ...rows.map((r) => `${r[0]},${r[1]},${r[2]},${r[4]},${(Number(r[3]) * 10000 + 50000).toFixed(1)}`)].join('\n'));
      assert.equal(mlloop(dir, ['init', '--data', 'price.csv', '--label', 'price', '--json']).json.task, 'regression');
      mlloop(dir, ['import']);
      const r = mlloop(dir, ['train', '--json']);
      assert.equal(r.code, 0, r.stderr);
      assert.ok(r.json.metrics.r2 >= 0.85, `r2 ${r.json.metrics.r2}`);
      const p = mlloop(dir, ['predict', '--json'], JSON.stringify({ sepal_length: 6.3, sepal_width: 3.3, petal_length: 6.0, species: 'virginica' }));
      assert.ok(p.json.predictions[0].value > 60000 && p.json.predictions[0].value < 80000, `prediction ${p.json.predictions[0].value}`);
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('task categorization (text features, JSON samples shape) trains to a useful model', () => {
      const dir = copyExample('task-categorization');
      const imp = mlloop(dir, ['import', '--json']);
      assert.equal(imp.code, 0, imp.stderr);
      assert.ok(imp.json.imported > 1000);
      const r = mlloop(dir, ['train', '--json']);
      assert.equal(r.code, 0, r.stderr);
      assert.ok(r.json.metrics.accuracy >= 0.7, `accuracy ${r.json.metrics.accuracy}`);
      fs.rmSync(dir, { recursive: true, force: true });
    });
  });
});
