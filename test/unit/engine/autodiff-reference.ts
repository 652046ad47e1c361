/**
 * The reference the hand-written backward passes are checked against: the batch loss written
 * with ordinary tfjs ops and differentiated by tfjs' autodiff. Shared by the tests of the tfjs
 * loop (dense-trainer.test.ts) and the WebAssembly SIMD loop (simd-trainer.test.ts).
 * Not a spec file (no `.test` in the name).
 */
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { encodeTargets } from '../../../src/core/engine/dense-trainer';
import type { DenseLayerSpec } from '../../../src/core/engine/models';
import type { TrainableModel as ModelConfig, Task } from '../../../src/core/project/types';
import { teacherDataset } from './synthetic';

export interface Case {
  task: Task;
  classes: number;
  model: ModelConfig;
  note?: string;
}

export const CASES: Case[] = [
  { task: 'multiclass', classes: 4, model: { type: 'mlp', hidden: [7, 5], dropout: 0, activation: 'relu' } },
  { task: 'binary', classes: 2, model: { type: 'mlp', hidden: [6], dropout: 0, activation: 'tanh' } },
  { task: 'regression', classes: 1, model: { type: 'mlp', hidden: [6, 4], dropout: 0, activation: 'elu' } },
  { task: 'multiclass', classes: 3, model: { type: 'mlp', hidden: [6], dropout: 0, activation: 'selu' } },
  { task: 'binary', classes: 2, model: { type: 'logistic', l2: 0.05 } },
  { task: 'multiclass', classes: 3, model: { type: 'logistic', l2: 0.02 } },
  { task: 'regression', classes: 1, model: { type: 'logistic', l2: 0.1 } },
  // the first kernel holds most weights, so it is sliced off the flat vector first
  { task: 'multiclass', classes: 2, model: { type: 'mlp', hidden: [3], dropout: 0, activation: 'relu' }, note: 'with a dominant first kernel' },
];

export const ROWS = 12;
export const FEATURES = 5;

/** A batch as device tensors: features, encoded targets, optional row weights. */
export function batchFor(c: Case, weighted: boolean, seed = 3): { x: tf.Tensor2D; y: tf.Tensor2D; w: tf.Tensor2D | null; labels: Float32Array } {
  const data = teacherDataset(c.task, ROWS, FEATURES, c.classes, seed);
  const targets = encodeTargets(c.task, data.y, c.task === 'multiclass' ? c.classes : 1);
  const w = weighted ? tf.tensor2d(Float32Array.from({ length: ROWS }, (_, i) => 0.5 + (i % 3)), [ROWS, 1]) : null;
  return { x: tf.tensor2d(data.x, [ROWS, FEATURES]), y: tf.tensor2d(targets.values, targets.shape), w, labels: data.y };
}

/**
 * The batch loss written with ordinary tfjs ops, differentiated by tfjs' autodiff: the
 * reference the hand-written backward pass must match. Without masks the forward pass is
 * the LayersModel's own (model.apply), so the trainer's forward is checked too.
 */
export function referenceLoss(c: Case, model: tf.LayersModel, specs: DenseLayerSpec[], x: tf.Tensor2D, y: tf.Tensor2D, w: tf.Tensor2D | null, masks: Array<tf.Tensor2D | null> | null): tf.Scalar {
  let output: tf.Tensor2D;
  if (!masks) {
    output = model.apply(x, { training: false }) as tf.Tensor2D;
  } else {
    const dense = model.layers.filter((l) => l.getClassName() === 'Dense');
    let a: tf.Tensor2D = x;
    dense.forEach((layer, i) => {
      const [kernel, bias] = layer.trainableWeights.map((v) => v.read());
      const z = tf.add(tf.matMul(a, kernel as tf.Tensor2D), bias) as tf.Tensor2D;
      const act = specs[i].activation;
      const h = (act === 'softmax' ? tf.softmax(z) : act === 'linear' ? z : (tf[act] as (t: tf.Tensor) => tf.Tensor)(z)) as tf.Tensor2D;
      a = masks[i] ? (tf.mul(h, masks[i] as tf.Tensor2D) as tf.Tensor2D) : h;
    });
    output = a;
  }
  let perRow: tf.Tensor;
  if (c.task === 'multiclass') perRow = tf.neg(tf.log(tf.sum(tf.mul(output, y), 1)));
  else if (c.task === 'binary') perRow = tf.neg(tf.add(tf.mul(y, tf.log(output)), tf.mul(tf.sub(1, y), tf.log(tf.sub(1, output))))).reshape([-1]);
  else perRow = tf.square(tf.sub(output, y)).reshape([-1]);
  const weighted = w ? tf.mul(perRow, w.reshape([-1])) : perRow;
  let loss = tf.div(tf.sum(weighted), x.shape[0]) as tf.Scalar;
  if (c.model.type === 'logistic') {
    const kernel = model.layers[0].trainableWeights[0].read();
    loss = tf.add(loss, tf.mul(c.model.l2, tf.sum(tf.square(kernel)))) as tf.Scalar;
  }
  return loss;
}

export function referenceGradient(c: Case, model: tf.LayersModel, specs: DenseLayerSpec[], batch: ReturnType<typeof batchFor>, masks: Array<tf.Tensor2D | null> | null): { loss: number; gradient: Float32Array } {
  return tf.tidy(() => {
    const variables = model.trainableWeights.map((v) => v.read() as tf.Variable);
    const { value, grads } = tf.variableGrads(() => referenceLoss(c, model, specs, batch.x, batch.y, batch.w, masks), variables);
    const flat = tf.concat(variables.map((v) => grads[v.name].reshape([-1])));
    return { loss: value.dataSync()[0], gradient: flat.dataSync() as Float32Array };
  });
}

export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < actual.length; i++) {
    const scale = Math.max(1, Math.abs(expected[i]));
    assert.ok(Math.abs(actual[i] - expected[i]) <= tolerance * scale, `${what}[${i}]: ${actual[i]} vs ${expected[i]}`);
  }
}

export function describeCase(c: Case): string {
  const name = c.model.type === 'mlp' ? `${c.task} MLP (${c.model.activation})` : `${c.task} logistic (L2)`;
  return c.note ? `${name} ${c.note}` : name;
}
