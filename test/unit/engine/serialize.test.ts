import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../src/core/engine/backend';
import { predictScores } from '../../../src/core/engine/fit';
import { buildModel } from '../../../src/core/engine/models';
import { loadModel, loadModelFromArtifacts, modelToArtifacts, saveModel } from '../../../src/core/engine/serialize';
import { UserError } from '../../../src/core/util/errors';
import { teacherDataset } from './synthetic';

describe('engine/serialize', () => {
  let dir: string;
  before(async () => {
    await initBackend('wasm');
  });
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlloop-serialize-'));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('saves model.json + weights.bin and loads a model that predicts the same', async () => {
    const model = buildModel('multiclass', 6, 4, { type: 'mlp', hidden: [8, 5], dropout: 0.2, activation: 'elu' }, 3);
    await saveModel(model, path.join(dir, 'nested', 'v1'));
    assert.deepEqual(fs.readdirSync(path.join(dir, 'nested', 'v1')).sort(), ['model.json', 'weights.bin']);
    const json = JSON.parse(fs.readFileSync(path.join(dir, 'nested', 'v1', 'model.json'), 'utf8'));
    assert.equal(json.format, 'layers-model');
    assert.deepEqual(json.weightsManifest[0].paths, ['weights.bin']);
    assert.equal(fs.statSync(path.join(dir, 'nested', 'v1', 'weights.bin')).size, model.countParams() * 4);

    const loaded = await loadModel(path.join(dir, 'nested', 'v1'));
    const data = teacherDataset('multiclass', 50, 6, 4, 1);
    assert.deepEqual(predictScores(loaded, data.x, 50, 6), predictScores(model, data.x, 50, 6));
    model.dispose();
    loaded.dispose();
  });

  it('loads from in-memory artifacts (the browser path) with the same predictions', async () => {
    const model = buildModel('binary', 3, 1, { type: 'logistic', l2: 0.01 }, 1);
    const { modelJson, weights } = await modelToArtifacts(model);
    const loaded = await loadModelFromArtifacts(JSON.parse(JSON.stringify(modelJson)), weights.slice(0));
    const x = Float32Array.from([0.5, -1, 2, 0, 0, 1]);
    assert.deepEqual(predictScores(loaded, x, 2, 3), predictScores(model, x, 2, 3));
    model.dispose();
    loaded.dispose();
  });

  it('refuses weights that do not belong to the model.json with a UserError', async () => {
    const model = buildModel('binary', 3, 1, { type: 'logistic', l2: 0 }, 1);
    const { modelJson, weights } = await modelToArtifacts(model);
    await assert.rejects(loadModelFromArtifacts(modelJson, weights.slice(4)), (e: unknown) => e instanceof UserError && /do not belong together/.test(e.message));
    await assert.rejects(loadModelFromArtifacts({ hello: 1 }, weights), UserError);
    model.dispose();
  });

  it('reports a missing or corrupt model folder as a UserError naming the file', async () => {
    await assert.rejects(loadModel(dir), (e: unknown) => e instanceof UserError && e.message.includes(path.join(dir, 'model.json')));
    fs.writeFileSync(path.join(dir, 'model.json'), '{"modelTopology": {}, "weightsManifest": [{"paths": ["weights.bin"], "weights": []}]}');
    await assert.rejects(loadModel(dir), (e: unknown) => e instanceof UserError && e.message.includes('weights.bin'));
  });

  it('leaves no tensors behind when saving', async () => {
    const model = buildModel('regression', 4, 1, { type: 'mlp', hidden: [3], dropout: 0, activation: 'relu' }, 1);
    const before = tf.memory().numTensors;
    await saveModel(model, dir);
    assert.equal(tf.memory().numTensors, before);
    model.dispose();
  });
});
