/**
 * Explanations of a really trained model: the engine's fitModel trains an MLP on synthetic
 * records where only a, b (numeric) and color (categorical, one-hot) decide the label and
 * c…f are noise; permutation importance must find exactly those three, and integrated
 * gradients must add up to the change in the output.
 */
import * as assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { fitPipeline, outputColumns, transformRows } from '../../src/core/data/pipeline';
import { initBackend } from '../../src/core/engine/backend';
import { fitModel, predictScores, type Dataset } from '../../src/core/engine/fit';
import { integratedGradients, occlusionAttribution, predictedOutputIndex } from '../../src/core/explain/attribution';
import { groupColumns } from '../../src/core/explain/groups';
import { permutationImportance } from '../../src/core/explain/permutation';
import type { FeatureSpec, TrainableModel, TrainingConfig } from '../../src/core/project/types';
import { createRng } from '../../src/core/util/random';

const NUMERIC = ['a', 'b', 'c', 'd', 'e', 'f'];
const INFORMATIVE = ['a', 'b', 'color'];
const NOISE = ['c', 'd', 'e', 'f'];
const COLOR_EFFECT: Record<string, number> = { red: 1.5, green: 0, blue: -1.5 };

function syntheticRecords(count: number, seed: number): { records: Array<Record<string, unknown>>; y: Float32Array } {
  const rng = createRng(seed);
  const normal = (): number => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  const colors = Object.keys(COLOR_EFFECT);
  const records: Array<Record<string, unknown>> = [];
  const y = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    const record: Record<string, unknown> = {};
    for (const name of NUMERIC) record[name] = 10 + 3 * normal();
    record.color = colors[Math.floor(rng() * colors.length)];
    const logit = 0.9 * ((record.a as number) - 10) - 0.7 * ((record.b as number) - 10) + COLOR_EFFECT[record.color as string];
    y[i] = logit + 0.4 * normal() > 0 ? 1 : 0;
    records.push(record);
  }
  return { records, y };
}

const features: FeatureSpec[] = [
  ...NUMERIC.map((name): FeatureSpec => ({ name, type: 'numeric', transform: 'standardize', impute: 'mean' })),
  { name: 'color', type: 'categorical', maxCategories: 50, minCount: 1 },
];
const model: TrainableModel = { type: 'mlp', hidden: [32, 16], dropout: 0.1, activation: 'relu' };
const training: TrainingConfig = {
  batchSize: 64,
  learningRate: 0.01,
  epochs: 40,
  validationSplit: 0.15,
  testSplit: 0.2,
  earlyStopping: { enabled: true, monitor: 'val_loss', minDelta: 1e-4, patience: 5, restoreBest: true },
  classWeight: 'none',
  seed: 3,
};

describe('explain: a trained model (wasm backend)', function () {
  this.timeout(60000);

  const train = syntheticRecords(3000, 1);
  const validation = syntheticRecords(500, 2);
  const test = syntheticRecords(1500, 3);
  const pipeline = fitPipeline(features, train.records);
  const groups = groupColumns(outputColumns(pipeline));
  const encode = (part: { records: Array<Record<string, unknown>>; y: Float32Array }): Dataset => ({ ...transformRows(pipeline, part.records), y: part.y });
  const testRows = encode(test);
  let trained: tf.LayersModel;

  before(async () => {
    await initBackend('wasm');
    trained = (await fitModel(encode(train), encode(validation), { task: 'binary', numClasses: 2, model, training })).model;
  });
  after(() => trained?.dispose());

  it('groups the one-hot columns of color under one feature', () => {
    assert.deepEqual(
      groups.map((g) => g.feature),
      [...NUMERIC, 'color'],
    );
    assert.equal(groups[6].columns.length, 4, 'blue, green, red, (other)');
  });

  it('permutation importance ranks a, b and color first and gives about 0 to the noise features', async () => {
    const result = await permutationImportance({
      x: testRows.x,
      n: testRows.n,
      d: testRows.d,
      yTrue: test.y,
      task: 'binary',
      k: 2,
      groups,
      score: (x, n) => predictScores(trained, x, n, testRows.d),
      seed: 1,
    });
    assert.equal(result.metric, 'accuracy');
    assert.ok(result.baseline > 0.85, `test accuracy ${result.baseline}`);
    const ranked = result.importances.map((i) => i.feature);
    assert.deepEqual([...ranked.slice(0, 3)].sort(), [...INFORMATIVE].sort(), `ranking ${ranked.join(', ')}`);
    const byFeature = new Map(result.importances.map((i) => [i.feature, i]));
    for (const name of INFORMATIVE) assert.ok(byFeature.get(name)!.mean > 0.1, `${name}: ${byFeature.get(name)!.mean}`);
    for (const name of NOISE) assert.ok(Math.abs(byFeature.get(name)!.mean) < 0.01, `${name}: ${byFeature.get(name)!.mean}`);
  });

  it('integrated gradients add up to f(x) − f(baseline) within 1% per row and weigh the informative features most', () => {
    const before = tf.memory().numTensors;
    const rows = 25;
    const meanAbs = new Map<string, number>(groups.map((g) => [g.feature, 0]));
    let totalChange = 0;
    let totalGap = 0;
    for (let i = 0; i < rows; i++) {
      const row = testRows.x.subarray(i * testRows.d, (i + 1) * testRows.d);
      const r = integratedGradients(trained, row, { outputIndex: predictedOutputIndex('binary', [0]), groups });
      const change = Math.abs(r.fx - r.fBaseline);
      totalChange += change;
      totalGap += Math.abs(r.gap);
      assert.ok(Math.abs(r.gap) <= 1e-2 * Math.max(change, 0.05), `row ${i}: gap ${r.gap} for a change of ${r.fx - r.fBaseline}`);
      for (const a of r.attributions) meanAbs.set(a.feature, meanAbs.get(a.feature)! + Math.abs(a.value) / rows);
    }
    // The refinement aims at 1e-3 of |f(x) − f(b)| per row; 50 equal steps alone missed ~2% here.
    assert.ok(totalGap / totalChange < 2e-3, `relative gap over ${rows} rows: ${totalGap / totalChange}`);
    const weakestInformative = Math.min(...INFORMATIVE.map((f) => meanAbs.get(f)!));
    const strongestNoise = Math.max(...NOISE.map((f) => meanAbs.get(f)!));
    assert.ok(weakestInformative > 3 * strongestNoise, `mean |attribution|: ${JSON.stringify(Object.fromEntries(meanAbs))}`);
    assert.equal(tf.memory().numTensors, before, 'tensors leaked');
  });

  it('occlusion through the scoring function agrees in sign with integrated gradients on the strongest feature', async () => {
    const row = testRows.x.subarray(0, testRows.d);
    const ig = integratedGradients(trained, row, { outputIndex: 0, groups });
    const occlusion = await occlusionAttribution({ row, outputIndex: 0, groups, score: (x, n) => predictScores(trained, x, n, testRows.d) });
    assert.ok(Math.abs(occlusion.fx - ig.fx) < 1e-5);
    assert.ok(Math.abs(occlusion.fBaseline - ig.fBaseline) < 1e-5);
    const strongest = [...ig.attributions].sort((p, q) => Math.abs(q.value) - Math.abs(p.value))[0];
    const same = occlusion.attributions.find((a) => a.feature === strongest.feature)!;
    assert.equal(Math.sign(same.value), Math.sign(strongest.value), `${strongest.feature}: IG ${strongest.value}, occlusion ${same.value}`);
  });
});
