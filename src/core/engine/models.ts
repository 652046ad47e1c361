/**
 * Model builders: the two architectures a project file can ask for, as tfjs LayersModels.
 *
 * The models are plain stacks of Dense (and Dropout) layers so that they save as a standard
 * tfjs `model.json` the app runtime can load, and so that the fast training loop in
 * ./dense-trainer.ts can train them from their layer list (it reads units, activations,
 * dropout rates and L2 penalties back from the layers, see {@link describeDenseStack}).
 */
import * as tf from '@tensorflow/tfjs';
import type { Task, TrainableModel } from '../project/types';
import { createRng } from '../util/random';
import { denseNetwork, type DenseNetwork } from './dense-network';

/** Activation of a dense layer as the training loop knows it. */
export type DenseActivation = 'relu' | 'tanh' | 'elu' | 'selu' | 'sigmoid' | 'softmax' | 'linear';

/** One dense layer of a model built by {@link buildModel}, in input-to-output order. */
export interface DenseLayerSpec {
  inputDim: number;
  units: number;
  activation: DenseActivation;
  /** Rate of the Dropout layer that follows this layer, 0 when there is none. */
  dropoutAfter: number;
  /** L2 penalty on the kernel (not the bias): l2 · Σ W², added to the mean loss. */
  kernelL2: number;
}

/** Number of output units for a task: 1 for binary and regression, k for multiclass. */
export function outputUnits(task: Task, numClasses: number): number {
  return task === 'multiclass' ? numClasses : 1;
}

/**
 * Builds an untrained model.
 *
 * - MLP: Dense(hidden[i], activation) → Dropout(dropout) for each hidden size, then the head.
 *   Kernels start He-normal for relu/elu, Glorot-uniform for tanh and LeCun-normal for selu
 *   (the initialisation each activation's derivation assumes); biases start at zero. A dropout
 *   rate of 0 adds no Dropout layer.
 * - Logistic: the head alone, with an L2 penalty `model.l2 · Σ W²` on the kernel (not the
 *   bias), i.e. (multinomial) logistic regression, or ridge-penalised linear regression for
 *   the regression task.
 * - Head: sigmoid(1) for binary, softmax(outputs) for multiclass, linear(1) for regression.
 *
 * Every initialiser and Dropout layer gets its own seed derived from `seed`, so the same seed
 * gives the same initial weights on every machine and backend (tfjs draws initial values in
 * JavaScript). Note that a seeded tfjs Dropout layer repeats one mask on every call; that only
 * matters for `model.fit`, which ML Loop does not use — its training loop draws a fresh mask
 * per batch from the training seed.
 *
 * Layer names are fixed ('hidden_1', 'dropout_1', …, 'output'), so saved models of the same
 * config have the same topology text.
 *
 * @param inputDim width of the feature vector (≥ 1).
 * @param outputs output units: 1 for binary/regression, number of classes (≥ 2) for multiclass.
 * @param seed any integer.
 */
export function buildModel(task: Task, inputDim: number, outputs: number, model: TrainableModel, seed: number): tf.LayersModel {
  if (!Number.isInteger(inputDim) || inputDim < 1) throw new Error(`buildModel: inputDim must be a positive integer, got ${inputDim}`);
  if (task === 'multiclass' ? outputs < 2 : outputs !== 1) {
    throw new Error(`buildModel: a ${task} model needs ${task === 'multiclass' ? 'at least 2 outputs' : '1 output'}, got ${outputs}`);
  }
  const nextSeed = seedStream(seed);
  const layers: tf.layers.Layer[] = [];
  if (model.type === 'mlp') {
    model.hidden.forEach((units, i) => {
      layers.push(
        tf.layers.dense({
          name: `hidden_${i + 1}`,
          units,
          activation: model.activation,
          kernelInitializer: hiddenInitializer(model.activation, nextSeed()),
          biasInitializer: 'zeros',
          ...(i === 0 ? { inputShape: [inputDim] } : {}),
        }),
      );
      if (model.dropout > 0) layers.push(tf.layers.dropout({ name: `dropout_${i + 1}`, rate: model.dropout, seed: nextSeed() }));
    });
  }
  layers.push(
    tf.layers.dense({
      name: 'output',
      units: outputs,
      activation: headActivation(task),
      kernelInitializer: tf.initializers.glorotUniform({ seed: nextSeed() }),
      biasInitializer: 'zeros',
      ...(model.type === 'logistic' && model.l2 > 0 ? { kernelRegularizer: tf.regularizers.l2({ l2: model.l2 }) } : {}),
      ...(layers.length === 0 ? { inputShape: [inputDim] } : {}),
    }),
  );
  return tf.sequential({ name: model.type, layers });
}

/** The activation of the output layer for a task. */
export function headActivation(task: Task): 'sigmoid' | 'softmax' | 'linear' {
  return task === 'binary' ? 'sigmoid' : task === 'multiclass' ? 'softmax' : 'linear';
}

/**
 * Reads a model made of Dense and Dropout layers back as a list of dense layers (what the
 * training loop needs). Throws for any other layer type or for a Dense layer without bias,
 * so a model this loop cannot train exactly is refused instead of trained wrongly.
 */
export function describeDenseStack(model: tf.LayersModel): DenseLayerSpec[] {
  const specs: DenseLayerSpec[] = [];
  for (const layer of model.layers) {
    const className = layer.getClassName();
    const config = layer.getConfig() as Record<string, unknown>;
    if (className === 'Dense') {
      if (config.useBias === false) throw new Error(`Layer ${layer.name}: a dense layer without bias is not supported by the training loop`);
      const kernelShape = (layer.getWeights()[0] ?? { shape: [] }).shape;
      specs.push({
        inputDim: kernelShape[0] as number,
        units: config.units as number,
        activation: denseActivation(layer.name, config.activation),
        dropoutAfter: 0,
        kernelL2: kernelL2(layer.name, config.kernelRegularizer),
      });
    } else if (className === 'Dropout') {
      const last = specs[specs.length - 1];
      if (!last) throw new Error(`Layer ${layer.name}: dropout before the first dense layer is not supported by the training loop`);
      last.dropoutAfter = config.rate as number;
    } else {
      throw new Error(`Layer ${layer.name}: ${className} layers are not supported by the training loop`);
    }
  }
  if (specs.length === 0) throw new Error('The model has no dense layer');
  return specs;
}

function denseActivation(layerName: string, activation: unknown): DenseActivation {
  const known: DenseActivation[] = ['relu', 'tanh', 'elu', 'selu', 'sigmoid', 'softmax', 'linear'];
  if (typeof activation === 'string' && (known as string[]).includes(activation)) return activation as DenseActivation;
  throw new Error(`Layer ${layerName}: activation ${JSON.stringify(activation)} is not supported by the training loop`);
}

function kernelL2(layerName: string, regularizer: unknown): number {
  if (regularizer == null) return 0;
  const r = regularizer as { className?: string; config?: { l1?: number; l2?: number } };
  if (r.className === 'L1L2' && !(r.config?.l1 ?? 0)) return r.config?.l2 ?? 0;
  throw new Error(`Layer ${layerName}: only an L2 kernel penalty is supported by the training loop`);
}

function hiddenInitializer(activation: 'relu' | 'tanh' | 'elu' | 'selu', seed: number): ReturnType<typeof tf.initializers.heNormal> {
  if (activation === 'relu' || activation === 'elu') return tf.initializers.heNormal({ seed });
  if (activation === 'selu') return tf.initializers.leCunNormal({ seed });
  return tf.initializers.glorotUniform({ seed });
}

/** Independent-looking per-layer seeds from one seed (so layers do not share a sequence). */
function seedStream(seed: number): () => number {
  const rng = createRng(seed ^ 0x5eed1a7e);
  return () => Math.floor(rng() * 0x7fffffff);
}

/**
 * The plain-TypeScript network (./dense-network.ts) with `model`'s current weights, which is
 * what every model is run with after training — the training job scores its validation and
 * test rows with it, as `mlloop predict` and the app runtime do with the saved bundle.
 * Layer names, activations and weights are read from the model; dropout is dropped (identity
 * at inference).
 */
export function denseNetworkOfModel(model: tf.LayersModel): DenseNetwork {
  const specs = describeDenseStack(model);
  const dense = model.layers.filter((l) => l.getClassName() === 'Dense');
  return denseNetwork(
    specs.map((spec, i) => {
      const [kernel, bias] = dense[i].getWeights();
      return { name: dense[i].name, inputDim: spec.inputDim, units: spec.units, activation: spec.activation, kernel: kernel.dataSync(), bias: bias.dataSync() };
    }),
  );
}
