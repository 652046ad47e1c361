/**
 * The app runtime evaluates a bundle's network in plain TypeScript: on the bundle of every
 * example project (trained here for a few epochs through the CLI) its outputs must be the
 * TensorFlow.js model's, loaded from the same files, to 1e-6.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { initBackend } from '../../src/core/engine/backend';
import { predictScores } from '../../src/core/engine/fit';
import { loadModel } from '../../src/core/engine/serialize';
import { transformRows } from '../../src/core/data/pipeline';
import { openSqliteStore } from '../../src/core/store/sqlite';
import { evaluateDenseNetwork, loadBundle, predictRecords } from '../../src/runtime';
import { collectExamples, copyExample, mlloop, requireBuild } from './helpers';

const EXAMPLES = ['iris', 'breast-cancer', 'importance-scoring', 'task-categorization', 'decision-policy'];

describe('the app runtime without TensorFlow.js gives the tfjs model’s outputs on every example bundle', function () {
  this.timeout(600000);
  before(async () => {
    requireBuild();
    await initBackend('wasm');
  });

  for (const example of EXAMPLES) {
    it(example, async () => {
      const dir = copyExample(example);
      try {
        // A few epochs: the weights only need to be trained, not good.
        const yaml = path.join(dir, 'mlloop.yaml');
        fs.writeFileSync(yaml, fs.readFileSync(yaml, 'utf8').replace(/^(\s*epochs:)\s*\d+/m, '$1 3'));
        assert.equal(mlloop(dir, ['import', '--quiet']).code, 0);
        const trained = mlloop(dir, ['train', '--json', '--quiet']);
        assert.equal(trained.code, 0, trained.stderr);
        const bundleDir = path.join(dir, '.mlloop', 'models', trained.json.model);

        const store = await openSqliteStore(path.join(dir, '.mlloop', 'store.sqlite'));
        const records = (await collectExamples(store)).map((e) => e.record);
        await store.close();
        const bundle = await loadBundle(bundleDir);
        const { x, n, d } = transformRows(bundle.pipeline, records);
        const ours = evaluateDenseNetwork(bundle.model, x, n);
        const layers = await loadModel(bundleDir);
        const theirs = predictScores(layers, x, n, d);
        layers.dispose();
        assert.equal(ours.length, theirs.length);
        let worst = 0;
        for (let i = 0; i < theirs.length; i++) worst = Math.max(worst, Math.abs(ours[i] - theirs[i]) / Math.max(1, Math.abs(theirs[i])));
        assert.ok(worst <= 1e-6, `${example}: largest difference ${worst} over ${n} records`);
        // The runtime's predictions are the arg max of those outputs (all examples classify).
        const classes = bundle.labels.classes;
        const predictions = predictRecords(bundle, records.slice(0, 50)) as Array<{ label: string; probabilities: Record<string, number> }>;
        for (const p of predictions) assert.equal(p.label, classes.reduce((best, c) => (p.probabilities[c] > p.probabilities[best] ? c : best), classes[0]));
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
